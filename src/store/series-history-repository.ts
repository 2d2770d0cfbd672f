import type pg from 'pg';

/**
 * Hourly points of many series over a time range, for the detect stage: one query, streamed into a
 * dense array per series (missing hours are 0 — no ticket was counted there).
 */
export interface SeriesHistory {
  seriesId: bigint;
  /** Start of the first bucket (fromMs). */
  originMs: number;
  /** One value per hour from originMs up to (not including) toMs. */
  values: Float64Array;
}

const HOUR_MS = 3_600_000;

export async function readSeriesHistory(
  client: pg.Pool | pg.PoolClient, seriesIds: readonly bigint[], fromMs: number, toMs: number,
): Promise<Map<bigint, SeriesHistory>> {
  const hours = Math.max(0, Math.ceil((toMs - fromMs) / HOUR_MS));
  const out = new Map<bigint, SeriesHistory>();
  for (const id of seriesIds) out.set(id, { seriesId: id, originMs: fromMs, values: new Float64Array(hours) });
  if (seriesIds.length === 0 || hours === 0) return out;
  const result = await client.query<{ s: string; h: number; v: number }>({
    text: `SELECT series_id::text AS s, (extract(epoch FROM bucket_start - $2::timestamptz) / 3600)::int AS h, value AS v
           FROM series_points WHERE series_id = ANY($1::bigint[]) AND bucket_start >= $2::timestamptz AND bucket_start < $3::timestamptz`,
    values: [seriesIds.map(String), new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  });
  for (const row of result.rows) {
    const history = out.get(BigInt(row.s));
    if (history && row.h >= 0 && row.h < hours) history.values[row.h] = row.v;
  }
  return out;
}
