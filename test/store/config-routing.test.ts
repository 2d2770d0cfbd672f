import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FrontlineConfig, formatConfigIssues, loadConfig } from '../../src/config/index.ts';
import { Prisma } from '../../src/generated/prisma/client.ts';
import { applyConfig, type ApplyOptions, formatRoutingSummary } from '../../src/store/config-repository.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const secretBox = createSecretBox(`t1:${Buffer.alloc(32, 7).toString('base64')}`);
const options = (overrides: Partial<ApplyOptions> = {}): ApplyOptions => ({ secrets: {}, secretBox, actor: 'test', source: ['frontline.yaml'], ...overrides });

const base = (org: string) => `organization:
  key: ${org}
  name: ${org} Corp
  timeZone: Europe/Berlin
  reportingCadence: { weekday: monday, time: "09:00", name: Weekly steering }
drivers:
  - { key: configuration/sso, name: SSO configuration, owningFunction: engineering }
  - { key: billing/refund, name: Refunds, owningFunction: finance }
  - { key: billing/invoice, name: Invoices, owningFunction: finance }
`;
const people = {
  ana: '  - { email: Ana@acme.example, name: Ana Weber, functions: [engineering, product], escalateTo: ben@acme.example }',
  ben: '  - { email: ben@acme.example, name: Ben Ode, functions: [engineering] }',
  ops: '  - { email: ops@acme.example, name: Ops Desk, functions: [operations, support] }',
  fin: '  - { email: fin@acme.example, name: Fin Lee, functions: [finance] }',
};
const routes = {
  sso: '    - { driver: configuration/sso, owner: ana@acme.example, functions: [engineering, product, operations], measures: [m-sso-self-service], kpis: [sso-tickets] }',
  billing: '    - { driver: "billing/", owner: fin@acme.example, functions: [finance, support] }',
  refund: '    - { driver: billing/refund, owner: fin@acme.example, functions: [finance], kpis: [refund-tickets] }',
};
const releases = {
  r42: '  - { key: "4.2", name: Release 4.2, at: "2026-02-24T10:00:00Z", products: [identity] }',
  r43: '  - { key: "4.3", name: Release 4.3, at: "2026-03-10T09:30:00+01:00" }',
};

function yaml(org: string, parts: { people?: string[]; routes?: string[]; releases?: string[]; settings?: string; cadence?: boolean } = {}): string {
  let text = base(org);
  if (parts.cadence === false) text = text.replace(/ {2}reportingCadence.*\n/, '');
  if (parts.people) text += `people:\n${parts.people.join('\n')}\n`;
  if (parts.routes || parts.settings) text += `routing:\n${parts.settings ?? ''}${parts.routes ? `  drivers:\n${parts.routes.join('\n')}\n` : ''}`;
  if (parts.releases) text += `releases:\n${parts.releases.join('\n')}\n`;
  return text;
}

const full = (org: string) => yaml(org, {
  people: [people.ana, people.ben, people.ops, people.fin],
  settings: '  ackWithin: 2h\n  repeatEvery: 12h\n  releaseWindow: 2d\n  default: { owner: ops@acme.example, functions: [operations] }\n',
  routes: [routes.sso, routes.billing, routes.refund],
  releases: [releases.r42, releases.r43],
});

async function config(text: string): Promise<FrontlineConfig> {
  const result = await loadConfig(['frontline.yaml'], {}, { read: async () => text });
  if (!result.ok) throw new Error(formatConfigIssues(result.issues));
  return result.config;
}

describe('applyConfig: people, routing, releases and the reporting cadence', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  const orgId = async (key: string) => (await db.prisma.organization.findUniqueOrThrow({ where: { key } })).id;
  const auditCount = async (organizationId: string) => db.prisma.auditLog.count({ where: { organizationId } });
  const rows = async (organizationId: string) => ({
    people: (await db.prisma.person.findMany({ where: { organizationId }, orderBy: { email: 'asc' } })).map((p) => ({ email: p.email, name: p.name, function: p.function, functions: p.functions, escalateTo: p.escalateTo })),
    routes: (await db.prisma.driverRoute.findMany({ where: { organizationId }, orderBy: { driverPrefix: 'asc' } })).map(({ organizationId: _, ...r }) => r),
    releases: (await db.prisma.release.findMany({ where: { organizationId }, orderBy: { key: 'asc' } })).map((r) => ({ key: r.key, name: r.name, releasedAt: r.releasedAt.toISOString(), products: r.products, source: r.source })),
  });

  it('writes the cadence, routing settings, people, routes and releases, one audit entry each', async () => {
    const result = await applyConfig(db.prisma, await config(full('acme')), options());
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    expect(result.summary).toMatchObject({
      organization: 'created', organizationChanged: [],
      people: { created: ['ana@acme.example', 'ben@acme.example', 'ops@acme.example', 'fin@acme.example'], updated: [], unchanged: [], notInConfig: [] },
      routes: { created: ['configuration/sso', 'billing/', 'billing/refund'], updated: [], removed: [], unchanged: [] },
      releases: { created: ['4.2', '4.3'], updated: [], removed: [], unchanged: [] },
      auditEntries: 11,
    });
    const org = await db.prisma.organization.findUniqueOrThrow({ where: { key: 'acme' } });
    expect(org.reportingCadence).toEqual({ weekday: 'monday', time: '09:00', name: 'Weekly steering' });
    expect(org.routing).toEqual({ ackWithinSeconds: 7_200, repeatEverySeconds: 43_200, releaseWindowSeconds: 172_800, defaultOwner: 'ops@acme.example', defaultFunctions: ['operations'] });
    expect(await rows(org.id)).toEqual({
      people: [
        { email: 'ana@acme.example', name: 'Ana Weber', function: 'engineering', functions: ['engineering', 'product'], escalateTo: 'ben@acme.example' },
        { email: 'ben@acme.example', name: 'Ben Ode', function: 'engineering', functions: ['engineering'], escalateTo: null },
        { email: 'fin@acme.example', name: 'Fin Lee', function: 'finance', functions: ['finance'], escalateTo: null },
        { email: 'ops@acme.example', name: 'Ops Desk', function: 'operations', functions: ['operations', 'support'], escalateTo: null },
      ],
      routes: [
        { driverPrefix: 'billing/', ownerEmail: 'fin@acme.example', functions: ['finance', 'support'], measures: [], kpis: [], detection: {} },
        { driverPrefix: 'billing/refund', ownerEmail: 'fin@acme.example', functions: ['finance'], measures: [], kpis: ['refund-tickets'], detection: {} },
        { driverPrefix: 'configuration/sso', ownerEmail: 'ana@acme.example', functions: ['engineering', 'product', 'operations'], measures: ['m-sso-self-service'], kpis: ['sso-tickets'], detection: {} },
      ],
      releases: [
        { key: '4.2', name: 'Release 4.2', releasedAt: '2026-02-24T10:00:00.000Z', products: ['identity'], source: 'config' },
        { key: '4.3', name: 'Release 4.3', releasedAt: '2026-03-10T08:30:00.000Z', products: [], source: 'config' },
      ],
    });
    const audit = await db.prisma.auditLog.findMany({ where: { organizationId: org.id }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual([
      'organization.created', 'taxonomy.activated',
      'person.created', 'person.created', 'person.created', 'person.created',
      'driver_route.created', 'driver_route.created', 'driver_route.created',
      'release.created', 'release.created',
    ]);
    expect(audit[0]?.after).toMatchObject({ key: 'acme', reportingCadence: { weekday: 'monday' }, routing: { ackWithinSeconds: 7_200 } });
  });

  it('re-applying the same config changes nothing and writes no audit entries', async () => {
    const id = await orgId('acme');
    const before = { audit: await auditCount(id), rows: await rows(id) };
    const result = await applyConfig(db.prisma, await config(full('acme')), options());
    expect(result).toMatchObject({ ok: true, summary: {
      organization: 'unchanged', organizationChanged: [],
      people: { created: [], updated: [], unchanged: ['ana@acme.example', 'ben@acme.example', 'ops@acme.example', 'fin@acme.example'], notInConfig: [] },
      routes: { created: [], updated: [], removed: [], unchanged: ['configuration/sso', 'billing/', 'billing/refund'] },
      releases: { created: [], updated: [], removed: [], unchanged: ['4.2', '4.3'] },
      auditEntries: 0,
    } });
    expect(await auditCount(id)).toBe(before.audit);
    expect(await rows(id)).toEqual(before.rows);
  });

  it('removes a route and a config release no longer declared, keeps a removed person and releases from elsewhere', async () => {
    const id = await orgId('acme');
    await db.prisma.release.create({ data: { organizationId: id, key: '4.2.1', name: 'Hotfix', releasedAt: new Date('2026-02-25T08:00:00Z'), source: 'api' } });
    await db.prisma.release.create({ data: { organizationId: id, key: 'JIRA-5', name: 'Jira 5', releasedAt: new Date('2026-02-26T08:00:00Z'), source: 'jira' } });
    const before = await auditCount(id);
    const changed = yaml('acme', {
      people: [people.ana.replace('Ana Weber', 'Ana Weber-Ode').replace('escalateTo: ben@', 'escalateTo: ops@'), people.ops, people.fin],
      settings: '  ackWithin: 2h\n  repeatEvery: 12h\n  releaseWindow: 2d\n  default: { owner: ops@acme.example, functions: [operations] }\n',
      routes: [routes.sso, routes.billing.replace('[finance, support]', '[finance]')],
      releases: [releases.r42],
    });
    const result = await applyConfig(db.prisma, await config(changed), options());
    expect(result).toMatchObject({ ok: true, summary: {
      organization: 'unchanged',
      people: { created: [], updated: ['ana@acme.example'], unchanged: ['ops@acme.example', 'fin@acme.example'], notInConfig: ['ben@acme.example'] },
      routes: { created: [], updated: ['billing/'], removed: ['billing/refund'], unchanged: ['configuration/sso'] },
      releases: { created: [], updated: [], removed: ['4.3'], unchanged: ['4.2'] },
      auditEntries: 4,
    } });
    const after = await rows(id);
    expect(after.people.map((p) => [p.email, p.name])).toEqual([['ana@acme.example', 'Ana Weber-Ode'], ['ben@acme.example', 'Ben Ode'], ['fin@acme.example', 'Fin Lee'], ['ops@acme.example', 'Ops Desk']]);
    expect(after.routes.map((r) => [r.driverPrefix, r.functions])).toEqual([['billing/', ['finance']], ['configuration/sso', ['engineering', 'product', 'operations']]]);
    expect(after.releases.map((r) => [r.key, r.source])).toEqual([['4.2', 'config'], ['4.2.1', 'api'], ['JIRA-5', 'jira']]);
    const audit = await db.prisma.auditLog.findMany({ where: { organizationId: id }, orderBy: { id: 'asc' }, skip: before });
    expect(audit.map((a) => [a.action, a.before, a.after])).toEqual([
      ['person.updated', { name: 'Ana Weber', escalateTo: 'ben@acme.example' }, { name: 'Ana Weber-Ode', escalateTo: 'ops@acme.example' }],
      ['driver_route.updated', { functions: ['finance', 'support'] }, { functions: ['finance'] }],
      ['driver_route.removed', { driverPrefix: 'billing/refund', ownerEmail: 'fin@acme.example', functions: ['finance'], measures: [], kpis: ['refund-tickets'], detection: {} }, null],
      ['release.removed', { key: '4.3', name: 'Release 4.3', releasedAt: '2026-03-10T08:30:00.000Z', products: [], source: 'config' }, null],
    ]);
    // And again: the person left out stays left out, nothing else to do.
    const again = await applyConfig(db.prisma, await config(changed), options());
    expect(again).toMatchObject({ ok: true, summary: { auditEntries: 0, people: { notInConfig: ['ben@acme.example'] } } });
  });

  it('writes the default routing without a routing section, clears a removed cadence, and fills in routing on an older organization', async () => {
    const first = await applyConfig(db.prisma, await config(yaml('globex')), options());
    expect(first).toMatchObject({ ok: true, summary: { organization: 'created', people: { created: [] }, routes: { created: [] }, releases: { created: [] } } });
    const id = await orgId('globex');
    const stored = await db.prisma.organization.findUniqueOrThrow({ where: { id } });
    expect(stored.routing).toEqual({ ackWithinSeconds: 14_400, repeatEverySeconds: 86_400, releaseWindowSeconds: 259_200, defaultOwner: null, defaultFunctions: [] });

    const withoutCadence = await applyConfig(db.prisma, await config(yaml('globex', { cadence: false })), options());
    expect(withoutCadence).toMatchObject({ ok: true, summary: { organization: 'updated', organizationChanged: ['reportingCadence'], auditEntries: 1 } });
    expect((await db.prisma.organization.findUniqueOrThrow({ where: { id } })).reportingCadence).toBeNull();
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { organizationId: id, action: 'organization.updated' } });
    expect([audit.before, audit.after]).toEqual([{ reportingCadence: { weekday: 'monday', time: '09:00', name: 'Weekly steering' } }, { reportingCadence: null }]);

    // An organization applied before routing existed has no routing yet: the next apply writes it.
    await db.prisma.organization.update({ where: { id }, data: { routing: Prisma.DbNull } });
    const upgraded = await applyConfig(db.prisma, await config(yaml('globex', { cadence: false })), options());
    expect(upgraded).toMatchObject({ ok: true, summary: { organization: 'updated', organizationChanged: ['routing'], auditEntries: 1 } });
    const again = await applyConfig(db.prisma, await config(yaml('globex', { cadence: false })), options());
    expect(again).toMatchObject({ ok: true, summary: { organization: 'unchanged', auditEntries: 0 } });
  });

  it('matches a stored person case-insensitively and takes over a release key written elsewhere', async () => {
    await applyConfig(db.prisma, await config(yaml('initech')), options());
    const id = await orgId('initech');
    await db.prisma.person.create({ data: { organizationId: id, email: 'Ben@Acme.example', name: 'Ben', function: 'sales' } });
    await db.prisma.release.create({ data: { organizationId: id, key: '4.3', name: 'From Jira', releasedAt: new Date('2026-03-10T08:30:00Z'), source: 'jira' } });
    const result = await applyConfig(db.prisma, await config(yaml('initech', { people: [people.ben], releases: [releases.r43] })), options());
    expect(result).toMatchObject({ ok: true, summary: { people: { created: [], updated: ['ben@acme.example'] }, releases: { updated: ['4.3'] }, auditEntries: 2 } });
    expect(await rows(id)).toMatchObject({
      people: [{ email: 'ben@acme.example', name: 'Ben Ode', function: 'engineering', functions: ['engineering'], escalateTo: null }],
      releases: [{ key: '4.3', name: 'Release 4.3', source: 'config' }],
    });
  });

  it('a dry run plans the changes and writes none of them', async () => {
    const result = await applyConfig(db.prisma, await config(full('umbrella')), options({ dryRun: true }));
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    expect(result.summary).toMatchObject({ dryRun: true, people: { created: ['ana@acme.example', 'ben@acme.example', 'ops@acme.example', 'fin@acme.example'] }, routes: { created: ['configuration/sso', 'billing/', 'billing/refund'] }, releases: { created: ['4.2', '4.3'] } });
    expect(await db.prisma.organization.findUnique({ where: { key: 'umbrella' } })).toBeNull();
    expect(formatRoutingSummary(result.summary)).toBe(
      '  people created: ana@acme.example, ben@acme.example, ops@acme.example, fin@acme.example\n' +
        '  driver routes created: configuration/sso, billing/, billing/refund\n' +
        '  releases created: 4.2, 4.3\n',
    );
    const acme = await applyConfig(db.prisma, await config(full('acme')), options({ dryRun: true }));
    if (!acme.ok) throw new Error(formatConfigIssues(acme.issues));
    expect(formatRoutingSummary(acme.summary)).toBe(
      '  people updated: ana@acme.example\n  people unchanged: 3\n' +
        '  driver routes created: billing/refund\n  driver routes updated: billing/\n  driver routes unchanged: 1\n' +
        '  releases created: 4.3\n  releases unchanged: 1\n',
    );
  });
});
