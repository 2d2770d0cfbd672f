import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/connector-kit/random.ts';
import { HOUR_MS } from '../../src/domain/detect/detector-settings.ts';
import type { CanonicalTicket } from '../../src/domain/ticket/canonical-ticket.ts';
import { ticketContentHash } from '../../src/domain/ticket/content-hash.ts';
import { generateSeries } from '../../src/evaluation/synthetic-counts/ticket-like-series.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { detectOrganization, type DetectSummary } from '../../src/pipeline/detect/detect-organization.ts';
import { refreshKpiSeries } from '../../src/store/kpi-series-repository.ts';
import { openInterventions } from '../../src/store/measure-repository.ts';
import { beginRun, finishRun } from '../../src/store/sync-run-repository.ts';
import { writeTicketPage } from '../../src/store/ticket-page-writer.ts';
import { seedMeasurePackage } from '../http/http-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * KPI series feed the detect stage (README "KPIs") on real PostgreSQL, from tickets through the page
 * writer and the KPI stage: a KPI across drivers — enterprise tickets — raises its own spike and item
 * against its measure, naming its own tickets (the billing driver they rise in raises its own); a KPI that
 * reads one driver joins that driver's item instead of doubling it; and a KPI's series waits while a
 * connector it reads is syncing.
 */
const T0 = Date.parse('2026-01-05T00:00:00Z'); // a Monday
const HISTORY = 5 * 168;
const EPISODE = { from: HISTORY + 9, to: HISTORY + 9 + 30 };
const END = EPISODE.to + 2;
const SETTLE_MS = 10 * 60_000;

interface Stream {
  driver: 'billing/invoice' | 'configuration/sso';
  enterprise: boolean;
  values: number[];
}

describe('KPI spikes', () => {
  let db: TestDatabase;
  let organizationId: string;
  let connector: { id: string; organizationId: string; key: string };
  let taxonomyId: string;
  let nextId = 1;
  const logger = createLogger({ level: 'silent' });
  const random = mulberry32(7);
  // Billing invoices: 6 an hour, of which 1 from enterprise customers, whose tickets quintuple in the
  // episode; SSO tickets 4 an hour, tripling in the same hours.
  const streams: Stream[] = [
    { driver: 'billing/invoice', enterprise: false, values: generateSeries({ seed: 1, hours: END, meanPerHour: 5, dispersion: 1.3 }).values },
    { driver: 'billing/invoice', enterprise: true, values: generateSeries({ seed: 2, hours: END, meanPerHour: 1, dispersion: 1.1, episodes: [{ ...EPISODE, lift: 4 }] }).values },
    { driver: 'configuration/sso', enterprise: false, values: generateSeries({ seed: 3, hours: END, meanPerHour: 4, dispersion: 1.3, episodes: [{ ...EPISODE, lift: 2 }] }).values },
  ];

  function ticketsOf(fromHour: number, toHour: number) {
    const out: { ticket: CanonicalTicket; driver: string }[] = [];
    for (let h = fromHour; h < toHour; h++) {
      for (const s of streams) {
        for (let n = 0; n < (s.values[h] ?? 0); n++) {
          const id = nextId++;
          const created = new Date(T0 + h * HOUR_MS + Math.floor(random() * HOUR_MS)).toISOString();
          out.push({
            driver: s.driver,
            ticket: {
              nativeId: String(id), key: `T-${id}`, url: `https://acme.zendesk.com/agent/tickets/${id}`, subject: `ticket ${id}`, status: 'open', priority: 'normal', channel: null, type: null,
              customerAccount: s.enterprise ? `ent-${id % 17}` : `smb-${id % 400}`, requesterRef: null, group: null, product: null, component: null, service: null, category: null,
              subcategory: null, tags: s.enterprise ? ['enterprise'] : [], formId: null, customFields: {}, csat: null, slaBreached: null, reopenCount: 0, createdAt: created,
              updatedAt: new Date(T0 + toHour * HOUR_MS).toISOString(), resolvedAt: null, closedAt: null, supportType: null,
            },
          });
        }
      }
    }
    return out;
  }

  /** Tickets of [fromHour, toHour) synced in one run, then the KPI stage. */
  async function sync(fromHour: number, toHour: number): Promise<void> {
    const run = await beginRun(db.pool, { organizationId, connectorId: connector.id, stream: 'tickets', mode: 'incremental', jobId: null, sinceAt: null, restartIfComplete: false });
    const all = ticketsOf(fromHour, toHour);
    for (let at = 0; at < all.length; at += 1000) {
      const tickets = all.slice(at, at + 1000).map(({ ticket, driver }) => ({ ticket, contentHash: ticketContentHash(ticket), changedAt: null, erasedBySource: false, raw: null, classification: { driverKey: driver, ruleKey: 'r' } }));
      await writeTicketPage(db.pool, {
        organizationId, connectorId: connector.id, stream: 'tickets', runId: run.runId, fencingToken: run.fencingToken, normaliserVersion: 3, taxonomyId,
        driverKeys: ['billing/invoice', 'configuration/sso'], connectorKey: 'zd',
      }, { tickets, quarantined: [], cursor: `c${toHour}-${at}`, sourceHighWaterMs: null, progressAtMs: null, fetched: tickets.length, requests: 1, throttled: 0, waitedMs: 0 });
    }
    await finishRun(db.pool, { runId: run.runId, connectorId: connector.id, stream: 'tickets', fencingToken: run.fencingToken, status: 'succeeded', rateBudget: undefined });
    await refreshKpiSeries(db.pool, connector, new Date(T0 + toHour * HOUR_MS));
  }

  const detectAt = (hour: number): Promise<DetectSummary> => detectOrganization({ pool: db.pool, logger, now: () => T0 + (hour + 1) * HOUR_MS + SETTLE_MS }, organizationId);

  const items = async () =>
    (await db.pool.query<{ id: string; title: string; group_key: string; kpi: string | null; driver_key: string | null; evidence: any }>(
      'SELECT i.id, i.title, i.group_key, k.key AS kpi, i.driver_key, i.evidence FROM intervention_items i LEFT JOIN kpis k ON k.id = i.kpi_id ORDER BY i.created_at, i.id',
    )).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    const org = await db.prisma.organization.create({ data: { key: 'acme', name: 'Acme', timeZone: 'UTC' } });
    organizationId = org.id;
    const row = await db.prisma.connector.create({ data: { organizationId, key: 'zd', system: 'zendesk', name: 'Zendesk', baseUrl: 'https://acme.zendesk.com' } });
    connector = { id: row.id, organizationId, key: 'zd' };
    taxonomyId = (await db.prisma.driverTaxonomy.create({ data: { organizationId, version: 1, contentHash: 'h', active: true } })).id;
    const person = async (email: string) => (await db.prisma.person.create({ data: { organizationId, email, name: email } })).id;
    const [ana, pia, ben] = [await person('ana@acme.example'), await person('pia@acme.example'), await person('ben@acme.example')];
    await db.pool.query("UPDATE organizations SET routing = '{\"defaultOwner\":\"ben@acme.example\",\"defaultFunctions\":[\"operations\"]}' WHERE id = $1", [organizationId]);
    const { packageId } = await seedMeasurePackage(db.prisma, organizationId);
    const measure = (key: string) => db.prisma.measure.create({ data: { organizationId, packageId, key, title: key, ownerId: ana, sponsorId: pia, controllerId: ben } });
    const enterprise = await measure('m-enterprise-care');
    const sso = await measure('m-sso-self-service');
    await db.prisma.kpi.create({
      data: { organizationId, key: 'enterprise-tickets', name: 'Enterprise tickets', nodeLevel: 'measure', nodeId: enterprise.id, metric: 'volume', filters: { segments: ['enterprise'] }, bucket: 'day', timeZone: 'UTC', direction: 'down_is_good' },
    });
    await db.prisma.kpi.create({
      data: { organizationId, key: 'sso-volume', name: 'SSO tickets', nodeLevel: 'measure', nodeId: sso.id, metric: 'volume', filters: { drivers: ['configuration/sso'] }, bucket: 'week', timeZone: 'UTC', direction: 'down_is_good' },
    });
    // A median feeds nothing: it is a level, not a count of events.
    await db.prisma.kpi.create({
      data: { organizationId, key: 'resolution', name: 'Resolution time', nodeLevel: 'organization', nodeId: organizationId, metric: 'resolution_time', bucket: 'day', timeZone: 'UTC', direction: 'down_is_good' },
    });
    await sync(0, HISTORY);
    // First sight: every series warmed up over its history, nothing raised.
    const warmed = await detectAt(HISTORY - 1);
    expect(warmed).toMatchObject({ evaluated: 4, raised: 0 });
  }, 120_000);
  afterAll(async () => {
    await db.drop();
  });

  it('raises a KPI spike across drivers as its own item, against the KPI and its measure, with its own tickets as examples', async () => {
    for (let h = HISTORY; h < END; h++) {
      await sync(h, h + 1);
      await detectAt(h);
    }
    const kinds = await db.pool.query<{ key: string }>("SELECT s.key FROM spikes x JOIN series s ON s.id = x.series_id ORDER BY s.key");
    expect(kinds.rows.map((r) => r.key)).toContain('kpi_events/enterprise-tickets/v1');
    const mine = (await items()).filter((i) => i.kpi === 'enterprise-tickets');
    expect(mine).toHaveLength(1);
    const item = mine[0];
    expect(item?.group_key).toBe('kpi/enterprise-tickets');
    expect(item?.driver_key).toBeNull();
    expect(item?.title).toMatch(/^tickets \(KPI "Enterprise tickets"\) \+\d+ % since \w{3} \d+ \w{3}, \d\d:\d\d$/);
    expect(item?.evidence.threatens).toEqual({ measures: ['m-enterprise-care'], kpis: ['enterprise-tickets'] });
    const examples = item?.evidence.signals[0].exampleTickets as { key: string }[];
    expect(examples.length).toBe(5);
    const tags = await db.pool.query<{ tags: string[] }>('SELECT tags FROM tickets WHERE key = ANY($1::text[])', [examples.map((e) => e.key)]);
    expect(tags.rows.map((r) => r.tags)).toEqual(Array(5).fill(['enterprise']));
    expect(item?.evidence.signals[0].affectedCustomers).toBeGreaterThan(5);
    expect(item?.evidence.signals[0].affectedCustomers).toBeLessThanOrEqual(17);
    // The owner of a KPI spike with no driver to go by: the organization's default.
    const owner = await db.pool.query<{ email: string }>('SELECT p.email FROM intervention_items i JOIN people p ON p.id = i.owner_id WHERE i.id = $1', [item?.id]);
    expect(owner.rows).toEqual([{ email: 'ben@acme.example' }]);
  }, 240_000);

  it("joins a KPI reading one driver to that driver's item rather than doubling it", async () => {
    const configuration = (await items()).filter((i) => i.group_key === 'family/configuration');
    expect(configuration).toHaveLength(1);
    // The driver's signal first (its words title the item), the KPI's joined; the customers once.
    const signals = configuration[0]?.evidence.signals as { seriesKey: string; kpi: string | null; affectedCustomers: number }[];
    expect(signals.map((s) => [s.seriesKey, s.kpi])).toEqual([['driver_volume/zd/configuration/sso', null], ['kpi_events/sso-volume/v1', 'sso-volume']]);
    expect(configuration[0]?.title).toMatch(/^configuration\/sso tickets \+\d+ % since/);
    const client = await db.pool.connect();
    try {
      const open = (await openInterventions(client, organizationId)).find((i) => i.id === configuration[0]?.id);
      expect(open?.affectedCustomers).toBe(Math.max(...signals.map((s) => s.affectedCustomers)));
    } finally {
      client.release();
    }
    expect(configuration[0]?.evidence.threatens).toEqual({ measures: ['m-sso-self-service'], kpis: ['sso-volume'] });
    expect((await items()).filter((i) => i.kpi === 'sso-volume')).toHaveLength(0);
    // The median's KPI has no event series.
    const series = await db.pool.query<{ key: string }>("SELECT key FROM series WHERE kind = 'kpi_events' ORDER BY key");
    expect(series.rows.map((r) => r.key)).toEqual(['kpi_events/enterprise-tickets/v1', 'kpi_events/sso-volume/v1']);
  });

  it('holds a KPI series back while a connector it reads syncs, and evaluates it after', async () => {
    const run = await beginRun(db.pool, { organizationId, connectorId: connector.id, stream: 'tickets', mode: 'incremental', jobId: null, sinceAt: null, restartIfComplete: false });
    await db.pool.query("INSERT INTO series_changes (organization_id, series_id, buckets) SELECT $1, id, ARRAY[$2::timestamptz] FROM series WHERE kind = 'kpi_events'", [organizationId, new Date(T0 + END * HOUR_MS)]);
    expect((await detectAt(END + 1)).deferred).toBe(4);
    await finishRun(db.pool, { runId: run.runId, connectorId: connector.id, stream: 'tickets', fencingToken: run.fencingToken, status: 'succeeded', rateBudget: undefined });
    const after = await detectAt(END + 1);
    expect(after.deferred).toBe(0);
    expect(after.evaluated).toBeGreaterThanOrEqual(2);
  });
});
