import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Clock } from '../connector-kit/clock.ts';
import { isConnectorError } from '../connector-kit/failure.ts';
import type { Logger } from '../observability/logger.ts';
import { deriveConnector, type DeriveDeps } from '../pipeline/derive/derive-connector.ts';
import { runSync, type PullDeps } from '../pipeline/pull/run-sync.ts';
import { getConnectorById } from '../store/connector-repository.ts';
import type { PrismaClient } from '../store/database.ts';
import { StreamBusyError } from '../store/sync-run-repository.ts';
import { derivePayload, syncPayload } from './job-catalog.ts';
import { redisConnection, type Queues } from './queues.ts';

/**
 * Thin job adapters over the pipeline stages: parse the payload, load what the ids point to, run the
 * stage, and translate failure classes into BullMQ terms — config errors are unrecoverable (a human
 * must fix something), transient ones retry with the catalog's backoff.
 */
export interface WorkerDeps {
  prisma: PrismaClient;
  pull: PullDeps;
  derive: DeriveDeps;
  queues: Queues;
  logger: Logger;
  redisUrl: string;
  /** Stalled-job detection: a killed worker's job is handed to another after this long. */
  lockDurationMs?: number;
  concurrency?: { pull?: number; derive?: number };
  /**
   * A sync that would wait longer than this (real ms) on a rate limit is put back on the queue for the
   * wait instead, so its slot serves other connectors meanwhile. Default 10 s.
   */
  deferRateLimitWaitsOverMs?: number;
  /** Real-time view of the connectors' clock: how long a deferred job sleeps (default: the pull clock). */
  clock?: Clock;
}

export interface RunningWorkers {
  workers: Worker[];
  /** Stop taking jobs; let running ones reach a page boundary within `graceMs`, then cancel them. */
  close(graceMs?: number): Promise<void>;
}

export function startWorkers(deps: WorkerDeps): RunningWorkers {
  const common = {
    prefix: deps.queues.prefix,
    lockDuration: deps.lockDurationMs ?? 30_000,
    stalledInterval: Math.max(1_000, Math.floor((deps.lockDurationMs ?? 30_000) / 2)),
    maxStalledCount: 3,
  };
  const pull = new Worker('pull', (job, token, signal) => processSync(deps, job, token, signal), {
    ...common,
    connection: redisConnection(deps.redisUrl, 'worker'),
    concurrency: deps.concurrency?.pull ?? 4,
  });
  const derive = new Worker('derive', (job) => processDerive(deps, job), {
    ...common,
    connection: redisConnection(deps.redisUrl, 'worker'),
    concurrency: deps.concurrency?.derive ?? 2,
  });
  for (const worker of [pull, derive]) {
    worker.on('failed', (job, error) =>
      deps.logger.warn({ queue: worker.name, jobId: job?.id, attempt: job?.attemptsMade, err: error.message }, 'job failed'),
    );
    worker.on('error', (error) => deps.logger.error({ queue: worker.name, err: error.message }, 'worker error'));
  }
  return {
    workers: [pull, derive],
    async close(graceMs = 20_000) {
      const closing = Promise.all([pull.close(), derive.close()]);
      const timer = setTimeout(() => {
        deps.logger.warn({ graceMs }, 'jobs still running after the grace period: cancelling them at the next page boundary');
        pull.cancelAllJobs('shutdown');
        derive.cancelAllJobs('shutdown');
      }, graceMs);
      try {
        await closing;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

async function processSync(deps: WorkerDeps, job: Job, token: string | undefined, signal?: AbortSignal): Promise<object> {
  const parsed = syncPayload.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid sync payload: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  const payload = parsed.data;
  const connector = await getConnectorById(deps.prisma, payload.connectorId);
  if (!connector) throw new UnrecoverableError(`connector ${payload.connectorId} no longer exists`);
  try {
    const result = await runSync(deps.pull, {
      connector,
      mode: payload.mode,
      ...(payload.since ? { sinceMs: Date.parse(payload.since) } : {}),
      jobId: job.id ?? null,
      deferRateLimitWaitsOverMs: deps.deferRateLimitWaitsOverMs ?? DEFAULT_DEFER_RATE_LIMIT_WAITS_OVER_MS,
      ...(signal ? { signal } : {}),
      onPage: async (progress) => {
        await job.updateProgress({ pages: progress.totals.pages, fetched: progress.totals.fetched, progressAtMs: progress.progressAtMs });
        if (progress.outcome.maxChangeSeq !== null) {
          await deps.queues.enqueueDerive({ v: 1, connectorId: connector.id, upToSeq: progress.outcome.maxChangeSeq.toString() });
        }
      },
    });
    const { cursor: _cursor, ...totals } = result.totals;
    return { runId: result.runId.toString(), ...totals };
  } catch (error) {
    if (error instanceof StreamBusyError) {
      if (payload.mode === 'incremental') return { skipped: error.message };
      throw error;
    }
    if (isConnectorError(error) && error.code === 'RATE_LIMIT_WAIT' && token !== undefined) {
      // BullMQ's documented way to pause an active job (docs.bullmq.io/patterns/process-step-jobs):
      // no attempt is spent, and the slot is free until the rate limit resets. The next run resumes
      // from the committed cursor.
      const clock = deps.clock ?? deps.pull.clock;
      await job.moveToDelayed(Date.now() + Math.ceil(clock.realDelayMs(error.retryAfterMs ?? 0)), token);
      throw new DelayedError();
    }
    if (isConnectorError(error) && error.failure === 'config') throw new UnrecoverableError(error.message);
    throw error;
  }
}

const DEFAULT_DEFER_RATE_LIMIT_WAITS_OVER_MS = 10_000;

async function processDerive(deps: WorkerDeps, job: Job): Promise<object> {
  const parsed = derivePayload.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid derive payload: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  const connector = await getConnectorById(deps.prisma, parsed.data.connectorId);
  if (!connector) throw new UnrecoverableError(`connector ${parsed.data.connectorId} no longer exists`);
  return deriveConnector(deps.derive, connector);
}
