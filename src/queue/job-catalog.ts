import { defineCatalog, type JobNameOf, type PayloadInputOf, type QueueNameOf } from './job-definition.ts';
import { deriveJob } from './jobs/derive-job.ts';
import { detectJob } from './jobs/detect-job.ts';
import { kpiJob } from './jobs/kpi-job.ts';
import { syncJob } from './jobs/sync-job.ts';

/**
 * The queue's contract (README "Architecture"): every job Frontline runs, each defined in its own
 * file under jobs/ (name, queue, zod payload, attempts, backoff, deduplication, retention, handler),
 * and the settings of every queue they run on. `createQueues` (producers) and `startWorkers` (one
 * BullMQ worker per queue, dispatching by job name) are built from it, so adding a job is its file
 * plus a line here (and its queue's settings, when it runs on a new queue).
 *
 * Payloads carry ids, never secrets or ticket bodies, and carry a version: changes are additive only,
 * so workers of two releases can overlap during a rolling deploy. A job name a worker's catalog does
 * not know fails unrecoverably: put a new job on a new queue, or deploy its workers first.
 */
export const jobCatalog = defineCatalog({
  jobs: [syncJob, deriveJob, kpiJob, detectJob],
  queues: {
    pull: { concurrency: 4 },
    derive: { concurrency: 2 },
    // Per organization, each connector under its series lock.
    kpi: { concurrency: 1 },
    // Runs are per organization and serialised by a lock: more would wait.
    detect: { concurrency: 1 },
  },
});

export type JobCatalog = typeof jobCatalog;
export type JobName = JobNameOf<JobCatalog>;
export type QueueName = QueueNameOf<JobCatalog>;
/** What `Queues.enqueue(name, …)` takes for job `N`. */
export type PayloadOf<N extends JobName> = PayloadInputOf<JobCatalog, N>;
