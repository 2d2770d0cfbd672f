import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/connector-kit/clock.ts';
import { deriveConnector } from '../../src/pipeline/derive/derive-connector.ts';
import { runSync } from '../../src/pipeline/pull/run-sync.ts';
import { dailyVolumes, driverVolumes } from '../../src/store/volume-summary-repository.ts';
import { createPipelineFixture, expectSeriesEqualRecount, expectStoreMatchesRecords, storedView, writeFingerprint, type PipelineFixture } from '../support/pipeline-fixture.ts';

const DAY = 86_400_000;

/**
 * The spine end to end, in-process: simulator → connector → page transaction → derive → series, on
 * a manual clock shared by the simulator and the connector (Retry-After waits cost no real time).
 */
describe('Zendesk sync into the governance store', () => {
  const clock = manualClock(Date.parse('2026-11-20T12:00:00Z'));
  let f: PipelineFixture;

  let derived = { processed: 0, pointsWritten: 0 };
  const sync = async (): Promise<Awaited<ReturnType<typeof runSync>>> => {
    const result = await runSync(f.services.pull, { connector: f.connector, mode: 'incremental', sinceMs: clock.now() - 30 * DAY, jobId: null });
    derived = await deriveConnector(f.services.derive, f.connector);
    return result;
  };
  const perDriver = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await driverVolumes(f.db.pool, f.connector.id, clock.now())).map((v) => [v.driverKey ?? 'unmatched', v.total]).filter(([, n]) => n !== 0));
  const nonZero = (counts: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));

  beforeAll(async () => {
    f = await createPipelineFixture({
      clock,
      // Real exports' hostile parts too: poison records, AI-agent tickets, deleted tickets scrubbed after 5 days.
      simulator: { seed: 7, tickets: 12_000, historyDays: 21, scenario: 'release-spike', malformed: 4, poison: 4, deletedShare: 0.02, scrubAfterDays: 5, aiAgentShare: 0.05, live: false },
    });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('stores exactly the simulator’s tickets: per day and per driver equal its truth, deleted ones as tombstones', async () => {
    const result = await sync();
    const truth = f.simulator.truth();
    // 4 malformed records and the poison record PostgreSQL refuses (year 0); the other poison ones are stored.
    expect(result.totals.quarantined).toBe(5);
    await expectStoreMatchesRecords(f, clock.now() - 60_000);
    await expectSeriesEqualRecount(f);
    const scrubbed = await f.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM tickets WHERE erased_at IS NOT NULL AND status = 'deleted' AND subject IS NULL AND raw IS NULL");
    expect(scrubbed.rows[0]?.n).toBeGreaterThan(0);
    // Classified and counted in the page transactions: the derive stage found nothing left to do.
    expect(derived).toMatchObject({ processed: 0, pointsWritten: 0 });
    const stored = await storedView(f);
    expect(stored.live).toBe(truth.live);
    expect(stored.deletedIds).toEqual(truth.deletedIds);
    expect(stored.quarantinedIds).toEqual(truth.malformedIds);
    expect(stored.total).toBe(truth.total - truth.malformedIds.length);
    expect(await perDriver()).toEqual(nonZero(truth.perDriver));
    expect(await dailyVolumes(f.db.pool, f.connector.id)).toEqual(truth.perDay);
    const reasons = await f.db.pool.query<{ reason: string }>('SELECT reason FROM quarantined_records');
    for (const row of reasons.rows) expect(row.reason).toMatch(/\w+.*: /);
  });

  it('writes nothing on a second sync with no changes', async () => {
    const before = await writeFingerprint(f);
    const result = await sync();
    expect(result.totals).toMatchObject({ inserted: 0, updated: 0 });
    expect(await writeFingerprint(f)).toEqual(before);
  });

  it('follows tickets that change and get deleted between syncs', async () => {
    clock.advance(10 * 60_000);
    const truthBefore = f.simulator.truth();
    const victims = [101, 202, 303].filter((id) => !truthBefore.deletedIds.includes(String(id)) && !truthBefore.malformedIds.includes(String(id)));
    f.simulator.touch([11, 22, 33, 44]);
    f.simulator.remove(victims);
    clock.advance(2 * 60_000); // past the 60 s export window
    const result = await sync();
    expect(result.totals.updated).toBeGreaterThanOrEqual(victims.length);
    const truth = f.simulator.truth();
    await expectStoreMatchesRecords(f, clock.now() - 60_000);
    await expectSeriesEqualRecount(f);
    const stored = await storedView(f);
    expect(stored.deletedIds).toEqual(truth.deletedIds);
    expect(stored.live).toBe(truth.live);
    expect(await perDriver()).toEqual(nonZero(truth.perDriver));
    expect(await dailyVolumes(f.db.pool, f.connector.id)).toEqual(truth.perDay);
  });

  it('shows the release spike: SSO configuration tickets up about 40 % in the last 7 days', async () => {
    const sso = (await driverVolumes(f.db.pool, f.connector.id, clock.now())).find((v) => v.driverKey === 'configuration/sso');
    expect(sso).toBeDefined();
    const change = (sso!.last7 - sso!.previous7) / sso!.previous7;
    expect(change).toBeGreaterThan(0.2);
    expect(change).toBeLessThan(0.7);
  });
});
