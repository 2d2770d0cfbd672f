import { Job, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createZendeskSimulator, type ZendeskSimulator } from '../../connectors/zendesk/simulator/index.ts';
import { scaledClock, systemClock } from '../../src/connector-kit/clock.ts';
import { runSync } from '../../src/pipeline/pull/run-sync.ts';
import { startWorkers, type RunningWorkers } from '../../src/queue/workers.ts';
import { saveConnectorSecrets } from '../../src/store/config-repository.ts';
import { getConnectorById } from '../../src/store/connector-repository.ts';
import { beginRun, StreamBusyError } from '../../src/store/sync-run-repository.ts';
import { createPipelineFixture, storedView, type PipelineFixture } from '../support/pipeline-fixture.ts';
import { testRedisUrl } from '../support/test-env.ts';

/**
 * A sync that meets a long rate-limit wait gives its worker slot back (the job is delayed, no attempt
 * spent) and resumes from its cursor; a run that waits stays alive (heartbeat) and is never taken over.
 */
describe('rate-limit waits on the queue', () => {
  // Ten simulated seconds a real second: a 60 s export window passes in 6 s.
  const clock = scaledClock({ epochMs: Date.parse('2026-11-20T12:00:00Z'), scale: 10 });
  let f: PipelineFixture;
  let other: ZendeskSimulator;
  let otherConnectorId: string;
  let workers: RunningWorkers;
  let events: QueueEvents;

  beforeAll(async () => {
    // 12 export pages against Zendesk's 10 export requests a minute: the sync must wait once.
    f = await createPipelineFixture({ clock, simulator: { seed: 31, tickets: 1_200, historyDays: 7, pageSize: 100, live: false } });
    other = createZendeskSimulator({ clock, seed: 32, tickets: 500, historyDays: 7, live: false, rateLimit: false, auth: { apiToken: { email: 'demo@acme.example', token: f.token } } });
    const otherUrl = await other.listen(0);
    const row = await f.services.db.prisma.connector.create({
      data: {
        organizationId: f.connector.organizationId, key: 'zendesk-other', system: 'zendesk', name: 'Other', baseUrl: otherUrl, allowInsecureBaseUrl: true,
        settings: { auth: { type: 'api_token', email: 'demo@acme.example' } },
      },
    });
    otherConnectorId = row.id;
    await saveConnectorSecrets(f.services.db.prisma, otherConnectorId, { token: f.token }, f.services.secretBox);
    workers = startWorkers({
      prisma: f.services.db.prisma, pull: f.services.pull, derive: f.services.derive, kpi: f.services.kpi, detect: f.services.detect, queues: f.services.queues(), logger: f.services.logger,
      redisUrl: testRedisUrl, concurrency: { pull: 1, derive: 1 }, deferRateLimitWaitsOverMs: 1_000,
    });
    events = new QueueEvents('pull', { connection: { url: testRedisUrl }, prefix: f.redisPrefix });
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await workers?.close(1000);
    await events?.close();
    await other?.close();
    await f?.close();
  });

  it('delays the rate-limited job instead of holding the only slot; another connector syncs meanwhile; nothing lost', async () => {
    const since = new Date(clock.now() - 10 * 86_400_000).toISOString();
    const limitedId = await f.services.queues().enqueue('sync', { v: 1, connectorId: f.connector.id, mode: 'incremental', reason: 'manual', since });
    const limited = await Job.fromId(f.services.queues().queue('pull'), limitedId ?? '');
    let delayedSeen = false;
    // Waits for a condition, not a time limit: under a busy full run the first pages take a while.
    for (let i = 0; i < 600 && !delayedSeen; i++) {
      delayedSeen = (await limited?.getState()) === 'delayed';
      if (!delayedSeen) await new Promise((r) => setTimeout(r, 50));
    }
    expect(delayedSeen).toBe(true);
    // The only pull slot is free: a sync of another connector runs to the end while the first one waits.
    const otherId = await f.services.queues().enqueue('sync', { v: 1, connectorId: otherConnectorId, mode: 'incremental', reason: 'manual', since });
    const otherJob = await Job.fromId(f.services.queues().queue('pull'), otherId ?? '');
    await otherJob!.waitUntilFinished(events, 30_000);
    expect(await limited?.getState()).toBe('delayed');
    await limited!.waitUntilFinished(events, 60_000);
    const finished = await Job.fromId(f.services.queues().queue('pull'), limitedId ?? '');
    expect(finished?.attemptsMade).toBe(1);
    const runs = await f.db.pool.query("SELECT status, error_code FROM sync_runs WHERE connector_id = $1 ORDER BY id", [f.connector.id]);
    expect(runs.rows[0]).toEqual({ status: 'cancelled', error_code: 'RATE_LIMIT_WAIT' });
    expect(runs.rows.at(-1)).toEqual({ status: 'succeeded', error_code: null });
    const state = await f.db.pool.query('SELECT last_error FROM sync_states WHERE connector_id = $1', [f.connector.id]);
    expect(state.rows[0]?.last_error).toBeNull();
    const truth = f.simulator.truth();
    expect((await storedView(f)).total).toBe(truth.total - truth.malformedIds.length);
  });

  it('keeps a waiting run alive with its heartbeat, so nobody takes its stream', async () => {
    const slow = createZendeskSimulator({
      clock: systemClock, seed: 33, tickets: 50, historyDays: 2, live: false, rateLimit: false,
      auth: { apiToken: { email: 'demo@acme.example', token: f.token } }, faults: { slowRate: 1, slowMs: 6_000 },
    });
    const slowUrl = await slow.listen(0);
    try {
      await f.services.db.prisma.connector.update({ where: { id: otherConnectorId }, data: { baseUrl: slowUrl } });
      const connector = await getConnectorById(f.services.db.prisma, otherConnectorId);
      const running = runSync({ ...f.services.pull, clock: systemClock, heartbeatEveryMs: 100 }, { connector: connector!, mode: 'backfill', sinceMs: Date.now() - 3 * 86_400_000, jobId: 'job-a' });
      // Longer than the stale limit below, so only the heartbeat (every 100 ms) keeps the run alive; the
      // limit leaves 2.4 s for a heartbeat delayed by a busy machine (a full CI run).
      await new Promise((r) => setTimeout(r, 3_500));
      const takeover = beginRun(f.db.pool, {
        organizationId: connector!.organizationId, connectorId: otherConnectorId, stream: 'tickets:backfill', mode: 'backfill', jobId: 'job-b', sinceAt: null,
        restartIfComplete: false, staleAfterMs: 2_500,
      });
      await expect(takeover).rejects.toBeInstanceOf(StreamBusyError);
      await expect(running).resolves.toMatchObject({ stream: 'tickets:backfill' });
    } finally {
      await slow.close();
    }
  });
});
