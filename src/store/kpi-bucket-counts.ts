import type pg from 'pg';
import { bucketGridSql, bucketStartSql, type KpiSelection, selectionSql, SqlParams, timeColumnOf } from './kpi-ticket-sql.ts';

/**
 * Counting a KPI's tickets per bucket (src/store/kpi-ticket-sql.ts says which tickets): what its
 * series (kpi-series-repository.ts) and its event series (kpi-event-series.ts) are computed from.
 */

/** What the recomputation covers: buckets from `from` on (null: all history), or only the listed ones. */
export interface Scope {
  from: Date | null;
  buckets: Date[] | null;
}

/** A bucket as the store counts it: tickets counted, hits, median hours. */
export interface CountRow {
  s: Date;
  tickets: number;
  hits: number;
  median_hours: number | null;
}

/**
 * Counts per bucket of the KPI's tickets: for the scope's buckets, or every bucket from `from` (null:
 * all), the backlog on a grid up to `now`.
 */
export async function countBuckets(db: pg.Pool | pg.PoolClient, kpi: KpiSelection, scope: Scope, now: Date): Promise<CountRow[]> {
  const p = new SqlParams();
  const column = timeColumnOf(kpi.metric);
  // Created in the listed buckets: the selection holds those buckets' tickets only.
  const createdIn = column === 'created_at' && scope.buckets !== null ? { buckets: scope.buckets } : undefined;
  const selection = selectionSql(kpi, p, createdIn);
  const tz = p.add(kpi.timeZone);
  if (column === null) return countBacklog(db, kpi, selection, p, tz, scope.from, now);
  const bucket = bucketStartSql(`x.${column}`, kpi.bucket, tz);
  const conditions = [`x.${column} IS NOT NULL`, 'x.counted'];
  // The first bucket of the scope starts at or before `from`: every ticket of it is counted.
  if (scope.from !== null) {
    const from = p.add(scope.from);
    conditions.push(`x.${column} >= ${bucketStartSql(`${from}::timestamptz`, kpi.bucket, tz)}`);
  }
  // Otherwise only the listed buckets are kept (a hashed lookup: a refresh may list thousands of hours).
  const only = scope.buckets === null || createdIn !== undefined ? '' : `WHERE b.s IN (SELECT unnest(${p.add(scope.buckets)}::timestamptz[]))`;
  const rows = await db.query<CountRow>(
    `SELECT b.s, count(*)::int AS tickets, count(*) FILTER (WHERE b.hit)::int AS hits,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM b.resolved_at - b.created_at) / 3600) AS median_hours
       FROM (SELECT ${bucket} AS s, x.hit, x.created_at, x.resolved_at FROM (${selection}) x WHERE ${conditions.join(' AND ')}) b
       ${only}
      GROUP BY b.s ORDER BY b.s`,
    p.values,
  );
  return rows.rows;
}

/**
 * Open tickets at each bucket's end: those created before it less those resolved before it (a
 * resolution is never before its creation), as a running sum over the grid from `from`'s bucket.
 */
async function countBacklog(db: pg.Pool | pg.PoolClient, kpi: KpiSelection, selection: string, p: SqlParams, tz: string, from: Date | null, now: Date): Promise<CountRow[]> {
  const nowAt = `${p.add(now)}::timestamptz`;
  const fromAt = from === null ? '(SELECT min(created_at) FROM sel)' : `${p.add(from)}::timestamptz`;
  const start = `(SELECT ${bucketStartSql(fromAt, kpi.bucket, tz)})`;
  const rows = await db.query<CountRow>(
    `WITH sel AS (${selection}),
       grid AS (${bucketGridSql(start, nowAt, kpi.bucket, tz)}),
       base AS (SELECT count(*) FILTER (WHERE created_at < ${start}) - count(*) FILTER (WHERE resolved_at < ${start}) AS n FROM sel),
       moves AS (
         SELECT b, sum(d) AS d FROM (
           SELECT ${bucketStartSql('created_at', kpi.bucket, tz)} AS b, 1 AS d FROM sel WHERE created_at >= ${start}
           UNION ALL SELECT ${bucketStartSql('resolved_at', kpi.bucket, tz)}, -1 FROM sel WHERE resolved_at >= ${start}
         ) m GROUP BY b)
     SELECT g.s, ((SELECT n FROM base) + sum(coalesce(m.d, 0)) OVER (ORDER BY g.s))::int AS tickets, 0 AS hits, NULL::float8 AS median_hours
       FROM grid g LEFT JOIN moves m ON m.b = g.s
      WHERE ${start} IS NOT NULL
      ORDER BY g.s`,
    p.values,
  );
  return rows.rows;
}

