import type pg from 'pg';
import { writeAuditRecord } from './audit-sql.ts';

/**
 * Silences (Alertmanager's sense): while one is active, spikes of the drivers it matches — a driver
 * key, or a family prefix ending in "/" — raise no intervention item. Each has a reason, an author
 * and an expiry; expiring one early is recorded too.
 */
export interface SilenceRow {
  id: string;
  driverPrefix: string;
  reason: string;
  author: string;
  startsAt: string;
  endsAt: string;
  expiredAt: string | null;
  active: boolean;
}

export async function activeSilence(client: pg.PoolClient, organizationId: string, driverKey: string | null, nowMs: number): Promise<string | null> {
  if (driverKey === null) return null;
  const rows = await client.query<{ id: string }>(
    `SELECT id FROM silences WHERE organization_id = $1 AND expired_at IS NULL AND starts_at <= $3 AND ends_at > $3
       AND (driver_prefix = $2 OR (right(driver_prefix, 1) = '/' AND starts_with($2, driver_prefix)))
     ORDER BY ends_at DESC LIMIT 1`,
    [organizationId, driverKey, new Date(nowMs).toISOString()],
  );
  return rows.rows[0]?.id ?? null;
}

export async function addSilence(
  client: pg.PoolClient, input: { organizationId: string; driverPrefix: string; reason: string; author: string; endsAtMs: number; nowMs: number },
): Promise<SilenceRow> {
  const rows = await client.query<{ id: string }>(
    `INSERT INTO silences (id, organization_id, driver_prefix, reason, author, starts_at, ends_at, created_at) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $5) RETURNING id`,
    [input.organizationId, input.driverPrefix, input.reason, input.author, new Date(input.nowMs).toISOString(), new Date(input.endsAtMs).toISOString()],
  );
  const id = rows.rows[0]?.id ?? '';
  await writeAuditRecord(client, {
    organizationId: input.organizationId, actor: input.author, action: 'silence.added', entityType: 'silence', entityId: id,
    after: { driverPrefix: input.driverPrefix, endsAt: new Date(input.endsAtMs).toISOString() }, reason: input.reason, atMs: input.nowMs,
  });
  const [row] = await listSilences(client, input.organizationId, input.nowMs, id);
  if (!row) throw new Error(`silence ${id} vanished`);
  return row;
}

export async function listSilences(client: pg.PoolClient | pg.Pool, organizationId: string, nowMs: number, id?: string): Promise<SilenceRow[]> {
  const rows = await client.query<{ id: string; driver_prefix: string; reason: string; author: string; starts_at: Date; ends_at: Date; expired_at: Date | null }>(
    `SELECT id, driver_prefix, reason, author, starts_at, ends_at, expired_at FROM silences WHERE organization_id = $1 AND ($2::uuid IS NULL OR id = $2)
     ORDER BY ends_at DESC, id`,
    [organizationId, id ?? null],
  );
  return rows.rows.map((r) => ({
    id: r.id, driverPrefix: r.driver_prefix, reason: r.reason, author: r.author, startsAt: r.starts_at.toISOString(), endsAt: r.ends_at.toISOString(),
    expiredAt: r.expired_at?.toISOString() ?? null, active: r.expired_at === null && r.starts_at.getTime() <= nowMs && r.ends_at.getTime() > nowMs,
  }));
}

/** Ends a silence now; false when there is no such active silence. */
export async function expireSilence(client: pg.PoolClient, organizationId: string, id: string, actor: string, reason: string | null, nowMs: number): Promise<boolean> {
  const rows = await client.query('UPDATE silences SET expired_at = $3 WHERE organization_id = $1 AND id = $2 AND expired_at IS NULL AND ends_at > $3 RETURNING id', [
    organizationId, id, new Date(nowMs).toISOString(),
  ]);
  if (rows.rowCount === 0) return false;
  await writeAuditRecord(client, { organizationId, actor, action: 'silence.expired', entityType: 'silence', entityId: id, reason, atMs: nowMs });
  return true;
}
