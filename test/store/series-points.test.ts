import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalTicket } from '../../src/domain/ticket/canonical-ticket.ts';
import { ticketContentHash } from '../../src/domain/ticket/content-hash.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { seriesPoints } from '../../src/store/series-points-repository.ts';
import { beginRun } from '../../src/store/sync-run-repository.ts';
import { writeTicketPage } from '../../src/store/ticket-page-writer.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { adminDatabaseUrl } from '../support/test-env.ts';

/**
 * Hour, day and week series against a recount of the tickets themselves, in zones whose midnight is
 * not on a UTC hour (and with DST), on a database whose own `timezone` is not UTC.
 */
const ZONES = ['Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Adelaide', 'America/St_Johns', 'Pacific/Chatham', 'Europe/Berlin', 'UTC'];
// 2026-03-08 St John's starts DST, 2026-03-29 Berlin, 2026-04-05 Adelaide and Chatham end it.
const FROM = Date.parse('2026-03-01T00:00:00Z');
const TO = Date.parse('2026-04-20T00:00:00Z');

function ticket(id: number, createdMs: number): CanonicalTicket {
  const at = new Date(createdMs).toISOString();
  return {
    nativeId: String(id), key: null, url: null, subject: null, status: 'open', priority: null, channel: null, type: null,
    customerAccount: null, requesterRef: null, group: null, product: null, component: null, service: null, category: null,
    subcategory: null, tags: [], formId: null, customFields: {}, csat: null, slaBreached: null, reopenCount: 0,
    createdAt: at, updatedAt: at, resolvedAt: null, closedAt: null, supportType: null,
  };
}

function localDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

function mondayOf(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

const tally = (keys: string[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
};

describe('series points by hour, local day and ISO week', () => {
  let testDb: TestDatabase;
  let db: Database;
  let seriesId: bigint;
  const created: number[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    // The database's own session zone is not UTC: nothing may depend on it.
    const admin = new pg.Client({ connectionString: adminDatabaseUrl });
    await admin.connect();
    await admin.query(`ALTER DATABASE "${testDb.name}" SET timezone TO 'Asia/Kolkata'`);
    await admin.end();
    db = openDatabase(testDb.url, { max: 2 });
    const org = await db.prisma.organization.create({ data: { key: 'acme', name: 'Acme' } });
    const connector = await db.prisma.connector.create({ data: { organizationId: org.id, key: 'zd', system: 'zendesk', name: 'Zendesk', baseUrl: 'https://x.zendesk.com' } });
    const taxonomy = await db.prisma.driverTaxonomy.create({ data: { organizationId: org.id, version: 1, contentHash: 'h', active: true } });
    const run = await beginRun(db.pool, { organizationId: org.id, connectorId: connector.id, stream: 'tickets', mode: 'incremental', jobId: null, sinceAt: null, restartIfComplete: false });
    // Seeded: tickets spread over the range, a third of them within 30 minutes of some zone's midnight.
    let seed = 7;
    const random = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const quarterHours = [0, 15, 30, 45];
    for (let i = 0; i < 3000; i++) {
      const ms = i % 3 === 0
        ? FROM + Math.floor(random() * 48) * 86_400_000 + Math.floor(random() * 24) * 3_600_000 + (quarterHours[Math.floor(random() * 4)] ?? 0) * 60_000 + Math.floor((random() - 0.5) * 120_000)
        : FROM + Math.floor(random() * (TO - FROM - 86_400_000));
      created.push(ms);
    }
    for (let start = 0; start < created.length; start += 500) {
      const tickets = created.slice(start, start + 500).map((ms, i) => {
        const t = ticket(start + i + 1, ms);
        return { ticket: t, contentHash: ticketContentHash(t), changedAt: null, erasedBySource: false, raw: null, classification: { driverKey: 'configuration/sso', ruleKey: 'r' } };
      });
      await writeTicketPage(db.pool, {
        organizationId: org.id, connectorId: connector.id, stream: 'tickets', runId: run.runId, fencingToken: run.fencingToken, normaliserVersion: 2,
        taxonomyId: taxonomy.id, driverKeys: ['configuration/sso'], connectorKey: 'zd',
      }, { tickets, quarantined: [], cursor: `c${start}`, sourceHighWaterMs: null, progressAtMs: null, fetched: tickets.length, requests: 1, throttled: 0, waitedMs: 0 });
    }
    const series = await db.prisma.series.findFirstOrThrow({ where: { key: 'driver_volume/zd/configuration/sso' } });
    seriesId = series.id;
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('counts UTC hours on a database whose session zone is Asia/Kolkata', async () => {
    const points = await seriesPoints(db.prisma, { seriesIds: [seriesId], from: new Date(FROM), to: new Date(TO), bucket: 'hour', timeZone: 'UTC' });
    const truth = tally(created.map((ms) => new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString()));
    expect(points).toHaveLength((TO - FROM) / 3_600_000);
    const got = Object.fromEntries(points.filter((p) => p.value !== 0).map((p) => [p.start.toISOString(), p.value]));
    expect(got).toEqual(truth);
  });

  for (const zone of ZONES) {
    it(`puts every ticket on its local day and ISO week in ${zone}`, async () => {
      // Whole local days only, so both sides cover the same tickets.
      const from = new Date('2026-03-02T12:00:00Z');
      const to = new Date('2026-04-18T12:00:00Z');
      const inside = created.filter((ms) => ms >= from.getTime() && ms < to.getTime());
      const days = await seriesPoints(db.prisma, { seriesIds: [seriesId], from, to, bucket: 'day', timeZone: zone });
      expect(Object.fromEntries(days.filter((p) => p.value !== 0).map((p) => [p.date, p.value]))).toEqual(tally(inside.map((ms) => localDate(ms, zone))));
      for (const day of days) expect(localDate(day.start.getTime(), zone)).toBe(day.date);
      const weeks = await seriesPoints(db.prisma, { seriesIds: [seriesId], from, to, bucket: 'week', timeZone: zone });
      expect(Object.fromEntries(weeks.filter((p) => p.value !== 0).map((p) => [p.date, p.value]))).toEqual(tally(inside.map((ms) => mondayOf(localDate(ms, zone)))));
      expect(weeks.reduce((sum, w) => sum + w.value, 0)).toBe(inside.length);
    });
  }
});
