import type pg from 'pg';
import type { DetectorState } from '../domain/detect/detector-state.ts';

/** The detect stage's per-series detector state (table detector_states). */
export interface StoredDetectorState {
  seriesId: bigint;
  settingsHash: string;
  state: DetectorState;
}

export async function loadDetectorStates(client: pg.PoolClient, seriesIds: readonly bigint[]): Promise<Map<bigint, StoredDetectorState>> {
  if (seriesIds.length === 0) return new Map();
  const rows = await client.query<{ series_id: string; settings_hash: string; state: DetectorState }>(
    'SELECT series_id::text, settings_hash, state FROM detector_states WHERE series_id = ANY($1::bigint[])',
    [seriesIds.map(String)],
  );
  return new Map(rows.rows.map((r) => [BigInt(r.series_id), { seriesId: BigInt(r.series_id), settingsHash: r.settings_hash, state: r.state }]));
}

/** Series of the organization with an open episode: evaluated every run until it resolves, changed or not. */
export async function seriesWithOpenEpisodes(client: pg.PoolClient, organizationId: string): Promise<bigint[]> {
  const rows = await client.query<{ series_id: string }>('SELECT series_id::text FROM detector_states WHERE organization_id = $1 AND episode_open', [organizationId]);
  return rows.rows.map((r) => BigInt(r.series_id));
}

export async function saveDetectorStates(client: pg.PoolClient, organizationId: string, states: readonly StoredDetectorState[]): Promise<void> {
  if (states.length === 0) return;
  await client.query(
    `INSERT INTO detector_states AS d (series_id, organization_id, settings_hash, last_bucket, episode_open, state, updated_at)
     SELECT s, $1::uuid, h, b, o, j, now() FROM unnest($2::bigint[], $3::text[], $4::timestamptz[], $5::boolean[], $6::jsonb[]) AS x(s, h, b, o, j)
     ON CONFLICT (series_id) DO UPDATE SET settings_hash = EXCLUDED.settings_hash, last_bucket = EXCLUDED.last_bucket,
       episode_open = EXCLUDED.episode_open, state = EXCLUDED.state, updated_at = now()`,
    [
      organizationId, states.map((s) => s.seriesId.toString()), states.map((s) => s.settingsHash),
      states.map((s) => (s.state.lastBucketMs === null ? null : new Date(s.state.lastBucketMs).toISOString())),
      states.map((s) => s.state.episode !== null), states.map((s) => JSON.stringify(s.state)),
    ],
  );
}
