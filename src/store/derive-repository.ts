import type pg from 'pg';
import type { CanonicalTicket } from '../domain/ticket/canonical-ticket.ts';
import { seriesKeyOf } from '../domain/series/series-key.ts';
import { ensureSeries, lockConnectorSeries } from './connector-series.ts';
import { recordSeriesChangesFrom } from './series-change-sql.ts';
import { inTransaction } from './transaction.ts';
import type { Classifier } from '../domain/driver/index.ts';
import { type DeriveInput, type DerivePlan, needsClassification, planDerive } from '../domain/series/plan-derive.ts';

/**
 * The derive transaction: tickets changed since the last derive (by `tickets.change_seq`) are
 * classified where still needed, their series contributions moved (plan-derive.ts), and the derive
 * position advanced — in one transaction, serialised per connector by an advisory lock. State-based,
 * so a retried or duplicated derive job converges and a re-sync with no changes writes nothing.
 */
export interface DeriveTarget {
  organizationId: string;
  connectorId: string;
  connectorKey: string;
  taxonomyId: string;
  batchSize?: number;
}

export interface DeriveBatchResult {
  processed: number;
  classificationsWritten: number;
  pointsWritten: number;
  lastSeq: bigint;
  /** More changed tickets are waiting beyond this batch. */
  more: boolean;
}


export async function deriveBatch(pool: pg.Pool, target: DeriveTarget, classify: Classifier): Promise<DeriveBatchResult> {
  const batchSize = target.batchSize ?? 5000;
  return inTransaction(pool, async (client) => {
    await lockConnectorSeries(client, target.connectorId);
    const lastSeq = await readPosition(client, target);
    const rows = await readChanged(client, target, lastSeq, batchSize);
    if (rows.length === 0) return { processed: 0, classificationsWritten: 0, pointsWritten: 0, lastSeq, more: false };
    const plan = planDerive(rows.map((r) => r.input), classify);
    await writeClassifications(client, target.taxonomyId, plan.classifications);
    const pointsWritten = await applyDeltas(client, target, plan.deltas);
    const newSeq = rows[rows.length - 1]?.changeSeq ?? lastSeq;
    await client.query(
      `UPDATE derive_states SET last_seq = $3::bigint, updated_at = now() WHERE connector_id = $1 AND taxonomy_id = $2`,
      [target.connectorId, target.taxonomyId, newSeq.toString()],
    );
    return { processed: rows.length, classificationsWritten: plan.classifications.length, pointsWritten, lastSeq: newSeq, more: rows.length === batchSize };
  });
}

/** Derives until caught up with the tickets stored so far. */
export async function deriveAll(pool: pg.Pool, target: DeriveTarget, classify: Classifier): Promise<{ processed: number; pointsWritten: number; batches: number }> {
  const total = { processed: 0, pointsWritten: 0, batches: 0 };
  // The page transactions usually keep the position current: check without taking the lock first.
  if (await caughtUp(pool, target)) return total;
  for (;;) {
    const batch = await deriveBatch(pool, target, classify);
    total.processed += batch.processed;
    total.pointsWritten += batch.pointsWritten;
    if (batch.processed > 0) total.batches += 1;
    if (!batch.more) return total;
  }
}

/**
 * The derive position, and the taxonomy the connector's series currently reflect (one row per
 * connector). When the active taxonomy changed, the series are rebuilt from scratch under it: points
 * cleared, its counted contributions forgotten, position back to 0 — history is re-classified in
 * the batches that follow, and the series fill up again as they go.
 */
async function caughtUp(pool: pg.Pool, target: DeriveTarget): Promise<boolean> {
  const result = await pool.query<{ caught_up: boolean }>(
    `SELECT coalesce((SELECT last_seq FROM derive_states WHERE connector_id = $1 AND taxonomy_id = $2), -1) >=
            coalesce((SELECT max(change_seq) FROM tickets WHERE connector_id = $1), 0) AS caught_up`,
    [target.connectorId, target.taxonomyId],
  );
  return result.rows[0]?.caught_up === true;
}

async function readPosition(client: pg.PoolClient, target: DeriveTarget): Promise<bigint> {
  const current = await client.query<{ taxonomy_id: string; last_seq: string }>(
    'SELECT taxonomy_id, last_seq::text FROM derive_states WHERE connector_id = $1 FOR UPDATE',
    [target.connectorId],
  );
  const row = current.rows[0];
  if (current.rows.length === 1 && row?.taxonomy_id === target.taxonomyId) return BigInt(row.last_seq);
  if (current.rows.length === 0) {
    // Nothing has been counted for this connector yet (ingest claims the row before counting).
    await client.query('INSERT INTO derive_states (connector_id, taxonomy_id, last_seq, updated_at) VALUES ($1, $2, 0, now())', [target.connectorId, target.taxonomyId]);
    return 0n;
  }
  await client.query('DELETE FROM derive_states WHERE connector_id = $1', [target.connectorId]);
  await client.query(
    `WITH gone AS (
       DELETE FROM series_points p USING series s
       WHERE s.id = p.series_id AND s.connector_id = $1 AND s.kind IN ('driver_volume', 'unmatched_volume')
       RETURNING p.series_id, p.bucket_start)
     ${recordSeriesChangesFrom('gone', '$2')}`,
    [target.connectorId, target.organizationId],
  );
  await client.query(
    `UPDATE ticket_classifications c SET counted_driver = NULL, counted_bucket = NULL FROM tickets t
     WHERE t.id = c.ticket_id AND t.connector_id = $1 AND c.taxonomy_id = $2 AND c.counted_bucket IS NOT NULL`,
    [target.connectorId, target.taxonomyId],
  );
  await client.query('INSERT INTO derive_states (connector_id, taxonomy_id, last_seq, updated_at) VALUES ($1, $2, 0, now())', [target.connectorId, target.taxonomyId]);
  return 0n;
}

interface ChangedRow {
  input: DeriveInput;
  changeSeq: bigint;
}

async function readChanged(client: pg.PoolClient, target: DeriveTarget, lastSeq: bigint, limit: number): Promise<ChangedRow[]> {
  const result = await client.query<{
    id: string; change_seq: string; created: Date; deleted: boolean; erased: boolean; content_hash: string; prev_hash: string | null;
    prev_driver: string | null; prev_rule: string | null; counted_driver: string | null; counted_bucket: Date | null;
  }>(
    `SELECT t.id::text AS id, t.change_seq::text AS change_seq, t.source_created_at AS created, t.deleted_at IS NOT NULL AS deleted, t.erased_at IS NOT NULL AS erased,
       t.content_hash, c.ticket_hash AS prev_hash, c.driver_key AS prev_driver, c.rule_key AS prev_rule,
       c.counted_driver, c.counted_bucket
     FROM tickets t
     LEFT JOIN ticket_classifications c ON c.ticket_id = t.id AND c.taxonomy_id = $2
     WHERE t.connector_id = $1 AND t.change_seq > $3::bigint
     ORDER BY t.change_seq LIMIT $4`,
    [target.connectorId, target.taxonomyId, lastSeq.toString(), limit],
  );
  const rows: ChangedRow[] = result.rows.map((row) => ({
    changeSeq: BigInt(row.change_seq),
    input: {
      ticketId: BigInt(row.id),
      createdAt: row.created.toISOString(),
      deleted: row.deleted,
      erased: row.erased,
      contentHash: row.content_hash,
      previous:
        row.prev_hash === null
          ? null
          : {
              driverKey: row.prev_driver, ruleKey: row.prev_rule, ticketHash: row.prev_hash,
              counted: row.counted_bucket === null ? null : { driverKey: row.counted_driver, bucketStartMs: row.counted_bucket.getTime() },
            },
    },
  }));
  // Only tickets not classified at ingest (taxonomy changed, or stored before one existed) are loaded in full.
  const missing = rows.filter((r) => needsClassification(r.input));
  if (missing.length > 0) {
    const full = await client.query<Record<string, unknown>>(
      `SELECT id::text AS id, native_id, key, url, subject, status::text AS status, priority::text AS priority, channel, type,
         customer_account, requester_ref, group_ref, product, component, service, category, subcategory, tags, form_id,
         custom_fields, csat, sla_breached, reopen_count, source_created_at, source_updated_at, resolved_at, closed_at, support_type
       FROM tickets WHERE id = ANY($1::bigint[])`,
      [missing.map((r) => r.input.ticketId.toString())],
    );
    const byId = new Map(full.rows.map((row) => [String(row['id']), ticketFromRow(row)]));
    for (const row of missing) {
      const ticket = byId.get(row.input.ticketId.toString());
      if (ticket) row.input.ticket = ticket;
    }
  }
  return rows;
}

const str = (value: unknown): string | null => (value == null ? null : String(value));
const iso = (value: unknown): string | null => (value instanceof Date ? value.toISOString() : value == null ? null : String(value));

/**
 * A stored ticket back in its canonical shape. Not re-parsed with zod: these rows were validated by
 * the connector's schema on the way in and written by this module; converting column types is all
 * that is left (and at back-fill rates, re-validation cost as much as the classification itself).
 */
export function ticketFromRow(row: Record<string, unknown>): CanonicalTicket {
  return {
    nativeId: String(row['native_id']), key: str(row['key']), url: str(row['url']), subject: str(row['subject']),
    status: String(row['status']) as CanonicalTicket['status'], priority: str(row['priority']) as CanonicalTicket['priority'],
    channel: str(row['channel']), type: str(row['type']), customerAccount: str(row['customer_account']),
    requesterRef: str(row['requester_ref']), group: str(row['group_ref']), product: str(row['product']),
    component: str(row['component']), service: str(row['service']), category: str(row['category']),
    subcategory: str(row['subcategory']), tags: (row['tags'] as string[] | null) ?? [], formId: str(row['form_id']),
    customFields: (row['custom_fields'] as CanonicalTicket['customFields'] | null) ?? {}, csat: str(row['csat']) as CanonicalTicket['csat'],
    slaBreached: (row['sla_breached'] as boolean | null) ?? null, reopenCount: Number(row['reopen_count'] ?? 0),
    createdAt: iso(row['source_created_at']) ?? '', updatedAt: iso(row['source_updated_at']) ?? '',
    resolvedAt: iso(row['resolved_at']), closedAt: iso(row['closed_at']), supportType: str(row['support_type']),
  };
}

async function writeClassifications(client: pg.PoolClient, taxonomyId: string, rows: DerivePlan['classifications']): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO ticket_classifications AS c (ticket_id, taxonomy_id, driver_key, rule_key, ticket_hash, counted_driver, counted_bucket)
     SELECT t, $1::uuid, d, r, h, cd, cb FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[]) AS x(t, d, r, h, cd, cb)
     ON CONFLICT (ticket_id, taxonomy_id) DO UPDATE SET driver_key = EXCLUDED.driver_key, rule_key = EXCLUDED.rule_key,
       ticket_hash = EXCLUDED.ticket_hash, counted_driver = EXCLUDED.counted_driver, counted_bucket = EXCLUDED.counted_bucket,
       classified_at = CASE WHEN (c.driver_key, c.rule_key, c.ticket_hash) IS DISTINCT FROM (EXCLUDED.driver_key, EXCLUDED.rule_key, EXCLUDED.ticket_hash)
         THEN now() ELSE c.classified_at END`,
    [
      taxonomyId, rows.map((r) => r.ticketId.toString()), rows.map((r) => r.driverKey), rows.map((r) => r.ruleKey), rows.map((r) => r.ticketHash),
      rows.map((r) => r.counted?.driverKey ?? null), rows.map((r) => (r.counted ? new Date(r.counted.bucketStartMs).toISOString() : null)),
    ],
  );
}

/** Moves series points by the plan's net deltas (driver series, or the unmatched one for null), recording the facts. */
async function applyDeltas(client: pg.PoolClient, target: DeriveTarget, deltas: DerivePlan['deltas']): Promise<number> {
  if (deltas.length === 0) return 0;
  const keyOf = (driverKey: string | null): string => seriesKeyOf(target.connectorKey, driverKey);
  const seriesIds = await ensureSeries(client, target, [...new Set(deltas.map((d) => keyOf(d.driverKey)))]);
  await client.query(
    `WITH moved AS (
       INSERT INTO series_points AS p (series_id, bucket_start, value, updated_at)
       SELECT s, b, v, now() FROM unnest($1::bigint[], $2::timestamptz[], $3::float8[]) AS x(s, b, v)
       ON CONFLICT (series_id, bucket_start) DO UPDATE SET value = p.value + EXCLUDED.value, updated_at = now()
       RETURNING p.series_id, p.bucket_start)
     ${recordSeriesChangesFrom('moved', '$4')}`,
    [
      deltas.map((d) => seriesIds.get(keyOf(d.driverKey))), deltas.map((d) => new Date(d.bucketStartMs).toISOString()), deltas.map((d) => d.delta),
      target.organizationId,
    ],
  );
  return deltas.length;
}

/**
 * Enabled connectors whose series do not (yet) reflect what is stored: derive state missing or for
 * another taxonomy than the organization's active one, or behind the connector's newest ticket change.
 * The scheduler enqueues a derive for each, so a new taxonomy is applied even when no ticket changes and
 * no derive job was enqueued (README "Configuration").
 */
export async function connectorsBehindDerive(pool: pg.Pool): Promise<string[]> {
  const rows = await pool.query<{ id: string }>(
    `SELECT c.id FROM connectors c
       JOIN driver_taxonomies t ON t.organization_id = c.organization_id AND t.active
       LEFT JOIN derive_states d ON d.connector_id = c.id
      CROSS JOIN LATERAL (SELECT max(x.change_seq) AS seq FROM tickets x WHERE x.connector_id = c.id) newest
      WHERE c.enabled AND newest.seq IS NOT NULL
        AND (d.connector_id IS NULL OR d.taxonomy_id <> t.id OR d.last_seq < newest.seq)
      ORDER BY c.id`,
  );
  return rows.rows.map((r) => r.id);
}

/** Enabled connectors of one organization (after a taxonomy change, each is re-derived). */
export async function enabledConnectorIds(pool: pg.Pool, organizationId: string): Promise<string[]> {
  const rows = await pool.query<{ id: string }>('SELECT id FROM connectors WHERE organization_id = $1 AND enabled ORDER BY id', [organizationId]);
  return rows.rows.map((r) => r.id);
}
