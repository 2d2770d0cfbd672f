import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CanonicalTicket } from '../../src/domain/ticket/canonical-ticket.ts';
import { ticketContentHash } from '../../src/domain/ticket/content-hash.ts';
import type { NormalisedTicket } from '../../src/domain/ticket/ticket-page.ts';
import { beginRun, StreamBusyError } from '../../src/store/sync-run-repository.ts';
import { eraseRequester } from '../../src/store/ticket-erasure.ts';
import { writeTicketPage, type PageTarget, type PageWrite } from '../../src/store/ticket-page-writer.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * Regressions of the page transaction found on real Zendesk exports (issue "spine hardening"): poison
 * records, same-second version ties, deletion and scrub times, and erasure of personal data.
 */
function ticket(id: number, overrides: Partial<CanonicalTicket> = {}): CanonicalTicket {
  return {
    nativeId: String(id), key: String(id), url: null, subject: `Ticket ${id}`, status: 'open', priority: 'normal', channel: 'web',
    type: null, customerAccount: '42', requesterRef: `r${id}`, group: null, product: null, component: null, service: null,
    category: null, subcategory: null, tags: ['sso'], formId: null, customFields: { '360000001001': 'SSO' }, csat: null,
    slaBreached: null, reopenCount: 0, createdAt: '2026-11-01T10:15:00.000Z', updatedAt: '2026-11-02T10:15:00.000Z',
    resolvedAt: null, closedAt: null, supportType: null, ...overrides,
  };
}

interface Version {
  ticket: CanonicalTicket;
  changedAt?: string | null;
  raw?: unknown;
  erasedBySource?: boolean;
  driverKey?: string | null;
}

const staged = (v: Version): NormalisedTicket => ({
  ticket: v.ticket,
  contentHash: ticketContentHash(v.ticket),
  changedAt: v.changedAt ?? null,
  erasedBySource: v.erasedBySource ?? false,
  raw: v.raw === undefined ? { id: Number(v.ticket.nativeId), subject: v.ticket.subject } : v.raw,
  ...(v.driverKey === undefined ? {} : { classification: v.driverKey === null ? null : { driverKey: v.driverKey, ruleKey: `${v.driverKey}-rule` } }),
});

const page = (versions: Version[], cursor: string): PageWrite => ({
  tickets: versions.map(staged), quarantined: [], cursor, sourceHighWaterMs: null, progressAtMs: null,
  fetched: versions.length, requests: 1, throttled: 0, waitedMs: 0,
});

describe('the page transaction on hostile and tied input', () => {
  let db: TestDatabase;
  let organizationId: string;
  let connectorId: string;
  let taxonomyId: string;
  let pages = 0;

  const run = async (stream: string, jobId: string | null = null): Promise<PageTarget> => {
    const started = await beginRun(db.pool, { organizationId, connectorId, stream, mode: 'incremental', jobId, sinceAt: null, restartIfComplete: false });
    return {
      organizationId, connectorId, stream, runId: started.runId, fencingToken: started.fencingToken, normaliserVersion: 2,
      taxonomyId, driverKeys: ['configuration/sso', 'billing/refund'], connectorKey: 'zendesk-main',
    };
  };
  const write = (target: PageTarget, versions: Version[]) => writeTicketPage(db.pool, target, page(versions, `c${++pages}`));
  const stored = async (nativeId: string) =>
    (await db.pool.query('SELECT * FROM tickets WHERE connector_id = $1 AND native_id = $2', [connectorId, nativeId])).rows[0] as Record<string, unknown> | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    const org = await db.prisma.organization.create({ data: { key: 'acme', name: 'Acme' } });
    const connector = await db.prisma.connector.create({
      data: { organizationId: org.id, key: 'zendesk-main', system: 'zendesk', name: 'Zendesk', baseUrl: 'https://acme.zendesk.com' },
    });
    const taxonomy = await db.prisma.driverTaxonomy.create({ data: { organizationId: org.id, version: 1, contentHash: 'h1', active: true } });
    organizationId = org.id;
    connectorId = connector.id;
    taxonomyId = taxonomy.id;
  });
  afterAll(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    await db.pool.query('TRUNCATE tickets, ticket_versions, ticket_classifications, quarantined_records, sync_runs, sync_states, series, series_points, derive_states, erased_requesters CASCADE');
  });

  it('lets a second run without a job id (two CLI syncs) wait instead of taking the live run\'s stream', async () => {
    await run('tickets');
    await expect(run('tickets')).rejects.toBeInstanceOf(StreamBusyError);
    // A queue job may still take over its own earlier attempt.
    await run('tickets:backfill', 'job-1');
    await expect(run('tickets:backfill', 'job-1')).resolves.toMatchObject({ stream: 'tickets:backfill' });
    await expect(run('tickets:backfill', 'job-2')).rejects.toBeInstanceOf(StreamBusyError);
  });

  describe('poison records never stop a stream', () => {
    it('stores text with NUL characters (stripped) and a literal \\u0000 escape (kept as text), and moves the cursor', async () => {
      const target = await run('tickets');
      const withNul = ticket(1, { subject: 'Printer\u0000 broken', tags: ['sso\u0000'], customFields: { note: 'a\u0000b' } });
      const literal = ticket(2, { subject: 'see \\u0000' });
      const outcome = await write(target, [
        { ticket: withNul, raw: { id: 1, description: 'nul \u0000 inside', 'key\u0000': true } },
        { ticket: literal, raw: { id: 2, description: 'the escape \\u0000' } },
      ]);
      expect(outcome).toMatchObject({ inserted: 2, quarantined: 0 });
      expect(await stored('1')).toMatchObject({ subject: 'Printer broken', tags: ['sso'], custom_fields: { note: 'ab' }, raw: { id: 1, description: 'nul  inside', key: true } });
      expect(await stored('2')).toMatchObject({ subject: 'see \\u0000', raw: { id: 2, description: 'the escape \\u0000' } });
      const state = await db.pool.query('SELECT cursor FROM sync_states WHERE connector_id = $1', [connectorId]);
      expect(state.rows[0]?.cursor).toBe(`c${pages}`);
    });

    it('stores a payload with a lone surrogate (an emoji cut in half) instead of failing the page', async () => {
      const target = await run('tickets');
      const outcome = await write(target, [{ ticket: ticket(3, { subject: 'cut \ud83d' }), raw: { id: 3, subject: 'cut \ud83d' } }]);
      expect(outcome).toMatchObject({ inserted: 1, quarantined: 0 });
      expect(await stored('3')).toMatchObject({ subject: 'cut \ufffd', raw: { subject: 'cut \ufffd' } });
    });

    it('quarantines a record PostgreSQL refuses with its reason, and commits the rest of the page and the cursor', async () => {
      const target = await run('tickets');
      const versions: Version[] = Array.from({ length: 9 }, (_, i) => ({ ticket: ticket(10 + i), driverKey: 'configuration/sso' }));
      // Year 0 passes ISO-8601 validation, but PostgreSQL has no year 0.
      versions.splice(4, 0, { ticket: ticket(99, { createdAt: '0000-01-01T00:00:00.000Z' }), raw: { id: 99, created_at: '0000-01-01T00:00:00Z' }, driverKey: 'configuration/sso' });
      const outcome = await write(target, versions);
      expect(outcome).toMatchObject({ inserted: 9, quarantined: 1 });
      const quarantined = await db.pool.query('SELECT native_id, reason, payload FROM quarantined_records');
      expect(quarantined.rows).toHaveLength(1);
      expect(quarantined.rows[0]).toMatchObject({ native_id: '99', payload: { id: 99, created_at: '0000-01-01T00:00:00Z' } });
      expect(quarantined.rows[0]?.reason).toMatch(/^PostgreSQL refused the record: date\/time field value out of range.*\(SQLSTATE 22008\)$/);
      const ids = await db.pool.query<{ native_id: string }>('SELECT native_id FROM tickets ORDER BY native_id::int');
      expect(ids.rows.map((r) => r.native_id)).toEqual(['10', '11', '12', '13', '14', '15', '16', '17', '18']);
      const state = await db.pool.query('SELECT cursor FROM sync_states WHERE connector_id = $1', [connectorId]);
      expect(state.rows[0]?.cursor).toBe(`c${pages}`);
      // Counted once each: the series of the committed part are exact.
      const counted = await db.pool.query<{ n: number }>('SELECT sum(value)::int AS n FROM series_points');
      expect(counted.rows[0]?.n).toBe(9);
    });
  });

  describe('versions land in order', () => {
    const u = '2026-11-02T10:15:00.000Z';
    const older = { ticket: ticket(1, { status: 'pending', updatedAt: u }), changedAt: '2026-11-02T10:15:00.000Z' };
    const newer = { ticket: ticket(1, { status: 'open', priority: 'high', updatedAt: u }), changedAt: '2026-11-02T10:15:07.000Z' };

    it('never lets an earlier version with the same updated_at overwrite a later one (back-fill after incremental)', async () => {
      const incremental = await run('tickets');
      const backfill = await run('tickets:backfill');
      await write(incremental, [newer]);
      expect(await write(backfill, [older])).toMatchObject({ updated: 0, unchanged: 1 });
      expect(await stored('1')).toMatchObject({ status: 'open', priority: 'high' });
      expect((await stored('1'))?.['source_changed_at']).toEqual(new Date(newer.changedAt));
    });

    it('applies the later version when it arrives second, and keeps the earlier one as history', async () => {
      const target = await run('tickets');
      await write(target, [older]);
      expect(await write(target, [newer])).toMatchObject({ updated: 1 });
      expect(await stored('1')).toMatchObject({ status: 'open', priority: 'high' });
      const history = await db.pool.query('SELECT status, source_changed_at FROM ticket_versions');
      expect(history.rows).toEqual([{ status: 'pending', source_changed_at: new Date(older.changedAt) }]);
    });

    it('keeps the later of two tied versions in one page whatever their order', async () => {
      const target = await run('tickets');
      await write(target, [newer, older]);
      expect(await stored('1')).toMatchObject({ status: 'open', priority: 'high' });
    });

    it('dates a deletion by its change time: Zendesk does not move updated_at when it deletes', async () => {
      const target = await run('tickets');
      await write(target, [{ ticket: ticket(5), changedAt: '2026-11-02T10:15:00.000Z' }]);
      await write(target, [{ ticket: ticket(5, { status: 'deleted' }), changedAt: '2026-11-20T08:00:00.000Z' }]);
      const row = await stored('5');
      expect(row).toMatchObject({ status: 'deleted', source_updated_at: new Date('2026-11-02T10:15:00.000Z') });
      expect(row?.['deleted_at']).toEqual(new Date('2026-11-20T08:00:00.000Z'));
    });
  });

  describe('erasure of personal data', () => {
    const deleted = { ticket: ticket(7, { status: 'deleted' }), changedAt: '2026-11-10T00:00:00.000Z', driverKey: 'configuration/sso' };
    const scrub = {
      ticket: ticket(7, { status: 'deleted', subject: 'SCRUBBED', tags: [], customFields: {} }), changedAt: '2026-12-10T00:00:00.000Z',
      raw: { id: 7, subject: 'SCRUBBED', description: 'X' }, erasedBySource: true, driverKey: null,
    };

    it('erases a scrubbed tombstone and its kept versions, keeps its driver and deletion time, audits it once', async () => {
      const target = await run('tickets');
      await write(target, [{ ticket: ticket(7), changedAt: '2026-11-02T10:15:00.000Z', driverKey: 'configuration/sso' }]);
      await write(target, [deleted]);
      await write(target, [scrub]);
      const row = await stored('7');
      expect(row).toMatchObject({ status: 'deleted', subject: null, raw: null, requester_ref: null, custom_fields: {} });
      expect(row?.['deleted_at']).toEqual(new Date('2026-11-10T00:00:00.000Z'));
      expect(row?.['erased_at']).toBeInstanceOf(Date);
      const versions = await db.pool.query("SELECT snapshot->>'subject' AS subject, snapshot->>'requester_ref' AS requester, snapshot->'custom_fields' AS fields FROM ticket_versions");
      expect(versions.rows).toHaveLength(2);
      for (const v of versions.rows) expect(v).toEqual({ subject: null, requester: null, fields: {} });
      const classification = await db.pool.query('SELECT driver_key, counted_bucket FROM ticket_classifications');
      expect(classification.rows).toEqual([{ driver_key: 'configuration/sso', counted_bucket: null }]);
      const audit = await db.pool.query("SELECT action, entity_type, reason FROM audit_log WHERE action = 'ticket.personal_data_erased'");
      expect(audit.rows).toEqual([{ action: 'ticket.personal_data_erased', entity_type: 'ticket', reason: 'the source scrubbed the deleted ticket' }]);
      // A replay of the scrub writes nothing and audits nothing more.
      expect(await write(target, [scrub])).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
      expect((await db.pool.query("SELECT count(*)::int AS n FROM audit_log WHERE action = 'ticket.personal_data_erased'")).rows[0]?.n).toBe(1);
    });

    it("erases one requester's tickets on request, keeps them counted, and erases their later versions at ingest", async () => {
      const target = await run('tickets');
      await write(target, [
        { ticket: ticket(20, { requesterRef: 'alice' }), driverKey: 'configuration/sso' },
        { ticket: ticket(21, { requesterRef: 'bob' }), driverKey: 'configuration/sso' },
      ]);
      await write(target, [{ ticket: ticket(20, { requesterRef: 'alice', status: 'pending', updatedAt: '2026-11-03T00:00:00.000Z' }), driverKey: 'configuration/sso' }]);
      const result = await eraseRequester(db.pool, { organizationId, connectorId, connectorKey: 'zendesk-main', requesterRef: 'alice', actor: 'test', reason: 'GDPR request 17' });
      expect(result).toEqual({ tickets: 1, versions: 1, quarantined: 0, newlyListed: true });
      expect(await stored('20')).toMatchObject({ subject: null, raw: null, requester_ref: null, custom_fields: {}, status: 'pending' });
      expect(await stored('21')).toMatchObject({ subject: 'Ticket 21', requester_ref: 'bob' });
      const versions = await db.pool.query("SELECT snapshot->>'subject' AS subject FROM ticket_versions");
      expect(versions.rows).toEqual([{ subject: null }]);
      // A later change of the ticket arrives with the requester's data again: it is erased before it is stored.
      await write(target, [{ ticket: ticket(20, { requesterRef: 'alice', status: 'resolved', updatedAt: '2026-11-04T00:00:00.000Z' }), driverKey: 'configuration/sso' }]);
      expect(await stored('20')).toMatchObject({ subject: null, raw: null, requester_ref: null, status: 'resolved' });
      const allVersions = await db.pool.query("SELECT count(*)::int AS n FROM ticket_versions WHERE snapshot->>'subject' IS NOT NULL AND snapshot->>'requester_ref' IS NULL");
      expect(allVersions.rows[0]?.n).toBe(0);
      // Still counted: erasure removes personal data, not the ticket from the series.
      const counted = await db.pool.query<{ n: number }>('SELECT sum(value)::int AS n FROM series_points');
      expect(counted.rows[0]?.n).toBe(2);
      // One audit record for the request; erasing the later version of an erased ticket is not a new erasure.
      const audit = await db.pool.query<{ action: string; entity_id: string }>(
        "SELECT action, entity_id FROM audit_log WHERE action = 'requester.personal_data_erased' OR after->>'nativeId' IN ('20', '21') ORDER BY id",
      );
      expect(audit.rows).toEqual([{ action: 'requester.personal_data_erased', entity_id: 'zendesk-main/alice' }]);
    });
  });
});
