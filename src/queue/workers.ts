import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Clock } from '../connector-kit/clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { DeriveDeps } from '../pipeline/derive/derive-connector.ts';
import type { DetectDeps } from '../pipeline/detect/detect-organization.ts';
import type { KpiDeps } from '../pipeline/kpi/refresh-organization-kpis.ts';
import type { PullDeps } from '../pipeline/pull/run-sync.ts';
import type { PrismaClient } from '../store/database.ts';
import { jobCatalog, type QueueName } from './job-catalog.ts';
import type { AnySchema, Catalog, JobDefinition } from './job-definition.ts';
import { redisConnection, type Queues } from './queues.ts';

/**
 * One BullMQ worker per queue of the job catalog, dispatching each job by name to its definition's
 * handler (jobs/*.ts) with the payload parsed by the definition's schema. A job name the catalog does
 * not know on that queue, or a payload its schema refuses, fails unrecoverably: no retry can fix it.
 */
export interface WorkerSettings {
  /** Only the key prefix is read here; handlers get the full producers through their deps. */
  queues: { readonly prefix: string };
  logger: Logger;
  redisUrl: string;
  /** Stalled-job detection: a killed worker's job is handed to another after this long. */
  lockDurationMs?: number;
  /** Per queue, overriding the catalog's `queues[name].concurrency`. */
  concurrency?: Readonly<Partial<Record<string, number>>>;
}

/** What the catalog's handlers get: a job needing more adds its field here (and serve.ts passes it). */
export interface WorkerDeps extends WorkerSettings {
  prisma: PrismaClient;
  pull: PullDeps;
  derive: DeriveDeps;
  kpi: KpiDeps;
  detect: DetectDeps;
  queues: Queues;
  concurrency?: Partial<Record<QueueName, number>>;
  /**
   * A sync that would wait longer than this (real ms) on a rate limit is put back on the queue for the
   * wait instead, so its slot serves other connectors meanwhile. Default 10 s.
   */
  deferRateLimitWaitsOverMs?: number;
  /** Real-time view of the connectors' clock: how long a deferred job sleeps (default: the pull clock). */
  clock?: Clock;
}

export interface RunningWorkers {
  /** One per queue of the catalog, in the catalog's order. */
  workers: Worker[];
  /** Stop taking jobs; let running ones reach a page boundary within `graceMs`, then cancel them. */
  close(graceMs?: number): Promise<void>;
}

/** Workers for Frontline's job catalog, or for another catalog whose handlers take `deps` (tests). */
export function startWorkers(deps: WorkerDeps): RunningWorkers;
export function startWorkers<D extends WorkerSettings>(deps: D, catalog: Catalog<JobDefinition<string, string, AnySchema, D>>): RunningWorkers;
export function startWorkers(deps: WorkerSettings, catalog: Catalog = jobCatalog): RunningWorkers {
  const lockDuration = deps.lockDurationMs ?? 30_000;
  const definitions: JobDefinition[] = Object.values(catalog.jobs);
  // BullMQ treats a connection it was handed as shared and leaves it open on close(): these are ours to quit.
  const connections: ReturnType<typeof redisConnection>[] = [];
  const workers = Object.entries(catalog.queues).map(([queueName, config]) => {
    const connection = redisConnection(deps.redisUrl, 'worker');
    connections.push(connection);
    const byName = new Map(definitions.filter((definition) => definition.queue === queueName).map((definition) => [definition.name, definition]));
    const worker = new Worker(queueName, (job, token, signal) => runJob(deps, queueName, byName, job, token, signal), {
      prefix: deps.queues.prefix,
      connection,
      concurrency: deps.concurrency?.[queueName] ?? config.concurrency,
      lockDuration,
      stalledInterval: Math.max(1_000, Math.floor(lockDuration / 2)),
      maxStalledCount: 3,
    });
    worker.on('failed', (job, error) =>
      deps.logger.warn({ queue: worker.name, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, err: error.message }, 'job failed'),
    );
    worker.on('error', (error) => deps.logger.error({ queue: worker.name, err: error.message }, 'worker error'));
    return worker;
  });
  return {
    workers,
    async close(graceMs = 20_000) {
      const closing = Promise.all(workers.map((worker) => worker.close()));
      const timer = setTimeout(() => {
        deps.logger.warn({ graceMs }, 'jobs still running after the grace period: cancelling them at the next page boundary');
        for (const worker of workers) worker.cancelAllJobs('shutdown');
      }, graceMs);
      try {
        await closing;
      } finally {
        clearTimeout(timer);
        await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
      }
    },
  };
}

async function runJob(
  deps: WorkerSettings, queueName: string, byName: ReadonlyMap<string, JobDefinition>, job: Job, token: string | undefined, signal: AbortSignal | undefined,
): Promise<unknown> {
  const definition = byName.get(job.name);
  if (!definition) {
    throw new UnrecoverableError(`no job "${job.name}" on queue "${queueName}" in this worker's catalog (known: ${[...byName.keys()].join(', ') || 'none'})`);
  }
  const parsed = definition.payload.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid ${definition.name} payload: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  return definition.handler(deps, job, { payload: parsed.data, token, signal });
}
