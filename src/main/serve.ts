import { buildApp } from '../http/build-app.ts';
import { startApi } from '../http/listen.ts';
import { startScheduler } from '../queue/scheduler.ts';
import { startWorkers } from '../queue/workers.ts';
import type { Services } from './services.ts';

/**
 * Process roles (README "Operating it"): `api`, `worker`, `scheduler`, or `all` in one process.
 * Any number of workers on any number of machines share one Redis and one PostgreSQL.
 */
export const roles = ['api', 'worker', 'scheduler', 'all'] as const;
export type Role = (typeof roles)[number];

export interface ServeOptions {
  role: Role;
  host: string;
  port: number;
  /** Stalled-job lock; shorter in tests so a killed worker's job is picked up quickly. */
  lockDurationMs?: number;
  scheduleEveryMs?: number;
}

export interface Serving {
  apiUrl: string | null;
  stop(): Promise<void>;
}

export async function serve(services: Services, options: ServeOptions): Promise<Serving> {
  const has = (role: Role): boolean => options.role === 'all' || options.role === role;
  const stops: (() => Promise<void>)[] = [];
  let apiUrl: string | null = null;
  if (has('worker')) {
    const workers = startWorkers({
      prisma: services.db.prisma,
      pull: services.pull,
      derive: services.derive,
      kpi: services.kpi,
      detect: services.detect,
      queues: services.queues(),
      logger: services.logger,
      redisUrl: services.env.REDIS_URL,
      ...(options.lockDurationMs ? { lockDurationMs: options.lockDurationMs } : {}),
    });
    stops.push(() => workers.close());
    services.logger.info({ queues: workers.workers.map((worker) => worker.name) }, 'workers started');
  }
  if (has('scheduler')) {
    const scheduler = await startScheduler({
      prisma: services.db.prisma,
      pool: services.db.pool,
      queues: services.queues(),
      logger: services.logger,
      ...(options.scheduleEveryMs ? { everyMs: options.scheduleEveryMs } : {}),
    });
    stops.push(() => scheduler.close());
  }
  if (has('api')) {
    const app = buildApp({
      prisma: services.db.prisma, pool: services.db.pool, redis: services.queues().redis, logger: services.logger, metrics: services.metrics,
      // Lag is measured on the same clock as the connectors (the demo's runs faster than real time).
      now: () => services.clock.now(),
      rateLimit: { max: services.env.API_RATE_LIMIT_MAX, timeWindowMs: services.env.API_RATE_LIMIT_WINDOW * 1000 },
    });
    const api = await startApi({ app, host: options.host, port: options.port });
    apiUrl = api.url;
    stops.push(() => api.close());
    services.logger.info({ url: api.url, docs: `${api.url}/docs` }, 'API listening');
  }
  let stopping: Promise<void> | undefined;
  return {
    apiUrl,
    stop() {
      // Reverse order: stop taking requests, then let jobs reach a page boundary, then close pools.
      stopping ??= (async () => {
        for (const stop of stops.reverse()) await stop();
        await services.close();
      })();
      return stopping;
    },
  };
}

/** SIGTERM / SIGINT → graceful stop; a second signal exits at once. */
export function stopOnSignals(serving: Serving, log: { info(o: object, m: string): void }): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) process.exit(130);
    signalled = true;
    log.info({ signal }, 'shutting down gracefully (send again to exit now)');
    void serving.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
