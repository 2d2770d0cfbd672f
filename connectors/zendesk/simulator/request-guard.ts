import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../../src/connector-kit/clock.ts';
import type { AuthGate, SimulatorRole } from './auth.ts';
import type { FaultPlan } from './faults.ts';
import { defaultRateLimitHeaders, type RateLimitHeaderFamily } from './options.ts';
import type { MinuteWindow, RateDecision } from './rate-limiter.ts';

/**
 * What every /api/v2 request passes before its handler, in Zendesk's order as far as it is observable:
 * authentication, an injected account-level 429, the account budget, admin-only endpoints for a
 * non-admin user (403), the incremental-export budget, then injected faults. Rate-limit headers go on
 * every response (https://developer.zendesk.com/api-reference/introduction/rate-limits/), in the
 * families chosen by `rateLimit.headers` (options.ts).
 */
export interface SimulatorStats {
  requests: number;
  exportRequests: number;
  throttled: number;
  byStatus: Record<string, number>;
}

export interface GuardDeps {
  clock: Clock;
  auth: AuthGate;
  /** null when rate limiting is disabled (no limits, no headers). */
  account: MinuteWindow | null;
  exports: MinuteWindow | null;
  faults: FaultPlan;
  stats: SimulatorStats;
  /** Rate-limit header families to send (default: what Zendesk sends today). */
  headerFamilies?: readonly RateLimitHeaderFamily[];
}

interface GuardState {
  headers: Record<string, string>;
  truncate: boolean;
}

const exportPrefix = '/api/v2/incremental/';
export const exportLimitHeader = 'Zendesk-RateLimit-incremental-exports';

/** Admin-only endpoints (the export is "Allowed for: Admins"; ticket fields need admin rights here). */
const adminOnlyPrefixes = [exportPrefix, '/api/v2/ticket_fields'];

/**
 * Zendesk's 403 for a user without the rights, as its API answers it (the same text in public
 * connectors' fixtures, e.g. singer-io/tap-zendesk's unit tests, and zenpy issue #336).
 */
export const forbiddenBody = {
  error: {
    title: 'Forbidden',
    message: 'You do not have access to this page. Please contact the account owner of this help desk for further help.',
  },
} as const;

function accountHeaders(decision: RateDecision, families: readonly RateLimitHeaderFamily[], nowMs: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const limit = String(decision.limit);
  const remaining = String(decision.remaining);
  const reset = String(decision.resetSec);
  for (const family of families) {
    if (family === 'x-rate-limit') Object.assign(headers, { 'X-Rate-Limit': limit, 'X-Rate-Limit-Remaining': remaining });
    if (family === 'ratelimit') Object.assign(headers, { 'ratelimit-limit': limit, 'ratelimit-remaining': remaining, 'ratelimit-reset': reset });
    if (family === 'rate-limit') Object.assign(headers, { 'Rate-Limit-Limit': limit, 'Rate-Limit-Remaining': remaining, 'Rate-Limit-Reset': reset });
    if (family === 'x-ratelimit') {
      const resetEpochSec = Math.floor(nowMs / 1000) + decision.resetSec;
      Object.assign(headers, { 'X-RateLimit-Limit': limit, 'X-RateLimit-Remaining': remaining, 'X-RateLimit-Reset': String(resetEpochSec) });
    }
  }
  return headers;
}

function throttle(reply: FastifyReply, decision: RateDecision, description: string): FastifyReply {
  return reply
    .code(429)
    .header('Retry-After', String(decision.resetSec))
    .send({ error: 'APIRateLimitExceeded', description });
}

async function guard(deps: GuardDeps, state: GuardState, request: FastifyRequest, reply: FastifyReply, apiRequestNumber: number) {
  const now = deps.clock.now();
  const isExport = request.url.startsWith(exportPrefix);
  const families = deps.headerFamilies ?? defaultRateLimitHeaders;
  if (!deps.auth.authenticate(request.headers.authorization, now)) {
    if (deps.account) Object.assign(state.headers, accountHeaders(deps.account.peek(now), families, now));
    return reply.code(401).send({ error: "Couldn't authenticate you" });
  }
  const accountRetryAfterSec = deps.faults.accountLimit(apiRequestNumber);
  if (accountRetryAfterSec !== null) {
    // The account as a whole is limited: an HTML page, a long Retry-After, no budget headers.
    return reply
      .code(429)
      .type('text/html; charset=utf-8')
      .header('Retry-After', String(accountRetryAfterSec))
      .send(`<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1><p>Retry after ${accountRetryAfterSec} seconds.</p></body></html>`);
  }
  if (deps.account) {
    const decision = deps.account.take(now);
    Object.assign(state.headers, accountHeaders(decision, families, now));
    if (!decision.allowed) return throttle(reply, decision, 'Number of allowed API requests per minute exceeded');
  }
  if (deps.auth.role() !== 'admin' && adminOnlyPrefixes.some((prefix) => request.url.startsWith(prefix))) {
    return reply.code(403).send(forbiddenBody);
  }
  const exportNumber = isExport ? ++deps.stats.exportRequests : null;
  if (isExport && deps.exports) {
    const decision = deps.exports.take(now);
    if (families.includes('endpoint')) {
      state.headers[exportLimitHeader] = `total=${decision.limit}; remaining=${decision.remaining}; resets=${decision.resetSec}`;
    }
    if (!decision.allowed) {
      return throttle(reply, decision, 'Number of allowed incremental export API requests per minute exceeded');
    }
  }
  const fault = deps.faults.decide(exportNumber);
  if (fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  if (fault.kind === 'error') {
    const error = fault.status === 500 ? 'InternalServerError' : fault.status === 502 ? 'BadGateway' : 'ServiceUnavailable';
    return reply.code(fault.status).send({ error, description: 'Simulated server error' });
  }
  if (fault.kind === 'edge429') {
    state.headers = {}; // edge protection answers before Zendesk's API: no budget headers, no Retry-After
    return reply.code(429).type('text/html').send('<html><body><h1>429 Too Many Requests</h1></body></html>');
  }
  state.truncate = fault.kind === 'truncate';
  return undefined;
}

/** The role of the user a request was authenticated as (support-routes answers users/me with it). */
const roles = new WeakMap<FastifyRequest, SimulatorRole>();
export function roleOfRequest(request: FastifyRequest): SimulatorRole {
  return roles.get(request) ?? 'admin';
}

export function installRequestGuard(app: FastifyInstance, deps: GuardDeps): void {
  const states = new WeakMap<FastifyRequest, GuardState>();
  let apiRequests = 0;
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/v2/')) return undefined;
    const state: GuardState = { headers: {}, truncate: false };
    states.set(request, state);
    roles.set(request, deps.auth.role());
    return guard(deps, state, request, reply, ++apiRequests);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const state = states.get(request);
    if (!state) return payload;
    reply.headers(state.headers);
    if (state.truncate && reply.statusCode === 200 && typeof payload === 'string') {
      return payload.slice(0, Math.floor(payload.length / 2));
    }
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith('/__simulator/')) return;
    deps.stats.requests++;
    const status = String(reply.statusCode);
    deps.stats.byStatus[status] = (deps.stats.byStatus[status] ?? 0) + 1;
    if (reply.statusCode === 429) deps.stats.throttled++;
  });
}
