import type pg from 'pg';
import { emptyBucketValue, kpiValue, timeBasisOf } from '../domain/kpi/kpi-metric.ts';
import { lockConnectorSeries } from './connector-series.ts';
import { activeKpis, ensureKpiSeriesRow, type KpiDefinition } from './kpi-definitions.ts';
import { countBuckets, type Scope } from './kpi-bucket-counts.ts';
import { recomputeKpiEvents } from './kpi-event-series.ts';
import { bucketEndSql, bucketGridSql, bucketStartSql, selectionSql, SqlParams, timeColumnOf } from './kpi-ticket-sql.ts';
import { inTransaction } from './transaction.ts';

/**
 * KPI series from tickets (README "KPIs"): one series per KPI version (`kpi/<key>/v<version>`), its
 * points recomputed from the tickets — never incremented — for the buckets a change can move, in the
 * derive job after the connector's classifications are current.
 *
 * Per KPI version and connector, a position (kpi_positions) records the connector's `change_seq` and
 * taxonomy the series reflect. A refresh reads the connector's head under its series lock (so no
 * page below it is in flight), then looks at the connector's tickets changed since the position: a
 * metric bucketed by creation recomputes exactly the buckets those tickets were created in; one
 * bucketed by resolution, or the backlog, recomputes from the bucket of the oldest changed ticket's
 * creation on (a resolution or an open spell starts no earlier). A new version (a changed
 * definition), or a new taxonomy, has no position and is computed in full; the old version keeps its
 * series as they were. The KPI's event series (src/store/kpi-event-series.ts), what it feeds the
 * detect stage, moves in the same transaction.
 * The definitions themselves: src/store/kpi-definitions.ts.
 */
export const kpiSeriesKey = (key: string, version: number): string => `kpi/${key}/v${version}`;

const LOCK_KPI_SERIES = 0x46_4c_4b_50; // "FLKP"

export interface KpiRefreshSummary {
  kpis: number;
  /** KPI versions computed in full (new version, new taxonomy). */
  full: number;
  pointsWritten: number;
  /** Hours of event series that moved (src/store/kpi-event-series.ts). */
  eventsMoved: number;
}

/** Brings every active KPI of the connector's organization that can count its tickets up to date with them. */
export async function refreshKpiSeries(pool: pg.Pool, connector: { id: string; organizationId: string; key: string }, now: Date): Promise<KpiRefreshSummary> {
  const kpis = (await activeKpis(pool, connector.organizationId)).filter((k) => k.filters.connectors.length === 0 || k.filters.connectors.includes(connector.key));
  const summary: KpiRefreshSummary = { kpis: kpis.length, full: 0, pointsWritten: 0, eventsMoved: 0 };
  if (kpis.length === 0) return summary;
  // The connector's head, read under its series lock: every ticket change up to it has committed (pages
  // take the lock), so it is a position no later refresh can skip past. The lock is not held while
  // counting: ingest goes on, and a change counted early is counted again next time, never lost.
  const head = await inTransaction(pool, async (client) => {
    await lockConnectorSeries(client, connector.id);
    const rows = await client.query<{ seq: string; taxonomy_id: string | null }>(
      `SELECT coalesce((SELECT max(change_seq) FROM tickets WHERE connector_id = $1), 0)::text AS seq,
              (SELECT taxonomy_id::text FROM derive_states WHERE connector_id = $1) AS taxonomy_id`,
      [connector.id],
    );
    return { seq: rows.rows[0]?.seq ?? '0', taxonomyId: rows.rows[0]?.taxonomy_id ?? null };
  });
  const positions = await pool.query<{ kpi_id: string; last_seq: string; taxonomy_id: string | null }>(
    'SELECT kpi_id::text, last_seq::text, taxonomy_id::text FROM kpi_positions WHERE connector_id = $1 AND kpi_id = ANY($2::uuid[])',
    [connector.id, kpis.map((k) => k.id)],
  );
  const at = new Map(positions.rows.map((p) => [p.kpi_id, p]));
  for (const kpi of kpis) {
    const position = at.get(kpi.id);
    // The taxonomy matters only to a driver filter.
    const current = position !== undefined && (kpi.filters.drivers.length === 0 || position.taxonomy_id === head.taxonomyId);
    if (current && position.last_seq === head.seq) continue;
    if (!current) summary.full += 1;
    await inTransaction(pool, async (client) => {
      const seriesId = await ensureKpiSeriesRow(client, kpi, 'kpi', kpiSeriesKey(kpi.key, kpi.version));
      // One writer per series at a time (two connectors' refreshes of one KPI): the later one counts
      // after the earlier one committed.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_KPI_SERIES, seriesId]);
      const scope = current ? await changedScope(client, kpi, connector.id, position.last_seq, head.seq) : { from: null, buckets: null };
      // A change to nothing the KPI reads at a bucket (no ticket created since): nothing moves.
      if (!current || scope.from !== null) {
        summary.pointsWritten += await recompute(client, kpi, seriesId, scope, now);
        summary.eventsMoved += await recomputeKpiEvents(client, kpi, scope);
      }
      await client.query(
        `INSERT INTO kpi_positions (kpi_id, connector_id, taxonomy_id, last_seq, updated_at) VALUES ($1, $2, $3, $4::bigint, now())
         ON CONFLICT (kpi_id, connector_id) DO UPDATE SET taxonomy_id = EXCLUDED.taxonomy_id, last_seq = EXCLUDED.last_seq, updated_at = now()`,
        [kpi.id, connector.id, head.taxonomyId, head.seq],
      );
    });
  }
  return summary;
}

async function changedScope(client: pg.PoolClient, kpi: KpiDefinition, connectorId: string, lastSeq: string, headSeq: string): Promise<Scope> {
  const p = new SqlParams();
  const connector = p.add(connectorId);
  const since = p.add(lastSeq);
  const upTo = p.add(headSeq);
  const tz = p.add(kpi.timeZone);
  const rows = await client.query<{ oldest: Date | null; buckets: Date[] | null }>(
    `SELECT min(source_created_at) AS oldest, array_agg(DISTINCT ${bucketStartSql('source_created_at', kpi.bucket, tz)}) AS buckets
       FROM tickets WHERE connector_id = ${connector}::uuid AND change_seq > ${since}::bigint AND change_seq <= ${upTo}::bigint`,
    p.values,
  );
  const oldest = rows.rows[0]?.oldest ?? null;
  if (oldest === null) return { from: null, buckets: null };
  return timeBasisOf(kpi.metric) === 'created' ? { from: oldest, buckets: rows.rows[0]?.buckets ?? [] } : { from: oldest, buckets: null };
}

/** Recomputes the scope's points of the KPI's series; returns the points written or removed. */
async function recompute(client: pg.PoolClient, kpi: KpiDefinition, seriesId: string, scope: Scope, now: Date): Promise<number> {
  const counts = await countBuckets(client, kpi, scope, now);
  const points = counts
    .map((c) => ({ s: c.s, value: kpiValue(kpi.metric, { tickets: c.tickets, hits: c.hits, medianHours: c.median_hours }, kpi.customerBase) }))
    // Only buckets with tickets are counted: one without keeps no point (volumes read it as 0, rates
    // and medians as no value); the backlog has a count on every bucket of its grid.
    .filter((c): c is { s: Date; value: number } => c.value !== null);
  const p = new SqlParams();
  const series = p.add(seriesId);
  const kept = p.add(points.map((x) => x.s));
  // NOT IN a subquery is a hashed lookup (an hourly KPI keeps thousands of points).
  const conditions = [`series_id = ${series}::bigint`, `bucket_start NOT IN (SELECT unnest(${kept}::timestamptz[]))`];
  if (scope.buckets !== null) conditions.push(`bucket_start = ANY(${p.add(scope.buckets)}::timestamptz[])`);
  else if (scope.from !== null) conditions.push(`bucket_start >= ${bucketStartSql(`${p.add(scope.from)}::timestamptz`, kpi.bucket, p.add(kpi.timeZone))}`);
  const removed = await client.query(`DELETE FROM series_points WHERE ${conditions.join(' AND ')}`, p.values);
  const written = await client.query(
    `INSERT INTO series_points AS sp (series_id, bucket_start, value, updated_at)
     SELECT $1::bigint, s, v, now() FROM unnest($2::timestamptz[], $3::float8[]) AS x(s, v)
     ON CONFLICT (series_id, bucket_start) DO UPDATE SET value = EXCLUDED.value, updated_at = now() WHERE sp.value IS DISTINCT FROM EXCLUDED.value`,
    [seriesId, points.map((x) => x.s), points.map((x) => x.value)],
  );
  return (removed.rowCount ?? 0) + (written.rowCount ?? 0);
}

/**
 * Organizations with an active KPI that does not yet reflect one of their connectors (no position, an
 * older change_seq or taxonomy): the scheduler requests their KPI stage, so a KPI applied while
 * nothing syncs is computed all the same.
 */
export async function organizationsBehindKpis(pool: pg.Pool): Promise<string[]> {
  const rows = await pool.query<{ id: string }>(
    `SELECT DISTINCT c.organization_id::text AS id FROM connectors c
       JOIN kpis k ON k.organization_id = c.organization_id AND k.active
        AND (coalesce(jsonb_array_length(k.filters->'connectors'), 0) = 0 OR jsonb_exists(k.filters->'connectors', c.key))
       LEFT JOIN kpi_positions p ON p.kpi_id = k.id AND p.connector_id = c.id
       LEFT JOIN derive_states d ON d.connector_id = c.id
      CROSS JOIN LATERAL (SELECT coalesce(max(x.change_seq), 0) AS seq FROM tickets x WHERE x.connector_id = c.id) newest
      WHERE (p.kpi_id IS NULL OR p.last_seq < newest.seq
        OR (jsonb_array_length(coalesce(k.filters->'drivers', '[]')) > 0 AND p.taxonomy_id IS DISTINCT FROM d.taxonomy_id))
      ORDER BY 1`,
  );
  return rows.rows.map((r) => r.id);
}

export interface KpiPoint {
  start: Date;
  /** Exclusive: the next bucket's start. */
  end: Date;
  /** The bucket's local date in the KPI's zone (`YYYY-MM-DD`), its local start time for hour buckets. */
  local: string;
  value: number | null;
}

/**
 * The series' points from the bucket holding `from` to the one holding `to`, every bucket present:
 * those without a stored point read as the metric's empty value (0 tickets; no rate). The backlog is
 * stored on every bucket, so a missing one there means not computed yet (null).
 */
export async function kpiSeriesPoints(db: pg.Pool | pg.PoolClient, kpi: KpiDefinition, from: Date, to: Date): Promise<KpiPoint[]> {
  const p = new SqlParams();
  const tz = p.add(kpi.timeZone);
  const grid = bucketGridSql(`${p.add(from)}::timestamptz`, `${p.add(to)}::timestamptz`, kpi.bucket, tz);
  const format = kpi.bucket === 'hour' ? 'YYYY-MM-DD"T"HH24:MI' : 'YYYY-MM-DD';
  const rows = await db.query<{ s: Date; e: Date; local: string; value: number | null }>(
    `SELECT g.s, ${bucketEndSql('g.s', kpi.bucket, tz)} AS e, to_char(g.s AT TIME ZONE ${tz}, '${format}') AS local, sp.value
       FROM (${grid}) g LEFT JOIN series_points sp ON sp.series_id = (SELECT id FROM series WHERE organization_id = ${p.add(kpi.organizationId)}::uuid AND key = ${p.add(kpiSeriesKey(kpi.key, kpi.version))})
        AND sp.bucket_start = g.s
      ORDER BY g.s`,
    p.values,
  );
  const empty = timeBasisOf(kpi.metric) === 'open_at_end' ? null : emptyBucketValue(kpi.metric, kpi.customerBase);
  return rows.rows.map((r) => ({ start: r.s, end: r.e, local: r.local, value: r.value ?? empty }));
}

export interface KpiPointTicket {
  id: string;
  nativeId: string;
  connector: string;
  key: string | null;
  url: string | null;
  subject: string | null;
  createdAt: Date;
  resolvedAt: Date | null;
  /** Counted in the rate's numerator (breached, reopened, rated good). */
  hit: boolean;
}

/**
 * Exactly the tickets behind the point that starts at `start` (a bucket start of the KPI), in id
 * order, `limit` after the ticket id `after`; with `bucketEnd` the end of that bucket.
 */
export async function kpiPointTickets(db: pg.Pool, kpi: KpiDefinition, start: Date, page: { after: bigint | null; limit: number }): Promise<{ bucketStart: Date; bucketEnd: Date; tickets: KpiPointTicket[] }> {
  const p = new SqlParams();
  const column = timeColumnOf(kpi.metric);
  const selection = selectionSql(kpi, p, column === 'created_at' ? { buckets: [start] } : undefined);
  const at = `${p.add(start)}::timestamptz`;
  const end = bucketEndSql(at, kpi.bucket, kpi.bucket === 'hour' ? '' : p.add(kpi.timeZone));
  const inBucket = column === null
    ? `x.created_at < ${end} AND (x.resolved_at IS NULL OR x.resolved_at >= ${end})`
    : `x.${column} >= ${at} AND x.${column} < ${end} AND x.counted`;
  const after = page.after === null ? '' : `AND x.id > ${p.add(page.after.toString())}::bigint`;
  const rows = await db.query<{ id: string; native_id: string; connector: string; key: string | null; url: string | null; subject: string | null; created_at: Date; resolved_at: Date | null; hit: boolean; bucket_end: Date }>(
    `SELECT x.id::text, x.native_id, x.connector, x.key, x.url, x.subject, x.created_at, x.resolved_at, x.hit, ${end} AS bucket_end
       FROM (${selection}) x
      WHERE ${inBucket} ${after}
      ORDER BY x.id LIMIT ${p.add(page.limit)}`,
    p.values,
  );
  const hourly = kpi.bucket === 'hour';
  const bucketEnd = rows.rows[0]?.bucket_end
    ?? (await db.query<{ e: Date }>(`SELECT ${bucketEndSql('$1::timestamptz', kpi.bucket, hourly ? '' : '$2::text')} AS e`, hourly ? [start] : [start, kpi.timeZone])).rows[0]?.e ?? start;
  return {
    bucketStart: start, bucketEnd,
    tickets: rows.rows.map((r) => ({ id: r.id, nativeId: r.native_id, connector: r.connector, key: r.key, url: r.url, subject: r.subject, createdAt: r.created_at, resolvedAt: r.resolved_at, hit: r.hit })),
  };
}

/** Whether `start` is the start of one of the KPI's buckets (a drill-down names a point, not any instant). */
export async function isBucketStart(db: pg.Pool, kpi: KpiDefinition, start: Date): Promise<boolean> {
  const rows = await db.query<{ ok: boolean }>(`SELECT ${bucketStartSql('$1::timestamptz', kpi.bucket, '$2')} = $1::timestamptz AS ok`, [start, kpi.timeZone]);
  return rows.rows[0]?.ok === true;
}
