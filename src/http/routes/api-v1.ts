import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { hashApiToken, looksLikeApiToken } from '../../store/api-token-repository.ts';
import { BEARER, installAuth, type VerifyToken } from '../auth.ts';
import { errorBodySchema, HttpError } from '../errors.ts';
import type { ApiContext } from '../scope.ts';
import { auditLogRoutes } from './audit-log.ts';
import { connectorRoutes } from './connectors.ts';
import { driverRoutes } from './drivers.ts';
import { executiveSummaryRoutes } from './executive-summary.ts';
import { hierarchyRoutes } from './hierarchy.ts';
import { interventionRoutes } from './interventions.ts';
import { kpiRoutes } from './kpis.ts';
import { measureRoutes } from './measures.ts';
import { releaseRoutes } from './releases.ts';
import { silenceRoutes } from './silences.ts';
import { spikeRoutes } from './spikes.ts';

/** Requests one API token (or, without a token, one client address) may make per window, in one API process. */
export interface RateLimitSettings {
  max: number;
  timeWindowMs: number;
}

/**
 * The authenticated /api/v1 scope: the rate limit and the auth hook are installed here, so they run
 * for every route registered below and for none outside (fastify docs/Reference/Encapsulation.md).
 */
export const apiV1Routes: FastifyPluginAsync<{ ctx: ApiContext; verify: VerifyToken; rateLimit?: RateLimitSettings }> = async (app, { ctx, verify, rateLimit }) => {
  // Before auth: a limited request costs no token lookup.
  if (rateLimit !== undefined) await installRateLimit(app, rateLimit);
  installAuth(app, verify);
  await app.register(connectorRoutes, { prefix: '/connectors', ctx });
  await app.register(driverRoutes, { prefix: '/drivers', ctx });
  await app.register(spikeRoutes, { prefix: '/spikes', ctx });
  await app.register(interventionRoutes, { prefix: '/interventions', ctx });
  await app.register(silenceRoutes, { prefix: '/silences', ctx });
  await app.register(releaseRoutes, { prefix: '/releases', ctx });
  await app.register(measureRoutes, { prefix: '/measures', ctx });
  await app.register(kpiRoutes, { prefix: '/kpis', ctx });
  await app.register(executiveSummaryRoutes, { prefix: '/executive-summary', ctx });
  await app.register(hierarchyRoutes, { prefix: '/hierarchy', ctx });
  await app.register(auditLogRoutes, { prefix: '/audit-log', ctx });
};

/**
 * The rate-limit key: the SHA-256 of a well-formed bearer token (what the store keeps; never the
 * token itself), otherwise the client address (IPv6 by /64), so requests without a usable token are
 * limited too.
 */
export function rateLimitKey(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
  return token !== undefined && looksLikeApiToken(token) ? `token:${hashApiToken(token)}` : `ip:${normalizeIP(request.ip)}`;
}

/**
 * @fastify/rate-limit (in-memory, per process) as an onRequest hook of this scope, added before the
 * auth hook so it runs first. The plugin sets `x-ratelimit-limit`, `-remaining`, `-reset` on every
 * answer and `retry-after` on a 429; its error is a coded FL_RATE_LIMITED for the one error handler.
 * Every route of the scope documents the 429.
 */
async function installRateLimit(app: FastifyInstance, settings: RateLimitSettings): Promise<void> {
  const window = settings.timeWindowMs % 1000 === 0 ? `${settings.timeWindowMs / 1000} s` : `${settings.timeWindowMs} ms`;
  await app.register(fastifyRateLimit, {
    // Not per route (the plugin's onRoute hooks would run after auth): one hook for the scope, below.
    global: false,
    max: settings.max,
    timeWindow: settings.timeWindowMs,
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_request, context) =>
      new HttpError('FL_RATE_LIMITED', `Rate limit of ${context.max} requests per ${window} exceeded: retry in ${context.after}`),
  });
  app.addHook('onRequest', app.rateLimit());
  app.addHook('onRoute', (route) => {
    if (route.schema?.response === undefined) return;
    route.schema = { ...route.schema, response: { ...(route.schema.response as object), 429: errorBodySchema } };
  });
}
