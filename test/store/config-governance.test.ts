import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FrontlineConfig, formatConfigIssues, loadConfig } from '../../src/config/index.ts';
import { applyConfig, type ApplyOptions, formatGovernanceSummary, formatKpiSummary } from '../../src/store/config-repository.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * `config apply` of the governance hierarchy on real PostgreSQL: created with its parents, people,
 * milestones and plan; applying twice changes nothing; a change is one audited update; what config
 * stops declaring is kept and reported; a closed measure is left as it is; stages are never config's.
 */
const secretBox = createSecretBox(`t1:${Buffer.alloc(32, 7).toString('base64')}`);
const options: ApplyOptions = { secrets: {}, secretBox, actor: 'test', source: ['frontline.yaml'] };

const head = `organization: { key: acme, name: Acme Corp, timeZone: Europe/Berlin }
people:
  - { email: olga@acme.example, name: Olga Owner }
  - { email: sven@acme.example, name: Sven Sponsor }
  - { email: clara@acme.example, name: Clara Controller }
  - { email: carl@acme.example, name: Carl Controller }
governance:
  businessUnits: [{ key: service, name: Customer Service }]
  portfolios: [{ key: cx, name: Customer experience, goal: 25 % fewer contacts }]
  programs: [{ key: contact-avoidance, name: Contact avoidance, portfolio: cx }]
  projects: [{ key: self-service, name: Self-service, program: contact-avoidance }]
  packages: [{ key: sso, name: SSO self-service, project: self-service }, { key: billing, name: Billing self-service, project: self-service }]
  measures:
`;
const measure = (key: string, pkg: string, extra = '') => `    - key: ${key}
      title: ${key} title
      package: ${pkg}
      owner: olga@acme.example
      sponsor: sven@acme.example
      controller: clara@acme.example
      businessUnit: service
      steeringCommittee: Service SteerCo
      plannedEbitda: { amount: 1200000, from: 2027-01-01, to: 2027-12-31 }
      milestones: [{ title: Wizard live, due: 2027-03-31 }, { title: Runbook, due: 2027-05-31 }]
      ebitdaPlan: [{ from: 2027-01-01, to: 2027-06-30, amount: 500000 }, { from: 2027-07-01, to: 2027-12-31, amount: 700000 }]
${extra}`;

async function config(text: string): Promise<FrontlineConfig> {
  const result = await loadConfig(['frontline.yaml'], {}, { read: async () => text });
  if (!result.ok) throw new Error(formatConfigIssues(result.issues));
  return result.config;
}

async function apply(text: string) {
  const result = await applyConfig(db.prisma, await config(text), options);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.summary;
}

let db: TestDatabase;

describe('applyConfig: the governance hierarchy', () => {
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('creates the hierarchy and its measures at Defined, with people, milestones and plan per period; a second apply changes nothing', async () => {
    const text = head + measure('m-sso', 'sso') + measure('m-invoices', 'billing');
    const first = await apply(text);
    expect(first.governance.measures.created).toEqual(['m-sso', 'm-invoices']);
    expect(first.governance.packages.created).toEqual(['sso', 'billing']);
    const m = await db.prisma.measure.findFirstOrThrow({
      where: { key: 'm-sso' },
      include: { package: { include: { project: { include: { program: { include: { portfolio: true } } } } } }, owner: true, sponsor: true, controller: true, businessUnit: true, milestones: { orderBy: { dueDate: 'asc' } }, ebitdaEntries: { orderBy: { periodStart: 'asc' } } },
    });
    expect(m).toMatchObject({ stage: 'defined', steeringCommittee: 'Service SteerCo', currency: 'EUR', owner: { email: 'olga@acme.example' }, sponsor: { email: 'sven@acme.example' }, controller: { email: 'clara@acme.example' }, businessUnit: { key: 'service' } });
    expect(m.package.project.program.portfolio.key).toBe('cx');
    expect(m.plannedEbitda?.toNumber()).toBe(1_200_000);
    expect(m.milestones.map((x) => [x.title, x.dueDate.toISOString().slice(0, 10), x.status])).toEqual([['Wizard live', '2027-03-31', 'planned'], ['Runbook', '2027-05-31', 'planned']]);
    expect(m.ebitdaEntries.map((e) => [e.kind, e.periodStart.toISOString().slice(0, 10), e.amount.toNumber()])).toEqual([['plan', '2027-01-01', 500_000], ['plan', '2027-07-01', 700_000]]);
    const audits = await db.prisma.auditLog.count();
    const second = await apply(text);
    expect(second.auditEntries).toBe(0);
    expect(second.governance.measures).toEqual({ created: [], updated: [], unchanged: ['m-sso', 'm-invoices'], notInConfig: [], frozen: [] });
    expect(await db.prisma.auditLog.count()).toBe(audits + 0);
    expect(formatGovernanceSummary(second.governance)).toContain('  measures unchanged: 2\n');
  });

  it('updates what changed in one audited entry, keeps the stage and done milestones, and reports what config no longer declares', async () => {
    const m = await db.prisma.measure.findFirstOrThrow({ where: { key: 'm-sso' }, include: { milestones: true } });
    // Moved on through the gates and one milestone done: config touches neither.
    await db.prisma.measure.update({ where: { id: m.id }, data: { stage: 'decided' } });
    await db.prisma.milestone.updateMany({ where: { measureId: m.id, title: 'Wizard live' }, data: { status: 'done', completedAt: new Date() } });
    const changed = (head + measure('m-sso', 'sso')).replace('controller: clara@acme.example', 'controller: carl@acme.example').replace('due: 2027-05-31', 'due: 2027-06-30');
    const summary = await apply(changed);
    expect(summary.governance.measures).toMatchObject({ updated: ['m-sso'], notInConfig: ['m-invoices'] });
    const after = await db.prisma.measure.findFirstOrThrow({ where: { key: 'm-sso' }, include: { controller: true, milestones: { orderBy: { dueDate: 'asc' } } } });
    expect(after).toMatchObject({ stage: 'decided', controller: { email: 'carl@acme.example' } });
    expect(after.milestones.map((x) => [x.title, x.dueDate.toISOString().slice(0, 10), x.status])).toEqual([['Wizard live', '2027-03-31', 'done'], ['Runbook', '2027-06-30', 'planned']]);
    const audit = await db.prisma.auditLog.findMany({ where: { action: 'measure.updated' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.before).toMatchObject({ controller: 'clara@acme.example', milestones: [{ title: 'Runbook', due: '2027-05-31' }, { title: 'Wizard live', due: '2027-03-31' }] });
    expect(audit[0]?.after).toMatchObject({ controller: 'carl@acme.example' });
    // Not deleted: the measure config no longer names stays, and is named in the output.
    expect(await db.prisma.measure.count({ where: { key: 'm-invoices' } })).toBe(1);
    expect(formatGovernanceSummary(summary.governance)).toContain('  measures no longer in config (kept): m-invoices\n');
  });

  it('leaves a closed measure as it is', async () => {
    await db.prisma.measure.updateMany({ where: { key: 'm-sso' }, data: { stage: 'closed' } });
    const summary = await apply((head + measure('m-sso', 'sso')).replace('title: m-sso title', 'title: A new title'));
    expect(summary.governance.measures).toMatchObject({ updated: [], frozen: ['m-sso'] });
    expect((await db.prisma.measure.findFirstOrThrow({ where: { key: 'm-sso' } })).title).toBe('m-sso title');
    expect(formatGovernanceSummary(summary.governance)).toContain('closed measures left as they are (config differs): m-sso');
  });
});

describe('applyConfig: KPI definitions', () => {
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });
  const kpis = (target: number) => `kpis:
  - { key: sso-tickets, name: SSO tickets, on: { measure: m-sso }, metric: volume, bucket: week, direction: down_is_good, target: ${target}, bands: { green: 900, amber: 1100 } }
  - { key: all-tickets, name: All tickets, on: organization, metric: volume, direction: down_is_good }
`;

  it('creates version 1, changes nothing when applied again, and versions a changed definition keeping the old one', async () => {
    const text = head + measure('m-sso', 'sso');
    expect((await apply(text + kpis(800))).kpis).toEqual({ created: ['sso-tickets', 'all-tickets'], versioned: [], unchanged: [], notInConfig: [] });
    const m = await db.prisma.measure.findFirstOrThrow({ where: { key: 'm-sso' } });
    expect(await db.prisma.kpi.findFirstOrThrow({ where: { key: 'sso-tickets' } })).toMatchObject({ version: 1, active: true, nodeLevel: 'measure', nodeId: m.id, timeZone: 'Europe/Berlin', bucket: 'week' });
    const again = await apply(text + kpis(800));
    expect(again.kpis.unchanged).toEqual(['sso-tickets', 'all-tickets']);
    expect(again.auditEntries).toBe(0);
    const changed = await apply(text + kpis(700));
    expect(changed.kpis).toMatchObject({ versioned: ['sso-tickets'], unchanged: ['all-tickets'] });
    const versions = await db.prisma.kpi.findMany({ where: { key: 'sso-tickets' }, orderBy: { version: 'asc' } });
    expect(versions.map((k) => [k.version, k.active, k.target?.toNumber()])).toEqual([[1, false, 800], [2, true, 700]]);
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'kpi.versioned' } });
    expect(audit.before).toMatchObject({ version: 1, definition: { target: 800 } });
    expect(audit.after).toMatchObject({ version: 2, definition: { target: 700 } });
  });

  it('keeps a KPI config no longer declares, and says so', async () => {
    const summary = await apply(head + measure('m-sso', 'sso') + kpis(700).split('\n').slice(0, 2).join('\n') + '\n');
    expect(summary.kpis).toEqual({ created: [], versioned: [], unchanged: ['sso-tickets'], notInConfig: ['all-tickets'] });
    expect(await db.prisma.kpi.count({ where: { key: 'all-tickets', active: true } })).toBe(1);
    expect(formatKpiSummary(summary.kpis)).toContain('  KPIs no longer in config (kept): all-tickets\n');
  });
});

