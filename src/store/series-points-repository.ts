import { z } from 'zod';
import { assembleBuckets, type BucketBounds, HOUR_MS, hourOf, midHourEdges } from '../domain/series/calendar-buckets.ts';
import type { PrismaClient } from './database.ts';

/**
 * Points of summed driver series per UTC hour, or per calendar day or ISO week (Monday) in an IANA
 * time zone — exact in every zone (src/domain/series/calendar-buckets.ts). PostgreSQL computes the
 * local bucket edges (its time-zone database, DST included); every bucketing is zone-free: nothing
 * depends on the session's TimeZone setting.
 */
export type SeriesBucket = 'hour' | 'day' | 'week';

export interface SeriesPointRow {
  /** Bucket start instant (UTC hour, or local midnight of the day / Monday in `timeZone`). */
  start: Date;
  /** Local calendar date of a day or week bucket (`YYYY-MM-DD`); null for hour buckets. */
  date: string | null;
  value: number;
}

export interface SeriesPointsQuery {
  seriesIds: readonly bigint[];
  /** Inclusive start and exclusive end: the first and last buckets are cut to [from, to). */
  from: Date;
  to: Date;
  bucket: SeriesBucket;
  timeZone: string;
}

interface Bucket extends BucketBounds {
  date: string | null;
  /** The bucket's own start, before cutting to [from, to). */
  labelStartMs: number;
}

const ORIGIN = "TIMESTAMPTZ '2000-01-01 00:00:00+00'";

const boundsSchema = z.array(z.object({ date: z.string(), start_at: z.date(), end_at: z.date() }));
const hourlySchema = z.array(z.object({ bucket_start: z.date(), value: z.number() }));
const partialSchema = z.array(z.object({ edge: z.date(), n: z.number() }));

export async function seriesPoints(prisma: PrismaClient, query: SeriesPointsQuery): Promise<SeriesPointRow[]> {
  const buckets = await bucketsOf(prisma, query);
  if (buckets.length === 0) return [];
  const ids = query.seriesIds.map(String);
  const hourly = hourlySchema.parse(await prisma.$queryRaw`
    SELECT bucket_start, sum(value)::float8 AS value FROM series_points
     WHERE series_id = ANY(${ids}::bigint[]) AND bucket_start >= ${new Date(hourOf(query.from.getTime()))}::timestamptz
       AND bucket_start < ${query.to}::timestamptz
     GROUP BY 1`);
  const edges = midHourEdges(buckets);
  const partial = edges.length === 0 || ids.length === 0 ? [] : await partialCounts(prisma, ids, edges);
  const values = assembleBuckets(
    buckets,
    new Map(hourly.map((h) => [h.bucket_start.getTime(), h.value])),
    new Map(partial.map((p) => [p.edge.getTime(), p.n])),
  );
  return buckets.map((b, i) => ({ start: new Date(b.labelStartMs), date: b.date, value: values[i] ?? 0 }));
}

async function bucketsOf(prisma: PrismaClient, query: SeriesPointsQuery): Promise<Bucket[]> {
  const fromMs = query.from.getTime();
  const toMs = query.to.getTime();
  const cut = (startMs: number, endMs: number, date: string | null): Bucket => ({ startMs: Math.max(startMs, fromMs), endMs: Math.min(endMs, toMs), date, labelStartMs: startMs });
  if (query.bucket === 'hour') {
    const out: Bucket[] = [];
    for (let h = hourOf(fromMs); h < toMs; h += HOUR_MS) out.push(cut(h, h + HOUR_MS, null));
    return out;
  }
  const unit = query.bucket;
  const step = unit === 'day' ? '1 day' : '7 days';
  const tz = query.timeZone;
  // Local wall-clock arithmetic (timestamp without time zone), turned into instants only at the edges.
  const rows = boundsSchema.parse(await prisma.$queryRaw`
    SELECT to_char(d, 'YYYY-MM-DD') AS date, d AT TIME ZONE ${tz} AS start_at,
           -- Cut here, not in JavaScript: the end of a bucket after 9999-12-31 is no JavaScript date.
           least((d + ${step}::interval) AT TIME ZONE ${tz}, ${query.to}::timestamptz) AS end_at
      FROM generate_series(date_trunc(${unit}, ${query.from}::timestamptz AT TIME ZONE ${tz}),
                           ${query.to}::timestamptz AT TIME ZONE ${tz} - interval '1 microsecond', ${step}::interval) AS d`);
  return rows.map((r) => cut(r.start_at.getTime(), r.end_at.getTime(), r.date));
}

/**
 * For each mid-hour edge: how many contributions counted in the edge's UTC hour were created before
 * it — from the recorded contributions (ticket_classifications.counted_*) under the taxonomy each
 * connector's series follow, so the split agrees with the hourly points it divides.
 */
async function partialCounts(prisma: PrismaClient, ids: string[], edges: number[]): Promise<z.infer<typeof partialSchema>> {
  const at = edges.map((e) => new Date(e));
  return partialSchema.parse(await prisma.$queryRawUnsafe(
    `SELECT e.edge, count(*)::float8 AS n
       FROM unnest($2::timestamptz[]) AS e(edge)
       CROSS JOIN (
         SELECT s.connector_id, s.driver_key, d.taxonomy_id FROM series s JOIN derive_states d ON d.connector_id = s.connector_id
          WHERE s.id = ANY($1::bigint[]) AND s.kind IN ('driver_volume', 'unmatched_volume')
       ) sel
       JOIN tickets t ON t.connector_id = sel.connector_id
        AND t.source_created_at >= date_bin('1 hour', e.edge, ${ORIGIN}) AND t.source_created_at < e.edge
       JOIN ticket_classifications c ON c.ticket_id = t.id AND c.taxonomy_id = sel.taxonomy_id
        AND c.counted_bucket = date_bin('1 hour', e.edge, ${ORIGIN}) AND c.counted_driver IS NOT DISTINCT FROM sel.driver_key
      GROUP BY e.edge`,
    ids,
    at,
  ));
}
