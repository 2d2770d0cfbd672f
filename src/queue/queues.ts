import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { jobCatalog, type JobCatalog } from './job-catalog.ts';
import { jobOptions, type Catalog, type JobNameOf, type PayloadInputOf, type QueueNameOf } from './job-definition.ts';

/**
 * Queue handles for producers (API, CLI, scheduler, the pull worker enqueueing derives), one per queue
 * of the catalog. Keys live under one prefix with a hash tag, so Redis Cluster / Valkey keep each
 * deployment on one slot.
 */
export interface Queues<C extends Catalog = JobCatalog> {
  readonly redis: Redis;
  readonly prefix: string;
  /** The BullMQ handle of one of the catalog's queues (schedulers, job lookups, counts). */
  queue(name: QueueNameOf<C>): Queue;
  /**
   * Adds job `name` to its queue with its definition's attempts, backoff, deduplication and
   * retention. The payload is parsed with the job's schema first: an invalid one throws (a ZodError)
   * before Redis is touched. Returns the job id — the waiting job's when the request was deduplicated.
   */
  enqueue<N extends JobNameOf<C>>(name: N, payload: PayloadInputOf<C, N>, options?: EnqueueOptions): Promise<string | undefined>;
  close(): Promise<void>;
}

export interface EnqueueOptions {
  delayMs?: number;
}

export interface QueueSettings {
  redisUrl: string;
  prefix: string;
}

export function redisConnection(url: string, role: 'producer' | 'worker'): Redis {
  // Workers block on Redis: BullMQ requires maxRetriesPerRequest null for them.
  return new Redis(url, { maxRetriesPerRequest: role === 'worker' ? null : 3, enableReadyCheck: true, lazyConnect: false });
}

/** Producers for Frontline's job catalog, or for another one (tests). */
export function createQueues(settings: QueueSettings): Queues;
export function createQueues<C extends Catalog>(settings: QueueSettings, catalog: C): Queues<C>;
export function createQueues(settings: QueueSettings, catalog: Catalog = jobCatalog): Queues<Catalog> {
  const redis = redisConnection(settings.redisUrl, 'producer');
  const handles = new Map<string, Queue>(Object.keys(catalog.queues).map((name) => [name, new Queue(name, { connection: redis, prefix: settings.prefix })]));
  const queue = (name: string): Queue => {
    const handle = handles.get(name);
    if (!handle) throw new Error(`no queue "${name}" in the job catalog (queues: ${[...handles.keys()].join(', ')})`);
    return handle;
  };
  return {
    redis,
    prefix: settings.prefix,
    queue,
    async enqueue(name, payload, options = {}) {
      const definition = catalog.jobs[name];
      if (!definition) throw new Error(`no job "${name}" in the job catalog`);
      const data: unknown = definition.payload.parse(payload);
      const dedupeId = definition.dedupe(data);
      const job = await queue(definition.queue).add(definition.name, data, {
        ...jobOptions(definition),
        ...(dedupeId === undefined ? {} : { deduplication: { id: dedupeId, keepLastIfActive: true } }),
        ...(options.delayMs ? { delay: options.delayMs } : {}),
      });
      return job.id;
    },
    async close() {
      await Promise.all([...handles.values()].map((handle) => handle.close()));
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
