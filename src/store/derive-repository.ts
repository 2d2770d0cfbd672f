import type pg from 'pg';
import type { CanonicalTicket } from '../domain/ticket/canonical-ticket.ts';
import { type Classifier, diffPoints, needsClassification, planDerive, pointId, type DeriveInput } from '../pipeline/derive/plan-derive.ts';

/**
 * The derive transaction: tickets changed since the last derive (by `tickets.change_seq`) are
 * classified, touched hourly buckets recounted from the tickets, and the derive position advanced —
 * in one transaction, serialised per connector by an advisory lock. State-based, so a retried or
 * duplicated derive job converges and a re-sync with no changes writes nothing.
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

export const driverSeriesKey = (connectorKey: string, driverKey: string): string => `driver_volume/${connectorKey}/${driverKey}`;
export const unmatchedSeriesKey = (connectorKey: string): string => `unmatched_volume/${connectorKey}`;

const LOCK_SPACE = 0x46_4c_44_56; // "FLDV"

export async function deriveBatch(pool: pg.Pool, target: DeriveTarget, classify: Classifier): Promise<DeriveBatchResult> {
  const batchSize = target.batchSize ?? 5000;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SPACE, target.connectorId]);
    const lastSeq = await readPosition(client, target);
    const rows = await readChanged(client, target, lastSeq, batchSize);
    if (rows.length === 0) {
      await client.query('COMMIT');
      return { processed: 0, classificationsWritten: 0, pointsWritten: 0, lastSeq, more: false };
    }
    const plan = planDerive(rows.map((r) => r.input), classify);
    await writeClassifications(client, target.taxonomyId, plan.classifications);
    const pointsWritten = await recountHours(client, target, plan.touchedHours);
    const newSeq = rows[rows.length - 1]?.changeSeq ?? lastSeq;
    await client.query(
      `UPDATE derive_states SET last_seq = $3::bigint, updated_at = now() WHERE connector_id = $1 AND taxonomy_id = $2`,
      [target.connectorId, target.taxonomyId, newSeq.toString()],
    );
    await client.query('COMMIT');
    return { processed: rows.length, classificationsWritten: plan.classifications.length, pointsWritten, lastSeq: newSeq, more: rows.length === batchSize };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Derives until caught up with the tickets stored so far. */
export async function deriveAll(pool: pg.Pool, target: DeriveTarget, classify: Classifier): Promise<{ processed: number; pointsWritten: number; batches: number }> {
  const total = { processed: 0, pointsWritten: 0, batches: 0 };
  for (;;) {
    const batch = await deriveBatch(pool, target, classify);
    total.processed += batch.processed;
    total.pointsWritten += batch.pointsWritten;
    if (batch.processed > 0) total.batches += 1;
    if (!batch.more) return total;
  }
}

async function readPosition(client: pg.PoolClient, target: DeriveTarget): Promise<bigint> {
  const result = await client.query<{ last_seq: string }>(
    `INSERT INTO derive_states (connector_id, taxonomy_id, last_seq, updated_at) VALUES ($1, $2, 0, now())
     ON CONFLICT (connector_id, taxonomy_id) DO UPDATE SET connector_id = EXCLUDED.connector_id
     RETURNING last_seq::text`,
    [target.connectorId, target.taxonomyId],
  );
  return BigInt(result.rows[0]?.last_seq ?? '0');
}

interface ChangedRow {
  input: DeriveInput;
  changeSeq: bigint;
}

async function readChanged(client: pg.PoolClient, target: DeriveTarget, lastSeq: bigint, limit: number): Promise<ChangedRow[]> {
  const result = await client.query<{ id: string; change_seq: string; created: Date; content_hash: string; prev_hash: string | null; prev_driver: string | null; prev_rule: string | null }>(
    `SELECT t.id::text AS id, t.change_seq::text AS change_seq, t.source_created_at AS created, t.content_hash,
       c.ticket_hash AS prev_hash, c.driver_key AS prev_driver, c.rule_key AS prev_rule
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
      contentHash: row.content_hash,
      previous: row.prev_hash === null ? null : { driverKey: row.prev_driver, ruleKey: row.prev_rule, ticketHash: row.prev_hash },
    },
  }));
  // Only tickets not classified at ingest (taxonomy changed, or stored before one existed) are loaded in full.
  const missing = rows.filter((r) => needsClassification(r.input));
  if (missing.length > 0) {
    const full = await client.query<Record<string, unknown>>(
      `SELECT id::text AS id, native_id, key, url, subject, status::text AS status, priority::text AS priority, channel, type,
         customer_account, requester_ref, group_ref, product, component, service, category, subcategory, tags, form_id,
         custom_fields, csat, sla_breached, reopen_count, source_created_at, source_updated_at, resolved_at, closed_at
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
    resolvedAt: iso(row['resolved_at']), closedAt: iso(row['closed_at']),
  };
}

async function writeClassifications(client: pg.PoolClient, taxonomyId: string, rows: ReturnType<typeof planDerive>['classifications']): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO ticket_classifications (ticket_id, taxonomy_id, driver_key, rule_key, ticket_hash)
     SELECT t, $1::uuid, d, r, h FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) AS x(t, d, r, h)
     ON CONFLICT (ticket_id, taxonomy_id) DO UPDATE SET driver_key = EXCLUDED.driver_key, rule_key = EXCLUDED.rule_key,
       ticket_hash = EXCLUDED.ticket_hash, classified_at = now()
     WHERE (ticket_classifications.driver_key, ticket_classifications.rule_key, ticket_classifications.ticket_hash)
       IS DISTINCT FROM (EXCLUDED.driver_key, EXCLUDED.rule_key, EXCLUDED.ticket_hash)`,
    [taxonomyId, rows.map((r) => r.ticketId.toString()), rows.map((r) => r.driverKey), rows.map((r) => r.ruleKey), rows.map((r) => r.ticketHash)],
  );
}

/** Recounts every driver's volume in the touched hours from the live (not deleted) tickets. */
async function recountHours(client: pg.PoolClient, target: DeriveTarget, hours: number[]): Promise<number> {
  if (hours.length === 0) return 0;
  const buckets = hours.map((h) => new Date(h).toISOString());
  const counts = await client.query<{ bucket: Date; driver_key: string | null; n: number }>(
    `SELECT date_bin('1 hour', t.source_created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket, c.driver_key, count(*)::int AS n
     FROM tickets t JOIN ticket_classifications c ON c.ticket_id = t.id AND c.taxonomy_id = $2
     WHERE t.connector_id = $1 AND t.deleted_at IS NULL
       AND t.source_created_at >= $3::timestamptz AND t.source_created_at < $4::timestamptz + interval '1 hour'
       AND date_bin('1 hour', t.source_created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') = ANY($5::timestamptz[])
     GROUP BY 1, 2`,
    [target.connectorId, target.taxonomyId, buckets[0], buckets[buckets.length - 1], buckets],
  );
  const desired = new Map<string, number>();
  for (const row of counts.rows) {
    const key = row.driver_key === null ? unmatchedSeriesKey(target.connectorKey) : driverSeriesKey(target.connectorKey, row.driver_key);
    desired.set(pointId(key, row.bucket.getTime()), row.n);
  }
  const stored = await client.query<{ key: string; bucket_start: Date; value: number }>(
    `SELECT s.key, p.bucket_start, p.value FROM series s JOIN series_points p ON p.series_id = s.id
     WHERE s.organization_id = $1 AND s.connector_id = $2 AND s.kind IN ('driver_volume', 'unmatched_volume')
       AND p.bucket_start = ANY($3::timestamptz[])`,
    [target.organizationId, target.connectorId, buckets],
  );
  const storedMap = new Map(stored.rows.map((r) => [pointId(r.key, r.bucket_start.getTime()), r.value]));
  const changes = diffPoints(desired, storedMap);
  if (changes.length === 0) return 0;
  const seriesIds = await ensureSeries(client, target, [...new Set(changes.map((c) => c.seriesKey))]);
  await client.query(
    `INSERT INTO series_points (series_id, bucket_start, value, updated_at)
     SELECT s, b, v, now() FROM unnest($1::bigint[], $2::timestamptz[], $3::float8[]) AS x(s, b, v)
     ON CONFLICT (series_id, bucket_start) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
     WHERE series_points.value IS DISTINCT FROM EXCLUDED.value`,
    [
      changes.map((c) => seriesIds.get(c.seriesKey)),
      changes.map((c) => new Date(c.bucketStartMs).toISOString()),
      changes.map((c) => c.value),
    ],
  );
  return changes.length;
}

async function ensureSeries(client: pg.PoolClient, target: DeriveTarget, keys: string[]): Promise<Map<string, string>> {
  const unmatched = unmatchedSeriesKey(target.connectorKey);
  const prefix = `driver_volume/${target.connectorKey}/`;
  await client.query(
    `INSERT INTO series (organization_id, key, kind, connector_id, driver_key)
     SELECT $1::uuid, k, CASE WHEN k = $3 THEN 'unmatched_volume' ELSE 'driver_volume' END::"SeriesKind", $2::uuid,
       CASE WHEN k = $3 THEN NULL ELSE substr(k, length($4) + 1) END
     FROM unnest($5::text[]) AS k
     ON CONFLICT (organization_id, key) DO NOTHING`,
    [target.organizationId, target.connectorId, unmatched, prefix, keys],
  );
  const rows = await client.query<{ id: string; key: string }>(
    'SELECT id::text, key FROM series WHERE organization_id = $1 AND key = ANY($2::text[])',
    [target.organizationId, keys],
  );
  return new Map(rows.rows.map((r) => [r.key, r.id]));
}
