import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTokenRole, apiTokenRoles, createApiToken } from '../../src/store/api-token-repository.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { NOW, bearer, seedConnector, seedMeasurePackage, seedOrganization, seedSignalledItem, testApp } from './http-fixtures.ts';

/**
 * Who may call what under /api/v1, as the routes implement it today (their `requireRole` hooks): every
 * role reads everything; intervention transitions, silences and releases take admin, analyst or
 * service; measure gates, EBITDA entries and milestones take admin, analyst or controller; confirming
 * realised EBITDA takes controller. A refused role is 403 FL_FORBIDDEN before the body is validated
 * and changes nothing; an allowed one reaches the handler (never 401/403) on seeded data. A token of
 * another organization finds nothing of this one: 404, never 403.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const ALL: readonly ApiTokenRole[] = apiTokenRoles;
const WRITERS: readonly ApiTokenRole[] = ['admin', 'analyst', 'service'];
const GOVERNANCE: readonly ApiTokenRole[] = ['admin', 'analyst', 'controller'];
const CONTROLLER: readonly ApiTokenRole[] = ['controller'];
/** Record EBITDA and complete milestones: the people who steer a measure (its controller confirms, never records). */
const STEWARDS: readonly ApiTokenRole[] = ['admin', 'analyst'];

/** The person each role's token acts for: the owner for admin and analyst, the sponsor for executive, the controller for controller; machines for nobody. */
const PERSON_OF: Record<ApiTokenRole, string | undefined> = {
  admin: 'olga@acme.example', analyst: 'olga@acme.example', executive: 'sven@acme.example', controller: 'clara@acme.example', service: undefined,
};

interface Seeded {
  spikeId: string;
  itemId: string;
  silenceId: string;
  milestoneId: string;
  actualId: string;
}

interface Route {
  /** The route family, as in the OpenAPI tags. */
  family: string;
  name: string;
  method: 'GET' | 'POST';
  url: (s: Seeded) => string;
  body?: object;
  /** A body the schema refuses: a refused role still gets 403, not 400. */
  invalidBody?: object;
  allowed: readonly ApiTokenRole[];
  /** What an allowed role may get on the seeded data (the first call may change it, e.g. ack, then 409). */
  outcomes: readonly number[];
}

const ROUTES: readonly Route[] = [
  { family: 'connectors', name: 'GET /connectors', method: 'GET', url: () => '/api/v1/connectors', allowed: ALL, outcomes: [200] },
  { family: 'connectors', name: 'GET /connectors/{key}', method: 'GET', url: () => '/api/v1/connectors/zendesk-main', allowed: ALL, outcomes: [200] },
  { family: 'connectors', name: 'GET /connectors/{key}/quarantine', method: 'GET', url: () => '/api/v1/connectors/zendesk-main/quarantine', allowed: ALL, outcomes: [200] },
  { family: 'drivers', name: 'GET /drivers', method: 'GET', url: () => '/api/v1/drivers', allowed: ALL, outcomes: [200] },
  {
    family: 'drivers', name: 'GET /drivers/series', method: 'GET', url: () => '/api/v1/drivers/series?driver=unmatched&from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z',
    allowed: ALL, outcomes: [200],
  },
  { family: 'spikes', name: 'GET /spikes', method: 'GET', url: () => '/api/v1/spikes', allowed: ALL, outcomes: [200] },
  { family: 'spikes', name: 'GET /spikes/{id}', method: 'GET', url: (s) => `/api/v1/spikes/${s.spikeId}`, allowed: ALL, outcomes: [200] },
  { family: 'interventions', name: 'GET /interventions', method: 'GET', url: () => '/api/v1/interventions', allowed: ALL, outcomes: [200] },
  { family: 'interventions', name: 'GET /interventions/{id}', method: 'GET', url: (s) => `/api/v1/interventions/${s.itemId}`, allowed: ALL, outcomes: [200] },
  {
    family: 'interventions', name: 'POST /interventions/{id}/transitions', method: 'POST', url: (s) => `/api/v1/interventions/${s.itemId}/transitions`,
    body: { action: 'ack', reason: 'rbac matrix' }, invalidBody: { action: 'explode' }, allowed: WRITERS, outcomes: [200, 409],
  },
  { family: 'silences', name: 'GET /silences', method: 'GET', url: () => '/api/v1/silences', allowed: ALL, outcomes: [200] },
  {
    family: 'silences', name: 'POST /silences', method: 'POST', url: () => '/api/v1/silences',
    body: { driver: 'configuration/sso', reason: 'rbac matrix', duration: '1h' }, invalidBody: { driver: 'configuration/sso' }, allowed: WRITERS, outcomes: [201],
  },
  {
    family: 'silences', name: 'POST /silences/{id}/expire', method: 'POST', url: (s) => `/api/v1/silences/${s.silenceId}/expire`,
    body: { reason: 'rbac matrix' }, invalidBody: { reason: 42 }, allowed: WRITERS, outcomes: [200, 404],
  },
  { family: 'releases', name: 'GET /releases', method: 'GET', url: () => '/api/v1/releases', allowed: ALL, outcomes: [200] },
  {
    family: 'releases', name: 'POST /releases', method: 'POST', url: () => '/api/v1/releases',
    body: { key: 'rbac-1', name: 'RBAC matrix release', at: new Date(NOW - HOUR).toISOString() }, invalidBody: { key: 'rbac-2' }, allowed: WRITERS, outcomes: [201, 409],
  },
  { family: 'measures', name: 'GET /measures', method: 'GET', url: () => '/api/v1/measures', allowed: ALL, outcomes: [200] },
  { family: 'measures', name: 'GET /measures/{key}', method: 'GET', url: () => '/api/v1/measures/sso-wizard', allowed: ALL, outcomes: [200] },
  { family: 'kpis', name: 'GET /kpis', method: 'GET', url: () => '/api/v1/kpis', allowed: ALL, outcomes: [200] },
  { family: 'kpis', name: 'GET /kpis/{key}', method: 'GET', url: () => '/api/v1/kpis/sso-tickets', allowed: ALL, outcomes: [200] },
  { family: 'kpis', name: 'GET /kpis/{key}/series', method: 'GET', url: () => '/api/v1/kpis/sso-tickets/series', allowed: ALL, outcomes: [200] },
  {
    family: 'kpis', name: 'GET /kpis/{key}/points/{start}/tickets', method: 'GET', url: () => '/api/v1/kpis/sso-tickets/points/2026-03-09T23:00:00.000Z/tickets',
    allowed: ALL, outcomes: [200],
  },
  { family: 'governance', name: 'GET /audit-log', method: 'GET', url: () => '/api/v1/audit-log', allowed: ['admin', 'controller', 'executive'], outcomes: [200] },
  { family: 'governance', name: 'GET /hierarchy', method: 'GET', url: () => '/api/v1/hierarchy', allowed: ALL, outcomes: [200] },
  { family: 'governance', name: 'GET /executive-summary', method: 'GET', url: () => '/api/v1/executive-summary?period=2026-03', allowed: ALL, outcomes: [200] },
  {
    // Defined → closed skips gates: refused by the gate (409) for whoever is let through, so nothing moves.
    family: 'measures', name: 'POST /measures/{key}/transitions', method: 'POST', url: () => '/api/v1/measures/sso-wizard/transitions',
    body: { to: 'closed', reason: 'rbac matrix check' }, invalidBody: { to: 'done' }, allowed: GOVERNANCE, outcomes: [409],
  },
  {
    family: 'measures', name: 'POST /measures/{key}/ebitda', method: 'POST', url: () => '/api/v1/measures/sso-wizard/ebitda',
    body: { kind: 'forecast', periodStart: '2026-01-01', periodEnd: '2026-12-31', amount: 1_100_000 }, invalidBody: { kind: 'wish' }, allowed: STEWARDS, outcomes: [200, 201],
  },
  {
    family: 'measures', name: 'POST /measures/{key}/ebitda/{entryId}/confirm', method: 'POST', url: (s) => `/api/v1/measures/sso-wizard/ebitda/${s.actualId}/confirm`,
    body: { evidence: 'ledger extract H1, cost centre 4711' }, invalidBody: {}, allowed: CONTROLLER, outcomes: [200],
  },
  {
    // An unknown milestone: the duty rule (owner or sponsor only) comes after the lookup, so every role the hook lets through gets 404.
    family: 'measures', name: 'POST /measures/{key}/milestones/{id}/complete', method: 'POST', url: () => `/api/v1/measures/sso-wizard/milestones/${UNKNOWN_ID}/complete`,
    allowed: STEWARDS, outcomes: [404],
  },
];

describe('/api/v1 role matrix', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let s: Seeded;
  let orgId: string;
  const tokens = {} as Record<ApiTokenRole, string>;
  /** Tokens of organization beta (acting for its person bob), by role. */
  const betaTokens = {} as Record<ApiTokenRole, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    const org = await seedOrganization(db.prisma, 'acme', 'Europe/Berlin');
    const beta = await seedOrganization(db.prisma, 'beta');
    orgId = org.id;
    const connector = await seedConnector(db.prisma, org.id, 'zendesk-main');
    await seedConnector(db.prisma, beta.id, 'zendesk-beta');
    const person = (organizationId: string, email: string, name: string) => db.prisma.person.create({ data: { organizationId, email, name }, select: { id: true } });
    const owner = await person(org.id, 'olga@acme.example', 'Olga Owner');
    const sponsor = await person(org.id, 'sven@acme.example', 'Sven Sponsor');
    const controller = await person(org.id, 'clara@acme.example', 'Clara Controller');
    await person(beta.id, 'bob@beta.example', 'Bob Beta');

    await db.prisma.quarantinedRecord.create({
      data: { connectorId: connector.id, stream: 'tickets', nativeId: 'q1', reason: 'missing created_at', payload: { id: 1 }, payloadHash: 'h1', firstSeenAt: new Date(NOW) },
    });
    const { spikeId, itemId, silenceId } = await seedSignalledItem(db.prisma, { organizationId: org.id, connectorId: connector.id, ownerId: owner.id, fingerprint: 'family/configuration@rbac' });

    const { packageId, businessUnitId } = await seedMeasurePackage(db.prisma, org.id);
    await db.prisma.kpi.create({
      data: { organizationId: org.id, key: 'sso-tickets', name: 'SSO tickets', nodeLevel: 'organization', nodeId: org.id, metric: 'volume', bucket: 'day', timeZone: 'Europe/Berlin', direction: 'down_is_good' },
    });
    const measure = await db.prisma.measure.create({
      data: {
        organizationId: org.id, packageId, key: 'sso-wizard', title: 'SSO set-up wizard cuts configuration contacts', businessUnitId,
        sponsorId: sponsor.id, ownerId: owner.id, controllerId: controller.id, steeringCommittee: 'Service SteerCo',
        plannedEbitda: 1_200_000, currency: 'EUR', ebitdaPeriodStart: new Date('2026-01-01'), ebitdaPeriodEnd: new Date('2026-12-31'),
        milestones: { create: [{ title: 'Wizard live', dueDate: new Date('2026-04-30') }] },
      },
      include: { milestones: true },
    });
    const actual = await db.prisma.ebitdaEntry.create({
      data: { measureId: measure.id, kind: 'actual', periodStart: new Date('2026-01-01'), periodEnd: new Date('2026-02-28'), amount: 150_000, currency: 'EUR' },
      select: { id: true },
    });
    s = { spikeId, itemId, silenceId, milestoneId: measure.milestones[0]?.id ?? '', actualId: actual.id };

    for (const role of apiTokenRoles) {
      const personEmail = PERSON_OF[role];
      tokens[role] = (await createApiToken(db.prisma, { name: `${role} token`, role, organizationIds: [org.id], ...(personEmail ? { personEmail } : {}) })).token;
      betaTokens[role] = (await createApiToken(db.prisma, { name: `beta ${role} token`, role, organizationIds: [beta.id], personEmail: 'bob@beta.example' })).token;
    }
    app = testApp(db).app;
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db.drop();
  });

  const call = (route: Route, token: string, body = route.body): Promise<LightMyRequestResponse> =>
    app.inject({ method: route.method, url: route.url(s), headers: bearer(token), ...(body === undefined ? {} : { payload: body }) });
  const codeOf = (res: LightMyRequestResponse): string | undefined => (res.json() as { error?: { code?: string } }).error?.code;
  /** Rows any write of these routes adds: audit records, silences, releases, EBITDA entries, stage moves. */
  const writes = async (): Promise<number[]> => {
    const row = await db.pool.query<{ n: number[] }>(
      `SELECT ARRAY[(SELECT count(*) FROM audit_log), (SELECT count(*) FROM silences), (SELECT count(*) FROM releases), (SELECT count(*) FROM ebitda_entries),
                    (SELECT count(*) FROM stage_transitions), (SELECT count(*) FROM milestones WHERE status = 'done')]::int[] AS n`,
    );
    return row.rows[0]?.n ?? [];
  };

  it('covers every /api/v1 operation the OpenAPI document lists', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(spec.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path.slice('/api/v1'.length)}`.replace(/\{[^}]+\}/g, '{}')))
      .sort();
    const covered = ROUTES.map((r) => r.name.replace(/\{[^}]+\}/g, '{}')).sort();
    expect(covered).toEqual(documented);
  });

  describe.each(ROUTES.map((route) => [route.name, route] as const))('%s', (_name, route) => {
    for (const role of apiTokenRoles) {
      if (route.allowed.includes(role)) {
        it(`lets ${role} through (${route.outcomes.join(' or ')}, never 401/403)`, async () => {
          const res = await call(route, tokens[role]);
          expect([401, 403], `${role}: ${res.body}`).not.toContain(res.statusCode);
          expect(route.outcomes, `${role}: ${res.body}`).toContain(res.statusCode);
        });
      } else {
        it(`refuses ${role} with 403 FL_FORBIDDEN before the body is validated, changing nothing`, async () => {
          const before = await writes();
          const res = await call(route, tokens[role]);
          expect(res.statusCode, res.body).toBe(403);
          expect(res.json()).toEqual({
            error: { code: 'FL_FORBIDDEN', message: expect.stringContaining(`A token with role ${role} may not `) },
            requestId: res.headers['x-request-id'],
          });
          expect(res.json().error.message).toContain(`that takes role ${route.allowed.join(', ')}`);
          if (route.invalidBody !== undefined) {
            const invalid = await call(route, tokens[role], route.invalidBody);
            expect([invalid.statusCode, codeOf(invalid)]).toEqual([403, 'FL_FORBIDDEN']);
          }
          expect(await writes()).toEqual(before);
        });
      }
    }
  });

  it('lets only the people who steer a measure mark its milestones done: a controller-role token is refused by its role', async () => {
    const url = `/api/v1/measures/sso-wizard/milestones/${s.milestoneId}/complete`;
    const byController = await app.inject({ method: 'POST', url, headers: bearer(tokens.controller) });
    expect([byController.statusCode, codeOf(byController)]).toEqual([403, 'FL_FORBIDDEN']);
    const byOwner = await app.inject({ method: 'POST', url, headers: bearer(tokens.analyst) });
    expect(byOwner.statusCode).toBe(200);
    expect(byOwner.json()).toMatchObject({ id: s.milestoneId, done: true });
  });

  describe('a token of another organization', () => {
    /** Resources of acme, each with a role the route lets through; beta's tokens all act for beta's person. */
    const foreign: readonly { name: string; role: ApiTokenRole; method: 'GET' | 'POST'; url: (x: Seeded) => string; body?: object; code: string }[] = [
      { name: 'GET /connectors/{key}', role: 'executive', method: 'GET', url: () => '/api/v1/connectors/zendesk-main', code: 'FL_NOT_FOUND' },
      { name: 'GET /connectors/{key}/quarantine', role: 'executive', method: 'GET', url: () => '/api/v1/connectors/zendesk-main/quarantine', code: 'FL_NOT_FOUND' },
      { name: 'GET /spikes/{id}', role: 'executive', method: 'GET', url: (x) => `/api/v1/spikes/${x.spikeId}`, code: 'FL_NOT_FOUND' },
      { name: 'GET /interventions/{id}', role: 'executive', method: 'GET', url: (x) => `/api/v1/interventions/${x.itemId}`, code: 'FL_INTERVENTION_NOT_FOUND' },
      {
        name: 'POST /interventions/{id}/transitions', role: 'admin', method: 'POST', url: (x) => `/api/v1/interventions/${x.itemId}/transitions`,
        body: { action: 'start' }, code: 'FL_INTERVENTION_NOT_FOUND',
      },
      { name: 'POST /silences/{id}/expire', role: 'admin', method: 'POST', url: (x) => `/api/v1/silences/${x.silenceId}/expire`, body: {}, code: 'FL_NOT_FOUND' },
      { name: 'GET /measures/{key}', role: 'executive', method: 'GET', url: () => '/api/v1/measures/sso-wizard', code: 'FL_MEASURE_NOT_FOUND' },
      { name: 'GET /kpis/{key}/series', role: 'executive', method: 'GET', url: () => '/api/v1/kpis/sso-tickets/series', code: 'FL_NOT_FOUND' },
      { name: 'GET /kpis/{key}/points/{start}/tickets', role: 'executive', method: 'GET', url: () => '/api/v1/kpis/sso-tickets/points/2026-03-09T23:00:00.000Z/tickets', code: 'FL_NOT_FOUND' },
      {
        name: 'POST /measures/{key}/transitions', role: 'admin', method: 'POST', url: () => '/api/v1/measures/sso-wizard/transitions',
        body: { to: 'on_hold', reason: 'from another tenant' }, code: 'FL_MEASURE_NOT_FOUND',
      },
      {
        name: 'POST /measures/{key}/ebitda', role: 'admin', method: 'POST', url: () => '/api/v1/measures/sso-wizard/ebitda',
        body: { kind: 'actual', periodStart: '2026-03-01', periodEnd: '2026-03-31', amount: 1 }, code: 'FL_MEASURE_NOT_FOUND',
      },
      {
        name: 'POST /measures/{key}/ebitda/{entryId}/confirm', role: 'controller', method: 'POST', url: (x) => `/api/v1/measures/sso-wizard/ebitda/${x.actualId}/confirm`,
        body: { evidence: 'from another tenant' }, code: 'FL_MEASURE_NOT_FOUND',
      },
      {
        name: 'POST /measures/{key}/milestones/{id}/complete', role: 'analyst', method: 'POST', url: (x) => `/api/v1/measures/sso-wizard/milestones/${x.milestoneId}/complete`,
        code: 'FL_MEASURE_NOT_FOUND',
      },
    ];

    for (const f of foreign) {
      it(`gets 404 ${f.code}, never 403, for ${f.name} of this organization`, async () => {
        const before = await writes();
        const res = await app.inject({ method: f.method, url: f.url(s), headers: bearer(betaTokens[f.role]), ...(f.body === undefined ? {} : { payload: f.body }) });
        expect([res.statusCode, codeOf(res)], res.body).toEqual([404, f.code]);
        expect(res.body).not.toContain('acme');
        expect(await writes()).toEqual(before);
      });
    }

    it('gets 404 for ?organization=acme on every list, and sees none of its rows in its own', async () => {
      for (const route of ROUTES.filter((r) => r.method === 'GET' && !r.name.includes('{'))) {
        const url = `${route.url(s)}${route.url(s).includes('?') ? '&' : '?'}organization=acme`;
        const named = await app.inject({ method: 'GET', url, headers: bearer(betaTokens.executive) });
        expect([route.name, named.statusCode, codeOf(named)]).toEqual([route.name, 404, 'FL_NOT_FOUND']);
        const own = await app.inject({ method: 'GET', url: route.url(s), headers: bearer(betaTokens.executive) });
        expect([route.name, own.statusCode]).toEqual([route.name, 200]);
        for (const id of [s.spikeId, s.itemId, s.silenceId, 'zendesk-main', 'sso-wizard', 'rbac-1']) expect(own.body).not.toContain(id);
      }
    });

    it('gets the same 403 for a route its role may not use, whether the resource is this organization’s or no one’s', async () => {
      const onAcme = await app.inject({ method: 'POST', url: `/api/v1/interventions/${s.itemId}/transitions`, headers: bearer(betaTokens.executive), payload: { action: 'ack' } });
      const onNothing = await app.inject({ method: 'POST', url: `/api/v1/interventions/${UNKNOWN_ID}/transitions`, headers: bearer(betaTokens.executive), payload: { action: 'ack' } });
      expect([onAcme.statusCode, codeOf(onAcme)]).toEqual([403, 'FL_FORBIDDEN']);
      expect({ ...onAcme.json(), requestId: '' }).toEqual({ ...onNothing.json(), requestId: '' });
    });
  });

  it('left the seeded organization as the allowed calls made it', async () => {
    const item = await db.prisma.interventionItem.findUniqueOrThrow({ where: { id: s.itemId }, select: { status: true } });
    expect(item.status).toBe('acknowledged');
    const entry = await db.prisma.ebitdaEntry.findUniqueOrThrow({ where: { id: s.actualId }, select: { confirmedBy: true } });
    expect(entry.confirmedBy).not.toBeNull();
    expect(await db.prisma.release.count({ where: { organizationId: orgId } })).toBe(1);
  });
});
