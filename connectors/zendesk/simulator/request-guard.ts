import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../../src/connector-kit/clock.ts';
import type { AuthGate } from './auth.ts';
import type { FaultPlan } from './faults.ts';
import type { MinuteWindow, RateDecision } from './rate-limiter.ts';

/**
 * What every /api/v2 request passes before its handler, in Zendesk's order as far as it is observable:
 * authentication, the account budget, the incremental-export budget, then injected faults. Rate-limit
 * headers go on every response (https://developer.zendesk.com/api-reference/introduction/rate-limits/).
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
}

interface GuardState {
  headers: Record<string, string>;
  truncate: boolean;
}

const exportPrefix = '/api/v2/incremental/';
export const exportLimitHeader = 'Zendesk-RateLimit-incremental-exports';

function accountHeaders(decision: RateDecision): Record<string, string> {
  return {
    'X-Rate-Limit': String(decision.limit),
    'X-Rate-Limit-Remaining': String(decision.remaining),
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(decision.resetSec),
  };
}

function throttle(reply: FastifyReply, decision: RateDecision, description: string): FastifyReply {
  return reply
    .code(429)
    .header('Retry-After', String(decision.resetSec))
    .send({ error: 'APIRateLimitExceeded', description });
}

async function guard(deps: GuardDeps, state: GuardState, request: FastifyRequest, reply: FastifyReply) {
  const now = deps.clock.now();
  const isExport = request.url.startsWith(exportPrefix);
  if (!deps.auth.authenticate(request.headers.authorization, now)) {
    if (deps.account) Object.assign(state.headers, accountHeaders(deps.account.peek(now)));
    return reply.code(401).send({ error: "Couldn't authenticate you" });
  }
  if (deps.account) {
    const decision = deps.account.take(now);
    Object.assign(state.headers, accountHeaders(decision));
    if (!decision.allowed) return throttle(reply, decision, 'Number of allowed API requests per minute exceeded');
  }
  const exportNumber = isExport ? ++deps.stats.exportRequests : null;
  if (isExport && deps.exports) {
    const decision = deps.exports.take(now);
    state.headers[exportLimitHeader] = `total=${decision.limit}; remaining=${decision.remaining}; resets=${decision.resetSec}`;
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

export function installRequestGuard(app: FastifyInstance, deps: GuardDeps): void {
  const states = new WeakMap<FastifyRequest, GuardState>();
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/v2/')) return undefined;
    const state: GuardState = { headers: {}, truncate: false };
    states.set(request, state);
    return guard(deps, state, request, reply);
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
