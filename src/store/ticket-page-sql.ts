import type { NormalisedTicket } from '../domain/ticket/ticket-page.ts';
import type { CopyValue } from './copy-text.ts';
import { pgJsonText } from './pg-safe.ts';
import { recordSeriesChangesFrom } from './series-change-sql.ts';

/**
 * The statements of the page transaction (ticket-page-writer.ts runs them). A page is COPYed into a
 * session-local staging table, then merged into `tickets` set-wise.
 *
 * Version order: a stored ticket is replaced only by a version that is at least as new by
 * (source_updated_at, source_changed_at) — updated_at alone ties when a ticket changes twice in one
 * second, or when Zendesk deletes or scrubs it (only generated_timestamp moves: connectors/zendesk/NOTES.md).
 * A version without a change time sorts before any version with one at the same updated_at.
 */
export const STAGE_COLUMNS = [
  'native_id', 'key', 'url', 'subject', 'status', 'priority', 'channel', 'type', 'customer_account',
  'requester_ref', 'group_ref', 'product', 'component', 'service', 'category', 'subcategory', 'tags',
  'form_id', 'custom_fields', 'csat', 'sla_breached', 'reopen_count', 'source_created_at',
  'source_updated_at', 'resolved_at', 'closed_at', 'source_changed_at', 'support_type', 'content_hash', 'raw',
  'classified', 'driver_key', 'rule_key', 'erased_by_source',
] as const;

export const STAGE_TABLE_COLUMNS = `
  native_id text, key text, url text, subject text, status text, priority text, channel text, type text,
  customer_account text, requester_ref text, group_ref text, product text, component text, service text,
  category text, subcategory text, tags text[], form_id text, custom_fields jsonb, csat text,
  sla_breached boolean, reopen_count integer, source_created_at timestamptz, source_updated_at timestamptz,
  resolved_at timestamptz, closed_at timestamptz, source_changed_at timestamptz, support_type text, content_hash text,
  raw jsonb, classified boolean, driver_key text, rule_key text, erased_by_source boolean,
  erase boolean NOT NULL DEFAULT false`;

export const CREATE_STAGE = `CREATE TEMP TABLE IF NOT EXISTS frontline_stage_tickets (${STAGE_TABLE_COLUMNS}) ON COMMIT DELETE ROWS`;

export const copyColumns = (columns: readonly string[]): string => columns.map((c) => `"${c}"`).join(', ');

export const COPY_STAGE = `COPY frontline_stage_tickets (${copyColumns(STAGE_COLUMNS)}) FROM STDIN`;

/** One staged ticket as COPY values, in STAGE_COLUMNS order (also used by the ingest benchmark). */
export function stageValues({ ticket: t, contentHash, raw, classification, changedAt, erasedBySource }: NormalisedTicket): CopyValue[] {
  return [
    t.nativeId, t.key, t.url, t.subject, t.status, t.priority, t.channel, t.type, t.customerAccount,
    t.requesterRef, t.group, t.product, t.component, t.service, t.category, t.subcategory, t.tags,
    t.formId, pgJsonText(t.customFields), t.csat, t.slaBreached, t.reopenCount, t.createdAt, t.updatedAt,
    t.resolvedAt, t.closedAt, changedAt, t.supportType, contentHash, raw === undefined ? null : pgJsonText(raw),
    classification !== undefined, classification?.driverKey ?? null, classification?.ruleKey ?? null, erasedBySource,
  ];
}

const versionOrder = (alias: string): string => `(${alias}.source_updated_at, coalesce(${alias}.source_changed_at, '-infinity'::timestamptz))`;

/**
 * Personal data is erased before it is stored: for tickets the source scrubbed, and for requesters
 * whose data was erased on request (erased_requesters). What stays is the tombstone: ids, times,
 * status, classification inputs that are not personal (tags, group, form), and the content hash of the
 * version as received — so a re-sync of the same version still writes nothing.
 * Returns the native ids marked.
 */
export const MARK_ERASURES = `UPDATE frontline_stage_tickets s
  SET erase = true, subject = NULL, raw = NULL, requester_ref = NULL, custom_fields = '{}'::jsonb
  WHERE s.erased_by_source OR (
    s.requester_ref IS NOT NULL
    -- Evaluated once per statement (an InitPlan): most connectors have no erased requester, and then
    -- no staged row is probed at all.
    AND (SELECT EXISTS (SELECT 1 FROM erased_requesters WHERE connector_id = $1::uuid))
    AND EXISTS (SELECT 1 FROM erased_requesters e WHERE e.connector_id = $1::uuid AND e.requester_ref = s.requester_ref))
  RETURNING s.native_id`;

/**
 * A ticket the source scrubbed keeps the driver it was counted under: its scrubbed content no longer
 * says what it was about, so the staged classification is replaced by the stored one (run only for
 * pages that hold a scrub, so the merge below stays as lean as a clean page needs).
 * Parameters: $1 organization, $2 connector, $3 taxonomy.
 */
export const KEEP_SCRUBBED_DRIVERS = `UPDATE frontline_stage_tickets s SET driver_key = c.driver_key, rule_key = c.rule_key
  FROM tickets t JOIN ticket_classifications c ON c.ticket_id = t.id AND c.taxonomy_id = $3::uuid
  WHERE s.erased_by_source AND s.classified AND t.organization_id = $1::uuid AND t.connector_id = $2::uuid AND t.native_id = s.native_id`;

/**
 * History: before a ticket is overwritten by a newer version, its current state is appended to
 * `ticket_versions` (sync_run_id = the run that superseded it). Versions + the current row are every
 * state ever observed, and a back-fill of new tickets writes no version rows at all.
 *
 * And a newer version with the same content (a ticket changed and changed back in one second, or a
 * change the canonical ticket does not see) moves the stored change time forward, and nothing else:
 * otherwise a page fetched before it, with the in-between content, would still count as newer and
 * undo it. No change_seq bump: nothing the series or classifications read has changed.
 */
export const SUPERSEDE = `WITH probe AS (
  SELECT x.id, x.content_hash AS stored_hash, s.content_hash AS staged_hash, s.source_changed_at AS staged_changed,
    ${versionOrder('x')} < ${versionOrder('s')} AS newer, ${versionOrder('x')} <= ${versionOrder('s')} AS not_older
  FROM frontline_stage_tickets s
  -- One unique-index probe per staged row, reading four columns. (A plain join lets the planner hash
  -- the connector's whole ticket set when its statistics are stale: every page would scan them all.)
  CROSS JOIN LATERAL (
    SELECT x.id, x.content_hash, x.source_updated_at, x.source_changed_at FROM tickets x
    WHERE x.organization_id = $1::uuid AND x.connector_id = $2::uuid AND x.native_id = s.native_id LIMIT 1
  ) x
), same_content AS (
  -- By primary key from an array (an InitPlan): a join could let the planner hash every ticket row.
  UPDATE tickets t SET source_changed_at = p.staged_changed
  FROM probe p
  WHERE t.id = ANY (ARRAY(SELECT q.id FROM probe q WHERE q.newer AND q.stored_hash = q.staged_hash)) AND p.id = t.id
)
INSERT INTO ticket_versions (ticket_id, source_updated_at, source_changed_at, content_hash, status, priority, snapshot, sync_run_id)
  SELECT t.id, t.source_updated_at, t.source_changed_at, t.content_hash, t.status, t.priority,
    to_jsonb(t) - 'raw' - 'organization_id' - 'connector_id' - 'change_seq', $3::bigint
  FROM tickets t
  WHERE t.id IN (SELECT p.id FROM probe p WHERE p.stored_hash IS DISTINCT FROM p.staged_hash AND p.not_older)
  ON CONFLICT DO NOTHING`;

const mergedColumns = STAGE_COLUMNS.slice(0, STAGE_COLUMNS.indexOf('support_type') + 1);

/**
 * Merge, classify at ingest, and move series contributions, in one statement. Parameters:
 * $1 organization, $2 connector, $3 normaliser version, $4 taxonomy (null: do not classify), $5/$6
 * driver keys ('' = unmatched) and their series ids.
 */
export const MERGE = `WITH merged AS (
  INSERT INTO tickets AS t (organization_id, connector_id, ${copyColumns(mergedColumns)},
    deleted_at, erased_at, content_hash, normaliser_version, raw, change_seq)
  SELECT $1::uuid, $2::uuid, s.native_id, s.key, s.url, s.subject, s.status::"TicketStatus",
    s.priority::"TicketPriority", s.channel, s.type, s.customer_account, s.requester_ref, s.group_ref,
    s.product, s.component, s.service, s.category, s.subcategory, s.tags, s.form_id, s.custom_fields,
    s.csat, s.sla_breached, s.reopen_count, s.source_created_at, s.source_updated_at, s.resolved_at,
    s.closed_at, s.source_changed_at, s.support_type,
    -- Deleted when the source's change time says so: Zendesk leaves updated_at where it was.
    CASE WHEN s.status = 'deleted' THEN coalesce(s.source_changed_at, s.source_updated_at) END,
    CASE WHEN s.erase THEN now() END, s.content_hash, $3::int, s.raw, nextval('tickets_change_seq_seq')
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
    source_changed_at = EXCLUDED.source_changed_at, support_type = EXCLUDED.support_type,
    deleted_at = CASE WHEN EXCLUDED.status = 'deleted' THEN COALESCE(t.deleted_at, EXCLUDED.deleted_at) END,
    erased_at = COALESCE(t.erased_at, EXCLUDED.erased_at),
    content_hash = EXCLUDED.content_hash, normaliser_version = EXCLUDED.normaliser_version,
    raw = EXCLUDED.raw, change_seq = EXCLUDED.change_seq, changed_at = now()
  WHERE t.content_hash IS DISTINCT FROM EXCLUDED.content_hash AND ${versionOrder('t')} <= ${versionOrder('EXCLUDED')}
  RETURNING t.id, t.native_id, t.change_seq, (xmax = 0) AS inserted
), staged AS (
  -- Classified at ingest: only tickets this page actually wrote (new or changed), with the hour they
  -- count in (none when deleted).
  SELECT m.id, m.inserted, s.driver_key, s.rule_key, s.content_hash,
    CASE WHEN s.status <> 'deleted' THEN date_bin('1 hour', s.source_created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') END AS bucket
  FROM merged m JOIN frontline_stage_tickets s ON s.native_id = m.native_id
  WHERE $4::uuid IS NOT NULL AND s.classified
), previous AS (
  -- What the tickets counted now were counted as before this statement (CTEs all read the
  -- pre-statement snapshot). Only the staged ones: a ticket this page wrote without classifying keeps
  -- its recorded contribution, and the derive stage moves it. Only updated tickets can have been
  -- counted; one primary-key probe each (a join lets the planner scan all classifications when
  -- statistics are stale).
  SELECT c.ticket_id, c.counted_driver, c.counted_bucket
  FROM staged st
  CROSS JOIN LATERAL (
    SELECT x.ticket_id, x.counted_driver, x.counted_bucket FROM ticket_classifications x
    WHERE x.ticket_id = st.id AND x.taxonomy_id = $4::uuid LIMIT 1
  ) c
  WHERE NOT st.inserted AND c.counted_bucket IS NOT NULL
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
  -- Each ticket's contribution moves exactly once: −1 where it was counted, +1 where it belongs now
  -- (the rule: src/domain/series/contribution.ts; the bucket is its contributionBucket).
  INSERT INTO series_points AS p (series_id, bucket_start, value, updated_at)
  SELECT k.series_id, net.bucket, net.n, now()
  FROM net JOIN unnest($5::text[], $6::bigint[]) AS k(driver, series_id) ON k.driver = coalesce(net.driver, '')
  ON CONFLICT (series_id, bucket_start) DO UPDATE SET value = p.value + EXCLUDED.value, updated_at = now()
  RETURNING p.series_id, p.bucket_start
), changes AS (
  -- One "series changed" fact per series this page moved.
  ${recordSeriesChangesFrom('points', '$1')}
)
SELECT count(*) FILTER (WHERE inserted)::int AS inserted,
       count(*) FILTER (WHERE NOT inserted)::int AS updated,
       max(change_seq)::text AS max_change_seq,
       coalesce(array_agg(native_id) FILTER (WHERE native_id = ANY($7::text[])), '{}') AS erased_written
FROM merged`;
