import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_SETTINGS, HOUR_MS, WEEK_MS } from '../../src/domain/detect/detector-settings.ts';
import { SeriesDetector } from '../../src/domain/detect/series-detector.ts';
import { recordSeriesChanges } from '../../src/store/series-change-sql.ts';
import { inTransaction } from '../../src/store/transaction.ts';
import { createDetectFixture, DETECT_T0, type DetectFixture } from '../support/detect-fixture.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * The detect stage on real PostgreSQL, hour by hour as the scheduler runs it: series points and
 * their "series changed" facts are written the way the page transaction writes them, and each run
 * is a fresh rebuild from the stored detector states (every run is a restart).
 */
const T0 = DETECT_T0;
const HOURS = 8 * 168;
const SHIFT_FROM = 6 * 168 + 2 * 24 + 9; // Wednesday 09:00 of week 7
const SHIFT_TO = SHIFT_FROM + 4 * 24;

describe('detect stage', () => {
  let db: TestDatabase;
  let f: DetectFixture;
  const series: bigint[] = [];
  let values: number[][] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    f = await createDetectFixture(db, [{ key: 'configuration/sso', episodes: [{ from: SHIFT_FROM, to: SHIFT_TO, lift: 0.6 }] }, { key: 'billing/refund' }, { key: 'product/bug' }], { hours: HOURS });
    series.push(...f.series);
    values = f.values;
  });
  afterAll(async () => {
    await db.drop();
  });

  const write = (from: number, to: number) => f.write(from, to);
  const runAt = (h: number) => f.runAt(h);
  const organizationId = (): string => f.organizationId;
  const spikes = async () =>
    (await db.pool.query<{ series_id: string; status: string; started_at: Date; detected_at: Date; explanation: string; horizon: string; observed: number; expected: number }>(
      'SELECT series_id::text, status::text, started_at, detected_at, explanation, horizon, observed, expected FROM spikes ORDER BY detected_at',
    )).rows;

  it('raises one spike for the shifting driver, at the hour an uninterrupted detector opens it, never a second, and resolves it after the shift', async () => {
    // Five weeks of history arrive at once (a back-fill), then the hours one by one, a run after each.
    await write(0, 5 * 168);
    expect((await runAt(5 * 168 - 1)).raised).toBe(0);
    const straight = new SeriesDetector(DEFAULT_DETECTOR_SETTINGS, T0);
    const opensAt = values[0]?.map((v) => straight.observe(v).action).indexOf('open') ?? -1;
    expect(opensAt, 'the series is built so that the detector finds the shift').toBeGreaterThan(SHIFT_FROM);
    let raisedAt: number | null = null;
    for (let h = 5 * 168; h < HOURS; h++) {
      await write(h, h + 1);
      // The current hour (h + 1) has begun: a ticket in it moves its point and leaves a fact for the next run.
      const summary = await runAt(h);
      if (summary.raised > 0 && raisedAt === null) raisedAt = h;
      // A second run at the same moment (a replayed job) changes nothing.
      if (h === opensAt || h === opensAt + 1) expect((await runAt(h)).raised).toBe(0);
    }
    expect(raisedAt).toBe(opensAt);
    const rows = await spikes();
    expect(rows.map((r) => r.series_id)).toEqual([series[0]?.toString()]);
    const spike = rows[0];
    expect(spike?.status).toBe('resolved');
    expect(Math.abs((spike?.started_at.getTime() ?? 0) - (T0 + SHIFT_FROM * HOUR_MS))).toBeLessThanOrEqual(12 * HOUR_MS);
    expect(spike?.explanation).toMatch(/^configuration\/sso, .+: [\d,]+ vs expected [\d,]+ \(\+\d+ %\), since (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d — baseline: same hours of the week over the last 4 weeks, p /);
    expect(spike?.observed).toBeGreaterThan(spike?.expected ?? Infinity);
  }, 120_000);

  it('hands facts about the hour not closed yet back for the next run', async () => {
    const openHour = T0 + HOURS * HOUR_MS;
    await inTransaction(db.pool, (client) => recordSeriesChanges(client, organizationId(), [{ seriesId: series[1] ?? 0n, buckets: [openHour - HOUR_MS, openHour] }]));
    await runAt(HOURS - 1);
    const left = await db.pool.query<{ series_id: string; buckets: Date[] }>('SELECT series_id::text, buckets FROM series_changes');
    expect(left.rows.map((r) => [r.series_id, r.buckets.map((b) => b.getTime())])).toEqual([[series[1]?.toString(), [openHour]]]);
  });
});
