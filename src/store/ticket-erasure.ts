import type pg from 'pg';
import { lockConnectorSeries } from './connector-series.ts';
import { inTransaction } from './transaction.ts';

/**
 * Erasing personal data (README "Personal data"). A ticket keeps its tombstone — ids, times, status,
 * the driver it was counted under and its place in the series — and loses what identifies a person:
 * subject, raw payload, requester and custom field values, in the current row and in every kept
 * version; quarantined copies of it lose their payload. Every erasure is an audit record.
 *
 * Two ways in: the source erased the ticket (a Zendesk scrub, seen by the page transaction), or an
 * operator erases one requester on request (`frontline privacy erase-requester`), which also puts
 * the requester on `erased_requesters` so later syncs erase their tickets before storing them.
 */
const ERASED_SNAPSHOT = `'{"subject": null, "requester_ref": null, "custom_fields": {}}'::jsonb`;

export interface ErasureTarget {
  organizationId: string;
  connectorId: string;
  connectorKey: string;
}

export interface ErasedTicket {
  nativeId: string;
  /** Why: the source scrubbed it, or its requester is on the erasure list. */
  reason: 'source' | 'requester';
}

/**
 * Inside the page transaction, after the merge: clears kept versions and quarantined payloads of the
 * tickets this page stored erased, and records an audit entry for each ticket erased for the first time.
 */
export async function eraseTicketHistory(client: pg.PoolClient, target: ErasureTarget, erased: readonly ErasedTicket[], firstTime: ReadonlySet<string>): Promise<void> {
  if (erased.length === 0) return;
  const ids = erased.map((e) => e.nativeId);
  await client.query(
    `WITH erased AS (
       SELECT t.id FROM tickets t WHERE t.organization_id = $1::uuid AND t.connector_id = $2::uuid AND t.native_id = ANY($3::text[])
     ), versions AS (
       UPDATE ticket_versions v SET snapshot = v.snapshot || ${ERASED_SNAPSHOT}
       FROM erased e WHERE v.ticket_id = e.id AND NOT (v.snapshot @> ${ERASED_SNAPSHOT})
       RETURNING v.id
     )
     UPDATE quarantined_records q SET payload = '{"erased": true}'::jsonb
     WHERE q.connector_id = $2::uuid AND q.native_id = ANY($3::text[]) AND q.payload <> '{"erased": true}'::jsonb`,
    [target.organizationId, target.connectorId, ids],
  );
  const audited = erased.filter((e) => firstTime.has(e.nativeId));
  if (audited.length === 0) return;
  await client.query(
    `INSERT INTO audit_log (organization_id, actor, action, entity_type, entity_id, after, reason)
     SELECT $1::uuid, $2, 'ticket.personal_data_erased', 'ticket', t.id::text,
       jsonb_build_object('connector', $2::text, 'nativeId', t.native_id), x.reason
     FROM unnest($4::text[], $5::text[]) AS x(native_id, reason)
     JOIN tickets t ON t.organization_id = $1::uuid AND t.connector_id = $3::uuid AND t.native_id = x.native_id`,
    [
      target.organizationId, target.connectorKey, target.connectorId, audited.map((e) => e.nativeId),
      audited.map((e) => (e.reason === 'source' ? 'the source scrubbed the deleted ticket' : "the requester's data was erased on request")),
    ],
  );
}

/** Which of these tickets are already erased (before the page writes them). */
export async function alreadyErased(client: pg.PoolClient, target: ErasureTarget, nativeIds: readonly string[]): Promise<Set<string>> {
  if (nativeIds.length === 0) return new Set();
  const rows = await client.query<{ native_id: string }>(
    'SELECT native_id FROM tickets WHERE organization_id = $1::uuid AND connector_id = $2::uuid AND native_id = ANY($3::text[]) AND erased_at IS NOT NULL',
    [target.organizationId, target.connectorId, nativeIds],
  );
  return new Set(rows.rows.map((r) => r.native_id));
}

export interface RequesterErasure extends ErasureTarget {
  requesterRef: string;
  actor: string;
  reason?: string;
}

export interface RequesterErasureResult {
  tickets: number;
  versions: number;
  quarantined: number;
  /** False when the requester was already on the erasure list (the run erased what arrived since). */
  newlyListed: boolean;
}

/**
 * Erases one requester's data on request, in one transaction serialised with the connector's page
 * transactions (so no page can store their data in between). Idempotent.
 */
export async function eraseRequester(pool: pg.Pool, erasure: RequesterErasure): Promise<RequesterErasureResult> {
  return inTransaction(pool, async (client) => {
    await lockConnectorSeries(client, erasure.connectorId);
    const listed = await client.query(
      `INSERT INTO erased_requesters (connector_id, requester_ref, organization_id, actor, reason) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [erasure.connectorId, erasure.requesterRef, erasure.organizationId, erasure.actor, erasure.reason ?? null],
    );
    const tickets = await client.query<{ id: string; native_id: string }>(
      `UPDATE tickets SET subject = NULL, raw = NULL, requester_ref = NULL, custom_fields = '{}'::jsonb, erased_at = coalesce(erased_at, now())
       WHERE organization_id = $1::uuid AND connector_id = $2::uuid AND requester_ref = $3
       RETURNING id::text, native_id`,
      [erasure.organizationId, erasure.connectorId, erasure.requesterRef],
    );
    const ids = tickets.rows.map((r) => r.id);
    const nativeIds = tickets.rows.map((r) => r.native_id);
    const versions = await client.query(
      `UPDATE ticket_versions v SET snapshot = v.snapshot || ${ERASED_SNAPSHOT}
       WHERE (v.ticket_id = ANY($1::bigint[]) OR v.snapshot->>'requester_ref' = $3)
         AND v.ticket_id IN (SELECT id FROM tickets WHERE connector_id = $2::uuid)
         AND NOT (v.snapshot @> ${ERASED_SNAPSHOT})`,
      [ids, erasure.connectorId, erasure.requesterRef],
    );
    const quarantined = await client.query(
      `UPDATE quarantined_records SET payload = '{"erased": true}'::jsonb
       WHERE connector_id = $1::uuid AND native_id = ANY($2::text[]) AND payload <> '{"erased": true}'::jsonb`,
      [erasure.connectorId, nativeIds],
    );
    const result: RequesterErasureResult = {
      tickets: ids.length, versions: versions.rowCount ?? 0, quarantined: quarantined.rowCount ?? 0, newlyListed: (listed.rowCount ?? 0) > 0,
    };
    await client.query(
      `INSERT INTO audit_log (organization_id, actor, action, entity_type, entity_id, after, reason)
       VALUES ($1::uuid, $2, 'requester.personal_data_erased', 'requester', $3, $4::jsonb, $5)`,
      [erasure.organizationId, erasure.actor, `${erasure.connectorKey}/${erasure.requesterRef}`, JSON.stringify(result), erasure.reason ?? 'erasure request'],
    );
    return result;
  });
}
