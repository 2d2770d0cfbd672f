import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/store/api-token-repository.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { contractProblem, isRouterAnswer, NASTY } from './fuzz-cases.ts';
import { NOW, bearer, seedConnector, seedOrganization, testApp } from './http-fixtures.ts';

/** GET /api/v1/spikes and /api/v1/spikes/{id} on real PostgreSQL, rows seeded as the detect stage writes them. */
const HOUR = 3_600_000;
const at = (ms: number): string => new Date(ms).toISOString();

describe('/api/v1/spikes', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let token: string;
  const ids = { ssoOld: '', ssoNew: '', billing: '', foreign: '', item: '' };
  let ticketIds: bigint[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const prisma = db.prisma;
    const org = await seedOrganization(prisma, 'acme', 'Europe/Berlin');
    const beta = await seedOrganization(prisma, 'beta');
    // Executive: reads are open to every role.
    token = (await createApiToken(prisma, { name: 'board', role: 'executive', organizationIds: [org.id] })).token;
    const connector = await seedConnector(prisma, org.id, 'zendesk-main');
    const series = (key: string, driverKey: string, organizationId = org.id, connectorId: string | null = connector.id) =>
      prisma.series.create({ data: { organizationId, key: `driver_volume/zendesk-main/${key}`, kind: 'driver_volume', connectorId, driverKey } });
    const sso = await series('configuration/sso', 'configuration/sso');
    const billing = await series('billing/refund', 'billing/refund');
    const betaSeries = await series('configuration/sso', 'configuration/sso', beta.id, null);
    for (const n of ['7', '8']) {
      const t = await prisma.ticket.create({
        data: {
          organizationId: org.id, connectorId: connector.id, nativeId: n, url: `https://acme.zendesk.com/agent/tickets/${n}`, subject: `ticket ${n}`, status: 'open',
          sourceCreatedAt: new Date(NOW - 5 * HOUR), sourceUpdatedAt: new Date(NOW - 5 * HOUR), contentHash: `h${n}`, normaliserVersion: 1,
        },
      });
      ticketIds.push(t.id);
    }
    const spike = async (s: { id: bigint; organizationId: string }, startedMs: number, detectedMs: number, status: 'open' | 'resolved', extra: object = {}) =>
      (await prisma.spike.create({
        data: {
          organizationId: s.organizationId, seriesId: s.id, fingerprint: `series/${s.id}/since/${at(startedMs)}`, windowStart: new Date(startedMs), windowEnd: new Date(detectedMs),
          startedAt: new Date(startedMs), peakAt: new Date(detectedMs), observed: 30, expected: 12, pctChange: 150, significance: 0.0001, status,
          resolvedAt: status === 'resolved' ? new Date(NOW - 10 * HOUR) : null, detectedAt: new Date(detectedMs), horizon: '1h', explanation: 'more tickets than usual',
          affectedCustomers: 3, ...extra,
        },
      })).id;
    ids.ssoOld = await spike(sso, NOW - 30 * HOUR, NOW - 29 * HOUR, 'open', { exampleTickets: [ticketIds[1], ticketIds[0], 999_999n], evidence: { opening: { pValue: 0.0001 } } });
    ids.billing = await spike(billing, NOW - 52 * HOUR, NOW - 50 * HOUR, 'resolved');
    ids.ssoNew = await spike(sso, NOW - 3 * HOUR, NOW - 2 * HOUR, 'open');
    ids.foreign = await spike(betaSeries, NOW - 3 * HOUR, NOW - HOUR, 'open');
    const item = await prisma.interventionItem.create({
      data: { organizationId: org.id, fingerprint: 'f', spikeId: ids.ssoOld, title: 'SSO tickets up', narrative: 'n', severity: 'high', dueAt: new Date(NOW + 24 * HOUR) },
    });
    ids.item = item.id;
    await prisma.interventionSpike.create({ data: { interventionId: item.id, spikeId: ids.ssoOld } });
    ({ app } = testApp(db));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, headers: bearer(token) });
  const listed = async (query = ''): Promise<string[]> => {
    const res = await get(`/api/v1/spikes${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items.map((s: { id: string }) => s.id);
  };

  it('lists the organization’s spikes newest first with their series and intervention item', async () => {
    const res = await get('/api/v1/spikes');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.items.map((s: { id: string }) => s.id)).toEqual([ids.ssoNew, ids.ssoOld, ids.billing]);
    expect(body.items[1]).toEqual({
      id: ids.ssoOld, status: 'open', seriesKey: 'driver_volume/zendesk-main/configuration/sso', driverKey: 'configuration/sso', connector: 'zendesk-main',
      startedAt: at(NOW - 30 * HOUR), peakAt: at(NOW - 29 * HOUR), windowStart: at(NOW - 30 * HOUR), windowEnd: at(NOW - 29 * HOUR), observed: 30, expected: 12,
      pctChange: 150, significance: 0.0001, horizon: '1h', explanation: 'more tickets than usual', affectedCustomers: 3, detectedAt: at(NOW - 29 * HOUR),
      resolvedAt: null, interventionId: ids.item,
    });
    expect(body.items[0].interventionId).toBeNull();
    expect(body.nextCursor).toBeNull();
  });

  it('filters by status, driver key or family prefix and start, and pages with a cursor', async () => {
    expect(await listed('?status=resolved')).toEqual([ids.billing]);
    expect(await listed('?status=open')).toEqual([ids.ssoNew, ids.ssoOld]);
    expect(await listed('?driver=billing%2Frefund')).toEqual([ids.billing]);
    expect(await listed('?driver=configuration%2F')).toEqual([ids.ssoNew, ids.ssoOld]);
    expect(await listed('?driver=configuration')).toEqual([]);
    expect(await listed('?driver=%25')).toEqual([]);
    // LIKE wildcards in a family prefix are literal.
    expect(await listed('?driver=%25%2F')).toEqual([]);
    expect(await listed('?driver=_onfiguration%2F')).toEqual([]);
    expect(await listed(`?since=${at(NOW - 31 * HOUR)}`)).toEqual([ids.ssoNew, ids.ssoOld]);
    const first = (await get('/api/v1/spikes?limit=1')).json();
    expect(first.items.map((s: { id: string }) => s.id)).toEqual([ids.ssoNew]);
    const second = (await get(`/api/v1/spikes?limit=1&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((s: { id: string }) => s.id)).toEqual([ids.ssoOld]);
    const third = (await get(`/api/v1/spikes?limit=1&cursor=${second.nextCursor}`)).json();
    expect([third.items.map((s: { id: string }) => s.id), third.nextCursor]).toEqual([[ids.billing], null]);
    for (const query of ['status=closed', 'since=yesterday', 'limit=500', 'cursor=1_2', `cursor=99999999999999999_${ids.ssoNew}`, 'driver=%00']) {
      const res = await get(`/api/v1/spikes?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code, query).toBe('FL_VALIDATION');
    }
  });

  it('shows one spike with its example tickets (links, in the spike’s order), evidence and intervention item', async () => {
    const res = await get(`/api/v1/spikes/${ids.ssoOld}`);
    expect(res.statusCode, res.body).toBe(200);
    const spike = res.json();
    expect(spike).toMatchObject({
      id: ids.ssoOld, organization: 'acme', connector: 'zendesk-main', fingerprint: expect.stringMatching(/^series\/\d+\/since\//),
      evidence: { opening: { pValue: 0.0001 } }, intervention: { id: ids.item, title: 'SSO tickets up', status: 'open', severity: 'high' },
    });
    // A ticket that is gone (999999) is left out.
    expect(spike.exampleTickets).toEqual([
      { id: String(ticketIds[1]), key: '8', url: 'https://acme.zendesk.com/agent/tickets/8', subject: 'ticket 8' },
      { id: String(ticketIds[0]), key: '7', url: 'https://acme.zendesk.com/agent/tickets/7', subject: 'ticket 7' },
    ]);
    expect((await get(`/api/v1/spikes/${ids.billing}`)).json()).toMatchObject({ status: 'resolved', resolvedAt: at(NOW - 10 * HOUR), exampleTickets: [], evidence: null, intervention: null });
  });

  it('answers 404 for unknown ids and other tenants’ spikes, 400 for malformed ids', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', ids.foreign]) {
      const res = await get(`/api/v1/spikes/${id}`);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'FL_NOT_FOUND', message: `No spike ${id} in organization "acme"` }, requestId: res.headers['x-request-id'] });
    }
    for (const id of ['42', 'not-a-uuid', '%00', `${ids.ssoOld}x`]) {
      const res = await get(`/api/v1/spikes/${id}`);
      expect(res.statusCode, id).toBe(400);
      expect(res.json().error).toEqual({ code: 'FL_VALIDATION', message: 'Invalid params: 1 problem', details: [{ path: 'id', message: 'must be a UUID' }] });
    }
  });

  it('answers nasty path and query values on the new read routes below 500 with the coded body', async () => {
    const routes: [string, Record<string, string>][] = [
      ['/api/v1/spikes', { status: 'open', driver: 'configuration%2F', since: '2026-03-01T00:00:00Z', limit: '2', cursor: `1773230400000_${ids.ssoOld}` }],
      [`/api/v1/spikes/{id}`, { organization: 'acme' }],
      ['/api/v1/interventions', { status: 'open', owner: 'ana%40acme.example', driver: 'configuration%2F', severity: 'high', limit: '2', cursor: `1773230400000_${ids.item}` }],
      [`/api/v1/interventions/{id}`, { organization: 'acme' }],
      ['/api/v1/silences', { state: 'all' }],
      ['/api/v1/releases', { since: '2026-03-01T00:00:00Z', limit: '5' }],
    ];
    const problems: string[] = [];
    let total = 0;
    for (const [path, query] of routes) {
      const url = (id: string, q: Record<string, string>) => `${path.replace('{id}', id)}?${Object.entries(q).map(([k, v]) => `${k}=${v}`).join('&')}`;
      const id = path.includes('interventions') ? ids.item : ids.ssoOld;
      const baseline = await get(url(id, query));
      expect(baseline.statusCode, `${path}: ${baseline.body}`).toBe(200);
      const cases = [
        ...(path.includes('{id}') ? NASTY.map((v) => url(v, query)) : []),
        ...Object.keys(query).flatMap((name) => NASTY.map((v) => url(id, { ...query, [name]: v }))),
      ];
      for (const u of cases) {
        const res = await get(u);
        total += 1;
        const problem = contractProblem(res);
        if (problem && !(res.statusCode < 500 && isRouterAnswer(res))) problems.push(`${problem}: GET ${u.slice(0, 120)} → ${res.body.slice(0, 160)}`);
      }
    }
    expect(total).toBeGreaterThan(1_000);
    expect(problems).toEqual([]);
  });
});
