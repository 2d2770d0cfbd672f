import type { BackoffOptions, Job, KeepJobs } from 'bullmq';
import type { z } from 'zod';

/**
 * What one queue job is (the model is trigger.dev's `WorkerCatalog`, with the handler beside its
 * contract): a name, the queue it runs on, a versioned zod payload, retries, deduplication, retention
 * and the handler. Producers (`Queues.enqueue`, queues.ts) and workers (`startWorkers`, workers.ts)
 * are both built from a catalog of these (job-catalog.ts), so a job is added in its own file plus one
 * line in the catalog.
 */
export interface JobDefinition<Name extends string = string, QueueName extends string = string, Schema extends AnySchema = AnySchema, Deps = any> {
  readonly name: Name;
  /** The BullMQ queue it runs on; each queue has its own workers and concurrency (Catalog.queues). */
  readonly queue: QueueName;
  /** Parsed before a job is added (a bad payload never reaches Redis) and again by the worker. */
  readonly payload: Schema;
  /** Attempts in all, the first included; an `UnrecoverableError` from the handler ends them early. */
  readonly attempts: number;
  readonly backoff: BackoffOptions;
  /**
   * The deduplication id of a request, or undefined for none. Requests with one id keep at most one
   * job waiting (a second request while one waits is dropped); while one is active, the latest
   * request waits behind it (BullMQ `keepLastIfActive`), so work requested during a run is not lost.
   */
  readonly dedupe: (payload: z.output<Schema>) => string | undefined;
  /** How many finished jobs Redis keeps. */
  readonly retention: JobRetention;
  /**
   * Runs the job. Throw `UnrecoverableError` for what a retry cannot fix (a human must act), any
   * other error to retry with `backoff`; `DelayedError` after `job.moveToDelayed(…, context.token)`.
   * The return value is stored as the job's result.
   */
  readonly handler: (deps: Deps, job: Job, context: JobContext<z.output<Schema>>) => Promise<unknown>;
}

/** A payload schema: `any` on both sides so definitions of every payload share one catalog type. */
export type AnySchema = z.ZodType<any, any>;

export interface JobContext<Payload> {
  /** The job's data parsed with the definition's schema (defaults applied). */
  payload: Payload;
  /** This worker's lock on the job: what `job.moveToDelayed` / `job.moveToWait` need. */
  token: string | undefined;
  /** Aborted when the worker cancels its jobs (shutdown past the grace period): stop at a safe point. */
  signal: AbortSignal | undefined;
}

export interface JobRetention {
  removeOnComplete: KeepJobs;
  removeOnFail: KeepJobs;
}

export const defaultRetention: JobRetention = { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } };

/** Identity with inference: the name and queue stay literal types, the payload types the handler. */
export function defineJob<Name extends string, QueueName extends string, Schema extends AnySchema, Deps>(
  definition: JobDefinition<Name, QueueName, Schema, Deps>,
): JobDefinition<Name, QueueName, Schema, Deps> {
  return definition;
}

/** BullMQ options every job of a definition is added with (also the template of job schedulers). */
export function jobOptions(definition: JobDefinition): { attempts: number; backoff: BackoffOptions; removeOnComplete: KeepJobs; removeOnFail: KeepJobs } {
  return {
    attempts: definition.attempts,
    backoff: definition.backoff,
    removeOnComplete: definition.retention.removeOnComplete,
    removeOnFail: definition.retention.removeOnFail,
  };
}

export interface QueueConfig {
  /** Jobs of this queue one worker process runs at once (`WorkerDeps.concurrency` overrides it). */
  concurrency: number;
}

/** Jobs by name, and the settings of every queue they run on (exactly those queues). */
export interface Catalog<Definition extends JobDefinition = JobDefinition> {
  readonly jobs: { readonly [N in Definition['name']]: Extract<Definition, { name: N }> };
  readonly queues: { readonly [Q in Definition['queue']]: QueueConfig };
}

export type JobNameOf<C extends Catalog> = keyof C['jobs'] & string;
export type QueueNameOf<C extends Catalog> = keyof C['queues'] & string;
/** What a producer passes for job `N` (the schema's input: fields with defaults may be left out). */
export type PayloadInputOf<C extends Catalog, N extends JobNameOf<C>> = z.input<C['jobs'][N]['payload']>;

/**
 * A catalog from its job definitions and its queues' settings. The type requires settings for every
 * queue a job names and no others; two jobs with one name are refused.
 */
export function defineCatalog<const Jobs extends readonly JobDefinition[]>(spec: {
  jobs: Jobs;
  queues: { readonly [Q in Jobs[number]['queue']]: QueueConfig };
}): Catalog<Jobs[number]> {
  const jobs: Record<string, JobDefinition> = {};
  for (const job of spec.jobs) {
    if (jobs[job.name]) throw new Error(`job catalog: two jobs are named "${job.name}"`);
    jobs[job.name] = job;
  }
  return { jobs: jobs as Catalog<Jobs[number]>['jobs'], queues: spec.queues };
}

/** BullMQ job ids must not contain ':' (it separates Redis key parts). */
export const jobId = (...parts: string[]): string => parts.join('-').replace(/:/g, '_');
