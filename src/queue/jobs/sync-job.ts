import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import { isConnectorError } from '../../connector-kit/failure.ts';
import { runSync } from '../../pipeline/pull/run-sync.ts';
import { getConnectorById } from '../../store/connector-repository.ts';
import { StreamBusyError } from '../../store/sync-run-repository.ts';
import { defaultRetention, defineJob, jobId, type JobContext } from '../job-definition.ts';
import type { WorkerDeps } from '../workers.ts';

/** Pull a connector's tickets (incremental or back-fill); each stored page requests a derive. */
export const syncPayload = z.object({
  v: z.literal(1),
  connectorId: z.uuid(),
  mode: z.enum(['incremental', 'backfill']),
  /** Back-fill start (ISO instant). */
  since: z.iso.datetime({ offset: true }).optional(),
  reason: z.enum(['schedule', 'manual', 'demo']).default('schedule'),
});
export type SyncPayload = z.infer<typeof syncPayload>;

export const syncJob = defineJob({
  name: 'sync',
  queue: 'pull',
  payload: syncPayload,
  /** Transient failures (5xx storms, lost stream) retry with backoff; config failures never retry. */
  attempts: 6,
  backoff: { type: 'exponential', delay: 15_000, jitter: 0.3 },
  // At most one active and one waiting sync per connector and mode, never two in parallel.
  dedupe: (payload) => jobId('sync', payload.connectorId, payload.mode),
  retention: defaultRetention,
  handler: processSync,
});

const DEFAULT_DEFER_RATE_LIMIT_WAITS_OVER_MS = 10_000;

/**
 * Runs the pull stage for the connector the payload names, translating failure classes into BullMQ
 * terms: config errors are unrecoverable (a human must fix something), transient ones retry with
 * the backoff, a long rate-limit wait puts the job back on the queue without spending an attempt.
 */
async function processSync(deps: WorkerDeps, job: Job, { payload, token, signal }: JobContext<SyncPayload>): Promise<object> {
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
          await deps.queues.enqueue('derive', { v: 1, connectorId: connector.id, upToSeq: progress.outcome.maxChangeSeq.toString() });
        }
      },
    });
    const { cursor: _cursor, ...totals } = result.totals;
    // Detection waits while a connector syncs (its history is still filling in): run it now.
    await deps.queues.enqueue('detect', { v: 1, organizationId: connector.organizationId });
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
