import type { ResponseRule } from './declaration.ts';
import type { FailureClass } from '../domain/sync/failure-class.ts';
import type { RandomSource } from './random.ts';
import { parseRetryAfterMs } from './retry-after.ts';

/**
 * The pure retry decision (README "Guarantees": failures have a class; after Nango's proxy
 * `retry.ts` and BullMQ's rate-limit guide): ordered response rules first, then defaults by status.
 * Transient failures spend attempts; rate limits spend a wait budget instead, so a throttled sync
 * slows down but never fails for having been patient.
 */
export type AttemptOutcome =
  | { kind: 'response'; status: number; headers: Readonly<Record<string, string | undefined>>; bodyText: string }
  /** No response: a Node/axios error code (ECONNRESET, ETIMEDOUT, ECONNABORTED, ENOTFOUND …). */
  | { kind: 'network'; code: string }
  /** A 2xx whose body was not complete JSON. */
  | { kind: 'truncated'; status: number };

export interface BackoffPolicy { baseMs: number; maxMs: number }

export interface RetryInput {
  outcome: AttemptOutcome;
  rules?: readonly ResponseRule[];
  /** Transient attempts so far, counting this one if it failed transiently (≥ 1). */
  attempt: number;
  maxAttempts: number;
  /** Rate-limited responses so far, counting this one if it is one (≥ 1). */
  rateLimitHits: number;
  /** Total already waited on rate limits in this request. */
  rateLimitWaitedMs: number;
  maxRateLimitWaitMs: number;
  nowMs: number;
  random: RandomSource;
  backoff?: BackoffPolicy;
  /** A 404 means the base URL is wrong (fixed API paths); false for item look-ups. Default true. */
  notFoundIsConfig?: boolean;
}

export interface RetryDecision {
  retry: boolean;
  reason: string;
  waitMs: number;
  /** Class of the failure if the request stops here (for retries: the class it would have). */
  failure: FailureClass;
  code: string;
  /** Hand the response to the caller (2xx, or an `ignore` rule). */
  accept: boolean;
  consumesAttempt: boolean;
  rateLimited: boolean;
  /** Operator-facing text from a rule or a default, with `{…}` placeholders still in it. */
  message: string | null;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000 };

/** The shortest wait after a rate-limited response, whatever Retry-After says. */
const MIN_RATE_LIMIT_WAIT_MS = 1_000;

const base = { retry: false, waitMs: 0, accept: false, consumesAttempt: false, rateLimited: false, message: null };

export function decideRetry(input: RetryInput): RetryDecision {
  const { outcome } = input;
  if (outcome.kind === 'network') return decideNetwork(input, outcome.code);
  if (outcome.kind === 'truncated') {
    return transient(input, 'TRUNCATED_BODY', `response body was not complete JSON (status ${outcome.status})`, 'transient', null);
  }
  const rule = firstMatchingRule(input.rules ?? [], outcome);
  if (rule !== undefined) return applyRule(input, rule, outcome.status);
  return decideByStatus(input, outcome.status);
}

export function firstMatchingRule(
  rules: readonly ResponseRule[],
  response: { status: number; headers: Readonly<Record<string, string | undefined>>; bodyText: string },
): ResponseRule | undefined {
  return rules.find(({ match }) => {
    if (match.status !== undefined && !match.status.includes(response.status)) return false;
    if (match.bodyIncludes !== undefined && !response.bodyText.includes(match.bodyIncludes)) return false;
    if (match.headerPresent !== undefined && response.headers[match.headerPresent.toLowerCase()] === undefined) return false;
    return true;
  });
}

function applyRule(input: RetryInput, rule: ResponseRule, status: number): RetryDecision {
  const message = rule.message ?? null;
  switch (rule.action) {
    case 'ignore':
      return { ...base, accept: true, reason: `ignored by rule (status ${status})`, failure: 'transient', code: rule.code ?? 'IGNORED' };
    case 'fail':
      return { ...base, reason: `failed by rule (status ${status})`, failure: rule.failure ?? 'system', code: rule.code ?? 'RULE_FAIL', message };
    case 'retry':
      return transient(input, rule.code ?? 'RULE_RETRY', `retryable by rule (status ${status})`, rule.failure ?? 'transient', message);
    case 'rate_limited':
      return rateLimited(input, rule.code ?? 'RATE_LIMITED', message);
  }
}

function decideByStatus(input: RetryInput, status: number): RetryDecision {
  if (status >= 200 && status < 300) return { ...base, accept: true, reason: 'ok', failure: 'transient', code: 'OK' };
  if (status === 429) return rateLimited(input, 'RATE_LIMITED', null);
  if (status >= 500 || status === 408) return transient(input, 'HTTP_5XX', `server error ${status}`, 'transient', null);
  if (status === 401) return stop('config', 'AUTH_REJECTED', 'credentials rejected (401)', messages.unauthorized);
  if (status === 403) return stop('config', 'FORBIDDEN', 'access denied (403)', messages.forbidden);
  if (status === 404 && input.notFoundIsConfig !== false) return stop('config', 'NOT_FOUND', 'not found (404)', messages.notFound);
  if (status >= 300 && status < 400) return stop('config', 'REDIRECT', `redirected (${status})`, messages.redirect);
  return stop('system', 'HTTP_4XX', `unexpected status ${status}`, null);
}

/** Default operator-facing texts; the client adds connector, status and path. */
export const messages = {
  unauthorized: 'the service rejected the credentials: check the configured user/e-mail and token, or re-authorise the OAuth grant',
  forbidden: 'the credentials are valid but lack permission: the integration user needs admin (or API read) access',
  notFound: 'the API path does not exist at this base URL: check baseUrl (the instance root, e.g. https://acme.zendesk.com)',
  redirect: 'the base URL redirects elsewhere: set baseUrl to the final https address of the instance',
  hostNotFound: 'the host name does not resolve: check baseUrl',
  tls: 'the TLS certificate was not accepted: check baseUrl (https, the real host name)',
} as const;

const tlsCodes = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function decideNetwork(input: RetryInput, code: string): RetryDecision {
  // NXDOMAIN is an answer, not a hiccup (EAI_AGAIN is the transient one).
  if (code === 'ENOTFOUND') return stop('config', 'HOST_NOT_FOUND', 'host not found', messages.hostNotFound);
  if (tlsCodes.has(code)) return stop('config', 'TLS_REJECTED', `TLS error ${code}`, messages.tls);
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return transient(input, 'TIMEOUT', `timed out (${code})`, 'transient', null);
  return transient(input, 'NETWORK', `network error ${code}`, 'transient', null);
}

function stop(failure: FailureClass, code: string, reason: string, message: string | null): RetryDecision {
  return { ...base, reason, failure, code, message };
}

function transient(input: RetryInput, code: string, why: string, exhausted: FailureClass, message: string | null): RetryDecision {
  if (input.attempt >= input.maxAttempts) {
    return { ...base, reason: `${why}; gave up after ${input.attempt} attempts`, failure: exhausted, code, message };
  }
  const retryAfter = retryAfterOf(input);
  const waitMs = retryAfter ?? fullJitter(input.attempt, input.backoff ?? defaultBackoff, input.random);
  const source = retryAfter === null ? 'backoff' : 'Retry-After';
  return {
    ...base,
    retry: true,
    consumesAttempt: true,
    waitMs,
    failure: 'transient',
    code,
    message,
    reason: `${why}; attempt ${input.attempt}/${input.maxAttempts}, waiting ${waitMs} ms (${source})`,
  };
}

function rateLimited(input: RetryInput, code: string, message: string | null): RetryDecision {
  const retryAfter = retryAfterOf(input);
  // Edge-protection 429s may carry no Retry-After: back off anyway, never hammer (50–100 % of the step).
  // `Retry-After: 0` (or a date already past) would add nothing to the wait budget and spin: wait 1 s.
  const waitMs = retryAfter === null ? halfJitter(input.rateLimitHits, input.backoff ?? defaultBackoff, input.random) : Math.max(MIN_RATE_LIMIT_WAIT_MS, retryAfter);
  const source = retryAfter === null ? 'backoff' : 'Retry-After';
  if (input.rateLimitWaitedMs + waitMs > input.maxRateLimitWaitMs) {
    return {
      ...base,
      rateLimited: true,
      waitMs,
      failure: 'transient',
      code,
      message,
      reason: `rate limited; waiting ${waitMs} ms more would exceed the ${input.maxRateLimitWaitMs} ms wait budget`,
    };
  }
  return { ...base, retry: true, rateLimited: true, waitMs, failure: 'transient', code, message, reason: `rate limited; waiting ${waitMs} ms (${source})` };
}

/**
 * Honoured exactly, however long: an account-level Zendesk 429 may be `text/html` with a
 * `Retry-After` well above a minute (the docs' example says 93)
 * https://developer.zendesk.com/documentation/api-basics/best-practices/best-practices-for-avoiding-rate-limiting
 * Only the wait budget (`maxRateLimitWaitMs`) bounds it; the backoff cap applies to backoff alone.
 */
function retryAfterOf(input: RetryInput): number | null {
  if (input.outcome.kind !== 'response') return null;
  const { headers } = input.outcome;
  const value = headers['retry-after'] ?? Object.entries(headers).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
  return parseRetryAfterMs(value, input.nowMs);
}

function step(n: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, n - 1));
}

/** AWS "full jitter": uniform in [0, step]. */
export function fullJitter(n: number, policy: BackoffPolicy, random: RandomSource): number {
  return Math.round(random() * step(n, policy));
}

function halfJitter(n: number, policy: BackoffPolicy, random: RandomSource): number {
  const s = step(n, policy);
  return Math.round(s / 2 + (random() * s) / 2);
}
