import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/store/api-token-repository.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { bearer, NOW, seedMeasurePackage, seedOrganization, testApp } from './http-fixtures.ts';

/**
 * GET /api/v1/executive-summary, GET /api/v1/hierarchy and the open items on GET /api/v1/measures, on real PostgreSQL:
 * a measure whose money is short, one an open intervention item threatens, one waiting for its
 * steering decision — ranked by EBITDA at risk with the customers affected, and the decisions asked.
 */
describe('/api/v1/executive-summary', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let token: string;
  let itemId: string;
  let orgId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const org = await seedOrganization(db.prisma, 'acme', 'Europe/Berlin');
    const person = async (email: string) => (await db.prisma.person.create({ data: { organizationId: org.id, email, name: email.split('@')[0] ?? email } })).id;
    const [owner, sponsor, controller] = [await person('olga@acme.example'), await person('sven@acme.example'), await person('clara@acme.example')];
    const { packageId } = await seedMeasurePackage(db.prisma, org.id, { portfolio: 'Cut cost-to-serve 15 %', program: '25 % fewer contacts' });
    const measure = (key: string, stage: 'decided' | 'detailed', actualH2025: number) => db.prisma.measure.create({
      data: {
        organizationId: org.id, packageId, key, title: `${key} title`, stage, ownerId: owner, sponsorId: sponsor, controllerId: controller, steeringCommittee: 'Weekly steering',
        plannedEbitda: 1_000_000, ebitdaPeriodStart: new Date('2025-07-01'), ebitdaPeriodEnd: new Date('2026-06-30'),
        milestones: { create: [{ title: 'Live', dueDate: new Date('2026-05-31') }] },
        ebitdaEntries: {
          create: [
            { kind: 'plan', periodStart: new Date('2025-07-01'), periodEnd: new Date('2025-12-31'), amount: 500_000, currency: 'EUR' },
            { kind: 'plan', periodStart: new Date('2026-01-01'), periodEnd: new Date('2026-06-30'), amount: 500_000, currency: 'EUR' },
            { kind: 'actual', periodStart: new Date('2025-07-01'), periodEnd: new Date('2025-12-31'), amount: actualH2025, currency: 'EUR', confirmedBy: controller, confirmedAt: new Date(NOW) },
          ],
        },
      },
    });
    await measure('m-gap', 'decided', 200_000);
    await measure('m-sso-self-service', 'decided', 500_000);
    const waiting = await measure('m-waiting', 'detailed', 500_000);
    await db.prisma.stageTransition.create({ data: { measureId: waiting.id, fromStage: 'identified', toStage: 'detailed', decidedBy: owner, decidedAt: new Date(NOW - 86_400_000), reason: 'plan per half-year' } });
    const item = await db.prisma.interventionItem.create({
      data: {
        organizationId: org.id, fingerprint: 'family/configuration@x', title: 'configuration/sso tickets +53 %', narrative: 'SSO tickets rose', severity: 'high', ownerId: owner,
        dueAt: new Date(NOW + 86_400_000), status: 'open', createdAt: new Date(NOW - 2 * 86_400_000 - 1), onAgendaAt: new Date(NOW - 3_600_000),
        evidence: { signals: [{ affectedCustomers: 41 }, { affectedCustomers: 9 }], threatens: { measures: ['m-sso-self-service'], kpis: [] } },
      },
    });
    itemId = item.id;
    orgId = org.id;
    token = (await createApiToken(db.prisma, { name: 'exec', role: 'executive', organizationIds: [org.id] })).token;
    app = testApp(db).app;
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db.drop();
  });

  it('ranks the risks by EBITDA at risk, with the items against them and the customers they touch, and lists the decisions asked', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/executive-summary?period=2026-03', headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ organization: 'acme', asOf: '2026-03-11', period: { label: '2026-03', from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' } });
    expect(body.totals).toMatchObject({ measures: 3, plan: 3_000_000, realised: 1_200_000, forecastAtCompletion: 2_700_000 });
    expect(body.goals).toEqual([expect.objectContaining({ program: { key: 'contact-avoidance', name: 'Contact avoidance', goal: '25 % fewer contacts' }, portfolio: { key: 'cx', name: 'CX 2027', goal: 'Cut cost-to-serve 15 %' }, measures: 3 })]);
    expect(body.risks.map((r: { measure: string; ebitdaAtRisk: number; customersAffected: number }) => [r.measure, r.ebitdaAtRisk, r.customersAffected])).toEqual([
      ['m-sso-self-service', 500_000, 50], ['m-gap', 300_000, 0],
    ]);
    expect(body.risks[0].openInterventions).toEqual([{ id: itemId, title: 'configuration/sso tickets +53 %', owner: 'olga@acme.example', ageDays: 2 }]);
    expect(body.decisionsAsked.map((d: { kind: string; subject: string }) => [d.kind, d.subject])).toEqual([
      ['overdue_intervention', itemId], ['value_gap', 'm-gap'], ['gate_decision', 'm-waiting'],
    ]);
    expect(body.changes.decisions).toEqual([expect.objectContaining({ measure: 'm-waiting', from: 'identified', to: 'detailed', by: 'olga@acme.example' })]);
  });

  it('shows the open items against each measure in the measure list', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/measures', headers: bearer(token) });
    const items = res.json().items as { key: string; openInterventions: { id: string; ageDays: number }[] }[];
    expect(items.map((m) => [m.key, m.openInterventions.map((i) => i.id)])).toEqual([['m-gap', []], ['m-sso-self-service', [itemId]], ['m-waiting', []]]);
  });

  it('pages the measure list by key, reading on until a filtered page is full', async () => {
    const walk = async (query: string): Promise<string[][]> => {
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const res = await app.inject({ method: 'GET', url: `/api/v1/measures?${query}${cursor ? `&cursor=${cursor}` : ''}`, headers: bearer(token) });
        const body = res.json() as { items: { key: string }[]; nextCursor: string | null };
        pages.push(body.items.map((m) => m.key));
        cursor = body.nextCursor;
      } while (cursor !== null && pages.length < 10);
      return pages;
    };
    expect(await walk('limit=2')).toEqual([['m-gap', 'm-sso-self-service'], ['m-waiting']]);
    expect(await walk('limit=1&status=on_track')).toEqual([['m-sso-self-service'], ['m-waiting']]);
    expect(await walk('limit=1&status=gap')).toEqual([['m-gap']]);
    expect(await walk('limit=5&stage=detailed')).toEqual([['m-waiting']]);
  });

  it('shows the hierarchy as a tree, each node rolling up the measures below it', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/hierarchy', headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const sums = {
      measures: 3, byState: { gap: 1, on_track: 2 }, plan: 3_000_000, realised: 1_200_000, forecastAtCompletion: 2_700_000, forecastShare: 0.9, gaps: 1,
      kpis: { kpis: 0, green: 0, amber: 0, red: 0, none: 0 },
    };
    expect(body.rollup).toEqual(sums);
    const [portfolio] = body.portfolios;
    expect(portfolio).toMatchObject({ key: 'cx', goal: 'Cut cost-to-serve 15 %', rollup: sums });
    expect(portfolio.programs[0]).toMatchObject({ key: 'contact-avoidance', goal: '25 % fewer contacts', rollup: sums });
    const pkg = portfolio.programs[0].projects[0].packages[0];
    expect(pkg.measures.map((m: { key: string; stage: string; overall: string }) => [m.key, m.stage, m.overall])).toEqual([
      ['m-gap', 'decided', 'gap'], ['m-sso-self-service', 'decided', 'on_track'], ['m-waiting', 'detailed', 'on_track'],
    ]);
  });

  it('answers a period it cannot read with 400 FL_VALIDATION', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/executive-summary?period=March', headers: bearer(token) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'FL_VALIDATION', details: [{ path: 'period', message: 'write 2026-11, 2026-Q4 or 2026-W48' }] });
  });

  it('keeps the organization-wide reads a few seconds, and drops them when a write through the API answers', async () => {
    const kept = testApp(db, { governanceSnapshotTtlMs: 60_000 }).app;
    const analyst = (await createApiToken(db.prisma, { name: 'pl', role: 'analyst', organizationIds: [orgId] })).token;
    const titleOf = async () => ((await kept.inject({ method: 'GET', url: '/api/v1/executive-summary?period=2026-03', headers: bearer(token) })).json().risks as { measure: string; title: string }[])
      .find((r) => r.measure === 'm-gap')?.title;
    try {
      expect(await titleOf()).toBe('m-gap title');
      // Another process changes the store: this one shows it when its snapshot is older than the TTL, not before.
      await db.prisma.measure.updateMany({ where: { key: 'm-gap' }, data: { title: 'Renamed elsewhere' } });
      expect(await titleOf()).toBe('m-gap title');
      const ack = await kept.inject({ method: 'POST', url: `/api/v1/interventions/${itemId}/transitions`, headers: bearer(analyst), payload: { action: 'ack', reason: 'on it' } });
      expect(ack.statusCode).toBe(200);
      expect(await titleOf()).toBe('Renamed elsewhere');
    } finally {
      await kept.close();
    }
  });
  it('ties the KPIs in: each against its target at the period\'s end with its days in the period by band, rolled up the hierarchy, a red one on a measure a risk', async () => {
    const node = async (level: 'measure' | 'program', key: string) =>
      level === 'measure' ? (await db.prisma.measure.findFirstOrThrow({ where: { key } })).id : (await db.prisma.program.findFirstOrThrow({ where: { key } })).id;
    const kpi = async (key: string, data: { level: 'measure' | 'program' | 'organization'; nodeKey?: string; metric: 'volume' | 'csat'; direction: 'up_is_good' | 'down_is_good'; target?: number; bands?: object }, points: [string, number][]) => {
      const row = await db.prisma.kpi.create({
        data: {
          organizationId: orgId, key, name: `${key} name`, nodeLevel: data.level, nodeId: data.level === 'organization' ? orgId : await node(data.level, data.nodeKey ?? ''), metric: data.metric,
          bucket: 'day', timeZone: 'UTC', direction: data.direction, target: data.target ?? null, ...(data.bands ? { bands: data.bands } : {}),
        },
      });
      const series = await db.prisma.series.create({ data: { organizationId: orgId, key: `kpi/${key}/v1`, kind: 'kpi', kpiId: row.id } });
      await db.prisma.seriesPoint.createMany({ data: points.map(([day, value]) => ({ seriesId: series.id, bucketStart: new Date(`${day}T00:00:00Z`), value })) });
    };
    // SSO tickets a day on the SSO measure: 7 green days in March, then amber, red, red; 11 March runs.
    const march = (d: number) => `2026-03-${String(d).padStart(2, '0')}`;
    await kpi('sso-volume', { level: 'measure', nodeKey: 'm-sso-self-service', metric: 'volume', direction: 'down_is_good', target: 10, bands: { green: 10, amber: 15 } },
      [['2026-02-28', 30], ...[1, 2, 3, 4, 5, 6, 7].map((d): [string, number] => [march(d), 8]), [march(8), 12], [march(9), 16], [march(10), 20], [march(11), 3]]);
    await kpi('csat', { level: 'program', nodeKey: 'contact-avoidance', metric: 'csat', direction: 'up_is_good', target: 0.85 }, [[march(10), 0.9]]);
    await kpi('all-volume', { level: 'organization', metric: 'volume', direction: 'down_is_good' }, [[march(10), 400]]);
    await db.prisma.interventionItem.update({ where: { id: itemId }, data: { evidence: { signals: [{ affectedCustomers: 41 }, { affectedCustomers: 9 }], threatens: { measures: ['m-sso-self-service'], kpis: ['sso-volume'] } } } });

    const fresh = testApp(db).app;
    try {
      const body = (await fresh.inject({ method: 'GET', url: '/api/v1/executive-summary?period=2026-03', headers: bearer(token) })).json();
      expect(body.kpis.map((k: { key: string; lastComplete: { local: string; value: number; band: string | null } | null; betterThanTargetBy: number | null }) =>
        [k.key, k.lastComplete?.local, k.lastComplete?.value, k.lastComplete?.band, k.betterThanTargetBy])).toEqual([
        ['sso-volume', '2026-03-10', 20, 'red', -10], ['csat', '2026-03-10', 0.9, 'green', expect.closeTo(0.05, 9)], ['all-volume', '2026-03-10', 400, null, null],
      ]);
      expect(body.kpis[0]).toMatchObject({
        node: { level: 'measure', key: 'm-sso-self-service' }, program: 'contact-avoidance', measure: 'm-sso-self-service', unit: 'tickets',
        period: { buckets: 10, green: 7, amber: 1, red: 2, none: 0 }, openInterventions: [{ id: itemId, title: 'configuration/sso tickets +53 %', owner: 'olga@acme.example', ageDays: 2 }],
      });
      expect(body.kpis[1]).toMatchObject({ node: { level: 'program', key: 'contact-avoidance' }, measure: null, period: { buckets: 10, green: 1, none: 9 }, openInterventions: [] });
      expect(body.totals.kpis).toEqual({ kpis: 3, green: 1, amber: 0, red: 1, none: 1 });
      expect(body.goals[0].kpis).toEqual({ kpis: 2, green: 1, amber: 0, red: 1, none: 0 });
      const sso = body.risks.find((r: { measure: string }) => r.measure === 'm-sso-self-service');
      expect(sso.kpisOffTarget).toEqual([{ key: 'sso-volume', name: 'sso-volume name', value: 20, target: 10, unit: 'tickets', band: 'red' }]);
      expect(sso.reasons).toContain('KPI "sso-volume name" red: 20 tickets against a target of 10 tickets');
      // February's picture: its last day stood red; 1 March on does not count in it.
      const february = (await fresh.inject({ method: 'GET', url: '/api/v1/executive-summary?period=2026-02', headers: bearer(token) })).json();
      expect(february.kpis[0]).toMatchObject({ key: 'sso-volume', lastComplete: { local: '2026-02-28', value: 30, band: 'red' }, period: { buckets: 28, green: 27, red: 1 } });

      const tree = (await fresh.inject({ method: 'GET', url: '/api/v1/hierarchy', headers: bearer(token) })).json();
      expect(tree.rollup.kpis).toEqual({ kpis: 3, green: 1, amber: 0, red: 1, none: 1 });
      expect(tree.kpis).toEqual([{ key: 'all-volume', name: 'all-volume name', unit: 'tickets', value: 400, target: null, band: null }]);
      const [portfolio] = tree.portfolios;
      expect(portfolio.rollup.kpis).toEqual({ kpis: 2, green: 1, amber: 0, red: 1, none: 0 });
      expect(portfolio.kpis).toEqual([]);
      const program = portfolio.programs[0];
      expect(program.kpis).toEqual([{ key: 'csat', name: 'csat name', unit: 'share', value: 0.9, target: 0.85, band: 'green' }]);
      const pkg = program.projects[0].packages[0];
      expect(pkg.rollup.kpis).toEqual({ kpis: 1, green: 0, amber: 0, red: 1, none: 0 });
      expect(pkg.measures.find((m: { key: string }) => m.key === 'm-sso-self-service').kpis).toEqual([{ key: 'sso-volume', name: 'sso-volume name', unit: 'tickets', value: 20, target: 10, band: 'red' }]);
    } finally {
      await fresh.close();
    }
  });
});
