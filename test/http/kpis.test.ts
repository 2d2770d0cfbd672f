import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalTicket } from '../../src/domain/ticket/canonical-ticket.ts';
import { ticketContentHash } from '../../src/domain/ticket/content-hash.ts';
import { createApiToken } from '../../src/store/api-token-repository.ts';
import { refreshKpiSeries } from '../../src/store/kpi-series-repository.ts';
import { beginRun } from '../../src/store/sync-run-repository.ts';
import { writeTicketPage } from '../../src/store/ticket-page-writer.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { NOW, bearer, seedConnector, seedOrganization, testApp } from './http-fixtures.ts';

/**
 * /api/v1/kpis on real PostgreSQL, tickets stored through the page writer and the KPI series
 * computed by the KPI stage: the list with where each KPI stands, a version's series in the KPI zone,
 * the drill-down from a point to exactly its tickets (paged), and bad input answered 4xx.
 */
const HOUR = 3_600_000;
const DAY = 86_400_000;

function ticket(id: number, createdMs: number, breached: boolean): CanonicalTicket {
  const at = new Date(createdMs).toISOString();
  return {
    nativeId: String(id), key: `T-${id}`, url: `https://acme.zendesk.com/agent/tickets/${id}`, subject: `ticket ${id}`, status: 'open', priority: 'normal', channel: null, type: null,
    customerAccount: null, requesterRef: null, group: null, product: null, component: null, service: null, category: null, subcategory: null, tags: [], formId: null,
    customFields: {}, csat: null, slaBreached: breached, reopenCount: 0, createdAt: at, updatedAt: at, resolvedAt: null, closedAt: null, supportType: null,
  };
}

describe('/api/v1/kpis', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let token: string;
  /** Ticket native ids by Berlin day (the truth, from the seed itself). */
  const byDay = new Map<string, string[]>();
  const berlinDay = (ms: number): string => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));

  beforeAll(async () => {
    db = await createTestDatabase();
    const prisma = db.prisma;
    const org = await seedOrganization(prisma, 'acme', 'Europe/Berlin');
    await seedOrganization(prisma, 'beta');
    token = (await createApiToken(prisma, { name: 'board', role: 'executive', organizationIds: [org.id] })).token;
    const connector = await seedConnector(prisma, org.id, 'zendesk-main');
    const taxonomy = await prisma.driverTaxonomy.create({ data: { organizationId: org.id, version: 1, contentHash: 'h', active: true } });
    const run = await beginRun(db.pool, { organizationId: org.id, connectorId: connector.id, stream: 'tickets', mode: 'incremental', jobId: null, sinceAt: null, restartIfComplete: false });
    // 10 days before NOW, 5–25 tickets a day, some around Berlin midnight (22:00–23:59 UTC in March).
    const tickets = [];
    let id = 0;
    for (let d = 10; d >= 1; d--) {
      const dayStart = NOW - d * DAY;
      for (let i = 0; i < 5 + ((d * 7) % 21); i++) {
        const ms = dayStart + ((i * 97 + d * 13) % 24) * HOUR + ((i * 37) % 60) * 60_000;
        id += 1;
        const t = ticket(id, ms, i % 4 === 0);
        tickets.push({ ticket: t, contentHash: ticketContentHash(t), changedAt: null, erasedBySource: false, raw: null, classification: { driverKey: 'configuration/sso', ruleKey: 'r' } });
        byDay.set(berlinDay(ms), [...(byDay.get(berlinDay(ms)) ?? []), String(id)]);
      }
    }
    await writeTicketPage(db.pool, {
      organizationId: org.id, connectorId: connector.id, stream: 'tickets', runId: run.runId, fencingToken: run.fencingToken, normaliserVersion: 2,
      taxonomyId: taxonomy.id, driverKeys: ['configuration/sso'], connectorKey: 'zendesk-main',
    }, { tickets, quarantined: [], cursor: 'c1', sourceHighWaterMs: null, progressAtMs: null, fetched: tickets.length, requests: 1, throttled: 0, waitedMs: 0 });
    const kpi = (key: string, metric: 'volume' | 'sla_breach_rate', version: number, active: boolean, extra: object = {}) =>
      prisma.kpi.create({
        data: {
          organizationId: org.id, key, version, active, name: key, nodeLevel: 'organization', nodeId: org.id, metric, bucket: 'day', timeZone: 'Europe/Berlin',
          direction: 'down_is_good', filters: { drivers: ['configuration/sso'], connectors: [], priorities: [], products: [], segments: [] }, ...extra,
        },
      });
    await kpi('sso-tickets', 'volume', 1, false, { target: 1 });
    await kpi('sso-tickets', 'volume', 2, true, { target: 15, bands: { green: 15, amber: 20 } });
    await kpi('sso-sla', 'sla_breach_rate', 1, true, { target: 0.2 });
    await refreshKpiSeries(db.pool, { id: connector.id, organizationId: org.id, key: 'zendesk-main' }, new Date(NOW));
    ({ app } = testApp(db));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, headers: bearer(token) });

  it('lists the active KPIs with their last complete day against target and bands', async () => {
    const res = await get('/api/v1/kpis');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items.map((k: { key: string; version: number }) => [k.key, k.version])).toEqual([['sso-sla', 1], ['sso-tickets', 2]]);
    const sso = body.items.find((k: { key: string }) => k.key === 'sso-tickets');
    const yesterday = berlinDay(NOW - DAY);
    const count = byDay.get(yesterday)?.length ?? 0;
    expect(sso.lastComplete).toMatchObject({ local: yesterday, value: count, band: count <= 15 ? 'green' : count <= 20 ? 'amber' : 'red' });
    expect(sso.betterThanTargetBy).toBe(15 - count);
    expect(sso).toMatchObject({ unit: 'tickets', metric: 'volume', bucket: 'day', timeZone: 'Europe/Berlin', node: { level: 'organization', key: null } });
  });

  it('serves a version series with every Berlin day, and the old version on request', async () => {
    const res = await get(`/api/v1/kpis/sso-tickets/series?from=${new Date(NOW - 12 * DAY).toISOString()}&to=${new Date(NOW).toISOString()}`);
    expect(res.statusCode).toBe(200);
    const { points, kpi } = res.json();
    expect(kpi.version).toBe(2);
    expect(points).toHaveLength(13);
    for (const p of points) expect(p.value, p.local).toBe(byDay.get(p.local)?.length ?? 0);
    const detail = (await get('/api/v1/kpis/sso-tickets')).json();
    expect(detail.versions.map((v: { version: number; active: boolean }) => [v.version, v.active])).toEqual([[2, true], [1, false]]);
    // The inactive version stays readable, with its own definition.
    const old = (await get('/api/v1/kpis/sso-tickets/series?version=1')).json();
    expect(old.kpi).toMatchObject({ version: 1, active: false, target: 1 });
  });

  it('drills down from a point to exactly the tickets it counted, page by page', async () => {
    const { points } = (await get(`/api/v1/kpis/sso-tickets/series?from=${new Date(NOW - 10 * DAY).toISOString()}&to=${new Date(NOW - DAY).toISOString()}`)).json();
    for (const point of points.filter((p: { value: number }) => p.value > 0)) {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await get(`/api/v1/kpis/sso-tickets/points/${point.start}/tickets?limit=4${cursor === null ? '' : `&cursor=${cursor}`}`);
        expect(res.statusCode).toBe(200);
        const body = res.json();
        ids.push(...body.tickets.map((t: { nativeId: string }) => t.nativeId));
        cursor = body.nextCursor;
      } while (cursor !== null);
      expect(ids.sort(), point.local).toEqual([...(byDay.get(point.local) ?? [])].sort());
      expect(ids).toHaveLength(point.value);
    }
    // A rate: its tickets are the denominator, the hits its numerator.
    const sla = (await get('/api/v1/kpis/sso-sla/series')).json().points.filter((p: { value: number | null }) => p.value !== null);
    const point = sla[1];
    const drill = (await get(`/api/v1/kpis/sso-sla/points/${point.start}/tickets?limit=200`)).json();
    expect(drill.tickets.filter((t: { hit: boolean }) => t.hit).length / drill.tickets.length).toBeCloseTo(point.value, 12);
    expect(drill.bucketEnd).toBe(new Date(Date.parse(point.start) + DAY).toISOString());
  });

  it('answers bad input with a coded 4xx', async () => {
    const start = new Date(NOW - 3 * DAY).toISOString(); // noon UTC: not a Berlin midnight
    const cases: [string, number, string, string?][] = [
      ['/api/v1/kpis/nope', 404, 'FL_NOT_FOUND'],
      ['/api/v1/kpis/sso-tickets/series?version=9', 404, 'FL_NOT_FOUND'],
      ['/api/v1/kpis/sso-tickets/series?version=abc', 400, 'FL_VALIDATION'],
      ['/api/v1/kpis/sso-tickets/series?from=yesterday', 400, 'FL_VALIDATION'],
      [`/api/v1/kpis/sso-tickets/series?from=${new Date(NOW).toISOString()}&to=${new Date(NOW - DAY).toISOString()}`, 400, 'FL_VALIDATION', 'from'],
      ['/api/v1/kpis/sso-tickets/series?from=2000-01-01T00:00:00Z', 400, 'FL_VALIDATION', 'from'],
      [`/api/v1/kpis/sso-tickets/points/${start}/tickets`, 400, 'FL_VALIDATION', 'start'],
      ['/api/v1/kpis/sso-tickets/points/not-a-date/tickets', 400, 'FL_VALIDATION'],
      [`/api/v1/kpis/sso-tickets/points/${start}/tickets?cursor=x1`, 400, 'FL_VALIDATION'],
      ['/api/v1/kpis?organization=beta', 404, 'FL_NOT_FOUND'],
    ];
    for (const [url, status, code, path] of cases) {
      const res = await get(url);
      expect([url, res.statusCode]).toEqual([url, status]);
      expect(res.json().error.code).toBe(code);
      if (path !== undefined) expect(res.json().error.details.map((d: { path: string }) => d.path), url).toContain(path);
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/kpis' })).statusCode).toBe(401);
  });
});
