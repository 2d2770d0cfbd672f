import { HOUR_MS } from '../../src/domain/detect/detector-settings.ts';
import { generateSeries, type InjectedEpisode } from '../../src/evaluation/synthetic-counts/ticket-like-series.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { detectOrganization, type DetectSummary } from '../../src/pipeline/detect/detect-organization.ts';
import { recordSeriesChanges } from '../../src/store/series-change-sql.ts';
import { inTransaction } from '../../src/store/transaction.ts';
import type { TestDatabase } from './test-database.ts';

/**
 * Driver series written hour by hour the way the page transaction writes them (points and "series
 * changed" facts), and detect runs at the moment each hour has closed — for the detect-stage tests.
 */
export const DETECT_T0 = Date.parse('2026-01-05T00:00:00Z'); // a Monday
export const SETTLE_MS = 10 * 60_000;

export interface DetectFixture {
  organizationId: string;
  series: bigint[];
  values: number[][];
  write(from: number, to: number): Promise<void>;
  runAt(hour: number): Promise<DetectSummary>;
}

export async function createDetectFixture(
  db: TestDatabase, drivers: readonly { key: string; episodes?: InjectedEpisode[] }[], options: { hours: number; meanPerHour?: number; timeZone?: string },
): Promise<DetectFixture> {
  const org = await db.prisma.organization.create({ data: { key: 'acme', name: 'Acme', timeZone: options.timeZone ?? 'Europe/Berlin' } });
  const connector = await db.prisma.connector.create({ data: { organizationId: org.id, key: 'zd', system: 'zendesk', name: 'Zendesk', baseUrl: 'https://acme.zendesk.com' } });
  const series: bigint[] = [];
  const values: number[][] = [];
  for (const [i, d] of drivers.entries()) {
    const row = await db.prisma.series.create({ data: { organizationId: org.id, key: `driver_volume/zd/${d.key}`, kind: 'driver_volume', connectorId: connector.id, driverKey: d.key } });
    series.push(row.id);
    values.push(generateSeries({ seed: 70 + i, hours: options.hours, meanPerHour: options.meanPerHour ?? 12, dispersion: 1.6, episodes: d.episodes ?? [] }).values);
  }
  const logger = createLogger({ level: 'silent' });
  return {
    organizationId: org.id,
    series,
    values,
    write: (from, to) =>
      inTransaction(db.pool, async (client) => {
        for (const [k, id] of series.entries()) {
          const hours = Array.from({ length: to - from }, (_, j) => from + j);
          await client.query(
            `INSERT INTO series_points (series_id, bucket_start, value) SELECT $1, to_timestamp(h / 1000.0), v FROM unnest($2::float8[], $3::float8[]) AS x(h, v)
             ON CONFLICT (series_id, bucket_start) DO UPDATE SET value = EXCLUDED.value`,
            [id.toString(), hours.map((h) => DETECT_T0 + h * HOUR_MS), hours.map((h) => values[k]?.[h] ?? 0)],
          );
          await recordSeriesChanges(client, org.id, [{ seriesId: id, buckets: hours.map((h) => DETECT_T0 + h * HOUR_MS) }]);
        }
      }),
    runAt: (h) => detectOrganization({ pool: db.pool, logger, now: () => DETECT_T0 + (h + 1) * HOUR_MS + SETTLE_MS }, org.id),
  };
}
