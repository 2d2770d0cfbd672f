import type pg from 'pg';
import type { Evidence, OpenEpisode } from '../domain/detect/detector-state.ts';
import { horizonLabel } from '../domain/detect/explain.ts';

/**
 * Spikes: one row per series and episode, identified by its fingerprint (series and the start of
 * the episode) — unique in PostgreSQL, so a replayed page, a retried job or a restarted worker
 * finds the spike already there and raises nothing new.
 */
export const spikeFingerprint = (seriesId: bigint, sinceMs: number): string => `series/${seriesId}/since/${new Date(sinceMs).toISOString()}`;

export interface SpikeWrite {
  organizationId: string;
  seriesId: bigint;
  episode: OpenEpisode;
  explanation: string;
  exampleTickets: bigint[];
  affectedCustomers: number;
  /** When the detect run that raised it ran (its clock). */
  detectedAtMs: number;
}

const evidenceJson = (episode: OpenEpisode): string => JSON.stringify({ opening: slim(episode.opening), peak: slim(episode.peak) });
const slim = (e: Evidence): object => ({ ...e, pctChange: Number.isFinite(e.pctChange) ? e.pctChange : null });

/** Inserts the spike of an episode unless it is there; returns its id when it was new. */
export async function raiseSpike(client: pg.PoolClient, w: SpikeWrite): Promise<string | null> {
  const o = w.episode.opening;
  const rows = await client.query<{ id: string }>(
    `INSERT INTO spikes (id, organization_id, series_id, fingerprint, window_start, window_end, started_at, peak_at, observed, expected,
       pct_change, significance, status, explanation, example_tickets, affected_customers, horizon, evidence, detected_at, updated_at)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12, $13::bigint[], $14, $15, $16::jsonb, $17, $17)
     ON CONFLICT (organization_id, fingerprint) DO NOTHING RETURNING id`,
    [
      w.organizationId, w.seriesId.toString(), spikeFingerprint(w.seriesId, w.episode.sinceMs), iso(o.windowStartMs), iso(o.windowEndMs),
      iso(w.episode.sinceMs), iso(w.episode.peak.windowEndMs), o.observed, o.expected, finite(o.pctChange), o.pValue, w.explanation,
      w.exampleTickets.map(String), w.affectedCustomers, horizonLabel(o.source), evidenceJson(w.episode), iso(w.detectedAtMs),
    ],
  );
  return rows.rows[0]?.id ?? null;
}

/** Moves an open spike to its episode's latest peak and context. */
export async function updateSpike(client: pg.PoolClient, w: SpikeWrite): Promise<void> {
  const p = w.episode.peak;
  await client.query(
    `UPDATE spikes SET window_end = greatest(window_end, $3), peak_at = $4, observed = $5, expected = $6, pct_change = $7, significance = least(significance, $8),
       explanation = $9, example_tickets = $10::bigint[], affected_customers = $11, evidence = $12::jsonb, updated_at = $13
     WHERE organization_id = $1 AND fingerprint = $2 AND status = 'open'`,
    [
      w.organizationId, spikeFingerprint(w.seriesId, w.episode.sinceMs), iso(p.windowEndMs), iso(p.windowEndMs), p.observed, p.expected,
      finite(p.pctChange), p.pValue, w.explanation, w.exampleTickets.map(String), w.affectedCustomers, evidenceJson(w.episode), iso(w.detectedAtMs),
    ],
  );
}

/**
 * A series re-decided from its history (its gates changed) found its open episode beginning at
 * another hour: the open spike takes the new start, so that it stays the one row of the episode.
 */
export async function moveSpikeStart(client: pg.PoolClient, organizationId: string, seriesId: bigint, fromMs: number, toMs: number): Promise<void> {
  if (fromMs === toMs) return;
  await client.query(`UPDATE spikes SET fingerprint = $3, started_at = $4 WHERE organization_id = $1 AND fingerprint = $2 AND status = 'open'`, [
    organizationId, spikeFingerprint(seriesId, fromMs), spikeFingerprint(seriesId, toMs), iso(toMs),
  ]);
}

export async function resolveSpike(client: pg.PoolClient, organizationId: string, seriesId: bigint, sinceMs: number, resolvedAtMs: number): Promise<void> {
  await client.query(`UPDATE spikes SET status = 'resolved', resolved_at = $3, updated_at = $3 WHERE organization_id = $1 AND fingerprint = $2 AND status = 'open'`, [
    organizationId, spikeFingerprint(seriesId, sinceMs), iso(resolvedAtMs),
  ]);
}

/**
 * What a person needs to see of an episode of a driver series: a few of its tickets (newest first)
 * and how many customer accounts it touched, from the tickets counted in the series over the window.
 */
export async function spikeContext(
  client: pg.PoolClient, seriesId: bigint, fromMs: number, toMs: number, examples = 5,
): Promise<{ exampleTickets: bigint[]; affectedCustomers: number }> {
  const rows = await client.query<{ ids: string[] | null; customers: number }>(
    `WITH counted AS (
       SELECT t.id, t.customer_account, t.source_created_at FROM series s
       JOIN derive_states d ON d.connector_id = s.connector_id
       JOIN ticket_classifications c ON c.taxonomy_id = d.taxonomy_id AND c.counted_driver IS NOT DISTINCT FROM s.driver_key
       JOIN tickets t ON t.id = c.ticket_id AND t.connector_id = s.connector_id
       WHERE s.id = $1 AND c.counted_bucket >= $2 AND c.counted_bucket < $3)
     SELECT (SELECT array_agg(id::text) FROM (SELECT id FROM counted ORDER BY source_created_at DESC, id DESC LIMIT $4) x) AS ids,
            (SELECT count(DISTINCT customer_account)::int FROM counted WHERE customer_account IS NOT NULL) AS customers`,
    [seriesId.toString(), iso(fromMs), iso(toMs), examples],
  );
  const row = rows.rows[0];
  return { exampleTickets: (row?.ids ?? []).map((id) => BigInt(id)), affectedCustomers: row?.customers ?? 0 };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const finite = (x: number): number => (Number.isFinite(x) ? x : 1e9);
