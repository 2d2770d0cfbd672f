import type pg from 'pg';
import { HOUR_MS } from '../domain/detect/detector-settings.ts';
import { eventCount, eventRuleOf, kpiEventSeriesKey } from '../domain/kpi/kpi-events.ts';
import type { Scope } from './kpi-bucket-counts.ts';
import { ensureKpiSeriesRow, type KpiDefinition } from './kpi-definitions.ts';
import { bucketEndSql, bucketStartSql, selectionSql, SqlParams, timeColumnOf } from './kpi-ticket-sql.ts';
import { recordSeriesChanges } from './series-change-sql.ts';

/**
 * A KPI's event series (`kpi_events/<key>/v<version>`, src/domain/kpi/kpi-events.ts): per UTC hour,
 * the events whose rise hurts the KPI, recomputed from the tickets for the hours the KPI's own
 * recomputation covers, in its transaction — with a "series changed" fact for every hour that moved,
 * so the detect stage evaluates it like a driver series.
 */
export async function recomputeKpiEvents(client: pg.PoolClient, kpi: KpiDefinition, scope: Scope): Promise<number> {
  const rule = eventRuleOf(kpi.metric, kpi.direction);
  const column = timeColumnOf(kpi.metric);
  if (rule === null || column === null) return 0;
  const seriesId = await ensureKpiSeriesRow(client, kpi, 'kpi_events', kpiEventSeriesKey(kpi.key, kpi.version));
  // Created in the KPI's listed buckets: the whole UTC hours they overlap (in zones whose midnight is
  // not on a UTC hour, the first and last are shared with the neighbouring buckets, and counted whole),
  // merged into runs, each read through the creation index. Otherwise every hour from `from`'s (all
  // when null).
  const ranges = scope.buckets === null || column !== 'created_at' ? null : await hourRangesOf(client, kpi, scope.buckets);
  if (ranges !== null && ranges.from.length === 0) return 0;
  const p = new SqlParams();
  const selection = selectionSql({ organizationId: kpi.organizationId, metric: kpi.metric, filters: kpi.filters, bucket: 'hour', timeZone: 'UTC' }, p, ranges === null ? undefined : { ranges });
  const hour = bucketStartSql(`x.${column}`, 'hour', "'UTC'");
  const since = ranges === null && scope.from !== null ? `AND x.${column} >= ${bucketStartSql(`${p.add(scope.from)}::timestamptz`, 'hour', "'UTC'")}` : '';
  const counts = await client.query<{ s: Date; tickets: number; hits: number }>(
    `SELECT ${hour} AS s, count(*)::int AS tickets, count(*) FILTER (WHERE x.hit)::int AS hits
       FROM (${selection}) x WHERE x.${column} IS NOT NULL AND x.counted ${since} GROUP BY 1`,
    p.values,
  );
  const points = counts.rows.map((c) => ({ s: c.s, value: eventCount(rule, { tickets: c.tickets, hits: c.hits, medianHours: null }) })).filter((x) => x.value > 0);
  const kept = points.map((x) => x.s);
  // NOT IN a subquery is a hashed lookup; NOT = ANY would compare each row with every kept hour.
  const notKept = 'sp.bucket_start NOT IN (SELECT unnest($2::timestamptz[]))';
  const removed = ranges !== null
    ? await client.query<{ b: Date }>(
      `DELETE FROM series_points sp USING unnest($3::timestamptz[], $4::timestamptz[]) AS r(s, e)
        WHERE sp.series_id = $1::bigint AND sp.bucket_start >= r.s AND sp.bucket_start < r.e AND ${notKept} RETURNING sp.bucket_start AS b`,
      [seriesId, kept, ranges.from, ranges.to],
    )
    : await client.query<{ b: Date }>(
      `DELETE FROM series_points sp WHERE sp.series_id = $1::bigint AND ${notKept} AND ($3::timestamptz IS NULL OR sp.bucket_start >= ${bucketStartSql('$3::timestamptz', 'hour', "'UTC'")})
       RETURNING sp.bucket_start AS b`,
      [seriesId, kept, scope.from],
    );
  const written = await client.query<{ b: Date }>(
    `INSERT INTO series_points AS sp (series_id, bucket_start, value, updated_at)
     SELECT $1::bigint, s, v, now() FROM unnest($2::timestamptz[], $3::float8[]) AS x(s, v)
     ON CONFLICT (series_id, bucket_start) DO UPDATE SET value = EXCLUDED.value, updated_at = now() WHERE sp.value IS DISTINCT FROM EXCLUDED.value
     RETURNING bucket_start AS b`,
    [seriesId, kept, points.map((x) => x.value)],
  );
  const moved = [...new Set([...removed.rows, ...written.rows].map((r) => r.b.getTime()))].sort((x, y) => x - y);
  await recordSeriesChanges(client, kpi.organizationId, [{ seriesId: BigInt(seriesId), buckets: moved }]);
  return moved.length;
}

/** The UTC hours the KPI's buckets overlap, as merged [from, to) runs in time order. */
async function hourRangesOf(client: pg.PoolClient, kpi: KpiDefinition, buckets: readonly Date[]): Promise<{ from: Date[]; to: Date[] }> {
  const hourly = kpi.bucket === 'hour';
  const ends = await client.query<{ s: Date; e: Date }>(
    `SELECT u.s, ${bucketEndSql('u.s', kpi.bucket, hourly ? '' : '$2::text')} AS e FROM unnest($1::timestamptz[]) AS u(s) ORDER BY 1`,
    hourly ? [buckets] : [buckets, kpi.timeZone],
  );
  const from: Date[] = [];
  const to: Date[] = [];
  for (const { s, e } of ends.rows) {
    const start = Math.floor(s.getTime() / HOUR_MS) * HOUR_MS;
    const end = Math.ceil(e.getTime() / HOUR_MS) * HOUR_MS;
    const last = to[to.length - 1];
    if (last !== undefined && start <= last.getTime()) to[to.length - 1] = new Date(Math.max(end, last.getTime()));
    else {
      from.push(new Date(start));
      to.push(new Date(end));
    }
  }
  return { from, to };
}

/**
 * What a spike of a KPI's event series names: the latest events of [fromMs, toMs) (up to `examples`
 * tickets) and how many customers they touch — the tickets its hours counted.
 */
export async function kpiEventContext(client: pg.PoolClient, kpi: KpiDefinition | null, fromMs: number, toMs: number, examples = 5): Promise<{ exampleTickets: bigint[]; affectedCustomers: number }> {
  const rule = kpi === null ? null : eventRuleOf(kpi.metric, kpi.direction);
  const column = kpi === null ? null : timeColumnOf(kpi.metric);
  if (kpi === null || rule === null || column === null) return { exampleTickets: [], affectedCustomers: 0 };
  const p = new SqlParams();
  // Tickets created in the window are read through each connector's creation index, hour by hour.
  const hours: Date[] = [];
  for (let h = Math.floor(fromMs / 3_600_000) * 3_600_000; h < toMs; h += 3_600_000) hours.push(new Date(h));
  const selection = selectionSql({ organizationId: kpi.organizationId, metric: kpi.metric, filters: kpi.filters, bucket: 'hour', timeZone: 'UTC' }, p, column === 'created_at' ? { buckets: hours } : undefined);
  const event = rule === 'tickets' ? 'x.counted' : rule === 'hits' ? 'x.counted AND x.hit' : 'x.counted AND NOT x.hit';
  const rows = await client.query<{ ids: string[] | null; customers: number }>(
    `WITH events AS (
       SELECT x.id, x.${column} AS at, t.customer_account FROM (${selection}) x JOIN tickets t ON t.id = x.id
        WHERE ${event} AND x.${column} >= ${p.add(new Date(fromMs))}::timestamptz AND x.${column} < ${p.add(new Date(toMs))}::timestamptz)
     SELECT (SELECT array_agg(id::text) FROM (SELECT id FROM events ORDER BY at DESC, id DESC LIMIT ${p.add(examples)}) e) AS ids,
            (SELECT count(DISTINCT customer_account)::int FROM events WHERE customer_account IS NOT NULL) AS customers`,
    p.values,
  );
  const row = rows.rows[0];
  return { exampleTickets: (row?.ids ?? []).map((id) => BigInt(id)), affectedCustomers: row?.customers ?? 0 };
}
