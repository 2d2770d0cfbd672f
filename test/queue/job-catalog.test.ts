import { randomUUID } from 'node:crypto';
import { Job, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/observability/logger.ts';
import { jobCatalog } from '../../src/queue/job-catalog.ts';
import { defaultRetention, defineCatalog, defineJob, type JobContext } from '../../src/queue/job-definition.ts';
import { createQueues, type Queues } from '../../src/queue/queues.ts';
import { startWorkers, type RunningWorkers, type WorkerDeps, type WorkerSettings } from '../../src/queue/workers.ts';
import { testRedisPrefix } from '../support/test-database.ts';
import { testRedisUrl } from '../support/test-env.ts';

const logger = createLogger({ level: 'silent' });

describe('the production job catalog on Redis (producers only, no worker)', () => {
  let queues: Queues;
  beforeAll(() => {
    queues = createQueues({ redisUrl: testRedisUrl, prefix: testRedisPrefix() });
  });
  afterAll(async () => {
    await queues?.close();
  });

  it('refuses an invalid payload before it touches Redis, and adds nothing', async () => {
    const add = vi.spyOn(queues.queue('pull'), 'add');
    try {
      await expect(queues.enqueue('sync', { v: 1, connectorId: 'not-a-uuid', mode: 'incremental' })).rejects.toThrow(/UUID/i);
      await expect(queues.enqueue('derive', { v: 2, connectorId: randomUUID() } as never)).rejects.toThrow();
      expect(add).not.toHaveBeenCalled();
    } finally {
      add.mockRestore();
    }
    for (const name of Object.keys(jobCatalog.queues) as (keyof typeof jobCatalog.queues)[]) {
      const counts = await queues.queue(name).getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed');
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
    }
  });

  it('keeps one waiting sync per connector and mode while none is active (dedupe), with the definition’s options', async () => {
    const connectorId = randomUUID();
    const first = await queues.enqueue('sync', { v: 1, connectorId, mode: 'incremental', reason: 'manual' });
    const second = await queues.enqueue('sync', { v: 1, connectorId, mode: 'incremental', reason: 'manual' });
    expect(second).toBe(first);
    expect(await queues.queue('pull').getWaitingCount()).toBe(1);
    // Another mode is another deduplication id.
    await queues.enqueue('sync', { v: 1, connectorId, mode: 'backfill' });
    expect(await queues.queue('pull').getWaitingCount()).toBe(2);
    const job = await Job.fromId(queues.queue('pull'), first ?? '');
    expect(job?.name).toBe('sync');
    // The schema's default was applied before adding.
    expect(job?.data).toEqual({ v: 1, connectorId, mode: 'incremental', reason: 'manual' });
    expect(job?.opts).toMatchObject({
      attempts: 6, backoff: { type: 'exponential', delay: 15_000, jitter: 0.3 },
      deduplication: { id: `sync-${connectorId}-incremental`, keepLastIfActive: true },
      removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 },
    });
    const backfill = (await queues.queue('pull').getWaiting()).find((j) => j.data.mode === 'backfill');
    expect(backfill?.data.reason).toBe('schedule');

    const derives = await Promise.all([1, 2, 3].map((n) => queues.enqueue('derive', { v: 1, connectorId, upToSeq: String(n) })));
    expect(new Set(derives).size).toBe(1);
    expect(await queues.queue('derive').getWaitingCount()).toBe(1);
    const derive = await Job.fromId(queues.queue('derive'), derives[0] ?? '');
    expect(derive?.opts).toMatchObject({ attempts: 10, deduplication: { id: `derive-${connectorId}`, keepLastIfActive: true } });
  });

  it('adds a delayed job when asked to', async () => {
    const id = await queues.enqueue('sync', { v: 1, connectorId: randomUUID(), mode: 'incremental' }, { delayMs: 60_000 });
    expect(await (await Job.fromId(queues.queue('pull'), id ?? ''))?.getState()).toBe('delayed');
  });

  it('starts one worker per catalog queue with its concurrency, overridable per queue', async () => {
    // Empty queues of their own: no handler runs, so these deps are never used.
    const empty = createQueues({ redisUrl: testRedisUrl, prefix: testRedisPrefix() });
    const workers = startWorkers({ queues: empty, logger, redisUrl: testRedisUrl, concurrency: { derive: 1 } } as unknown as WorkerDeps);
    try {
      expect(workers.workers.map((w) => [w.name, w.concurrency])).toEqual([['pull', 4], ['derive', 1], ['kpi', 1], ['detect', 1]]);
    } finally {
      await workers.close(1000);
      await empty.close();
    }
  });
});

describe('workers built from a catalog', () => {
  interface EchoDeps extends WorkerSettings {
    seen: { payload: unknown; hasToken: boolean; hasSignal: boolean; jobName: string }[];
  }
  const record = async (deps: EchoDeps, job: Job, context: JobContext<unknown>): Promise<unknown> => {
    deps.seen.push({ payload: context.payload, hasToken: typeof context.token === 'string', hasSignal: context.signal instanceof AbortSignal, jobName: job.name });
    return { echoed: job.name };
  };
  const echo = defineJob({
    name: 'echo', queue: 'test', payload: z.object({ text: z.string(), times: z.number().int().default(1) }), attempts: 3, backoff: { type: 'fixed', delay: 10 },
    dedupe: () => undefined, retention: defaultRetention, handler: (deps: EchoDeps, job, context) => record(deps, job, context),
  });
  const shout = defineJob({
    name: 'shout', queue: 'test', payload: z.object({ text: z.string() }), attempts: 3, backoff: { type: 'fixed', delay: 10 },
    dedupe: (payload) => `shout-${payload.text}`, retention: defaultRetention, handler: (deps: EchoDeps, job, context) => record(deps, job, context),
  });
  const catalog = defineCatalog({ jobs: [echo, shout], queues: { test: { concurrency: 1 } } });

  let queues: Queues<typeof catalog>;
  let workers: RunningWorkers;
  let events: QueueEvents;
  const seen: EchoDeps['seen'] = [];

  beforeAll(async () => {
    const prefix = testRedisPrefix();
    queues = createQueues({ redisUrl: testRedisUrl, prefix }, catalog);
    workers = startWorkers({ queues, logger, redisUrl: testRedisUrl, seen }, catalog);
    events = new QueueEvents('test', { connection: { url: testRedisUrl }, prefix });
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await workers?.close(1000);
    await events?.close();
    await queues?.close();
  });

  it('runs each job through its own handler with the parsed payload, the lock token and the abort signal', async () => {
    const echoId = await queues.enqueue('echo', { text: 'hello' });
    const shoutId = await queues.enqueue('shout', { text: 'hey' });
    await expect((await Job.fromId(queues.queue('test'), echoId ?? ''))!.waitUntilFinished(events, 10_000)).resolves.toEqual({ echoed: 'echo' });
    await expect((await Job.fromId(queues.queue('test'), shoutId ?? ''))!.waitUntilFinished(events, 10_000)).resolves.toEqual({ echoed: 'shout' });
    expect(seen).toEqual([
      { jobName: 'echo', payload: { text: 'hello', times: 1 }, hasToken: true, hasSignal: true },
      { jobName: 'shout', payload: { text: 'hey' }, hasToken: true, hasSignal: true },
    ]);
  });

  it('fails a job name the catalog does not know on that queue unrecoverably (no retry)', async () => {
    const job = await queues.queue('test').add('mystery', { text: 'x' }, { attempts: 5 });
    await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow(/no job "mystery" on queue "test"/);
    const failed = await Job.fromId(queues.queue('test'), job.id ?? '');
    expect(failed?.attemptsMade).toBe(1);
    expect(await failed?.getState()).toBe('failed');
  });

  it('fails a payload the job’s schema refuses unrecoverably, naming the job', async () => {
    const before = seen.length;
    const job = await queues.queue('test').add('echo', { text: 42 }, { attempts: 5 });
    await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow(/invalid echo payload/);
    expect((await Job.fromId(queues.queue('test'), job.id ?? ''))?.attemptsMade).toBe(1);
    expect(seen.length).toBe(before);
  });
});
