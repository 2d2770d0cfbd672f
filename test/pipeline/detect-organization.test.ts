import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_SETTINGS, HOUR_MS, WEEK_MS } from '../../src/domain/detect/detector-settings.ts';
import { SeriesDetector } from '../../src/domain/detect/series-detector.ts';
import { generateSeries } from '../../src/evaluation/synthetic-counts/ticket-like-series.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { detectOrganization } from '../../src/pipeline/detect/detect-organization.ts';
import { recordSeriesChanges } from '../../src/store/series-change-sql.ts';
import { inTransaction } from '../../src/store/transaction.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * The detect stage on real PostgreSQL, hour by hour as the scheduler runs it: series points and
 * their "series changed" facts are written the way the page transaction writes them, and each run
 * is a fresh rebuild from the stored detector states (every run is a restart).
 */
const T0 = Date.parse('2026-01-05T00:00:00Z'); // Monday
const HOURS = 8 * 168;
const SHIFT_FROM = 6 * 168 + 2 * 24 + 9; // Wednesday 09:00 of week 7
const SHIFT_TO = SHIFT_FROM + 4 * 24;
const SETTLE_MS = 10 * 60_000;

describe('detect stage', () => {
  let db: TestDatabase;
  let organizationId: string;
  const series: bigint[] = [];
  const values: number[][] = [];
  const logger = createLogger({ level: 'silent' });

  beforeAll(async () => {
    db = await createTestDatabase();
    const org = await db.prisma.organization.create({ data: { key: 'acme', name: 'Acme', timeZone: 'Europe/Berlin' } });
    organizationId = org.id;
    const connector = await db.prisma.connector.create({ data: { organizationId, key: 'zd', system: 'zendesk', name: 'Zendesk', baseUrl: 'https://acme.zendesk.com' } });
    for (const [i, driver] of ['configuration/sso', 'billing/refund', 'product/bug'].entries()) {
      const row = await db.prisma.series.create({ data: { organizationId, key: `driver_volume/zd/${driver}`, kind: 'driver_volume', connectorId: connector.id, driverKey: driver } });
      series.push(row.id);
      values.push(generateSeries({ seed: 70 + i, hours: HOURS, meanPerHour: 12, dispersion: 1.6, episodes: i === 0 ? [{ from: SHIFT_FROM, to: SHIFT_TO, lift: 0.6 }] : [] }).values);
    }
  });
  afterAll(async () => {
    await db.drop();
  });

  /** Writes hours [from, to) of every series, with their facts, as one page transaction would. */
  const write = async (from: number, to: number): Promise<void> =>
    inTransaction(db.pool, async (client) => {
      for (const [k, id] of series.entries()) {
        const hours = Array.from({ length: to - from }, (_, j) => from + j);
        await client.query(
          `INSERT INTO series_points (series_id, bucket_start, value) SELECT $1, to_timestamp(h / 1000.0), v FROM unnest($2::float8[], $3::float8[]) AS x(h, v)
           ON CONFLICT (series_id, bucket_start) DO UPDATE SET value = EXCLUDED.value`,
          [id.toString(), hours.map((h) => T0 + h * HOUR_MS), hours.map((h) => values[k]?.[h] ?? 0)],
        );
        await recordSeriesChanges(client, organizationId, [{ seriesId: id, buckets: hours.map((h) => T0 + h * HOUR_MS) }]);
      }
    });
  /** A run at the moment hour `h` has just closed (its end + the settle time). */
  const runAt = (h: number) => detectOrganization({ pool: db.pool, logger, now: () => T0 + (h + 1) * HOUR_MS + SETTLE_MS }, organizationId);
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
    await inTransaction(db.pool, (client) => recordSeriesChanges(client, organizationId, [{ seriesId: series[1] ?? 0n, buckets: [openHour - HOUR_MS, openHour] }]));
    await runAt(HOURS - 1);
    const left = await db.pool.query<{ series_id: string; buckets: Date[] }>('SELECT series_id::text, buckets FROM series_changes');
    expect(left.rows.map((r) => [r.series_id, r.buckets.map((b) => b.getTime())])).toEqual([[series[1]?.toString(), [openHour]]]);
  });
});
