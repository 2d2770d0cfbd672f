import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { NormalisedPage, NormalisedTicket, QuarantineEntry } from '../domain/ticket/ticket-page.ts';
import { ensureSeries, lockConnectorSeries, seriesKeyOf } from './connector-series.ts';
import { copyRow, type CopyValue } from './copy-text.ts';

/**
 * The page transaction (DESIGN.md "Idempotency", STYLE.md principle 7): one page of normalised
 * tickets is COPYed into a session-local staging table and merged into `tickets`, superseded versions are
 * appended to `ticket_versions`, malformed records go to quarantine, and the stream's cursor moves —
 * all in ONE transaction, guarded by the run's fencing token. A crash before COMMIT leaves the old
 * cursor and none of the page; a crash after leaves both. Replaying a page writes nothing: the merge
 * only touches rows whose content hash changed and never lets an older source version win.
 */
export type StagedTicket = NormalisedTicket;
export type PageWrite = NormalisedPage;
export type { QuarantineEntry };

export interface PageTarget {
  organizationId: string;
  connectorId: string;
  stream: string;
  runId: bigint;
  fencingToken: bigint;
  normaliserVersion: number;
  /** The active taxonomy the staged classifications belong to, and its driver keys. */
  taxonomyId?: string | null;
  driverKeys?: readonly string[];
  connectorKey?: string;
}

export interface PageOutcome {
  inserted: number;
  updated: number;
  unchanged: number;
  quarantined: number;
  /** Highest tickets.change_seq written by this page (null when nothing changed). */
  maxChangeSeq: bigint | null;
}

export class FencedOutError extends Error {
  override readonly name = 'FencedOutError';
}

export const STAGE_COLUMNS = [
  'native_id', 'key', 'url', 'subject', 'status', 'priority', 'channel', 'type', 'customer_account',
  'requester_ref', 'group_ref', 'product', 'component', 'service', 'category', 'subcategory', 'tags',
  'form_id', 'custom_fields', 'csat', 'sla_breached', 'reopen_count', 'source_created_at',
  'source_updated_at', 'resolved_at', 'closed_at', 'content_hash', 'raw', 'classified', 'driver_key', 'rule_key',
] as const;

export const STAGE_TABLE_COLUMNS = `
  native_id text, key text, url text, subject text, status text, priority text, channel text, type text,
  customer_account text, requester_ref text, group_ref text, product text, component text, service text,
  category text, subcategory text, tags text[], form_id text, custom_fields jsonb, csat text,
  sla_breached boolean, reopen_count integer, source_created_at timestamptz, source_updated_at timestamptz,
  resolved_at timestamptz, closed_at timestamptz, content_hash text, raw jsonb, classified boolean, driver_key text, rule_key text`;

const CREATE_STAGE = `CREATE TEMP TABLE IF NOT EXISTS frontline_stage_tickets (${STAGE_TABLE_COLUMNS}) ON COMMIT DELETE ROWS`;

const copyColumns = (columns: readonly string[]): string => columns.map((c) => `"${c}"`).join(', ');

/**
 * History: before a ticket is overwritten by a newer version, its current state is appended to
 * `ticket_versions` (sync_run_id = the run that superseded it). Versions + the current row are every
 * state ever observed, and a back-fill of new tickets writes no version rows at all.
 */
const SUPERSEDE = `INSERT INTO ticket_versions (ticket_id, source_updated_at, content_hash, status, priority, snapshot, sync_run_id)
  SELECT t.id, t.source_updated_at, t.content_hash, t.status, t.priority,
    to_jsonb(t) - 'raw' - 'organization_id' - 'connector_id' - 'change_seq', $3::bigint
  FROM tickets t
  WHERE t.id IN (
    SELECT x.id FROM frontline_stage_tickets s
    -- One unique-index probe per staged row, reading three columns. (A plain join lets the planner hash
    -- the connector's whole ticket set when its statistics are stale: every page would scan them all.)
    CROSS JOIN LATERAL (
      SELECT x.id, x.content_hash, x.source_updated_at FROM tickets x
      WHERE x.organization_id = $1::uuid AND x.connector_id = $2::uuid AND x.native_id = s.native_id LIMIT 1
    ) x
    WHERE x.content_hash IS DISTINCT FROM s.content_hash AND x.source_updated_at <= s.source_updated_at
  )
  ON CONFLICT DO NOTHING`;

const MERGE = `WITH merged AS (
  INSERT INTO tickets AS t (organization_id, connector_id, ${copyColumns(STAGE_COLUMNS.slice(0, STAGE_COLUMNS.indexOf('closed_at') + 1))},
    deleted_at, content_hash, normaliser_version, raw, change_seq)
  SELECT $1::uuid, $2::uuid, s.native_id, s.key, s.url, s.subject, s.status::"TicketStatus",
    s.priority::"TicketPriority", s.channel, s.type, s.customer_account, s.requester_ref, s.group_ref,
    s.product, s.component, s.service, s.category, s.subcategory, s.tags, s.form_id, s.custom_fields,
    s.csat, s.sla_breached, s.reopen_count, s.source_created_at, s.source_updated_at, s.resolved_at,
    s.closed_at, CASE WHEN s.status = 'deleted' THEN s.source_updated_at END, s.content_hash, $3::int,
    s.raw, nextval('tickets_change_seq_seq')
  FROM frontline_stage_tickets s
  ON CONFLICT (organization_id, connector_id, native_id) DO UPDATE SET
    key = EXCLUDED.key, url = EXCLUDED.url, subject = EXCLUDED.subject, status = EXCLUDED.status,
    priority = EXCLUDED.priority, channel = EXCLUDED.channel, type = EXCLUDED.type,
    customer_account = EXCLUDED.customer_account, requester_ref = EXCLUDED.requester_ref,
    group_ref = EXCLUDED.group_ref, product = EXCLUDED.product, component = EXCLUDED.component,
    service = EXCLUDED.service, category = EXCLUDED.category, subcategory = EXCLUDED.subcategory,
    tags = EXCLUDED.tags, form_id = EXCLUDED.form_id, custom_fields = EXCLUDED.custom_fields,
    csat = EXCLUDED.csat, sla_breached = EXCLUDED.sla_breached, reopen_count = EXCLUDED.reopen_count,
    source_created_at = EXCLUDED.source_created_at, source_updated_at = EXCLUDED.source_updated_at,
    resolved_at = EXCLUDED.resolved_at, closed_at = EXCLUDED.closed_at,
    deleted_at = CASE WHEN EXCLUDED.status = 'deleted' THEN COALESCE(t.deleted_at, EXCLUDED.deleted_at) END,
    content_hash = EXCLUDED.content_hash, normaliser_version = EXCLUDED.normaliser_version,
    raw = EXCLUDED.raw, change_seq = EXCLUDED.change_seq, changed_at = now()
  WHERE t.content_hash IS DISTINCT FROM EXCLUDED.content_hash
    AND t.source_updated_at <= EXCLUDED.source_updated_at
  RETURNING t.id, t.native_id, t.change_seq, (xmax = 0) AS inserted
), staged AS (
  -- Classified at ingest: only tickets this page actually wrote (new or changed), with the hour they
  -- count in (none when deleted).
  SELECT m.id, s.driver_key, s.rule_key, s.content_hash,
    CASE WHEN s.status <> 'deleted' THEN date_bin('1 hour', s.source_created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') END AS bucket
  FROM merged m JOIN frontline_stage_tickets s ON s.native_id = m.native_id
  WHERE $4::uuid IS NOT NULL AND s.classified
), previous AS (
  -- What these tickets were counted as before this statement (CTEs all read the pre-statement snapshot).
  -- Only updated tickets can have been counted; one primary-key probe each (a join lets the planner
  -- scan all classifications when statistics are stale).
  SELECT c.ticket_id, c.counted_driver, c.counted_bucket
  FROM merged m
  CROSS JOIN LATERAL (
    SELECT x.ticket_id, x.counted_driver, x.counted_bucket FROM ticket_classifications x
    WHERE x.ticket_id = m.id AND x.taxonomy_id = $4::uuid LIMIT 1
  ) c
  WHERE NOT m.inserted AND c.counted_bucket IS NOT NULL
), classified AS (
  INSERT INTO ticket_classifications AS c (ticket_id, taxonomy_id, driver_key, rule_key, ticket_hash, counted_driver, counted_bucket)
  SELECT st.id, $4::uuid, st.driver_key, st.rule_key, st.content_hash, st.driver_key, st.bucket FROM staged st
  ON CONFLICT (ticket_id, taxonomy_id) DO UPDATE SET driver_key = EXCLUDED.driver_key, rule_key = EXCLUDED.rule_key,
    ticket_hash = EXCLUDED.ticket_hash, counted_driver = EXCLUDED.counted_driver, counted_bucket = EXCLUDED.counted_bucket,
    classified_at = now()
  WHERE (c.driver_key, c.rule_key, c.ticket_hash, c.counted_driver, c.counted_bucket)
    IS DISTINCT FROM (EXCLUDED.driver_key, EXCLUDED.rule_key, EXCLUDED.ticket_hash, EXCLUDED.counted_driver, EXCLUDED.counted_bucket)
), moves AS (
  SELECT counted_driver AS driver, counted_bucket AS bucket, -1 AS n FROM previous
  UNION ALL
  SELECT driver_key, bucket, 1 FROM staged WHERE bucket IS NOT NULL
), net AS (
  SELECT driver, bucket, sum(n) AS n FROM moves GROUP BY driver, bucket HAVING sum(n) <> 0
), points AS (
  -- Each ticket's contribution moves exactly once: −1 where it was counted, +1 where it belongs now.
  INSERT INTO series_points AS p (series_id, bucket_start, value, updated_at)
  SELECT k.series_id, net.bucket, net.n, now()
  FROM net JOIN unnest($5::text[], $6::bigint[]) AS k(driver, series_id) ON k.driver = coalesce(net.driver, '')
  ON CONFLICT (series_id, bucket_start) DO UPDATE SET value = p.value + EXCLUDED.value, updated_at = now()
)
SELECT count(*) FILTER (WHERE inserted)::int AS inserted,
       count(*) FILTER (WHERE NOT inserted)::int AS updated,
       max(change_seq)::text AS max_change_seq
FROM merged`;

export async function writeTicketPage(pool: pg.Pool, target: PageTarget, page: PageWrite): Promise<PageOutcome> {
  const tickets = latestPerTicket(page.tickets);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await lockConnectorSeries(client, target.connectorId);
    await claimStream(client, target);
    let merged = { inserted: 0, updated: 0, maxChangeSeq: null as bigint | null };
    if (tickets.length > 0) {
      await client.query(CREATE_STAGE);
      await copyStage(client, tickets);
      await client.query(SUPERSEDE, [target.organizationId, target.connectorId, target.runId.toString()]);
      const counting = await seriesFollow(client, target);
      const series = counting ? await seriesOfTaxonomy(client, target) : [];
      const deriveCaughtUp = counting && (await deriveIsCaughtUp(client, target));
      const result = await client.query<{ inserted: number; updated: number; max_change_seq: string | null }>(MERGE, [
        target.organizationId, target.connectorId, target.normaliserVersion, counting ? target.taxonomyId : null,
        series.map(([driver]) => driver ?? ''), series.map(([, id]) => id),
      ]);
      const row = result.rows[0];
      merged = {
        inserted: row?.inserted ?? 0,
        updated: row?.updated ?? 0,
        maxChangeSeq: row?.max_change_seq ? BigInt(row.max_change_seq) : null,
      };
      // Everything this page changed is classified and counted: if the derive stage had nothing
      // pending before it, it has nothing pending after it either.
      if (deriveCaughtUp && merged.maxChangeSeq !== null) {
        await client.query('UPDATE derive_states SET last_seq = $2::bigint, updated_at = now() WHERE connector_id = $1', [target.connectorId, merged.maxChangeSeq.toString()]);
      }
    }
    const quarantined = await quarantine(client, target, page.quarantined);
    const outcome: PageOutcome = {
      ...merged,
      unchanged: tickets.length - merged.inserted - merged.updated,
      quarantined,
    };
    await advanceCursor(client, target, page);
    await recordPage(client, target, page, outcome);
    await client.query('COMMIT');
    return outcome;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Whether this page may classify and count at ingest: only when the connector's series reflect the
 * page's taxonomy (derive_states holds which one). After a taxonomy change the derive stage first
 * rebuilds the series; until then pages store tickets only and leave classifying to it.
 */
async function seriesFollow(client: pg.PoolClient, target: PageTarget): Promise<boolean> {
  if (!target.taxonomyId) return false;
  const claimed = await client.query<{ taxonomy_id: string }>(
    `INSERT INTO derive_states (connector_id, taxonomy_id, last_seq, updated_at)
     SELECT $1, $2, 0, now() WHERE NOT EXISTS (SELECT 1 FROM derive_states WHERE connector_id = $1)
     ON CONFLICT DO NOTHING`,
    [target.connectorId, target.taxonomyId],
  );
  if ((claimed.rowCount ?? 0) > 0) return true;
  const current = await client.query<{ taxonomy_id: string }>('SELECT taxonomy_id FROM derive_states WHERE connector_id = $1', [target.connectorId]);
  return current.rows.length === 1 && current.rows[0]?.taxonomy_id === target.taxonomyId;
}

async function deriveIsCaughtUp(client: pg.PoolClient, target: PageTarget): Promise<boolean> {
  const result = await client.query<{ caught_up: boolean }>(
    `SELECT coalesce((SELECT last_seq FROM derive_states WHERE connector_id = $1), -1) >=
            coalesce((SELECT max(change_seq) FROM tickets WHERE connector_id = $1), 0) AS caught_up`,
    [target.connectorId],
  );
  return result.rows[0]?.caught_up === true;
}

/** Series ids for every driver of the taxonomy and for unmatched tickets: [driver ('' = unmatched), id]. */
async function seriesOfTaxonomy(client: pg.PoolClient, target: PageTarget): Promise<[string | null, string][]> {
  if (!target.taxonomyId || target.connectorKey === undefined) return [];
  const drivers: (string | null)[] = [null, ...(target.driverKeys ?? [])];
  const connectorKey = target.connectorKey;
  const ids = await ensureSeries(client, { ...target, connectorKey }, drivers.map((d) => seriesKeyOf(connectorKey, d)));
  return drivers.flatMap((d) => {
    const id = ids.get(seriesKeyOf(connectorKey, d));
    return id === undefined ? [] : [[d, id] as [string | null, string]];
  });
}

/** A page may repeat a ticket (it changed while being exported): keep its newest version only. */
function latestPerTicket(tickets: StagedTicket[]): StagedTicket[] {
  const byId = new Map<string, StagedTicket>();
  for (const staged of tickets) {
    const seen = byId.get(staged.ticket.nativeId);
    if (!seen || seen.ticket.updatedAt <= staged.ticket.updatedAt) byId.set(staged.ticket.nativeId, staged);
  }
  return [...byId.values()];
}

/** Locks the stream's state row and refuses the page if a newer run has taken the stream. */
async function claimStream(client: pg.PoolClient, target: PageTarget): Promise<void> {
  const result = await client.query<{ fencing_token: string }>(
    'SELECT fencing_token::text FROM sync_states WHERE connector_id = $1 AND stream = $2 FOR UPDATE',
    [target.connectorId, target.stream],
  );
  const current = result.rows[0]?.fencing_token;
  if (current !== target.fencingToken.toString()) {
    throw new FencedOutError(
      `sync run ${target.runId} lost stream ${target.stream} to a newer run (token ${target.fencingToken}, now ${current ?? 'none'})`,
    );
  }
}

async function copyStage(client: pg.PoolClient, tickets: StagedTicket[]): Promise<void> {
  const sql = `COPY frontline_stage_tickets (${copyColumns(STAGE_COLUMNS)}) FROM STDIN`;
  // One chunk per page, not one per row: thousands of tiny CopyData messages cost more than the encoding.
  let text = '';
  for (const staged of tickets) text += copyRow(stageValues(staged));
  await pipeline(Readable.from([text]), client.query(copyStreams.from(sql)));
}

/** One staged ticket as COPY values, in STAGE_COLUMNS order (also used by the ingest benchmark). */
export function stageValues({ ticket: t, contentHash, raw, classification }: StagedTicket): CopyValue[] {
  return [
    t.nativeId, t.key, t.url, t.subject, t.status, t.priority, t.channel, t.type, t.customerAccount,
    t.requesterRef, t.group, t.product, t.component, t.service, t.category, t.subcategory, t.tags,
    t.formId, jsonText(t.customFields), t.csat, t.slaBreached, t.reopenCount, t.createdAt, t.updatedAt,
    t.resolvedAt, t.closedAt, contentHash, raw === undefined ? null : jsonText(raw),
    classification !== undefined, classification?.driverKey ?? null, classification?.ruleKey ?? null,
  ];
}

/** jsonb cannot hold U+0000; a source that sends it would otherwise fail the whole page. */
function jsonText(value: unknown): string {
  return JSON.stringify(value).replace(/\\u0000/g, '');
}

async function quarantine(client: pg.PoolClient, target: PageTarget, entries: QuarantineEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  const payloads = entries.map((e) => jsonText(e.payload));
  const hashes = payloads.map((p) => createHash('sha1').update(p).digest('hex'));
  await client.query(
    `INSERT INTO quarantined_records (connector_id, stream, native_id, reason, payload, payload_hash, sync_run_id)
     SELECT $1::uuid, $2, n, r, p::jsonb, h, $3::bigint FROM unnest($4::text[], $5::text[], $6::text[], $7::text[]) AS x(n, r, p, h)
     ON CONFLICT (connector_id, stream, payload_hash) DO UPDATE SET last_seen_at = now(), reason = EXCLUDED.reason`,
    [target.connectorId, target.stream, target.runId.toString(), entries.map((e) => e.nativeId), entries.map((e) => e.reason), payloads, hashes],
  );
  return entries.length;
}

async function advanceCursor(client: pg.PoolClient, target: PageTarget, page: PageWrite): Promise<void> {
  await client.query(
    `UPDATE sync_states SET cursor = $3, cursor_updated_at = now(),
       source_high_water = GREATEST(source_high_water, to_timestamp($4::double precision / 1000))
     WHERE connector_id = $1 AND stream = $2`,
    [target.connectorId, target.stream, page.cursor, page.sourceHighWaterMs],
  );
}

async function recordPage(client: pg.PoolClient, target: PageTarget, page: PageWrite, outcome: PageOutcome): Promise<void> {
  await client.query(
    `UPDATE sync_runs SET pages = pages + 1, fetched = fetched + $2, inserted = inserted + $3, updated = updated + $4,
       unchanged = unchanged + $5, quarantined = quarantined + $6, requests = requests + $7, throttled = throttled + $8,
       waited_ms = waited_ms + $9, cursor_after = $10, heartbeat_at = now(),
       progress_at = COALESCE(to_timestamp($11::double precision / 1000), progress_at)
     WHERE id = $1`,
    [
      target.runId.toString(), page.fetched, outcome.inserted, outcome.updated, outcome.unchanged, outcome.quarantined,
      page.requests, page.throttled, Math.round(page.waitedMs), page.cursor, page.progressAtMs,
    ],
  );
}
