import axios, { type AxiosInstance } from 'axios';
import type { z } from 'zod';
import { type RefreshLock, type RotatedTokens, createAuthState } from './auth-state.ts';
import { type Clock, systemClock } from './clock.ts';
import type { HttpStats, RateBudgetSnapshot } from './connector-module.ts';
import type { AuthStrategy, ResponseRule } from './declaration.ts';
import { ConnectorError } from './failure.ts';
import { isCancellation, networkErrorCode, plainHeaders } from './network-error.ts';
import { type RandomSource, osSeededRandom } from './random.ts';
import { type RateBudget, createRateBudget } from './rate-budget.ts';
import { type QueryParams, describeRequest, resolveRequestUrl, validateBaseUrl } from './request-url.ts';
import { type AttemptOutcome, type BackoffPolicy, type RetryDecision, decideRetry } from './retry-decision.ts';

/**
 * The one HTTP layer (README "Architecture"): every provider call goes through here — auth, ordered
 * response rules, the pure retry decision, rate-budget pacing, stats — so vendor clients plug in as
 * transports and errors, 429s and headers are handled in one place. Errors are ConnectorErrors naming
 * the connector, the status and the path; never a token, header or query string.
 */
export interface KitLogger { debug(o: object, m?: string): void }

export interface HttpClientOptions {
  connectorKey: string;
  baseUrl: string;
  /** http: base URLs only when true (simulators on loopback). */
  allowInsecure?: boolean;
  auth: AuthStrategy;
  /** Connector-wide response rules (a request's own rules are tried first). */
  rules?: readonly ResponseRule[];
  clock?: Clock;
  /** Attempts for transient failures, the first included. Rate limits do not spend them. */
  maxAttempts?: number;
  timeoutMs?: number;
  /** Total time one request may spend waiting on rate limits before it fails (transient). */
  maxRateLimitWaitMs?: number;
  /**
   * A rate-limit wait (a 429's Retry-After, or pacing until the budget resets) longer than this in
   * real time is not waited out here: the request fails with RATE_LIMIT_WAIT and `retryAfterMs`, so a
   * queue worker can put its job back for that long instead of holding a slot (src/queue/jobs/sync-job.ts).
   * Unset: every wait is waited out (the CLI, with its progress bar).
   */
  deferRateLimitWaitsOverMs?: number;
  backoff?: BackoffPolicy;
  budget?: RateBudget;
  random?: RandomSource;
  signal?: AbortSignal;
  /** OAuth rotation: called with the new pair before the failed request is retried. */
  onSecretsRotated?(tokens: RotatedTokens): Promise<void>;
  /** OAuth: serialise refreshes of this connector (auth-state.ts). */
  withRefreshLock?: RefreshLock;
  logger?: KitLogger;
  /** Extra `{placeholders}` for rule messages, e.g. where a secret comes from. */
  messageVars?: Readonly<Record<string, string>>;
  userAgent?: string;
  axiosInstance?: AxiosInstance;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method?: HttpMethod;
  /** Absolute (must stay under the base URL) or relative to the base URL. */
  url: string;
  params?: QueryParams;
  data?: unknown;
  headers?: Readonly<Record<string, string>>;
  /** `json` (default): parsed here, so a truncated body is a transient TRUNCATED_BODY. */
  responseType?: 'json' | 'text';
  rules?: readonly ResponseRule[];
  /** A 404 is a config error (wrong base URL) unless this is false (look-ups of single items). */
  notFoundIsConfig?: boolean;
  signal?: AbortSignal;
  /** Send without credentials (token endpoints). */
  skipAuth?: boolean;
  /**
   * Refuse a response body larger than this (bytes) with RESPONSE_TOO_LARGE instead of reading it: the
   * caller asks again for less (a smaller page), so one huge page cannot exhaust the heap.
   */
  maxResponseBytes?: number;
}

export interface HttpResponse<T> {
  status: number;
  headers: Record<string, string>;
  data: T;
  url: string;
  /** Length of the body as received (characters): what a page cost in memory, for sizing the next. */
  size: number;
}

export interface HttpClient {
  readonly connectorKey: string;
  readonly baseUrl: string;
  request(request: HttpRequest): Promise<HttpResponse<unknown>>;
  request<S extends z.ZodType>(request: HttpRequest, schema: S): Promise<HttpResponse<z.output<S>>>;
  stats(): HttpStats;
  budget(): RateBudgetSnapshot;
}

interface Tally { transientAttempts: number; rateLimitHits: number; rateLimitWaitedMs: number; refreshed: boolean }

interface Attempt { outcome: AttemptOutcome; status: number | null; headers: Record<string, string>; data: unknown; size: number }

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const key = options.connectorKey;
  const base = validateBaseUrl(options.baseUrl, { connectorKey: key, allowInsecure: options.allowInsecure ?? false });
  const clock = options.clock ?? systemClock;
  const budget = options.budget ?? createRateBudget();
  const random = options.random ?? osSeededRandom();
  const ax = options.axiosInstance ?? axios.create();
  const maxAttempts = options.maxAttempts ?? 5;
  const stats: HttpStats = { requests: 0, throttled: 0, retried: 0, waitedMs: 0 };
  const tokenRules: ResponseRule[] = [
    options.auth.type === 'oauth_grant'
      ? {
        match: { status: [400, 401, 403] }, action: 'fail', failure: 'config', code: 'OAUTH_GRANT_REJECTED',
        message: `the OAuth token endpoint refused the ${options.auth.grant.replace('_', ' ')} grant of connector "{connector}": check the client id and secret${options.auth.grant === 'password' ? ', and the user and password' : ''}`,
      }
      : {
        match: { status: [400, 401, 403] }, action: 'fail', failure: 'config', code: 'OAUTH_REFRESH_REJECTED',
        message: 'the OAuth refresh token was rejected: authorise connector "{connector}" again to get a new refresh token',
      },
  ];
  const auth = createAuthState(options.auth, {
    connectorKey: key,
    exchange: async (tokenPath, body, encoding) =>
      (await run({
        method: 'POST', url: tokenPath, skipAuth: true, rules: tokenRules, notFoundIsConfig: true,
        ...(encoding === 'form' ? { data: new URLSearchParams(body).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } } : { data: body }),
      })).data,
    ...(options.onSecretsRotated ? { onRotated: options.onSecretsRotated } : {}),
    ...(options.withRefreshLock ? { withRefreshLock: options.withRefreshLock } : {}),
  });

  async function sleep(ms: number, signal: AbortSignal | undefined, where: string): Promise<void> {
    if (ms <= 0) return;
    try {
      await clock.sleep(ms, signal);
    } catch {
      throw aborted(where);
    }
    stats.waitedMs += ms;
  }

  function deferred(waitMs: number): boolean {
    const limit = options.deferRateLimitWaitsOverMs;
    return limit !== undefined && clock.realDelayMs(waitMs) > limit;
  }

  function rateLimitWait(where: string, waitMs: number, why: string): ConnectorError {
    return new ConnectorError(`Connector "${key}": rate limited (${why}: ${Math.ceil(waitMs / 1000)} s) at ${where}`, {
      failure: 'transient', code: 'RATE_LIMIT_WAIT', connector: key, retryAfterMs: waitMs,
    });
  }

  function tooLarge(where: string, limit: number): ConnectorError {
    return new ConnectorError(`Connector "${key}": the response to ${where} is larger than ${limit} bytes`, { failure: 'transient', code: 'RESPONSE_TOO_LARGE', connector: key });
  }

  function aborted(where: string): ConnectorError {
    return new ConnectorError(`Connector "${key}": ${where} was aborted`, { failure: 'transient', code: 'ABORTED', connector: key });
  }

  async function sendOnce(url: URL, request: HttpRequest, signal: AbortSignal | undefined, authHeader: string | null): Promise<Attempt> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': options.userAgent ?? 'frontline-connector-kit', ...request.headers };
    if (authHeader !== null && request.skipAuth !== true) headers['Authorization'] = authHeader;
    budget.noteRequest(clock.now());
    stats.requests += 1;
    try {
      const res = await ax.request<unknown>({
        method: request.method ?? 'GET',
        url: url.toString(),
        data: request.data,
        headers,
        responseType: 'text',
        transformResponse: [(d: unknown) => d],
        validateStatus: () => true,
        maxRedirects: 0,
        timeout: options.timeoutMs ?? 30_000,
        ...(request.maxResponseBytes === undefined ? {} : { maxContentLength: request.maxResponseBytes }),
        transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
        ...(signal ? { signal } : {}),
      });
      const resHeaders = plainHeaders(res.headers);
      budget.observe(resHeaders, clock.now());
      const bodyText = typeof res.data === 'string' ? res.data : '';
      return readBody(res.status, resHeaders, bodyText, request.responseType ?? 'json');
    } catch (error) {
      if (signal?.aborted || isCancellation(error)) throw aborted(describeRequest(request.method ?? 'GET', url));
      if (request.maxResponseBytes !== undefined && isTooLarge(error)) throw tooLarge(describeRequest(request.method ?? 'GET', url), request.maxResponseBytes);
      return { outcome: { kind: 'network', code: networkErrorCode(error) }, status: null, headers: {}, data: null, size: 0 };
    }
  }

  async function run(request: HttpRequest): Promise<HttpResponse<unknown>> {
    const url = resolveRequestUrl(base, request.url, request.params, key);
    const where = describeRequest(request.method ?? 'GET', url);
    const signal = combineSignals(options.signal, request.signal);
    const rules = [...(request.rules ?? []), ...(options.rules ?? [])];
    const tally: Tally = { transientAttempts: 0, rateLimitHits: 0, rateLimitWaitedMs: 0, refreshed: false };
    for (;;) {
      if (signal?.aborted) throw aborted(where);
      if (request.skipAuth !== true && auth.needsRefresh()) {
        tally.refreshed = true;
        await auth.refresh(auth.generation());
      }
      const pacing = budget.delayBeforeNextMs(clock.now());
      if (deferred(pacing)) throw rateLimitWait(where, pacing, 'pacing until the rate budget resets');
      await sleep(pacing, signal, where);
      const generation = auth.generation();
      const attempt = await sendOnce(url, request, signal, auth.header());
      // OAuth: one refresh per request; a second 401 falls through to the rules (config).
      if (attempt.status === 401 && request.skipAuth !== true && auth.canRefresh() && !tally.refreshed) {
        tally.refreshed = true;
        await auth.refresh(generation);
        stats.retried += 1;
        continue;
      }
      const decision = decide(attempt, rules, tally, request.notFoundIsConfig);
      if (decision.accept) return { status: attempt.status ?? 0, headers: attempt.headers, data: attempt.data, url: url.toString(), size: attempt.size };
      options.logger?.debug({ connector: key, request: where, status: attempt.status, code: decision.code, reason: decision.reason }, 'http attempt failed');
      if (!decision.retry) throw toError(decision, where, attempt.status);
      if (decision.rateLimited && deferred(decision.waitMs)) throw rateLimitWait(where, decision.waitMs, `HTTP ${attempt.status ?? 429} asked to wait`);
      stats.retried += 1;
      await sleep(decision.waitMs, signal, where);
    }
  }

  /** The pure decision, then the bookkeeping it implies (attempts, rate-limit wait, throttled count). */
  function decide(attempt: Attempt, rules: readonly ResponseRule[], tally: Tally, notFoundIsConfig: boolean | undefined): RetryDecision {
    const decision = decideRetry({
      outcome: attempt.outcome,
      rules,
      attempt: tally.transientAttempts + 1,
      maxAttempts,
      rateLimitHits: tally.rateLimitHits + 1,
      rateLimitWaitedMs: tally.rateLimitWaitedMs,
      maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? 15 * 60_000,
      nowMs: clock.now(),
      random,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(notFoundIsConfig !== undefined ? { notFoundIsConfig } : {}),
    });
    if (decision.rateLimited) stats.throttled += 1;
    if (!decision.retry) return decision;
    if (decision.consumesAttempt) tally.transientAttempts += 1;
    if (decision.rateLimited) {
      tally.rateLimitHits += 1;
      tally.rateLimitWaitedMs += decision.waitMs;
    }
    return decision;
  }

  function toError(decision: RetryDecision, where: string, status: number | null): ConnectorError {
    const vars: Record<string, string> = { ...options.messageVars, connector: key, status: String(status ?? decision.code), path: where };
    const text = decision.message === null ? decision.reason : decision.message.replace(/\{(\w+)\}/g, (all, name: string) => vars[name] ?? all);
    const prefix = text.includes(`"${key}"`) ? '' : `Connector "${key}": `;
    return new ConnectorError(`${prefix}${text} (${where} → ${status === null ? decision.code : `HTTP ${status}`})`, {
      failure: decision.failure,
      code: decision.code,
      connector: key,
      ...(status === null ? {} : { status }),
      ...(decision.rateLimited ? { retryAfterMs: decision.waitMs } : {}),
    });
  }

  function request(req: HttpRequest): Promise<HttpResponse<unknown>>;
  function request<S extends z.ZodType>(req: HttpRequest, schema: S): Promise<HttpResponse<z.output<S>>>;
  async function request(req: HttpRequest, schema?: z.ZodType): Promise<HttpResponse<unknown>> {
    const response = await run(req);
    if (schema === undefined) return response;
    const parsed = schema.safeParse(response.data);
    if (parsed.success) return { ...response, data: parsed.data };
    const issue = parsed.error.issues[0];
    const where = describeRequest(req.method ?? 'GET', new URL(response.url));
    throw new ConnectorError(
      `Connector "${key}": unexpected response shape at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'} (${where} → HTTP ${response.status})`,
      { failure: 'system', code: 'SCHEMA_MISMATCH', connector: key, status: response.status },
    );
  }

  return {
    connectorKey: key,
    baseUrl: base.toString().replace(/\/$/, ''),
    request,
    stats: () => ({ ...stats }),
    budget: () => budget.snapshot(),
  };
}

/** JSON is parsed here rather than by axios, so a cut-off 2xx body is a retryable outcome. */
function readBody(status: number, headers: Record<string, string>, bodyText: string, responseType: 'json' | 'text'): Attempt {
  const response: AttemptOutcome = { kind: 'response', status, headers, bodyText };
  const size = bodyText.length;
  if (responseType === 'text') return { outcome: response, status, headers, data: bodyText, size };
  if (bodyText.trim() === '') return { outcome: response, status, headers, data: null, size };
  try {
    const data: unknown = JSON.parse(bodyText);
    return { outcome: response, status, headers, data, size };
  } catch {
    const ok = status >= 200 && status < 300;
    return { outcome: ok ? { kind: 'truncated', status } : response, status, headers, data: null, size };
  }
}

/** axios refuses a body over `maxContentLength` with ERR_BAD_RESPONSE (lib/adapters/http.js). */
function isTooLarge(error: unknown): boolean {
  return networkErrorCode(error) === 'ERR_BAD_RESPONSE' && error instanceof Error && error.message.startsWith('maxContentLength');
}

function combineSignals(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return AbortSignal.any([a, b]);
}
