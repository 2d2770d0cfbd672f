import type pg from 'pg';
import { type InterventionAction, type InterventionStatus, transition } from '../domain/intervention/lifecycle.ts';
import { writeAuditRecord } from './audit-sql.ts';

/**
 * A person's (or the detect stage's) transition of one item, checked by the lifecycle and recorded
 * with who, when and why — in one transaction, the row locked, so two people acknowledging at once
 * see one succeed and the other told it is already acknowledged.
 */
export type TransitionOutcome =
  | { ok: true; id: string; from: InterventionStatus; to: InterventionStatus }
  | { ok: false; code: 'NOT_FOUND'; message: string }
  | { ok: false; code: 'INVALID_TRANSITION'; message: string; status: InterventionStatus; allowed: string[] };

const STAMP: Partial<Record<InterventionStatus, string>> = {
  acknowledged: 'acknowledged_at', in_progress: 'started_at', resolved: 'resolved_at', effect_verified: 'verified_at', reopened: 'reopened_at',
};

export async function transitionIntervention(
  client: pg.PoolClient, input: { organizationId: string; id: string; action: InterventionAction; actor: string; reason: string | null; nowMs: number },
): Promise<TransitionOutcome> {
  const rows = await client.query<{ status: InterventionStatus }>('SELECT status::text AS status FROM intervention_items WHERE organization_id = $1 AND id = $2 FOR UPDATE', [
    input.organizationId, input.id,
  ]);
  const row = rows.rows[0];
  if (!row) return { ok: false, code: 'NOT_FOUND', message: `no intervention item ${input.id} in this organization` };
  const result = transition(row.status, input.action);
  if (!result.ok) return { ok: false, code: 'INVALID_TRANSITION', message: result.message, status: row.status, allowed: result.allowed };
  const stamp = STAMP[result.to];
  const at = new Date(input.nowMs).toISOString();
  await client.query(
    `UPDATE intervention_items SET status = $3::"InterventionStatus", updated_at = $4${stamp ? `, ${stamp} = $4` : ''} WHERE organization_id = $1 AND id = $2`,
    [input.organizationId, input.id, result.to, at],
  );
  await writeAuditRecord(client, {
    organizationId: input.organizationId, actor: input.actor, action: `intervention.${input.action}`, entityType: 'intervention', entityId: input.id,
    before: { status: result.from }, after: { status: result.to }, reason: input.reason, atMs: input.nowMs,
  });
  return { ok: true, id: input.id, from: result.from, to: result.to };
}
