import { hitRuleOf, type KpiMetric, ticketRuleOf, timeBasisOf } from '../domain/kpi/kpi-metric.ts';

/**
 * The one definition of "the tickets behind a KPI point", in SQL: the series computation
 * (kpi-series-repository.ts) groups it by bucket, the drill-down lists one bucket of it, so a point
 * and its drill-down can never disagree (src/domain/kpi/kpi-metric.ts says what each metric counts).
 *
 * Buckets are exact in the KPI's IANA zone, with PostgreSQL's time-zone database: a day or week
 * starts at local midnight (Monday for weeks), DST days have 23 or 25 hours; an hour starts on the
 * local hour (in +05:30 or +05:45 zones that is not a UTC hour). A bucket is named by the instant it
 * starts at (`series_points.bucket_start`).
 */
export type KpiBucketUnit = 'hour' | 'day' | 'week';

export interface KpiSelection {
  organizationId: string;
  metric: KpiMetric;
  bucket: KpiBucketUnit;
  timeZone: string;
  filters: { drivers: string[]; connectors: string[]; priorities: string[]; products: string[]; segments: string[] };
}

/** Positional parameters for one statement. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A ticket's resolution instant (kpi-metric.ts), never before its creation. */
const RESOLVED_AT = `CASE WHEN coalesce(t.resolved_at, t.closed_at, CASE WHEN t.status IN ('resolved', 'closed') THEN t.source_updated_at END) IS NULL THEN NULL
  ELSE greatest(coalesce(t.resolved_at, t.closed_at, t.source_updated_at), t.source_created_at) END`;

/**
 * The KPI's tickets, one row each: `id`, what a drill-down shows of it (`native_id`, `key`, `url`,
 * `subject`, `connector`), `created_at`, `resolved_at`, `counted` (the metric's ticket rule) and `hit`
 * (its numerator rule). Drivers are the tickets' classification under the taxonomy
 * their connector's series follow (derive_states), a family being every driver under it.
 */
/** Tickets created in the listed buckets of the KPI, or in the listed [from, to) ranges. */
export type CreatedIn = { buckets: readonly Date[] } | { ranges: { from: readonly Date[]; to: readonly Date[] } };

export function selectionSql(s: KpiSelection, p: SqlParams, createdIn?: CreatedIn): string {
  const f = s.filters;
  const organization = `${p.add(s.organizationId)}::uuid`;
  // Scoped to the organization through its connectors (with buckets) or the tickets' own column.
  const where = [createdIn === undefined ? `t.organization_id = ${organization}` : 'true', 't.deleted_at IS NULL'];
  // Only tickets created in the listed buckets (or ranges): driven from them through each connector's
  // (connector_id, source_created_at) index, so a refresh reads those buckets, not the history.
  const spans = createdIn === undefined ? null
    : 'buckets' in createdIn
      ? { rows: `unnest(${p.add(createdIn.buckets)}::timestamptz[]) AS u(s)`, end: bucketEndSql('u.s', s.bucket, s.bucket === 'hour' ? '' : `${p.add(s.timeZone)}::text`) }
      : { rows: `unnest(${p.add(createdIn.ranges.from)}::timestamptz[], ${p.add(createdIn.ranges.to)}::timestamptz[]) AS u(s, e)`, end: 'u.e' };
  const from = spans === null
    ? 'tickets t JOIN connectors k ON k.id = t.connector_id'
    : `${spans.rows} JOIN connectors k ON k.organization_id = ${organization}
       JOIN tickets t ON t.connector_id = k.id AND t.source_created_at >= u.s AND t.source_created_at < ${spans.end}`;
  if (f.connectors.length > 0) where.push(`k.key = ANY(${p.add(f.connectors)}::text[])`);
  if (f.priorities.length > 0) where.push(`t.priority::text = ANY(${p.add(f.priorities)}::text[])`);
  if (f.products.length > 0) where.push(`t.product = ANY(${p.add(f.products)}::text[])`);
  if (f.segments.length > 0) where.push(`t.tags && ${p.add(f.segments)}::text[]`);
  let classified = '';
  if (f.drivers.length > 0) {
    // One classification per ticket, looked up by its key (a lateral join, so the plan does not
    // hinge on table statistics: right after a back-fill there are none).
    classified = `CROSS JOIN LATERAL (SELECT c.driver_key FROM derive_states d JOIN ticket_classifications c ON c.ticket_id = t.id AND c.taxonomy_id = d.taxonomy_id
      WHERE d.connector_id = t.connector_id LIMIT 1) c`;
    const exact = f.drivers.filter((d) => !d.endsWith('/'));
    const families = f.drivers.filter((d) => d.endsWith('/')).map((d) => `${d.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
    where.push(`(c.driver_key = ANY(${p.add(exact)}::text[]) OR c.driver_key LIKE ANY(${p.add(families)}::text[]))`);
  }
  const rule = ticketRuleOf(s.metric);
  const counted = rule === 'sla_known' ? 't.sla_breached IS NOT NULL' : rule === 'rated' ? "t.csat IN ('good', 'bad')" : 'true';
  const hitRule = hitRuleOf(s.metric);
  const hit = hitRule === 'sla_breached' ? 'coalesce(t.sla_breached, false)' : hitRule === 'reopened' ? 't.reopen_count > 0' : hitRule === 'rated_good' ? "t.csat = 'good'" : 'false';
  return `SELECT t.id, t.native_id, t.key, t.url, t.subject, k.key AS connector, t.source_created_at AS created_at, ${RESOLVED_AT} AS resolved_at,
      (${counted}) AS counted, (${hit}) AS hit
    FROM ${from} ${classified}
    WHERE ${where.join(' AND ')}`;
}

/** The start of the bucket holding instant `column`, in the KPI's zone (`tz`: a parameter placeholder). */
export function bucketStartSql(column: string, unit: KpiBucketUnit, tz: string): string {
  if (unit === 'hour') return `(${column} - ((${column} AT TIME ZONE ${tz}) - date_trunc('hour', ${column} AT TIME ZONE ${tz})))`;
  return `(date_trunc('${unit}', ${column} AT TIME ZONE ${tz}) AT TIME ZONE ${tz})`;
}

/** The end of the bucket that starts at `start` (the next bucket's start). */
/** The end of the bucket starting at `start` (an hour's end needs no zone: `tz` is not read, so pass no placeholder). */
export function bucketEndSql(start: string, unit: KpiBucketUnit, tz: string): string {
  if (unit === 'hour') return `(${start} + interval '1 hour')`;
  return `((${start} AT TIME ZONE ${tz} + interval '${unit === 'day' ? '1 day' : '7 days'}') AT TIME ZONE ${tz})`;
}

/** Every bucket start from the bucket holding `from` to the one holding `to` (inclusive), as rows `s`. */
export function bucketGridSql(from: string, to: string, unit: KpiBucketUnit, tz: string): string {
  if (unit === 'hour') return `SELECT g AS s FROM generate_series(${bucketStartSql(from, unit, tz)}, ${to}, interval '1 hour') AS g`;
  const step = unit === 'day' ? "interval '1 day'" : "interval '7 days'";
  return `SELECT (g AT TIME ZONE ${tz}) AS s FROM generate_series(date_trunc('${unit}', ${from} AT TIME ZONE ${tz}), ${to} AT TIME ZONE ${tz}, ${step}) AS g`;
}

/** The ticket time a metric's buckets follow, as a column of the selection (null for the backlog). */
export function timeColumnOf(metric: KpiMetric): 'created_at' | 'resolved_at' | null {
  const basis = timeBasisOf(metric);
  return basis === 'created' ? 'created_at' : basis === 'resolved' ? 'resolved_at' : null;
}
