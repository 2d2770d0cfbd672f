import type pg from 'pg';
import { eventCount, eventRuleOf, kpiEventSeriesKey } from '../domain/kpi/kpi-events.ts';
import { timeBasisOf } from '../domain/kpi/kpi-metric.ts';
import { countBuckets, type Scope } from './kpi-bucket-counts.ts';
import type { KpiDefinition } from './kpi-definitions.ts';
import { bucketEndSql, bucketStartSql, type KpiSelection, selectionSql, SqlParams, timeColumnOf } from './kpi-ticket-sql.ts';
import { recordSeriesChanges } from './series-change-sql.ts';

/**
 * A KPI's event series (`kpi_events/<key>/v<version>`, src/domain/kpi/kpi-events.ts): per UTC hour,
 * the events whose rise hurts the KPI, recomputed from the tickets for the hours the KPI's own
 * recomputation covers, in its transaction — with a "series changed" fact for every hour that moved,
 * so the detect stage evaluates it like a driver series.
 */
export async function recomputeKpiEvents(client: pg.PoolClient, kpi: KpiDefinition, scope: Scope, now: Date): Promise<number> {
  const rule = eventRuleOf(kpi.metric, kpi.direction);
  if (rule === null) return 0;
  const seriesId = await ensureEventSeries(client, kpi);
  const hourly: KpiSelection = { organizationId: kpi.organizationId, metric: kpi.metric, filters: kpi.filters, bucket: 'hour', timeZone: 'UTC' };
  // The hours the KPI's buckets cover (in zones whose midnight is not on a UTC hour, the first and the
  // last are shared with the neighbouring buckets: each is counted whole, from its tickets).
  const hours = scope.buckets === null || timeBasisOf(kpi.metric) !== 'created' ? null : await hoursOf(client, kpi, scope.buckets);
  // Listed hours are counted whole (`from` would cut the first short); otherwise every hour from `from`'s.
  const hourScope: Scope = hours === null ? { from: scope.from, buckets: null } : { from: null, buckets: hours };
  const counts = await countBuckets(client, hourly, hourScope, now);
  const points = counts.map((c) => ({ s: c.s, value: eventCount(rule, { tickets: c.tickets, hits: c.hits, medianHours: c.median_hours }) })).filter((p) => p.value > 0);
  const kept = points.map((p) => p.s);
  const conditions = ['series_id = $1::bigint', 'NOT (bucket_start = ANY($2::timestamptz[]))'];
  const params: unknown[] = [seriesId, kept];
  if (hours !== null) conditions.push(`bucket_start = ANY($${params.push(hours)}::timestamptz[])`);
  else if (scope.from !== null) conditions.push(`bucket_start >= ${bucketStartSql(`$${params.push(scope.from)}::timestamptz`, 'hour', "'UTC'")}`);
  const removed = await client.query<{ b: Date }>(`DELETE FROM series_points WHERE ${conditions.join(' AND ')} RETURNING bucket_start AS b`, params);
  const written = await client.query<{ b: Date }>(
    `INSERT INTO series_points AS sp (series_id, bucket_start, value, updated_at)
     SELECT $1::bigint, s, v, now() FROM unnest($2::timestamptz[], $3::float8[]) AS x(s, v)
     ON CONFLICT (series_id, bucket_start) DO UPDATE SET value = EXCLUDED.value, updated_at = now() WHERE sp.value IS DISTINCT FROM EXCLUDED.value
     RETURNING bucket_start AS b`,
    [seriesId, kept, points.map((p) => p.value)],
  );
  const moved = [...new Set([...removed.rows, ...written.rows].map((r) => r.b.getTime()))].sort((a, b) => a - b);
  await recordSeriesChanges(client, kpi.organizationId, [{ seriesId: BigInt(seriesId), buckets: moved }]);
  return moved.length;
}

/** Every UTC hour start that overlaps one of the KPI's buckets. */
async function hoursOf(client: pg.PoolClient, kpi: KpiDefinition, buckets: readonly Date[]): Promise<Date[]> {
  const hourly = kpi.bucket === 'hour';
  const rows = await client.query<{ h: Date }>(
    `SELECT DISTINCT h FROM unnest($1::timestamptz[]) AS u(s)
       CROSS JOIN LATERAL generate_series(${bucketStartSql('u.s', 'hour', "'UTC'")}, ${bucketEndSql('u.s', kpi.bucket, hourly ? '' : '$2::text')} - interval '1 microsecond', interval '1 hour') AS h
      ORDER BY h`,
    hourly ? [buckets] : [buckets, kpi.timeZone],
  );
  return rows.rows.map((r) => r.h);
}

async function ensureEventSeries(client: pg.PoolClient, kpi: KpiDefinition): Promise<string> {
  const row = await client.query<{ id: string }>(
    `INSERT INTO series (organization_id, key, kind, kpi_id) VALUES ($1, $2, 'kpi_events', $3)
     ON CONFLICT (organization_id, key) DO UPDATE SET kpi_id = EXCLUDED.kpi_id RETURNING id::text`,
    [kpi.organizationId, kpiEventSeriesKey(kpi.key, kpi.version), kpi.id],
  );
  return row.rows[0]?.id ?? '';
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
