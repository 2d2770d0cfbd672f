import type pg from 'pg';

/**
 * "Series changed" facts (table `series_changes`): every statement that moves series points also
 * records, in the same transaction, one fact per series it moved with the hour buckets that moved.
 * The detect stage takes the facts (deletes them in the transaction that stores what it concluded),
 * so it evaluates only the series that changed, and a writer that commits late — a lower id
 * becoming visible after a higher one — is never skipped, as a read-past-position consumer would.
 */

/** The INSERT recording facts from a row source with `series_id, bucket_start` columns (a CTE name). */
export const recordSeriesChangesFrom = (rows: string, organizationParam: string): string =>
  `INSERT INTO series_changes (organization_id, series_id, buckets)
   SELECT ${organizationParam}::uuid, series_id, array_agg(DISTINCT bucket_start ORDER BY bucket_start) FROM ${rows} GROUP BY series_id`;

export interface SeriesChanged {
  seriesId: bigint;
  /** Distinct UTC hour starts (ms) that moved, ascending. */
  buckets: number[];
}

/**
 * Takes up to `limit` facts of one organization, oldest first, merged per series. Run inside the
 * consumer's transaction: the facts are gone when it commits and back when it rolls back. Rows another
 * consumer holds are skipped, not waited for.
 */
export async function takeSeriesChanges(client: pg.PoolClient, organizationId: string, limit = 10_000): Promise<SeriesChanged[]> {
  const result = await client.query<{ series_id: string; buckets: Date[] }>(
    `WITH taken AS (
       DELETE FROM series_changes WHERE id IN (
         SELECT id FROM series_changes WHERE organization_id = $1::uuid ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING series_id, buckets)
     SELECT series_id::text, array_agg(DISTINCT b ORDER BY b) AS buckets
     FROM taken CROSS JOIN LATERAL unnest(buckets) AS b GROUP BY series_id ORDER BY series_id`,
    [organizationId, limit],
  );
  return result.rows.map((row) => ({ seriesId: BigInt(row.series_id), buckets: row.buckets.map((d) => d.getTime()) }));
}

/** Records facts directly (the detect stage hands back those about buckets not closed yet). */
export async function recordSeriesChanges(client: pg.PoolClient, organizationId: string, changes: readonly SeriesChanged[]): Promise<void> {
  const rows = changes.filter((c) => c.buckets.length > 0);
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO series_changes (organization_id, series_id, buckets)
     SELECT $1::uuid, s, ARRAY(SELECT to_timestamp(x / 1000.0) FROM unnest(string_to_array(b, ',')::float8[]) AS x)
     FROM unnest($2::bigint[], $3::text[]) AS r(s, b)`,
    [organizationId, rows.map((c) => c.seriesId.toString()), rows.map((c) => c.buckets.join(','))],
  );
}
