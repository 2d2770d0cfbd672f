import { createHash } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/store/api-token-repository.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { bearer, NOW, seedMeasurePackage, seedOrganization, testApp } from './http-fixtures.ts';

/**
 * Conditional GETs on /api/v1 (@fastify/etag, registered in src/http/build-app.ts), on real
 * PostgreSQL: a read answered 200 carries a strong ETag; the same read with If-None-Match naming it is
 * a 304 without a body; a write changes the ETag; an error or a write's answer is never a 304 and
 * carries no ETag; routes outside /api/v1 carry none.
 */
const STRONG_ETAG = /^"[A-Za-z0-9+/]+=*"$/;
/** What @fastify/etag would make of a body (its default: SHA-1, base64, quoted). */
const etagOf = (body: string): string => `"${createHash('sha1').update(body).digest('base64')}"`;

describe('ETags on /api/v1', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let reader: string;
  let owner: string;
  let milestoneIds: string[];

  beforeAll(async () => {
    db = await createTestDatabase();
    const org = await seedOrganization(db.prisma, 'acme', 'Europe/Berlin');
    const person = (email: string, name: string) => db.prisma.person.create({ data: { organizationId: org.id, email, name }, select: { id: true } });
    const olga = await person('olga@acme.example', 'Olga Owner');
    const sven = await person('sven@acme.example', 'Sven Sponsor');
    const clara = await person('clara@acme.example', 'Clara Controller');
    const { packageId, businessUnitId } = await seedMeasurePackage(db.prisma, org.id);
    const measure = await db.prisma.measure.create({
      data: {
        organizationId: org.id, packageId, key: 'sso-wizard', title: 'SSO set-up wizard cuts configuration contacts', businessUnitId,
        sponsorId: sven.id, ownerId: olga.id, controllerId: clara.id, steeringCommittee: 'Service SteerCo',
        plannedEbitda: 1_200_000, currency: 'EUR', ebitdaPeriodStart: new Date('2026-01-01'), ebitdaPeriodEnd: new Date('2026-12-31'),
        milestones: { create: [{ title: 'Wizard live', dueDate: new Date('2026-04-30') }, { title: 'Admin runbook', dueDate: new Date('2026-05-31') }] },
      },
      include: { milestones: { orderBy: { dueDate: 'asc' } } },
    });
    milestoneIds = measure.milestones.map((m) => m.id);
    reader = (await createApiToken(db.prisma, { name: 'executive', role: 'executive', organizationIds: [org.id], personEmail: 'sven@acme.example' })).token;
    owner = (await createApiToken(db.prisma, { name: 'owner', role: 'analyst', organizationIds: [org.id], personEmail: 'olga@acme.example' })).token;
    // Governance reads straight from PostgreSQL: an ETag after a write is the ETag of what is stored.
    ({ app } = testApp(db, { governanceSnapshotTtlMs: 0 }));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const get = (url: string, headers: Record<string, string> = {}, token = reader): Promise<LightMyRequestResponse> =>
    app.inject({ method: 'GET', url, headers: { ...bearer(token), ...headers } });

  it('gives GET /api/v1/measures a strong ETag, the same for the same body', async () => {
    const first = await get('/api/v1/measures');
    expect(first.statusCode).toBe(200);
    expect(first.json().items).toHaveLength(1);
    const etag = first.headers.etag;
    expect(etag).toMatch(STRONG_ETAG);
    expect(etag).toBe(etagOf(first.body));
    const again = await get('/api/v1/measures');
    expect([again.statusCode, again.headers.etag]).toEqual([200, etag]);
    // The existing onSend hook still names the request.
    expect(again.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('answers a conditional GET whose If-None-Match names the ETag with 304 and no body', async () => {
    const { headers } = await get('/api/v1/measures');
    const etag = String(headers.etag);
    for (const condition of [etag, `W/${etag}`, `"something-else", ${etag}`, '*']) {
      const res = await get('/api/v1/measures', { 'if-none-match': condition, 'x-request-id': 'etag-304' });
      expect([condition, res.statusCode]).toEqual([condition, 304]);
      expect(res.body).toBe('');
      expect(res.rawPayload.length).toBe(0);
      expect(res.headers.etag).toBe(etag);
      expect(res.headers['x-request-id']).toBe('etag-304');
      expect(res.headers['content-length']).toBeUndefined();
    }
    const other = await get('/api/v1/measures', { 'if-none-match': '"not-this-one"' });
    expect([other.statusCode, other.headers.etag]).toEqual([200, etag]);
    expect(other.json().items).toHaveLength(1);
    // HEAD too; its 304 may keep the length of the 200 (RFC 9110 section 8.6), never another one.
    const plainHead = await app.inject({ method: 'HEAD', url: '/api/v1/measures', headers: bearer(reader) });
    expect([plainHead.statusCode, plainHead.headers.etag]).toEqual([200, etag]);
    const head = await app.inject({ method: 'HEAD', url: '/api/v1/measures', headers: { ...bearer(reader), 'if-none-match': etag } });
    expect([head.statusCode, head.headers.etag, head.body]).toEqual([304, etag, '']);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(other.body)));
  });

  it('changes the ETag after a write: the old one then gets 200 with the new body', async () => {
    const urls = ['/api/v1/measures', '/api/v1/measures/sso-wizard', '/api/v1/hierarchy', '/api/v1/executive-summary?period=2026-03'];
    const before = new Map<string, string>();
    for (const url of urls) {
      const res = await get(url);
      expect([url, res.statusCode]).toEqual([url, 200]);
      before.set(url, String(res.headers.etag));
      expect((await get(url, { 'if-none-match': String(res.headers.etag) })).statusCode).toBe(304);
    }

    const done = await app.inject({ method: 'POST', url: `/api/v1/measures/sso-wizard/milestones/${milestoneIds[0]}/complete`, headers: bearer(owner) });
    expect(done.statusCode, done.body).toBe(200);
    const actual = await app.inject({
      method: 'POST', url: '/api/v1/measures/sso-wizard/ebitda', headers: bearer(owner),
      payload: { kind: 'actual', periodStart: '2026-01-01', periodEnd: '2026-02-28', amount: 150_000 },
    });
    expect(actual.statusCode, actual.body).toBe(201);

    for (const url of urls) {
      const old = before.get(url) ?? '';
      const res = await get(url, { 'if-none-match': old });
      expect([url, res.statusCode]).toEqual([url, 200]);
      expect(res.headers.etag).toMatch(STRONG_ETAG);
      expect(res.headers.etag, url).not.toBe(old);
      expect(res.headers.etag).toBe(etagOf(res.body));
      expect((await get(url, { 'if-none-match': String(res.headers.etag) })).statusCode).toBe(304);
    }
    const list = (await get('/api/v1/measures')).json();
    expect(list.items[0].status.implementation).toMatchObject({ milestonesTotal: 2 });
  });

  it('never turns an error into a 304, and gives errors no ETag', async () => {
    const errors: { name: string; url: string; token?: string; status: number }[] = [
      { name: 'unknown measure', url: '/api/v1/measures/nope', status: 404 },
      { name: 'unknown route', url: '/api/v1/nothing-here', status: 404 },
      { name: 'bad cursor', url: '/api/v1/measures?cursor=%25%25%25', status: 400 },
      { name: 'bad period', url: '/api/v1/executive-summary?period=someday', status: 400 },
      { name: 'unknown token', url: '/api/v1/measures', token: 'fl_0000000000000000000000000000000000000000000', status: 401 },
      { name: 'forbidden role', url: '/api/v1/audit-log', token: owner, status: 403 },
    ];
    for (const e of errors) {
      // A fixed request id: the error body is then the same every time, so its would-be ETag is known.
      const headers = { 'x-request-id': `etag-${e.status}` };
      const first = await get(e.url, headers, e.token);
      expect([e.name, first.statusCode]).toEqual([e.name, e.status]);
      expect(first.headers.etag, e.name).toBeUndefined();
      expect(first.json().error.code).toMatch(/^FL_/);
      for (const condition of [etagOf(first.body), `W/${etagOf(first.body)}`, '*']) {
        const res = await get(e.url, { ...headers, 'if-none-match': condition }, e.token);
        expect([e.name, condition, res.statusCode]).toEqual([e.name, condition, e.status]);
        expect(res.body).toBe(first.body);
        expect(res.headers.etag).toBeUndefined();
      }
    }
  });

  it('never answers a write with 304, whatever If-None-Match says, and gives its answer no ETag', async () => {
    const payload = { kind: 'forecast', periodStart: '2026-01-01', periodEnd: '2026-12-31', amount: 1_100_000 };
    const url = '/api/v1/measures/sso-wizard/ebitda';
    const first = await app.inject({ method: 'POST', url, headers: bearer(owner), payload });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers.etag).toBeUndefined();
    const again = await app.inject({ method: 'POST', url, headers: { ...bearer(owner), 'if-none-match': '*' }, payload });
    expect([200, 201]).toContain(again.statusCode);
    expect(again.json()).toMatchObject({ kind: 'forecast', amount: 1_100_000 });
    expect(again.headers.etag).toBeUndefined();
    const milestone = await app.inject({
      method: 'POST', url: `/api/v1/measures/sso-wizard/milestones/${milestoneIds[1]}/complete`, headers: { ...bearer(owner), 'if-none-match': etagOf(first.body) },
    });
    expect(milestone.statusCode, milestone.body).toBe(200);
    expect(milestone.json()).toMatchObject({ id: milestoneIds[1], done: true });
    const rows = await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM milestones WHERE status = 'done'");
    expect(rows.rows[0]?.n).toBe(2);
  });

  it('gives GET /api/v1/executive-summary and GET /api/v1/hierarchy ETags and 304s', async () => {
    for (const url of ['/api/v1/executive-summary', '/api/v1/executive-summary?period=2026-Q1', '/api/v1/hierarchy', '/api/v1/hierarchy?asOf=2026-03-01']) {
      const res = await get(url);
      expect([url, res.statusCode]).toEqual([url, 200]);
      expect(res.headers.etag, url).toMatch(STRONG_ETAG);
      const conditional = await get(url, { 'if-none-match': String(res.headers.etag) });
      expect([url, conditional.statusCode, conditional.body]).toEqual([url, 304, '']);
    }
    const summary = await get('/api/v1/executive-summary');
    const hierarchy = await get('/api/v1/hierarchy');
    expect(summary.headers.etag).not.toBe(hierarchy.headers.etag);
  });

  it('gives ETags to the other /api/v1 reads too, and none to /healthz, /metrics or /docs', async () => {
    for (const url of ['/api/v1/connectors', '/api/v1/drivers', '/api/v1/spikes', '/api/v1/interventions', '/api/v1/silences', '/api/v1/releases']) {
      const res = await get(url);
      expect([url, res.statusCode]).toEqual([url, 200]);
      expect(res.headers.etag, url).toMatch(STRONG_ETAG);
      expect((await get(url, { 'if-none-match': String(res.headers.etag) })).statusCode).toBe(304);
    }
    for (const url of ['/healthz', '/metrics', '/docs/json']) {
      const res = await app.inject({ method: 'GET', url, headers: { 'if-none-match': '*' } });
      expect([url, res.statusCode]).toEqual([url, 200]);
      expect(res.headers.etag, url).toBeUndefined();
    }
  });

  it('keeps read-your-writes with the governance snapshot cache on: an own write still changes the ETag at once', async () => {
    const { app: cached } = testApp(db, { governanceSnapshotTtlMs: 60_000, now: () => NOW });
    try {
      const read = (url: string, headers: Record<string, string> = {}) => cached.inject({ method: 'GET', url, headers: { ...bearer(reader), ...headers } });
      const summary = await read('/api/v1/executive-summary?period=2026-03');
      const hierarchy = await read('/api/v1/hierarchy');
      expect([summary.statusCode, hierarchy.statusCode]).toEqual([200, 200]);
      // Kept: the same answer, so the same ETag and a 304.
      expect((await read('/api/v1/hierarchy', { 'if-none-match': String(hierarchy.headers.etag) })).statusCode).toBe(304);
      const write = await cached.inject({
        method: 'POST', url: '/api/v1/measures/sso-wizard/ebitda', headers: bearer(owner),
        payload: { kind: 'forecast', periodStart: '2026-01-01', periodEnd: '2026-12-31', amount: 900_000 },
      });
      expect([200, 201], write.body).toContain(write.statusCode);
      const after = await read('/api/v1/executive-summary?period=2026-03', { 'if-none-match': String(summary.headers.etag) });
      expect(after.statusCode, "summary").toBe(200);
      expect(after.headers.etag).not.toBe(summary.headers.etag);
      const afterHierarchy = await read('/api/v1/hierarchy', { 'if-none-match': String(hierarchy.headers.etag) });
      expect(afterHierarchy.statusCode, "hierarchy").toBe(200);
      expect(afterHierarchy.headers.etag).not.toBe(hierarchy.headers.etag);
    } finally {
      await cached.close();
    }
  });
});
