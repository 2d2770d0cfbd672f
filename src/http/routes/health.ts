import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, unavailable } from '../errors.ts';

/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: PostgreSQL and Redis answer
 * within a short timeout). Public: load balancers and orchestrators call them without a token.
 */
export interface ReadinessChecks {
  /** Resolves when PostgreSQL answers `SELECT 1`. */
  database: () => Promise<void>;
  /** Resolves when Redis answers `PING`; absent when this process does not use Redis. */
  redis?: () => Promise<void>;
  timeoutMs: number;
}

type CheckResult = { ok: true } | { ok: false; problem: string };

const readyResponse = z.object({
  status: z.literal('ready'),
  checks: z.record(z.string(), z.literal('ok')),
});

export const healthRoutes: FastifyPluginAsyncZod<{ checks: ReadinessChecks }> = async (app, { checks }) => {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'Liveness: the process is up', response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: PostgreSQL and Redis answer; 503 names the failing dependency',
        response: { 200: readyResponse, ...errorResponses(503) },
      },
    },
    async (request) => {
      const named: [string, () => Promise<void>][] = [['database', checks.database]];
      if (checks.redis) named.push(['redis', checks.redis]);
      const results = await Promise.all(named.map(async ([name, check]) => [name, await run(name, check, checks.timeoutMs, request.log)] as const));
      const failed = results.filter(([, r]) => !r.ok);
      if (failed.length > 0) {
        throw unavailable(
          `Not ready: ${failed.map(([name]) => name).join(', ')} unavailable`,
          failed.map(([name, r]) => ({ path: name, message: r.ok ? 'ok' : r.problem })),
        );
      }
      return { status: 'ready' as const, checks: Object.fromEntries(results.map(([name]) => [name, 'ok' as const])) };
    },
  );
};

/** The real error goes to the log only: driver messages may name hosts and users. */
async function run(name: string, check: () => Promise<void>, timeoutMs: number, log: { warn(o: object, m: string): void }): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, problem: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  const attempt = check().then(
    (): CheckResult => ({ ok: true }),
    (error: unknown): CheckResult => {
      log.warn({ err: error, dependency: name }, 'readiness check failed');
      return { ok: false, problem: 'check failed (see the service log)' };
    },
  );
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
