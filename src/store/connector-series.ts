import type pg from 'pg';
import { driverSeriesPrefix, unmatchedSeriesKey } from '../domain/series/series-key.ts';

/**
 * What the page transaction and the derive stage share: the connector's driver volume series (keys
 * in src/domain/series/series-key.ts), and the per-connector lock that serialises them. (Both move
 * series contributions; and with pages of two streams — back-fill and incremental — committing in
 * change_seq order, derive's position can never skip a ticket whose change_seq was taken by a
 * transaction still in flight.)
 */
const LOCK_SPACE = 0x46_4c_44_56; // "FLDV"

export async function lockConnectorSeries(client: pg.PoolClient, connectorId: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SPACE, connectorId]);
}

/** Creates the connector's driver/unmatched series that do not exist yet; returns key → id. */
export async function ensureSeries(
  client: pg.PoolClient,
  target: { organizationId: string; connectorId: string; connectorKey: string },
  keys: readonly string[],
): Promise<Map<string, string>> {
  const unmatched = unmatchedSeriesKey(target.connectorKey);
  const prefix = driverSeriesPrefix(target.connectorKey);
  await client.query(
    `INSERT INTO series (organization_id, key, kind, connector_id, driver_key)
     SELECT $1::uuid, k, CASE WHEN k = $3 THEN 'unmatched_volume' ELSE 'driver_volume' END::"SeriesKind", $2::uuid,
       CASE WHEN k = $3 THEN NULL ELSE substr(k, length($4) + 1) END
     FROM unnest($5::text[]) AS k
     ON CONFLICT (organization_id, key) DO NOTHING`,
    [target.organizationId, target.connectorId, unmatched, prefix, keys],
  );
  const rows = await client.query<{ id: string; key: string }>('SELECT id::text, key FROM series WHERE organization_id = $1 AND key = ANY($2::text[])', [
    target.organizationId,
    keys,
  ]);
  return new Map(rows.rows.map((r) => [r.key, r.id]));
}
