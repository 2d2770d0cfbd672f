import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/store/api-token-repository.ts';
import type { PrismaClient } from '../../src/store/database.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { NOW, bearer, seedConnector, seedOrganization, testApp } from './http-fixtures.ts';

/**
 * /api/v1/interventions, /silences and /releases on real PostgreSQL: rows seeded with SQL as the
 * detect stage writes them, requests through app.inject(); transitions and silences audited with
 * the token's name, refused for read-only roles, and every 4xx coded.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const at = (ms: number): string => new Date(ms).toISOString();

interface Seeded {
  orgId: string;
  itemId: string;
  resolvedItemId: string;
  billingItemId: string;
  spikeId: string;
  otherOrgItemId: string;
}

async function seed(prisma: PrismaClient): Promise<Seeded> {
  const org = await seedOrganization(prisma, 'acme', 'Europe/Berlin');
  const other = await seedOrganization(prisma, 'beta');
  const connector = await seedConnector(prisma, org.id, 'zendesk-main');
  const person = (email: string, name: string, functions: ('engineering' | 'product' | 'operations')[]) =>
    prisma.person.create({ data: { organizationId: org.id, email, name, functions }, select: { id: true } });
  const ana = await person('ana@acme.example', 'Ana Weber', ['engineering']);
  const pia = await person('pia@acme.example', 'Pia Lang', ['product']);
  const ticket = (nativeId: string, subject: string) =>
    prisma.ticket.create({
      data: {
        organizationId: org.id, connectorId: connector.id, nativeId, key: `#${nativeId}`, url: `https://acme.zendesk.com/agent/tickets/${nativeId}`, subject,
        status: 'open', sourceCreatedAt: new Date(NOW - 5 * HOUR), sourceUpdatedAt: new Date(NOW - 5 * HOUR), contentHash: `h${nativeId}`, normaliserVersion: 1,
      },
      select: { id: true },
    });
  const t1 = await ticket('101', 'SSO login loops back to the start page');
  const t2 = await ticket('102', 'SAML assertion rejected');
  const series = await prisma.series.create({
    data: { organizationId: org.id, key: 'driver_volume/zendesk-main/configuration/sso', kind: 'driver_volume', connectorId: connector.id, driverKey: 'configuration/sso' },
  });
  const since = NOW - 30 * HOUR;
  const spike = await prisma.spike.create({
    data: {
      organizationId: org.id, seriesId: series.id, fingerprint: `series/${series.id}/since/${at(since)}`, windowStart: new Date(since), windowEnd: new Date(NOW - 2 * HOUR),
      startedAt: new Date(since), peakAt: new Date(NOW - 2 * HOUR), observed: 84, expected: 40, pctChange: 110, significance: 1e-6, explanation: 'SSO tickets doubled',
      exampleTickets: [t1.id, t2.id], affectedCustomers: 7, detectedAt: new Date(NOW - 29 * HOUR), horizon: '1d',
    },
    select: { id: true },
  });
  const release = await prisma.release.create({
    data: { organizationId: org.id, key: '4.2', name: '4.2', releasedAt: new Date(since - 20 * HOUR), products: ['identity'], source: 'config' },
    select: { id: true },
  });
  const evidence = {
    signals: [{
      spikeId: spike.id, seriesId: series.id.toString(), seriesKey: 'driver_volume/zendesk-main/configuration/sso', driverKey: 'configuration/sso',
      subject: 'configuration/sso', explanation: 'SSO tickets doubled', since: at(since), pctChange: 110, extra: 44, affectedCustomers: 7,
      exampleTickets: [
        { id: t1.id.toString(), key: '#101', url: 'https://acme.zendesk.com/agent/tickets/101', subject: 'SSO login loops back to the start page' },
        { id: t2.id.toString(), key: '#102', url: 'https://acme.zendesk.com/agent/tickets/102', subject: 'SAML assertion rejected' },
      ],
      release: { key: '4.2', name: '4.2', at: at(since - 20 * HOUR) },
    }],
    threatens: { measures: ['m-sso-self-service'], kpis: ['sso-tickets'] },
    route: 'configuration/', escalateTo: 'ben@acme.example', meeting: { name: 'Weekly steering', at: '2026-03-16T08:00:00.000Z' },
  };
  const item = await prisma.interventionItem.create({
    data: {
      organizationId: org.id, fingerprint: `release/4.2/family/configuration@${at(since)}`, spikeId: spike.id, title: 'configuration/sso tickets +110 % since Tue 10 Mar, 07:00, 20 hours after release 4.2',
      narrative: 'SSO tickets doubled', ask: 'Engineering and product: find why configuration/sso tickets rose, agree the fix and who delivers it, before Weekly steering on Mon 16 Mar, 09:00.',
      severity: 'high', ownerId: ana.id, dueAt: new Date('2026-03-16T06:00:00Z'), status: 'open', groupKey: 'release/4.2/family/configuration', driverKey: 'configuration/sso',
      releaseId: release.id, evidence, escalatedAt: new Date(NOW - 20 * HOUR), escalationLevel: 1, createdAt: new Date(NOW - 29 * HOUR),
    },
    select: { id: true },
  });
  await prisma.interventionSpike.create({ data: { interventionId: item.id, spikeId: spike.id, linkedAt: new Date(NOW - 29 * HOUR) } });
  await prisma.interventionParticipant.createMany({
    data: [{ interventionId: item.id, function: 'engineering', personId: ana.id }, { interventionId: item.id, function: 'product', personId: pia.id }, { interventionId: item.id, function: 'operations', personId: null }],
  });
  await prisma.auditLog.createMany({
    data: [
      { organizationId: org.id, actor: 'frontline-detect', action: 'intervention.raised', entityType: 'intervention', entityId: item.id, after: { status: 'open' }, reason: 'SSO tickets doubled', at: new Date(NOW - 29 * HOUR) },
      { organizationId: org.id, actor: 'frontline-detect', action: 'intervention.escalated', entityType: 'intervention', entityId: item.id, after: { to: 'ben@acme.example' }, reason: 'not acknowledged within 4 h', at: new Date(NOW - 20 * HOUR) },
    ],
  });
  const resolved = await prisma.interventionItem.create({
    data: {
      organizationId: org.id, fingerprint: 'family/product@x', title: 'product/bug tickets +60 %', narrative: 'n', severity: 'medium', ownerId: pia.id, dueAt: new Date(NOW + DAY),
      status: 'resolved', resolvedAt: new Date(NOW - HOUR), driverKey: 'product/bug', createdAt: new Date(NOW - 10 * HOUR),
    },
    select: { id: true },
  });
  const billing = await prisma.interventionItem.create({
    data: {
      organizationId: org.id, fingerprint: 'family/billing@x', title: 'billing/refund tickets +40 %', narrative: 'n', severity: 'low', dueAt: new Date(NOW + 2 * DAY),
      status: 'acknowledged', acknowledgedAt: new Date(NOW - HOUR), driverKey: 'billing/refund', createdAt: new Date(NOW - 5 * HOUR), evidence: { signals: 'not a list' },
    },
    select: { id: true },
  });
  const foreign = await prisma.interventionItem.create({
    data: { organizationId: other.id, fingerprint: 'family/x@y', title: 'beta item', narrative: 'n', severity: 'critical', dueAt: new Date(NOW + DAY), createdAt: new Date(NOW - HOUR) },
    select: { id: true },
  });
  return { orgId: org.id, itemId: item.id, resolvedItemId: resolved.id, billingItemId: billing.id, spikeId: spike.id, otherOrgItemId: foreign.id };
}

describe('/api/v1/interventions, /silences and /releases', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let s: Seeded;
  let analyst: string;
  let executive: string;
  let service: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    s = await seed(db.prisma);
    const token = async (name: string, role: 'analyst' | 'executive' | 'service') => (await createApiToken(db.prisma, { name, role, organizationIds: [s.orgId] })).token;
    analyst = await token('ops-console', 'analyst');
    executive = await token('board-dashboard', 'executive');
    service = await token('jira-sync', 'service');
    ({ app } = testApp(db));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const get = (url: string, auth = analyst) => app.inject({ method: 'GET', url, headers: bearer(auth) });
  const post = (url: string, payload: object | undefined, auth = analyst) =>
    app.inject({ method: 'POST', url, headers: bearer(auth), ...(payload === undefined ? {} : { payload }) });
  const coded = (res: { json(): unknown; headers: Record<string, unknown> }) => res.json() as { error: { code: string; message: string; details?: { path: string; message: string }[] }; requestId: string };
  const auditOf = (entityId: string) =>
    db.prisma.auditLog.findMany({ where: { entityId }, orderBy: { id: 'asc' }, select: { actor: true, action: true, reason: true, before: true, after: true, at: true } });

  it('lists items newest first with owner, due date, escalation and signal count, for every role', async () => {
    const res = await get('/api/v1/interventions', executive);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.organization).toBe('acme');
    expect(body.items.map((i: { id: string }) => i.id)).toEqual([s.billingItemId, s.resolvedItemId, s.itemId]);
    expect(body.items[2]).toEqual({
      id: s.itemId, title: expect.stringContaining('after release 4.2'), status: 'open', severity: 'high', owner: { name: 'Ana Weber', email: 'ana@acme.example' },
      driverKey: 'configuration/sso', dueAt: '2026-03-16T06:00:00.000Z', createdAt: at(NOW - 29 * HOUR), escalatedAt: at(NOW - 20 * HOUR), escalationLevel: 1,
      onAgendaAt: null, signalCount: 1,
    });
    expect(body.items[0].owner).toBeNull();
    expect(body.nextCursor).toBeNull();
  });

  it('filters by status, owner (any case), driver key or family, and severity, and pages with a cursor', async () => {
    const ids = async (query: string) => {
      const res = await get(`/api/v1/interventions?${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().items.map((i: { id: string }) => i.id);
    };
    expect(await ids('status=open')).toEqual([s.itemId]);
    expect(await ids('status=resolved')).toEqual([s.resolvedItemId]);
    expect(await ids('owner=ANA%40acme.example')).toEqual([s.itemId]);
    expect(await ids('owner=nobody%40acme.example')).toEqual([]);
    expect(await ids('driver=configuration%2Fsso')).toEqual([s.itemId]);
    expect(await ids('driver=configuration%2F')).toEqual([s.itemId]);
    expect(await ids('driver=configuration')).toEqual([]);
    // `_` is no LIKE wildcard here.
    expect(await ids('driver=c_nfiguration%2F')).toEqual([]);
    expect(await ids('severity=low')).toEqual([s.billingItemId]);
    expect(await ids('status=open&severity=low')).toEqual([]);

    const first = (await get('/api/v1/interventions?limit=2')).json();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await get(`/api/v1/interventions?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((i: { id: string }) => i.id)).toEqual([s.itemId]);
    expect(second.nextCursor).toBeNull();

    for (const query of ['status=closed', 'severity=urgent', 'limit=0', 'limit=201', 'cursor=abc', 'owner=%00']) {
      const res = await get(`/api/v1/interventions?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(coded(res).error.code, query).toBe('FL_VALIDATION');
    }
  });

  it('shows one item with participants, due date and meeting, ask, evidence with ticket links, linked spikes and its history', async () => {
    const res = await get(`/api/v1/interventions/${s.itemId}`, executive);
    expect(res.statusCode, res.body).toBe(200);
    const item = res.json();
    expect(item).toMatchObject({
      id: s.itemId, organization: 'acme', timeZone: 'Europe/Berlin', status: 'open', severity: 'high', allowedActions: ['ack', 'start', 'resolve'],
      owner: { name: 'Ana Weber', email: 'ana@acme.example' }, dueAt: '2026-03-16T06:00:00.000Z', meeting: { name: 'Weekly steering', at: '2026-03-16T08:00:00.000Z' },
      ask: expect.stringMatching(/^Engineering and product: find why/), narrative: 'SSO tickets doubled', escalateTo: 'ben@acme.example', route: 'configuration/',
      release: { key: '4.2', name: '4.2', releasedAt: at(NOW - 50 * HOUR), products: ['identity'] }, acknowledgedAt: null,
    });
    expect(item.participants).toEqual([
      { function: 'engineering', person: { name: 'Ana Weber', email: 'ana@acme.example' } },
      { function: 'product', person: { name: 'Pia Lang', email: 'pia@acme.example' } },
      { function: 'operations', person: null },
    ]);
    expect(item.evidence.affectedCustomers).toBe(7);
    expect(item.evidence.threatens).toEqual({ measures: [{ key: 'm-sso-self-service', title: null }], kpis: [{ key: 'sso-tickets', name: null }] });
    expect(item.evidence.signals).toHaveLength(1);
    expect(item.evidence.signals[0]).toMatchObject({ spikeId: s.spikeId, driverKey: 'configuration/sso', pctChange: 110, release: { key: '4.2' } });
    expect(item.evidence.signals[0].exampleTickets.map((t: { url: string }) => t.url)).toEqual([
      'https://acme.zendesk.com/agent/tickets/101', 'https://acme.zendesk.com/agent/tickets/102',
    ]);
    expect(item.spikes).toEqual([expect.objectContaining({ id: s.spikeId, status: 'open', seriesKey: 'driver_volume/zendesk-main/configuration/sso', pctChange: 110 })]);
    expect(item.history.map((h: { action: string; actor: string }) => [h.action, h.actor])).toEqual([
      ['intervention.raised', 'frontline-detect'], ['intervention.escalated', 'frontline-detect'],
    ]);
    expect(item.history[1]).toEqual({ at: at(NOW - 20 * HOUR), actor: 'frontline-detect', action: 'intervention.escalated', reason: 'not acknowledged within 4 h', before: null, after: { to: 'ben@acme.example' } });

    // Evidence that is not what the detect stage writes reads as empty, not as a 500.
    const odd = (await get(`/api/v1/interventions/${s.billingItemId}`)).json();
    expect(odd.evidence).toEqual({ signals: [], affectedCustomers: 0, threatens: { measures: [], kpis: [] } });
    expect(odd.allowedActions).toEqual(['start', 'resolve']);
  });

  it('acknowledges, starts and resolves with the token name as the actor and an audit record each', async () => {
    const ack = await post(`/api/v1/interventions/${s.itemId}/transitions`, { action: 'ack', reason: '  looking at the SAML change  ' });
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json()).toEqual({ id: s.itemId, action: 'ack', from: 'open', status: 'acknowledged', actor: 'api:ops-console', at: at(NOW) });
    const row = await db.prisma.interventionItem.findUniqueOrThrow({ where: { id: s.itemId } });
    expect(row.status).toBe('acknowledged');
    expect(row.acknowledgedAt?.toISOString()).toBe(at(NOW));
    const audit = await auditOf(s.itemId);
    expect(audit.at(-1)).toEqual({
      actor: 'api:ops-console', action: 'intervention.ack', reason: 'looking at the SAML change', before: { status: 'open' }, after: { status: 'acknowledged' }, at: new Date(NOW),
    });
    // Never the token itself.
    expect(JSON.stringify(audit)).not.toContain(analyst.slice(3));

    const start = await post(`/api/v1/interventions/${s.itemId}/transitions`, { action: 'start' }, service);
    expect(start.json()).toMatchObject({ from: 'acknowledged', status: 'in_progress', actor: 'api:jira-sync' });
    expect((await auditOf(s.itemId)).at(-1)).toMatchObject({ action: 'intervention.start', reason: null });

    const shown = (await get(`/api/v1/interventions/${s.itemId}`)).json();
    expect(shown.status).toBe('in_progress');
    expect(shown.allowedActions).toEqual(['resolve']);
    expect(shown.history.slice(-2).map((h: { action: string; actor: string; reason: string | null }) => [h.action, h.actor, h.reason])).toEqual([
      ['intervention.ack', 'api:ops-console', 'looking at the SAML change'], ['intervention.start', 'api:jira-sync', null],
    ]);
  });

  it('refuses an invalid transition with 409 FL_INVALID_TRANSITION naming the status and the allowed actions', async () => {
    const res = await post(`/api/v1/interventions/${s.resolvedItemId}/transitions`, { action: 'ack' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      error: { code: 'FL_INVALID_TRANSITION', message: 'cannot ack an item that is resolved (nothing left to do by hand)', status: 'resolved', allowed: [] },
      requestId: res.headers['x-request-id'],
    });
    const acknowledged = await post(`/api/v1/interventions/${s.billingItemId}/transitions`, { action: 'ack' });
    expect(acknowledged.statusCode).toBe(409);
    expect(acknowledged.json().error).toMatchObject({ status: 'acknowledged', allowed: ['start', 'resolve'] });
    expect(await db.prisma.auditLog.count({ where: { entityId: { in: [s.resolvedItemId, s.billingItemId] } } })).toBe(0);
  });

  it('answers unknown ids 404 FL_INTERVENTION_NOT_FOUND, other tenants’ ids too, and malformed ids or bodies 400', async () => {
    for (const res of [
      await get(`/api/v1/interventions/${UNKNOWN_ID}`),
      await get(`/api/v1/interventions/${s.otherOrgItemId}`),
      await post(`/api/v1/interventions/${UNKNOWN_ID}/transitions`, { action: 'ack' }),
      await post(`/api/v1/interventions/${s.otherOrgItemId}/transitions`, { action: 'ack' }),
    ]) {
      expect(res.statusCode, res.body).toBe(404);
      expect(coded(res)).toEqual({ error: { code: 'FL_INTERVENTION_NOT_FOUND', message: expect.stringContaining('No intervention item'), }, requestId: res.headers['x-request-id'] });
    }
    expect((await db.prisma.interventionItem.findUniqueOrThrow({ where: { id: s.otherOrgItemId } })).status).toBe('open');

    for (const [res, path] of [
      [await get('/api/v1/interventions/not-a-uuid'), 'id'],
      [await get('/api/v1/interventions/0000'), 'id'],
      [await post('/api/v1/interventions/1%27%20OR%201=1/transitions', { action: 'ack' }), 'id'],
      [await post(`/api/v1/interventions/${s.itemId}/transitions`, { action: 'close' }), 'action'],
      [await post(`/api/v1/interventions/${s.itemId}/transitions`, { action: 'ack', reason: 'a\u0000b' }), 'reason'],
      [await post(`/api/v1/interventions/${s.itemId}/transitions`, {}), 'action'],
    ] as const) {
      expect(res.statusCode, res.body).toBe(400);
      expect(coded(res).error.code).toBe('FL_VALIDATION');
      expect(coded(res).error.details?.map((d) => d.path)).toEqual([path]);
    }
  });

  it('lets an executive token read but not change anything (403 FL_FORBIDDEN)', async () => {
    const before = await db.prisma.auditLog.count();
    for (const res of [
      await post(`/api/v1/interventions/${s.itemId}/transitions`, { action: 'resolve' }, executive),
      // The role is checked before the body: a malformed one is still 403.
      await post(`/api/v1/interventions/${s.itemId}/transitions`, { action: 'nope' }, executive),
      await post('/api/v1/silences', { driver: 'billing/', reason: 'x', duration: '2h' }, executive),
      await post(`/api/v1/silences/${UNKNOWN_ID}/expire`, undefined, executive),
      await post('/api/v1/releases', { key: '9.9', name: '9.9', at: at(NOW) }, executive),
    ]) {
      expect(res.statusCode, res.body).toBe(403);
      expect(coded(res)).toEqual({ error: { code: 'FL_FORBIDDEN', message: expect.stringContaining('A token with role executive may not') }, requestId: res.headers['x-request-id'] });
    }
    expect(await db.prisma.auditLog.count()).toBe(before);
    expect((await get('/api/v1/silences', executive)).statusCode).toBe(200);
    expect((await get('/api/v1/releases', executive)).statusCode).toBe(200);
  });

  it('adds silences for a family or a driver, lists the active ones and expires one early, all audited', async () => {
    const family = await post('/api/v1/silences', { driver: 'billing/', reason: 'price change announced', duration: '3d' });
    expect(family.statusCode, family.body).toBe(201);
    expect(family.json()).toEqual({
      id: expect.any(String), driver: 'billing/', reason: 'price change announced', author: 'api:ops-console', startsAt: at(NOW), endsAt: at(NOW + 3 * DAY),
      expiredAt: null, active: true,
    });
    const driver = await post('/api/v1/silences', { driver: 'product/bug', reason: 'known outage', endsAt: '2026-03-11T18:00:00+01:00' }, service);
    expect(driver.statusCode, driver.body).toBe(201);
    expect(driver.json()).toMatchObject({ driver: 'product/bug', endsAt: '2026-03-11T17:00:00.000Z', author: 'api:jira-sync' });

    const listed = (await get('/api/v1/silences')).json();
    expect(listed.silences.map((x: { driver: string }) => x.driver)).toEqual(['billing/', 'product/bug']);

    const id = driver.json().id as string;
    const expired = await post(`/api/v1/silences/${id}/expire`, { reason: 'outage over' });
    expect(expired.statusCode, expired.body).toBe(200);
    expect(expired.json()).toMatchObject({ id, expiredAt: at(NOW), active: false });
    const again = await post(`/api/v1/silences/${id}/expire`, undefined);
    expect(again.statusCode, again.body).toBe(404);
    expect(coded(again).error.code).toBe('FL_NOT_FOUND');
    const unknown = await post(`/api/v1/silences/${UNKNOWN_ID}/expire`, {});
    expect(unknown.statusCode).toBe(404);
    const malformed = await post('/api/v1/silences/xyz/expire', {});
    expect([malformed.statusCode, coded(malformed).error.code]).toEqual([400, 'FL_VALIDATION']);

    expect((await get('/api/v1/silences')).json().silences.map((x: { id: string }) => x.id)).toEqual([family.json().id]);
    const all = (await get('/api/v1/silences?state=all')).json().silences;
    expect(all.map((x: { id: string; active: boolean }) => [x.id, x.active])).toEqual([[family.json().id, true], [id, false]]);
    expect((await auditOf(id)).map((a) => [a.action, a.actor, a.reason])).toEqual([
      ['silence.added', 'api:jira-sync', 'known outage'], ['silence.expired', 'api:ops-console', 'outage over'],
    ]);
  });

  it('refuses silences without a reason, without an end, or ending in the past or beyond 90 days (400 FL_VALIDATION naming the field)', async () => {
    const cases: [object, string, string][] = [
      [{ driver: 'billing/', duration: '2h' }, 'reason', ''],
      [{ driver: 'billing/', reason: '   ', duration: '2h' }, 'reason', 'a reason is required'],
      [{ driver: 'billing/', reason: 'x' }, 'endsAt', 'give endsAt or duration'],
      [{ driver: 'billing/', reason: 'x', duration: '2h', endsAt: at(NOW + HOUR) }, 'duration', 'give endsAt or duration, not both'],
      [{ driver: 'billing/', reason: 'x', endsAt: at(NOW - HOUR) }, 'endsAt', 'must be in the future'],
      [{ driver: 'billing/', reason: 'x', endsAt: at(NOW + 91 * DAY) }, 'endsAt', 'must be at most 90 days ahead'],
      [{ driver: 'billing/', reason: 'x', duration: '13w' }, 'duration', 'must be at most 90 days ahead'],
      [{ driver: 'billing/', reason: 'x', duration: '2 hours' }, 'duration', 'a duration like 30m, 2h, 3d or 1w'],
      [{ driver: 'billing/', reason: 'x', endsAt: 'tomorrow' }, 'endsAt', 'Invalid ISO datetime'],
      [{ driver: '', reason: 'x', duration: '2h' }, 'driver', ''],
      [{ reason: 'x', duration: '2h' }, 'driver', ''],
    ];
    const before = await db.prisma.silence.count();
    for (const [payload, path, message] of cases) {
      const res = await post('/api/v1/silences', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      const body = coded(res);
      expect(body.error.code).toBe('FL_VALIDATION');
      expect(body.error.details?.map((d) => d.path), JSON.stringify(payload)).toEqual([path]);
      if (message !== '') expect(body.error.details?.[0]?.message).toBe(message);
    }
    expect(await db.prisma.silence.count()).toBe(before);
  });

  it('adds releases (source api, audited), lists them latest first, and refuses a duplicate key with 409 FL_RELEASE_EXISTS', async () => {
    const added = await post('/api/v1/releases', { key: '4.3', name: 'Spring release', at: '2026-03-11T09:00:00Z', products: ['identity', 'billing', 'identity'] });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toEqual({
      id: expect.any(String), key: '4.3', name: 'Spring release', at: '2026-03-11T09:00:00.000Z', products: ['identity', 'billing'], source: 'api', createdAt: at(NOW),
    });
    expect((await auditOf(added.json().id)).map((a) => [a.action, a.actor])).toEqual([['release.created', 'api:ops-console']]);
    const listed = (await get('/api/v1/releases')).json();
    expect(listed.releases.map((r: { key: string; source: string }) => [r.key, r.source])).toEqual([['4.3', 'api'], ['4.2', 'config']]);
    expect((await get('/api/v1/releases?since=2026-03-11T00:00:00Z')).json().releases.map((r: { key: string }) => r.key)).toEqual(['4.3']);

    for (const key of ['4.3', '4.2']) {
      const dup = await post('/api/v1/releases', { key, name: 'again', at: at(NOW) });
      expect(dup.statusCode).toBe(409);
      expect(coded(dup)).toEqual({ error: { code: 'FL_RELEASE_EXISTS', message: expect.stringContaining(`has a release "${key}" already`) }, requestId: dup.headers['x-request-id'] });
    }
    for (const [payload, path] of [
      [{ key: '5.0', name: '5.0', at: 'next week' }, 'at'],
      [{ key: '5.0', name: '', at: at(NOW) }, 'name'],
      [{ key: '5%00', name: '5.0' }, 'at'],
      [{ key: '5.0', name: '5.0', at: at(NOW), products: 'identity' }, 'products'],
    ] as const) {
      const res = await post('/api/v1/releases', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(coded(res).error.details?.map((d) => d.path)).toEqual([path]);
    }
    expect(await db.prisma.release.count()).toBe(2);
  });

  it('publishes the new paths and error codes in the OpenAPI document', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining([
      '/api/v1/spikes', '/api/v1/spikes/{id}', '/api/v1/interventions', '/api/v1/interventions/{id}', '/api/v1/interventions/{id}/transitions',
      '/api/v1/silences', '/api/v1/silences/{id}/expire', '/api/v1/releases',
    ]));
    expect(Object.keys(spec.paths['/api/v1/silences'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(spec.paths['/api/v1/releases'])).toEqual(expect.arrayContaining(['get', 'post']));
    const transition = spec.paths['/api/v1/interventions/{id}/transitions'].post;
    expect(Object.keys(transition.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409']));
    expect(JSON.stringify(transition.requestBody)).toContain('resolve');
    const listParams = spec.paths['/api/v1/interventions'].get.parameters.map((p: { name: string }) => p.name);
    expect(listParams).toEqual(expect.arrayContaining(['status', 'owner', 'driver', 'severity', 'limit', 'cursor']));
    expect(JSON.stringify(spec)).toContain('FL_INTERVENTION_NOT_FOUND');
    expect(JSON.stringify(spec)).toContain('FL_RELEASE_EXISTS');
  });
});
