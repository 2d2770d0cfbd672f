import type pg from 'pg';

/** One audit record: who, when, what changed and why (table audit_log, append-only). */
export interface AuditRecord {
  organizationId: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  atMs: number;
}

export async function writeAuditRecord(client: pg.PoolClient, r: AuditRecord): Promise<void> {
  await client.query(
    `INSERT INTO audit_log (organization_id, actor, action, entity_type, entity_id, before, after, reason, at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9)`,
    [
      r.organizationId, r.actor, r.action, r.entityType, r.entityId, r.before === undefined ? null : JSON.stringify(r.before),
      r.after === undefined ? null : JSON.stringify(r.after), r.reason ?? null, new Date(r.atMs).toISOString(),
    ],
  );
}
