import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalTicket } from '../../src/domain/ticket/canonical-ticket.ts';
import { ticketContentHash } from '../../src/domain/ticket/content-hash.ts';
import type { Classifier } from '../../src/domain/driver/index.ts';
import { deriveAll, type DeriveTarget } from '../../src/store/derive-repository.ts';
import { beginRun } from '../../src/store/sync-run-repository.ts';
import { writeTicketPage, type PageTarget } from '../../src/store/ticket-page-writer.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const byTag: Classifier = (t) =>
  t.tags.includes('sso') ? { driverKey: 'configuration/sso', ruleKey: 'sso-tag' } : t.tags.includes('refund') ? { driverKey: 'billing/refund', ruleKey: 'refund-tag' } : null;

function ticket(id: number, createdAt: string, tags: string[], overrides: Partial<CanonicalTicket> = {}): CanonicalTicket {
  return {
    nativeId: String(id), key: null, url: null, subject: null, status: 'open', priority: null, channel: null, type: null,
    customerAccount: null, requesterRef: null, group: null, product: null, component: null, service: null, category: null,
    subcategory: null, tags, formId: null, customFields: {}, csat: null, slaBreached: null, reopenCount: 0,
    createdAt, updatedAt: createdAt, resolvedAt: null, closedAt: null, supportType: null, ...overrides,
  };
}

describe('derive: classification and hourly driver series', () => {
  let db: TestDatabase;
  let pageTarget: PageTarget;
  let deriveTarget: DeriveTarget;
  let cursor = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    const org = await db.prisma.organization.create({ data: { key: 'acme', name: 'Acme' } });
    const connector = await db.prisma.connector.create({
      data: { organizationId: org.id, key: 'zd', system: 'zendesk', name: 'Zendesk', baseUrl: 'https://acme.zendesk.com' },
    });
    const taxonomy = await db.prisma.driverTaxonomy.create({ data: { organizationId: org.id, version: 1, contentHash: 'h1', active: true } });
    const run = await beginRun(db.pool, { organizationId: org.id, connectorId: connector.id, stream: 'tickets', mode: 'incremental', jobId: null, sinceAt: null, restartIfComplete: false });
    pageTarget = { organizationId: org.id, connectorId: connector.id, stream: 'tickets', runId: run.runId, fencingToken: run.fencingToken, normaliserVersion: 1 };
    deriveTarget = { organizationId: org.id, connectorId: connector.id, connectorKey: 'zd', taxonomyId: taxonomy.id, batchSize: 2 };
  });
  afterAll(async () => {
    await db.drop();
  });

  const store = async (tickets: CanonicalTicket[]): Promise<void> => {
    cursor += 1;
    await writeTicketPage(db.pool, pageTarget, {
      tickets: tickets.map((t) => ({ ticket: t, contentHash: ticketContentHash(t), changedAt: null, erasedBySource: false, raw: null })),
      quarantined: [], cursor: `c${cursor}`, sourceHighWaterMs: null, progressAtMs: null, fetched: tickets.length, requests: 1, throttled: 0, waitedMs: 0,
    });
  };
  const points = async (): Promise<Record<string, number>> => {
    const rows = await db.pool.query<{ key: string; bucket_start: Date; value: number }>(
      'SELECT s.key, p.bucket_start, p.value FROM series_points p JOIN series s ON s.id = p.series_id ORDER BY 1, 2',
    );
    return Object.fromEntries(rows.rows.map((r) => [`${r.key}@${r.bucket_start.toISOString().slice(0, 13)}`, r.value]));
  };

  it('counts each driver (and the unmatched) per UTC hour of creation, across batches', async () => {
    await store([
      ticket(1, '2026-11-01T10:05:00.000Z', ['sso']),
      ticket(2, '2026-11-01T10:55:00.000Z', ['sso', 'vip']),
      ticket(3, '2026-11-01T11:00:00.000Z', ['refund']),
      ticket(4, '2026-11-01T10:30:00.000Z', ['vip']),
      ticket(5, '2026-11-01T23:59:59.000Z', ['sso']),
    ]);
    const result = await deriveAll(db.pool, deriveTarget, byTag);
    expect(result.processed).toBe(5);
    expect(await points()).toEqual({
      'driver_volume/zd/billing/refund@2026-11-01T11': 1,
      'driver_volume/zd/configuration/sso@2026-11-01T10': 2,
      'driver_volume/zd/configuration/sso@2026-11-01T23': 1,
      'unmatched_volume/zd@2026-11-01T10': 1,
    });
    const rules = await db.pool.query('SELECT rule_key, count(*)::int AS n FROM ticket_classifications GROUP BY 1 ORDER BY 1');
    expect(rules.rows).toEqual([{ rule_key: 'refund-tag', n: 1 }, { rule_key: 'sso-tag', n: 3 }, { rule_key: null, n: 1 }]);
  });

  it('writes nothing when nothing changed', async () => {
    const before = await db.pool.query('SELECT max(updated_at) AS u FROM series_points');
    const again = await deriveAll(db.pool, deriveTarget, byTag);
    expect(again).toEqual({ processed: 0, pointsWritten: 0, batches: 0 });
    await store([ticket(1, '2026-11-01T10:05:00.000Z', ['sso'])]); // replayed, identical
    expect(await deriveAll(db.pool, deriveTarget, byTag)).toEqual({ processed: 0, pointsWritten: 0, batches: 0 });
    expect((await db.pool.query('SELECT max(updated_at) AS u FROM series_points')).rows).toEqual(before.rows);
  });

  it('moves a re-tagged ticket to its new driver and drops a deleted one from the counts', async () => {
    await store([
      ticket(2, '2026-11-01T10:55:00.000Z', ['refund'], { updatedAt: '2026-11-02T00:00:00.000Z' }),
      ticket(3, '2026-11-01T11:00:00.000Z', ['refund'], { status: 'deleted', updatedAt: '2026-11-02T00:00:00.000Z' }),
    ]);
    const result = await deriveAll(db.pool, deriveTarget, byTag);
    expect(result.processed).toBe(2);
    expect(await points()).toEqual({
      'driver_volume/zd/billing/refund@2026-11-01T10': 1,
      'driver_volume/zd/billing/refund@2026-11-01T11': 0,
      'driver_volume/zd/configuration/sso@2026-11-01T10': 1,
      'driver_volume/zd/configuration/sso@2026-11-01T23': 1,
      'unmatched_volume/zd@2026-11-01T10': 1,
    });
  });

  it('rebuilds the series under a new taxonomy, re-classifying history', async () => {
    const org = await db.prisma.organization.findFirstOrThrow({ where: { key: 'acme' } });
    const v2 = await db.prisma.driverTaxonomy.create({ data: { organizationId: org.id, version: 2, contentHash: 'h2', active: true } });
    // v2 knows only refunds: SSO tickets become unmatched.
    const refundsOnly: Classifier = (t) => (t.tags.includes('refund') ? { driverKey: 'billing/refund', ruleKey: 'refund-v2' } : null);
    const result = await deriveAll(db.pool, { ...deriveTarget, taxonomyId: v2.id }, refundsOnly);
    expect(result.processed).toBe(5);
    expect(await points()).toEqual({
      'driver_volume/zd/billing/refund@2026-11-01T10': 1,
      'unmatched_volume/zd@2026-11-01T10': 2,
      'unmatched_volume/zd@2026-11-01T23': 1,
    });
    // …and switching back rebuilds them under v1 again.
    await deriveAll(db.pool, deriveTarget, byTag);
    expect(await points()).toEqual({
      'driver_volume/zd/billing/refund@2026-11-01T10': 1,
      'driver_volume/zd/configuration/sso@2026-11-01T10': 1,
      'driver_volume/zd/configuration/sso@2026-11-01T23': 1,
      'unmatched_volume/zd@2026-11-01T10': 1,
    });
  });
});
