import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { jobCatalog, jobId, type DerivePayload, type QueueName, type SyncPayload } from './job-catalog.ts';

/**
 * Queue handles for producers (API, CLI, scheduler, the pull worker enqueueing derives). Keys live
 * under one prefix with a hash tag, so Redis Cluster / Valkey keep each deployment on one slot.
 */
export interface Queues {
  pull: Queue;
  derive: Queue;
  redis: Redis;
  prefix: string;
  enqueueSync(payload: SyncPayload, options?: { delayMs?: number }): Promise<string | undefined>;
  enqueueDerive(payload: DerivePayload): Promise<string | undefined>;
  close(): Promise<void>;
}

export interface QueueSettings {
  redisUrl: string;
  prefix: string;
}

export function redisConnection(url: string, role: 'producer' | 'worker'): Redis {
  // Workers block on Redis: BullMQ requires maxRetriesPerRequest null for them.
  return new Redis(url, { maxRetriesPerRequest: role === 'worker' ? null : 3, enableReadyCheck: true, lazyConnect: false });
}

export function createQueues(settings: QueueSettings): Queues {
  const redis = redisConnection(settings.redisUrl, 'producer');
  const make = (name: QueueName): Queue => new Queue(name, { connection: redis, prefix: settings.prefix });
  const pull = make('pull');
  const derive = make('derive');
  return {
    pull,
    derive,
    redis,
    prefix: settings.prefix,
    async enqueueSync(payload, options = {}) {
      const spec = jobCatalog.sync;
      const data = spec.payload.parse(payload);
      const job = await pull.add('sync', data, {
        attempts: spec.attempts,
        backoff: spec.backoff,
        // At most one active and one waiting sync per connector and mode, never two in parallel.
        deduplication: { id: jobId('sync', data.connectorId, data.mode), keepLastIfActive: true },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 5000 },
        ...(options.delayMs ? { delay: options.delayMs } : {}),
      });
      return job.id;
    },
    async enqueueDerive(payload) {
      const spec = jobCatalog.derive;
      const data = spec.payload.parse(payload);
      const job = await derive.add('derive', data, {
        attempts: spec.attempts,
        backoff: spec.backoff,
        // Every page enqueues a derive; while one runs, the latest request waits behind it, so
        // tickets stored after the running derive read its batch are never left underived.
        deduplication: { id: jobId('derive', data.connectorId), keepLastIfActive: true },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 5000 },
      });
      return job.id;
    },
    async close() {
      await Promise.all([pull.close(), derive.close()]);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
