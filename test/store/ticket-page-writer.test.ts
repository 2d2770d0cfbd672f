import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CanonicalTicket } from '../../src/domain/ticket/canonical-ticket.ts';
import { ticketContentHash } from '../../src/domain/ticket/content-hash.ts';
import { beginRun, StreamBusyError } from '../../src/store/sync-run-repository.ts';
import { FencedOutError, writeTicketPage, type PageTarget, type PageWrite } from '../../src/store/ticket-page-writer.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

function ticket(id: number, overrides: Partial<CanonicalTicket> = {}): CanonicalTicket {
  return {
    nativeId: String(id), key: String(id), url: null, subject: `Ticket ${id}\twith a tab \\ and\nnewline`, status: 'open',
    priority: 'normal', channel: 'web', type: null, customerAccount: '42', requesterRef: '7', group: null, product: null,
    component: null, service: null, category: null, subcategory: null, tags: ['sso', 'quote"d'], formId: null,
    customFields: { '360000001001': 'SSO', '360000001001:value': 'cr_sso' }, csat: null, slaBreached: null, reopenCount: 0,
    createdAt: '2026-11-01T10:15:00.000Z', updatedAt: '2026-11-02T10:15:00.000Z', resolvedAt: null, closedAt: null, supportType: null,
    ...overrides,
  };
}

function page(tickets: CanonicalTicket[], cursor: string, quarantined: PageWrite['quarantined'] = []): PageWrite {
  return {
    tickets: tickets.map((t) => ({ ticket: t, contentHash: ticketContentHash(t), changedAt: null, erasedBySource: false, raw: { id: Number(t.nativeId), note: 'nul\u0000byte' } })),
    quarantined, cursor, sourceHighWaterMs: Date.parse('2026-11-02T10:15:00Z'), progressAtMs: null,
    fetched: tickets.length + quarantined.length, requests: 1, throttled: 0, waitedMs: 0,
  };
}

describe('the page transaction', () => {
  let db: TestDatabase;
  let target: PageTarget;
  let organizationId: string;
  let connectorId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const org = await db.prisma.organization.create({ data: { key: 'acme', name: 'Acme' } });
    const connector = await db.prisma.connector.create({
      data: { organizationId: org.id, key: 'zendesk-main', system: 'zendesk', name: 'Zendesk', baseUrl: 'https://acme.zendesk.com' },
    });
    organizationId = org.id;
    connectorId = connector.id;
  });
  afterAll(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    await db.pool.query('TRUNCATE tickets, ticket_versions, quarantined_records, sync_runs, sync_states CASCADE');
    const run = await beginRun(db.pool, { organizationId, connectorId, stream: 'tickets', mode: 'incremental', jobId: null, sinceAt: null, restartIfComplete: false });
    target = { organizationId, connectorId, stream: 'tickets', runId: run.runId, fencingToken: run.fencingToken, normaliserVersion: 1 };
  });

  const count = async (table: string): Promise<number> =>
    Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);

  it('stores tickets, their first version and the cursor together, and a replayed page writes nothing', async () => {
    const first = await writeTicketPage(db.pool, target, page([ticket(1), ticket(2), ticket(3)], 'c1'));
    expect(first).toMatchObject({ inserted: 3, updated: 0, unchanged: 0 });
    const stored = await db.pool.query('SELECT subject, tags, custom_fields, change_seq FROM tickets WHERE native_id = $1', ['1']);
    expect(stored.rows[0]).toMatchObject({ subject: 'Ticket 1\twith a tab \\ and\nnewline', tags: ['sso', 'quote"d'] });
    const seqBefore = await db.pool.query('SELECT max(change_seq)::text AS s FROM tickets');

    const replay = await writeTicketPage(db.pool, target, page([ticket(1), ticket(2), ticket(3)], 'c1'));
    expect(replay).toMatchObject({ inserted: 0, updated: 0, unchanged: 3, maxChangeSeq: null });
    expect(await count('tickets')).toBe(3);
    expect(await count('ticket_versions')).toBe(0);
    expect((await db.pool.query('SELECT max(change_seq)::text AS s FROM tickets')).rows[0]).toEqual(seqBefore.rows[0]);
    const state = await db.pool.query('SELECT cursor FROM sync_states WHERE connector_id = $1', [connectorId]);
    expect(state.rows[0]?.cursor).toBe('c1');
  });

  it('applies a newer version, keeps the superseded one as history, and never lets an older version win', async () => {
    await writeTicketPage(db.pool, target, page([ticket(1)], 'c1'));
    const newer = ticket(1, { status: 'resolved', updatedAt: '2026-11-03T09:00:00.000Z' });
    expect(await writeTicketPage(db.pool, target, page([newer], 'c2'))).toMatchObject({ updated: 1 });
    const older = ticket(1, { status: 'pending', updatedAt: '2026-11-02T12:00:00.000Z' });
    expect(await writeTicketPage(db.pool, target, page([older], 'c3'))).toMatchObject({ updated: 0, unchanged: 1 });
    const row = await db.pool.query('SELECT status FROM tickets WHERE native_id = $1', ['1']);
    expect(row.rows[0]?.status).toBe('resolved');
    const history = await db.pool.query("SELECT status, source_updated_at, snapshot->>'subject' AS subject FROM ticket_versions");
    expect(history.rows).toEqual([{ status: 'open', source_updated_at: new Date('2026-11-02T10:15:00.000Z'), subject: ticket(1).subject }]);
  });

  it('keeps a deleted ticket as a tombstone with its deletion time', async () => {
    await writeTicketPage(db.pool, target, page([ticket(5)], 'c1'));
    await writeTicketPage(db.pool, target, page([ticket(5, { status: 'deleted', updatedAt: '2026-11-04T00:00:00.000Z' })], 'c2'));
    const row = await db.pool.query('SELECT status, deleted_at FROM tickets WHERE native_id = $1', ['5']);
    expect(row.rows[0]?.status).toBe('deleted');
    expect((row.rows[0]?.deleted_at as Date).toISOString()).toBe('2026-11-04T00:00:00.000Z');
  });

  it('quarantines malformed records with their reason and still stores the rest of the page', async () => {
    const bad = [{ nativeId: '9', reason: 'created_at: Invalid ISO datetime', payload: { id: 9, created_at: 'not-a-date' } }];
    const outcome = await writeTicketPage(db.pool, target, page([ticket(8)], 'c1', bad));
    expect(outcome).toMatchObject({ inserted: 1, quarantined: 1 });
    const rows = await db.pool.query('SELECT native_id, reason FROM quarantined_records');
    expect(rows.rows).toEqual([{ native_id: '9', reason: 'created_at: Invalid ISO datetime' }]);
    await writeTicketPage(db.pool, target, page([], 'c2', bad));
    expect(await count('quarantined_records')).toBe(1);
  });

  it('refuses the page of a run that lost its stream, leaving tickets and cursor untouched', async () => {
    await writeTicketPage(db.pool, target, page([ticket(1)], 'c1'));
    const takeover = { organizationId, connectorId, stream: 'tickets', mode: 'incremental' as const, jobId: 'other', sinceAt: null, restartIfComplete: false };
    // While the first run is alive (recent heartbeat) nobody else may take the stream…
    await expect(beginRun(db.pool, takeover)).rejects.toBeInstanceOf(StreamBusyError);
    // …once its worker is presumed dead, a new run takes over and the old one is fenced out.
    const newer = await beginRun(db.pool, { ...takeover, staleAfterMs: 0 });
    expect(newer.abandonedRuns).toBe(1);
    await expect(writeTicketPage(db.pool, target, page([ticket(2)], 'c2'))).rejects.toBeInstanceOf(FencedOutError);
    expect(await count('tickets')).toBe(1);
    const state = await db.pool.query('SELECT cursor FROM sync_states WHERE connector_id = $1', [connectorId]);
    expect(state.rows[0]?.cursor).toBe('c1');
  });

  it('keeps only the newest copy of a ticket that appears twice in one page', async () => {
    const outcome = await writeTicketPage(db.pool, target, page([ticket(1), ticket(1, { status: 'pending', updatedAt: '2026-11-05T00:00:00.000Z' })], 'c1'));
    expect(outcome.inserted).toBe(1);
    const row = await db.pool.query('SELECT status FROM tickets');
    expect(row.rows).toEqual([{ status: 'pending' }]);
  });
});
