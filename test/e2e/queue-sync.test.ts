import { Job, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/connector-kit/clock.ts';
import { startWorkers, type RunningWorkers } from '../../src/queue/workers.ts';
import { reconcileSchedules } from '../../src/queue/scheduler.ts';
import { saveConnectorSecrets } from '../../src/store/config-repository.ts';
import { driverVolumes } from '../../src/store/volume-summary-repository.ts';
import { createPipelineFixture, storedView, type PipelineFixture } from '../support/pipeline-fixture.ts';
import { testRedisUrl } from '../support/test-env.ts';

/** The same pipeline through BullMQ on the real Redis: jobs, retries, failure classes, schedules. */
describe('sync jobs on the queue', () => {
  const clock = manualClock(Date.parse('2026-11-20T12:00:00Z'));
  let f: PipelineFixture;
  let workers: RunningWorkers;
  let events: QueueEvents;

  beforeAll(async () => {
    f = await createPipelineFixture({ clock, simulator: { seed: 11, tickets: 6_000, historyDays: 14, pageSize: 500, live: false } });
    workers = startWorkers({
      prisma: f.services.db.prisma, pull: f.services.pull, derive: f.services.derive, kpi: f.services.kpi, detect: f.services.detect, queues: f.services.queues(),
      logger: f.services.logger, redisUrl: testRedisUrl,
    });
    events = new QueueEvents('pull', { connection: { url: testRedisUrl }, prefix: f.redisPrefix });
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await workers?.close(1000);
    await events?.close();
    await f?.close();
  });

  const waitForDerive = async (): Promise<void> => {
    for (let i = 0; i < 200; i++) {
      const row = await f.db.pool.query<{ behind: boolean }>(
        `SELECT coalesce((SELECT max(change_seq) FROM tickets WHERE connector_id = $1), 0) >
                coalesce((SELECT max(last_seq) FROM derive_states WHERE connector_id = $1), 0) AS behind`,
        [f.connector.id],
      );
      const waiting = await f.services.queues().queue('derive').getJobCounts('waiting', 'active', 'delayed');
      if (!row.rows[0]?.behind && waiting['waiting'] === 0 && waiting['active'] === 0 && waiting['delayed'] === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('derive did not catch up');
  };

  it('waits out 429s without failing the job (another client used up the export budget first)', async () => {
    const auth = `Basic ${Buffer.from(`demo@acme.example/token:${f.token}`).toString('base64')}`;
    const start = Math.floor((clock.now() - 86_400_000) / 1000);
    let throttledDirect = 0;
    for (let i = 0; i < 11; i++) {
      const response = await fetch(`${f.simulatorUrl}/api/v2/incremental/tickets/cursor.json?start_time=${start}`, { headers: { authorization: auth } });
      if (response.status === 429) throttledDirect += 1;
    }
    expect(throttledDirect).toBe(1);
    const id = await f.services.queues().enqueue('sync', { v: 1, connectorId: f.connector.id, mode: 'incremental', reason: 'manual' });
    const job = await Job.fromId(f.services.queues().queue('pull'), id ?? '');
    const result = (await job!.waitUntilFinished(events, 60_000)) as { fetched: number };
    const finished = await Job.fromId(f.services.queues().queue('pull'), id ?? '');
    expect(finished?.attemptsMade).toBe(1);
    const run = await f.db.pool.query('SELECT status, throttled, waited_ms::int AS waited FROM sync_runs ORDER BY id DESC LIMIT 1');
    expect(run.rows[0]).toMatchObject({ status: 'succeeded' });
    expect(run.rows[0]?.throttled).toBeGreaterThanOrEqual(1);
    expect(run.rows[0]?.waited).toBeGreaterThan(0);
    await waitForDerive();
    const truth = f.simulator.truth();
    expect(result.fetched).toBe(truth.total);
    expect((await storedView(f)).live).toBe(truth.live);
    const volumes = await driverVolumes(f.db.pool, f.connector.id, clock.now());
    expect(volumes.reduce((sum, v) => sum + v.total, 0)).toBe(truth.live);
  });

  it('fails a 401 fast with a config error that names the connector, without retrying or leaking the token', async () => {
    const wrong = 'wrong-token-value-123';
    await saveConnectorSecrets(f.services.db.prisma, f.connector.id, { token: wrong }, f.services.secretBox);
    const id = await f.services.queues().enqueue('sync', { v: 1, connectorId: f.connector.id, mode: 'incremental', reason: 'manual' });
    const job = await Job.fromId(f.services.queues().queue('pull'), id ?? '');
    await expect(job!.waitUntilFinished(events, 30_000)).rejects.toThrow(/zendesk-demo/);
    const failed = await Job.fromId(f.services.queues().queue('pull'), id ?? '');
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/401/);
    expect(JSON.stringify(failed?.toJSON())).not.toContain(wrong);
    const run = await f.db.pool.query('SELECT status, error_class, error_message FROM sync_runs ORDER BY id DESC LIMIT 1');
    expect(run.rows[0]).toMatchObject({ status: 'failed', error_class: 'config' });
    expect(String(run.rows[0]?.error_message)).toContain('zendesk-demo');
    // The operator is told which environment variable holds the token the config references.
    expect(String(run.rows[0]?.error_message)).toContain('FRONTLINE_DEMO_ZENDESK_TOKEN');
    expect(String(run.rows[0]?.error_message)).not.toContain(wrong);
    await saveConnectorSecrets(f.services.db.prisma, f.connector.id, { token: f.token }, f.services.secretBox);
  });

  it('keeps one repeatable sync per enabled connector, rebuilt from the database when Redis lost it', async () => {
    const first = await reconcileSchedules(f.services.db.prisma, f.services.queues());
    expect(first.scheduled).toEqual(['acme/zendesk-demo']);
    expect(await f.services.queues().queue('pull').getJobSchedulersCount()).toBe(1);
    for (const s of await f.services.queues().queue('pull').getJobSchedulers()) await f.services.queues().queue('pull').removeJobScheduler(s.key);
    expect(await f.services.queues().queue('pull').getJobSchedulersCount()).toBe(0);
    await reconcileSchedules(f.services.db.prisma, f.services.queues());
    const [rebuilt] = await f.services.queues().queue('pull').getJobSchedulers();
    expect(rebuilt?.every).toBe(15_000);
    await f.services.db.prisma.connector.update({ where: { id: f.connector.id }, data: { enabled: false } });
    const after = await reconcileSchedules(f.services.db.prisma, f.services.queues());
    expect(after.removed).toHaveLength(1);
    expect(await f.services.queues().queue('pull').getJobSchedulersCount()).toBe(0);
  });
});
