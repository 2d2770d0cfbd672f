import type pg from 'pg';
import { randomUUID } from 'node:crypto';
import fastifyEtag from '@fastify/etag';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import type { Logger } from '../observability/logger.ts';
import { verifyApiToken } from '../store/api-token-repository.ts';
import type { PrismaClient } from '../store/database.ts';
import { GovernanceSnapshots } from '../store/governance-snapshot.ts';
import { pingDatabase } from '../store/status-repository.ts';
import { handleFrameworkError, installErrorHandling } from './error-handler.ts';
import { apiV1Routes, type RateLimitSettings } from './routes/api-v1.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';

/** What the API needs; production wiring passes real clients, tests pass test databases. */
export interface AppDeps {
  prisma: PrismaClient;
  /** The store's pg pool: the write routes' transactions run on it, and readiness pings PostgreSQL through it. */
  pool: pg.Pool;
  /** An ioredis client; readiness PINGs it. Omit in processes that do not use Redis. */
  redis?: { ping(): Promise<string> };
  logger: Logger;
  /** `createMetrics()` from src/observability/metrics.ts (only the registry is read here). */
  metrics: { registry: Registry };
  now?: () => number;
  /** Per-dependency readiness timeout; default 1000 ms. */
  readinessTimeoutMs?: number;
  /**
   * The /api/v1 rate limit per API token (per client address without one), in this process.
   * `frontline serve` always passes it, from API_RATE_LIMIT_MAX and API_RATE_LIMIT_WINDOW (src/config/env.ts;
   * default 600 requests a minute). Omitted, as in tests that fire thousands of requests, nothing is limited.
   */
  rateLimit?: RateLimitSettings;
  /** How long organization-wide governance reads are kept (default 5 s; 0: never kept). */
  governanceSnapshotTtlMs?: number;
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Builds the HTTP API without listening (fastify docs/Guides/Testing.md: build the app, inject
 * requests): ecosystem plugins, then ours (error handling, auth), then encapsulated route modules.
 * Tests call `app.inject()`; src/http/listen.ts listens.
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  const now = deps.now ?? Date.now;
  // Typed as fastify's base logger so the instance is a plain FastifyInstance for plugins and tests.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    // `/api/v1/connectors` and `/api/v1/connectors/` are the same resource. Path parameters may be as
    // long as the schemas allow (200), so a long key is a validation error, not a 414.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
    // Paths the router cannot decode (`%ED%A0%80`, a lone `%`) answer with the coded error body too.
    frameworkErrors: handleFrameworkError,
    // Keep a caller's correlation id when it is harmless; otherwise make one.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Frontline API', version: '1', description: 'Connector status, contact-driver series, spikes, intervention items, silences and releases. Tokens: `Authorization: Bearer fl_…`.' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'Frontline API token (fl_…)' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  const readiness = {
    database: () => pingDatabase(deps.prisma, deps.pool),
    timeoutMs: deps.readinessTimeoutMs ?? 1000,
    ...(deps.redis ? { redis: pingRedis(deps.redis) } : {}),
  };
  app.register(healthRoutes, { checks: readiness });
  app.register(metricsRoutes, { registry: deps.metrics.registry });
  // /api/v1 in a scope of its own, so conditional GETs (ETag, 304) apply there and nowhere else.
  app.register(async (api) => {
    await conditionalReads(api);
    await api.register(apiV1Routes, {
      ctx: { prisma: deps.prisma, pool: deps.pool, now, governance: new GovernanceSnapshots(deps.governanceSnapshotTtlMs) },
      verify: (token) => verifyApiToken(deps.prisma, token, new Date(now())),
      ...(deps.rateLimit === undefined ? {} : { rateLimit: deps.rateLimit }),
    });
  }, { prefix: '/api/v1' });
  return app;
}

/**
 * Strong ETags and conditional GETs for the read API (RFC 9110 sections 8.8.3, 13.1.2, 15.4.5).
 * @fastify/etag hashes every string or buffer body it sees in onSend (SHA-1, base64) into a strong
 * `ETag`. Its own 304 compares If-None-Match with whatever is being sent, so an error or a write's
 * answer whose body repeats (same x-request-id) would become a 304; it is switched off
 * (`replyWith304: false`) and the hook after it decides instead: only a GET or HEAD answered 200
 * keeps its ETag and, when If-None-Match names it (or is `*`), becomes a 304 without a body;
 * everything else (4xx, 5xx, writes) goes out as it is, without an ETag. Called on the /api/v1 scope
 * itself (not registered as a plugin of its own, which would keep its hook from that scope's routes).
 */
async function conditionalReads(scope: FastifyInstance): Promise<void> {
  await scope.register(fastifyEtag, { replyWith304: false });
  scope.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const etag = reply.getHeader('etag');
    if (typeof etag !== 'string') return payload;
    if ((request.method !== 'GET' && request.method !== 'HEAD') || reply.statusCode !== 200) {
      reply.removeHeader('etag');
      return payload;
    }
    const condition = request.headers['if-none-match'];
    if (condition === undefined || !namesEtag(condition, etag)) return payload;
    // No body and no Content-Type: a 304 describes the 200 the client already has. A GET's goes without
    // Content-Length; a HEAD's keeps the body until fastify's HEAD handler has set the 200's length from it.
    reply.code(304).removeHeader('content-type');
    return request.method === 'HEAD' ? payload : null;
  });
}

/** If-None-Match's weak comparison: `*`, or any listed entity-tag with the same opaque tag (W/ ignored). */
function namesEtag(condition: string, etag: string): boolean {
  if (condition.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return condition.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque);
}

function pingRedis(redis: { ping(): Promise<string> }): () => Promise<void> {
  return async () => {
    const answer = await redis.ping();
    if (answer !== 'PONG') throw new Error(`unexpected PING answer ${JSON.stringify(answer).slice(0, 40)}`);
  };
}
