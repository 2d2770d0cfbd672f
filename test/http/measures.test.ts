import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, hashApiToken } from '../../src/store/api-token-repository.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { bearer, type LogCapture, NOW, seedMeasurePackage, seedOrganization, testApp } from './http-fixtures.ts';

/**
 * /api/v1/measures on real PostgreSQL: one measure taken through every gate by the people on it —
 * each refusal coded and naming what is missing, duties kept apart, the close only after the
 * controller confirmed the realised EBITDA — and every decision a stage_transitions row and an
 * audit record.
 */
interface Tokens {
  owner: string;
  analystForController: string;
  controller: string;
  ownerAsController: string;
  executive: string;
  noPerson: string;
}

describe('/api/v1/measures', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let logs: LogCapture;
  let tokens: Tokens;
  let measureId: string;
  let milestoneIds: string[];

  beforeAll(async () => {
    db = await createTestDatabase();
    const org = await seedOrganization(db.prisma, 'acme', 'Europe/Berlin');
    const person = (email: string, name: string) => db.prisma.person.create({ data: { organizationId: org.id, email, name }, select: { id: true } });
    const owner = await person('olga@acme.example', 'Olga Owner');
    const sponsor = await person('sven@acme.example', 'Sven Sponsor');
    const controller = await person('clara@acme.example', 'Clara Controller');
    const { packageId, businessUnitId } = await seedMeasurePackage(db.prisma, org.id);
    const measure = await db.prisma.measure.create({
      data: {
        organizationId: org.id, packageId, key: 'sso-wizard', title: 'SSO set-up wizard cuts configuration contacts', businessUnitId,
        sponsorId: sponsor.id, ownerId: owner.id, controllerId: controller.id, steeringCommittee: 'Service SteerCo',
        plannedEbitda: 1_200_000, currency: 'EUR', ebitdaPeriodStart: new Date('2026-01-01'), ebitdaPeriodEnd: new Date('2026-12-31'),
        milestones: { create: [{ title: 'Wizard live', dueDate: new Date('2026-04-30') }, { title: 'Admin runbook', dueDate: new Date('2026-05-31') }] },
      },
      include: { milestones: { orderBy: { dueDate: 'asc' } } },
    });
    measureId = measure.id;
    milestoneIds = measure.milestones.map((m) => m.id);
    const token = async (role: 'analyst' | 'controller' | 'executive', personEmail?: string) =>
      (await createApiToken(db.prisma, { name: `${role} ${personEmail ?? 'nobody'}`, role, organizationIds: [org.id], ...(personEmail ? { personEmail } : {}) })).token;
    tokens = {
      owner: await token('analyst', 'olga@acme.example'),
      analystForController: await token('analyst', 'clara@acme.example'),
      controller: await token('controller', 'clara@acme.example'),
      ownerAsController: await token('controller', 'olga@acme.example'),
      executive: await token('executive', 'sven@acme.example'),
      noPerson: await token('analyst'),
    };
    // Each request a second later: decisions are ordered by when they were taken.
    let tick = 0;
    ({ app, logs } = testApp(db, { now: () => NOW + 1000 * tick++ }));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db.drop();
  });

  const move = (token: string, body: object) => app.inject({ method: 'POST', url: '/api/v1/measures/sso-wizard/transitions', headers: bearer(token), payload: body });
  const ebitda = (token: string, body: object) => app.inject({ method: 'POST', url: '/api/v1/measures/sso-wizard/ebitda', headers: bearer(token), payload: body });
  const codeOf = (res: { json(): unknown }) => (res.json() as { error: { code: string } }).error.code;
  const detailsOf = (res: { json(): unknown }) => (res.json() as { error: { details?: { path: string; message: string }[] } }).error.details ?? [];
  const decision = { committee: 'Service SteerCo', decidedOn: '2026-03-02', reference: 'SC 2026/03 item 4' };

  it('lists the measure with its people and its dual status, computed from the data', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/measures?asOf=2026-03-11', headers: bearer(tokens.executive) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({
      key: 'sso-wizard', stage: 'defined', package: 'sso', businessUnit: 'service', owner: { email: 'olga@acme.example' }, controller: { email: 'clara@acme.example' },
      plannedEbitda: { amount: 1_200_000, currency: 'EUR', periodStart: '2026-01-01', periodEnd: '2026-12-31' },
      status: { overall: 'on_track', implementation: { state: 'on_track', milestonesTotal: 2 }, value: { state: 'green', plan: 1_200_000, realised: 0 } },
    });
  });

  it('takes the measure through every gate, refusing each move whose criteria are missing and naming them', async () => {
    const skip = await move(tokens.owner, { to: 'detailed', reason: 'looks ready' });
    expect(skip.statusCode).toBe(409);
    expect(codeOf(skip)).toBe('FL_GATE_REFUSED');
    expect(detailsOf(skip)).toEqual([{ path: 'forbidden_move', message: 'gates are passed one at a time: from defined the next is identified' }]);

    expect((await move(tokens.owner, { to: 'identified', reason: 'business case agreed' })).statusCode).toBe(200);
    const noPlan = await move(tokens.owner, { to: 'detailed', reason: 'plan done' });
    expect(noPlan.statusCode).toBe(409);
    expect(detailsOf(noPlan).map((d) => d.path)).toEqual(['criteria.ebitda_plan']);
    for (const [start, end] of [['2026-01-01', '2026-06-30'], ['2026-07-01', '2026-12-31']] as const) {
      const res = await ebitda(tokens.owner, { kind: 'plan', periodStart: start, periodEnd: end, amount: 600_000 });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ kind: 'plan', amount: 600_000, currency: 'EUR', confirmed: false });
    }
    expect((await move(tokens.owner, { to: 'detailed', reason: 'plan per half-year' })).statusCode).toBe(200);

    const undecided = await move(tokens.owner, { to: 'decided', reason: 'steerco said yes' });
    expect(detailsOf(undecided)).toEqual([{ path: 'criteria.steering_decision', message: 'a recorded steering-committee decision (committee, date, reference) is needed' }]);
    const decided = await move(tokens.owner, { to: 'decided', reason: 'steerco said yes', decision });
    expect(decided.statusCode).toBe(200);
    expect(decided.json()).toMatchObject({ key: 'sso-wizard', from: 'detailed', to: 'decided', kind: 'advance' });

    const open = await move(tokens.owner, { to: 'implemented', reason: 'done' });
    expect(detailsOf(open)).toEqual([{ path: 'criteria.milestones', message: 'every milestone must be done; still open: Wizard live, Admin runbook' }]);
    for (const id of milestoneIds) {
      const res = await app.inject({ method: 'POST', url: `/api/v1/measures/sso-wizard/milestones/${id}/complete`, headers: bearer(tokens.owner) });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id, done: true });
    }
    expect((await move(tokens.owner, { to: 'implemented', reason: 'wizard and runbook live' })).statusCode).toBe(200);
  });

  it('closes only after the controller confirmed the realised EBITDA, and only by the controller', async () => {
    const byOwner = await move(tokens.owner, { to: 'closed', reason: 'money is in' });
    expect(byOwner.statusCode).toBe(403);
    expect(codeOf(byOwner)).toBe('FL_SEGREGATION_OF_DUTIES');
    const nothingRealised = await move(tokens.controller, { to: 'closed', reason: 'money is in' });
    expect(nothingRealised.statusCode).toBe(409);
    expect(detailsOf(nothingRealised).map((d) => d.path)).toEqual(['criteria.realised_ebitda']);

    // The controller confirms the money; recording it is the owner's (a controller token may not, nor the controller through another role).
    const h1 = { kind: 'actual', periodStart: '2026-01-01', periodEnd: '2026-06-30', amount: 640_000 };
    expect(codeOf(await ebitda(tokens.controller, h1))).toBe('FL_FORBIDDEN');
    const byController = await ebitda(tokens.analystForController, h1);
    expect(byController.statusCode).toBe(403);
    expect(byController.json().error).toMatchObject({ code: 'FL_SEGREGATION_OF_DUTIES', details: [{ message: "only the measure's owner or sponsor records its EBITDA; its controller confirms it" }] });
    const actual = await ebitda(tokens.owner, h1);
    expect(actual.statusCode).toBe(201);
    const entryId = actual.json().id as string;
    const unconfirmed = await move(tokens.controller, { to: 'closed', reason: 'money is in' });
    expect(detailsOf(unconfirmed).map((d) => d.path)).toEqual(['criteria.controller_confirmation']);

    const confirm = (token: string) => app.inject({ method: 'POST', url: `/api/v1/measures/sso-wizard/ebitda/${entryId}/confirm`, headers: bearer(token), payload: { evidence: 'ledger extract H1, cost centre 4711' } });
    // The owner's analyst token may not confirm at all; a controller-role token acting for the owner may not confirm their own measure.
    expect(codeOf(await confirm(tokens.owner))).toBe('FL_FORBIDDEN');
    const own = await confirm(tokens.ownerAsController);
    expect(own.statusCode).toBe(403);
    expect(own.json().error).toMatchObject({ code: 'FL_SEGREGATION_OF_DUTIES', details: [{ message: 'nobody confirms the EBITDA of a measure they own or sponsor' }] });
    const confirmed = await confirm(tokens.controller);
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toMatchObject({ id: entryId, confirmed: true, evidence: 'ledger extract H1, cost centre 4711' });
    // A confirmed actual is not changed behind the controller's back.
    const change = await ebitda(tokens.owner, { kind: 'actual', periodStart: '2026-01-01', periodEnd: '2026-06-30', amount: 900_000 });
    expect(change.statusCode).toBe(409);

    const closed = await move(tokens.controller, { to: 'closed', reason: 'H1 realised and confirmed' });
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({ from: 'implemented', to: 'closed', status: { overall: 'closed', value: { realised: 640_000 } } });
    expect(codeOf(await move(tokens.controller, { to: 'on_hold', reason: 'oops' }))).toBe('FL_GATE_REFUSED');
  });

  it('records every decision with who, when, why and evidence, and an audit record for each change', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/measures/sso-wizard', headers: bearer(tokens.executive) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.transitions.map((t: { from: string; to: string; decidedBy: { email: string } }) => [t.from, t.to, t.decidedBy.email])).toEqual([
      ['defined', 'identified', 'olga@acme.example'], ['identified', 'detailed', 'olga@acme.example'], ['detailed', 'decided', 'olga@acme.example'],
      ['decided', 'implemented', 'olga@acme.example'], ['implemented', 'closed', 'clara@acme.example'],
    ]);
    expect(body.transitions[2]).toMatchObject({ reason: 'steerco said yes', evidence: { kind: 'advance', decision } });
    expect(body.milestones.every((m: { done: boolean }) => m.done)).toBe(true);
    const audit = await db.pool.query<{ action: string; actor: string }>('SELECT action, actor FROM audit_log ORDER BY at, id');
    expect(audit.rows.map((r) => r.action)).toEqual([
      'measure.advance', 'ebitda.recorded', 'ebitda.recorded', 'measure.advance', 'measure.advance', 'milestone.done', 'milestone.done', 'measure.advance',
      'ebitda.recorded', 'ebitda.confirmed', 'measure.advance',
    ]);
    expect(audit.rows.at(-1)?.actor).toBe('api:controller clara@acme.example (clara@acme.example)');
    const rows = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM stage_transitions WHERE measure_id = $1', [measureId]);
    expect(rows.rows[0]?.n).toBe(5);
  });

  it('serves the audit log newest first, filtered and paginated, and PostgreSQL keeps it append-only', async () => {
    const page = async (query: string) => (await app.inject({ method: 'GET', url: `/api/v1/audit-log?${query}`, headers: bearer(tokens.executive) })).json();
    const first = await page('action=measure.&limit=2');
    expect(first.items.map((r: { action: string; after: { stage: string } }) => [r.action, r.after.stage])).toEqual([['measure.advance', 'closed'], ['measure.advance', 'implemented']]);
    const second = await page(`action=measure.&limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((r: { after: { stage: string } }) => r.after.stage)).toEqual(['decided', 'detailed']);
    const confirmations = await page('action=ebitda.confirmed');
    expect(confirmations.items).toHaveLength(1);
    expect(confirmations.items[0]).toMatchObject({ entityType: 'ebitda_entry', reason: 'ledger extract H1, cost centre 4711', after: { measure: 'sso-wizard', amount: 640_000 } });
    await expect(db.pool.query("UPDATE audit_log SET actor = 'someone else'")).rejects.toThrow('audit_log is append-only');
    await expect(db.pool.query('DELETE FROM audit_log')).rejects.toThrow('audit_log is append-only');
    const owner = await app.inject({ method: 'GET', url: '/api/v1/audit-log', headers: bearer(tokens.owner) });
    expect(owner.statusCode).toBe(403);
  });

  it('answers read-only roles, tokens without a person and bad input with coded 4xx', async () => {
    const exec = await move(tokens.executive, { to: 'on_hold', reason: 'budget freeze' });
    expect(exec.statusCode).toBe(403);
    expect(codeOf(exec)).toBe('FL_FORBIDDEN');
    // The role is checked before the body is even read: a read-only token learns nothing from a malformed one.
    const unread = await app.inject({ method: 'POST', url: '/api/v1/measures/sso-wizard/transitions', headers: { ...bearer(tokens.executive), 'content-type': 'application/json' }, payload: '{"to": ' });
    expect([unread.statusCode, codeOf(unread)]).toEqual([403, 'FL_FORBIDDEN']);
    const nobody = await move(tokens.noPerson, { to: 'on_hold', reason: 'budget freeze' });
    expect(nobody.statusCode).toBe(403);
    expect(codeOf(nobody)).toBe('FL_NO_PERSON');
    const unknown = await app.inject({ method: 'GET', url: '/api/v1/measures/nope', headers: bearer(tokens.executive) });
    expect([unknown.statusCode, codeOf(unknown)]).toEqual([404, 'FL_MEASURE_NOT_FOUND']);
    const extra = await move(tokens.owner, { to: 'on_hold', reason: 'budget freeze', stage: 'closed' });
    expect([extra.statusCode, codeOf(extra)]).toEqual([400, 'FL_VALIDATION']);
    const badStage = await move(tokens.owner, { to: 'done', reason: 'x' });
    expect([badStage.statusCode, codeOf(badStage)]).toEqual([400, 'FL_VALIDATION']);
    const badId = await app.inject({ method: 'POST', url: '/api/v1/measures/sso-wizard/milestones/42/complete', headers: bearer(tokens.owner) });
    expect([badId.statusCode, codeOf(badId)]).toEqual([400, 'FL_VALIDATION']);
    const badPeriod = await ebitda(tokens.owner, { kind: 'plan', periodStart: '2026-07-01', periodEnd: '2026-01-01', amount: 1 });
    expect([badPeriod.statusCode, codeOf(badPeriod)]).toEqual([400, 'FL_VALIDATION']);
    const badCursor = await app.inject({ method: 'GET', url: '/api/v1/measures?cursor=%%%', headers: bearer(tokens.executive) });
    expect([badCursor.statusCode, codeOf(badCursor)]).toEqual([400, 'FL_VALIDATION']);
  });

  it('never writes a token, or its hash, into a log line or a response', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/measures/sso-wizard', headers: bearer(tokens.owner) });
    for (const token of Object.values(tokens)) {
      expect(logs.text()).not.toContain(token);
      expect(logs.text()).not.toContain(hashApiToken(token));
      expect(res.body).not.toContain(token.slice(3));
    }
    expect(logs.lines.length).toBeGreaterThan(0);
  });
  it('shows the active KPIs on the measure against their targets, as of a day, with the open items threatening them', async () => {
    const org = await db.prisma.organization.findFirstOrThrow({ where: { key: 'acme' } });
    const kpi = await db.prisma.kpi.create({
      data: {
        organizationId: org.id, key: 'sso-volume', name: 'SSO tickets per day', nodeLevel: 'measure', nodeId: measureId, metric: 'volume', filters: { drivers: ['configuration/sso'] },
        bucket: 'day', timeZone: 'UTC', direction: 'down_is_good', target: 10, bands: { green: 10, amber: 15 },
      },
    });
    // An older version of the KPI, no longer active, is not shown.
    await db.prisma.kpi.create({ data: { organizationId: org.id, key: 'sso-volume', version: 0, name: 'old', nodeLevel: 'measure', nodeId: measureId, metric: 'volume', direction: 'down_is_good', active: false } });
    const series = await db.prisma.series.create({ data: { organizationId: org.id, key: 'kpi/sso-volume/v1', kind: 'kpi', kpiId: kpi.id } });
    for (const [day, value] of [['2026-03-08', 9], ['2026-03-09', 12], ['2026-03-10', 17], ['2026-03-11', 4]] as const) {
      await db.prisma.seriesPoint.create({ data: { seriesId: series.id, bucketStart: new Date(`${day}T00:00:00Z`), value } });
    }
    const owner = await db.prisma.person.findFirstOrThrow({ where: { organizationId: org.id, email: 'olga@acme.example' } });
    const item = await db.prisma.interventionItem.create({
      data: {
        organizationId: org.id, fingerprint: 'configuration/sso@2026-03-10', title: 'configuration/sso tickets +70 %', narrative: 'SSO tickets rose', severity: 'high', ownerId: owner.id,
        dueAt: new Date(NOW + 86_400_000), status: 'open', driverKey: 'configuration/sso', createdAt: new Date(NOW - 2 * 86_400_000), evidence: { signals: [], threatens: { measures: [], kpis: ['sso-volume'] } },
      },
    });
    const res = await app.inject({ method: 'GET', url: '/api/v1/measures/sso-wizard', headers: bearer(tokens.executive) });
    expect(res.statusCode).toBe(200);
    expect(res.json().kpis).toEqual([{
      key: 'sso-volume', name: 'SSO tickets per day', metric: 'volume', unit: 'tickets', bucket: 'day', direction: 'down_is_good', target: 10,
      lastComplete: { start: '2026-03-10T00:00:00.000Z', local: '2026-03-10', value: 17, band: 'red' },
      current: { start: '2026-03-11T00:00:00.000Z', local: '2026-03-11', value: 4, band: 'green' },
      betterThanTargetBy: -7,
      openInterventions: [{ id: item.id, title: 'configuration/sso tickets +70 %', status: 'open', owner: 'olga@acme.example', openedAt: '2026-03-09T12:00:00.000Z', ageDays: 2 }],
    }]);
    // As of an earlier day: that day's standing (the day before it complete, the day itself running at its end).
    const before = await app.inject({ method: 'GET', url: '/api/v1/measures?asOf=2026-03-09', headers: bearer(tokens.executive) });
    expect(before.json().items[0].kpis[0]).toMatchObject({ lastComplete: { local: '2026-03-09', value: 12, band: 'amber' }, current: null, betterThanTargetBy: -2 });
  });
});
