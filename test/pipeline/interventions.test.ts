import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../src/domain/detect/detector-settings.ts';
import { addSilence } from '../../src/store/silence-repository.ts';
import { transitionIntervention } from '../../src/store/intervention-transitions.ts';
import { inTransaction } from '../../src/store/transaction.ts';
import { seedMeasurePackage } from '../http/http-fixtures.ts';
import { createDetectFixture, DETECT_T0, type DetectFixture } from '../support/detect-fixture.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * Intervention items from the detect stage on real PostgreSQL: routing from the stored people and
 * routes, due before the reporting cadence, one item per episode (grouped by family), a release
 * named, silences, escalation, the lifecycle with its audit trail, and effect verification.
 */
const HOURS = 8 * 168;
const SHIFT_FROM = 6 * 168 + 2 * 24 + 9; // Wed 09:00 UTC of week 7
const SHIFT_TO = SHIFT_FROM + 5 * 24;

describe('intervention items', () => {
  let db: TestDatabase;
  let f: DetectFixture;
  const item = async () =>
    (await db.pool.query<{ id: string; title: string; ask: string; status: string; due_at: Date; owner: string | null; evidence: any; severity: string; escalation_level: number; narrative: string }>(
      `SELECT i.id, i.title, i.ask, i.status::text, i.due_at, p.email AS owner, i.evidence, i.severity::text, i.escalation_level, i.narrative
       FROM intervention_items i LEFT JOIN people p ON p.id = i.owner_id ORDER BY i.created_at`,
    )).rows;
  const audit = async (id: string) =>
    (await db.pool.query<{ action: string; actor: string; reason: string | null }>("SELECT action, actor, reason FROM audit_log WHERE entity_type = 'intervention' AND entity_id = $1 ORDER BY id", [id])).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    f = await createDetectFixture(db, [
      { key: 'configuration/sso', episodes: [{ from: SHIFT_FROM, to: SHIFT_TO, lift: 0.8 }] },
      { key: 'billing/refund', episodes: [{ from: SHIFT_FROM, to: SHIFT_TO, lift: 0.8 }] },
      { key: 'product/bug' },
    ], { hours: HOURS });
    const org = f.organizationId;
    await db.pool.query(
      `UPDATE organizations SET reporting_cadence = '{"weekday":"monday","time":"09:00","name":"Weekly steering"}',
         routing = '{"ackWithinSeconds":14400,"repeatEverySeconds":86400,"releaseWindowSeconds":259200,"defaultOwner":null,"defaultFunctions":[]}' WHERE id = $1`,
      [org],
    );
    for (const [email, name, fns, esc] of [
      ['ana@acme.example', 'Ana Weber', '{engineering}', 'ben@acme.example'], ['ben@acme.example', 'Ben Ott', '{engineering,operations}', null],
      ['pia@acme.example', 'Pia Lang', '{product}', null],
    ] as const) {
      await db.pool.query('INSERT INTO people (id, organization_id, email, name, functions, escalate_to) VALUES (gen_random_uuid(), $1, $2, $3, $4::"FunctionArea"[], $5)', [org, email, name, fns, esc]);
    }
    // The measure the route says SSO tickets threaten; its sponsor hears of an escalation nobody answered.
    const personId = async (email: string) => (await db.prisma.person.findFirstOrThrow({ where: { organizationId: org, email } })).id;
    const { packageId } = await seedMeasurePackage(db.prisma, org);
    await db.prisma.measure.create({
      data: { organizationId: org, packageId, key: 'm-sso-self-service', title: 'SSO self-service', ownerId: await personId('ana@acme.example'), sponsorId: await personId('pia@acme.example'), controllerId: await personId('ben@acme.example') },
    });
    // A KPI reading the configuration family hangs on another measure: the spike threatens it too,
    // with no route naming it; one reading billing does not.
    const health = await db.prisma.measure.create({
      data: { organizationId: org, packageId, key: 'm-config-health', title: 'Configuration health', ownerId: await personId('ana@acme.example'), sponsorId: await personId('pia@acme.example'), controllerId: await personId('ben@acme.example') },
    });
    await db.pool.query(
      `INSERT INTO kpis (id, organization_id, key, name, node_level, node_id, metric, filters, direction) VALUES
         (gen_random_uuid(), $1, 'config-contacts', 'Configuration contacts', 'measure', $2, 'volume', '{"drivers":["configuration/"]}', 'down_is_good'),
         (gen_random_uuid(), $1, 'billing-contacts', 'Billing contacts', 'measure', $2, 'volume', '{"drivers":["billing/"]}', 'down_is_good'),
         (gen_random_uuid(), $1, 'all-contacts', 'All contacts', 'organization', $1, 'volume', '{}', 'down_is_good')`,
      [org, health.id],
    );
    await db.pool.query(
      `INSERT INTO driver_routes (organization_id, driver_prefix, owner_email, functions, measures, kpis) VALUES
         ($1, 'configuration/sso', 'ana@acme.example', '{engineering,product,operations}', '{m-sso-self-service}', '{sso-tickets}')`,
      [org],
    );
    await db.pool.query("INSERT INTO releases (id, organization_id, key, name, released_at, products) VALUES (gen_random_uuid(), $1, '4.2', '4.2', $2, '{identity}')", [
      org, new Date(DETECT_T0 + (SHIFT_FROM - 40) * HOUR_MS).toISOString(),
    ]);
    // Refund tickets are expected to rise (a price change was announced): silenced for two weeks.
    await inTransaction(db.pool, (client) => addSilence(client, { organizationId: org, driverPrefix: 'billing/', reason: 'price change announced', author: 'ops@acme.example', endsAtMs: DETECT_T0 + HOURS * HOUR_MS, nowMs: DETECT_T0 }));
    await f.write(0, 5 * 168);
    await f.runAt(5 * 168 - 1);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('raises one routed item for the spiking driver, due before the steering meeting, naming the release, with its evidence; the silenced driver raises none', async () => {
    let raisedAt: number | null = null;
    for (let h = 5 * 168; h < SHIFT_FROM + 5 * 24 && raisedAt === null; h++) {
      await f.write(h, h + 1);
      if ((await f.runAt(h)).interventions.raised > 0) raisedAt = h;
    }
    expect(raisedAt).not.toBeNull();
    const items = await item();
    expect(items).toHaveLength(1);
    const it0 = items[0];
    expect(it0?.owner).toBe('ana@acme.example');
    expect(it0?.status).toBe('open');
    expect(it0?.title).toMatch(/^configuration\/sso tickets \+\d+ % since \w{3} \d+ \w{3}, \d\d:\d\d, (\d+ (day|hour)s? after release 4\.2)$/);
    expect(it0?.ask).toMatch(/^Engineering, product and operations: find why configuration\/sso tickets rose \(.+after release 4\.2\), agree the fix and who delivers it, before Weekly steering on Mon /);
    // Due two hours before the next Monday 09:00 Europe/Berlin (CET: 08:00 UTC) at least a day away.
    const due = it0?.due_at ?? new Date(0);
    expect([due.getUTCDay(), due.getUTCHours(), due.getUTCMinutes()]).toEqual([1, 6, 0]);
    expect(due.getTime() - (DETECT_T0 + ((raisedAt ?? 0) + 1) * HOUR_MS)).toBeGreaterThanOrEqual(22 * HOUR_MS);
    expect(it0?.evidence.threatens).toEqual({ measures: ['m-config-health', 'm-sso-self-service'], kpis: ['config-contacts', 'sso-tickets'] });
    expect(it0?.evidence.signals).toHaveLength(1);
    expect(it0?.evidence.signals[0]).toMatchObject({ driverKey: 'configuration/sso', release: { key: '4.2' } });
    const participants = await db.pool.query<{ function: string; email: string | null }>(
      'SELECT p.function::text, x.email FROM intervention_participants p LEFT JOIN people x ON x.id = p.person_id WHERE p.intervention_id = $1 ORDER BY 1',
      [it0?.id],
    );
    expect(participants.rows).toEqual([{ function: 'engineering', email: 'ana@acme.example' }, { function: 'operations', email: 'ben@acme.example' }, { function: 'product', email: 'pia@acme.example' }]);
    expect((await audit(it0?.id ?? '')).map((a) => a.action)).toEqual(['intervention.raised']);
  }, 120_000);

  it('escalates to the owner’s escalation contact when nobody acknowledges within 4 hours, then to the threatened measure’s sponsor, then takes ack → start → resolve with an audit record each, refusing a second ack', async () => {
    const [it0] = await item();
    const id = it0?.id ?? '';
    const raisedHour = Math.round(((await db.pool.query<{ c: Date }>('SELECT created_at AS c FROM intervention_items WHERE id = $1', [id])).rows[0]?.c.getTime() ?? 0) / HOUR_MS) - DETECT_T0 / HOUR_MS - 1;
    let h = raisedHour + 1;
    for (; h <= raisedHour + 5; h++) {
      await f.write(h, h + 1);
      await f.runAt(h);
    }
    expect((await item())[0]?.escalation_level).toBe(1);
    const escalated = (await audit(id)).find((a) => a.action === 'intervention.escalated');
    expect(escalated).toMatchObject({ actor: 'frontline-detect', reason: 'not acknowledged within 4 h' });
    for (; h <= raisedHour + 9; h++) {
      await f.write(h, h + 1);
      await f.runAt(h);
    }
    expect((await item())[0]?.escalation_level).toBe(2);
    const escalations = await db.pool.query<{ after: { to: string; level: number }; reason: string }>(
      "SELECT after, reason FROM audit_log WHERE entity_id = $1 AND action = 'intervention.escalated' ORDER BY at", [id],
    );
    expect(escalations.rows.map((r) => [r.after.to, r.after.level])).toEqual([['ben@acme.example', 1], ['pia@acme.example', 2]]);
    expect(escalations.rows[1]?.reason).toBe('still not acknowledged 4 h after the escalation: to the sponsors of the measures it threatens');
    const nowMs = DETECT_T0 + h * HOUR_MS;
    const step = (action: 'ack' | 'start' | 'resolve', actor: string, reason: string | null) =>
      inTransaction(db.pool, (client) => transitionIntervention(client, { organizationId: f.organizationId, id, action, actor, reason, nowMs }));
    expect(await step('ack', 'ana@acme.example', null)).toMatchObject({ ok: true, to: 'acknowledged' });
    expect(await step('ack', 'ben@acme.example', null)).toMatchObject({ ok: false, code: 'INVALID_TRANSITION', status: 'acknowledged' });
    expect(await step('start', 'ana@acme.example', 'rollback of the SAML metadata change under way')).toMatchObject({ ok: true, to: 'in_progress' });
    expect(await step('resolve', 'ana@acme.example', 'SAML metadata fixed in 4.2.1')).toMatchObject({ ok: true, to: 'resolved' });
    expect((await audit(id)).slice(-3)).toEqual([
      { action: 'intervention.ack', actor: 'ana@acme.example', reason: null },
      { action: 'intervention.start', actor: 'ana@acme.example', reason: 'rollback of the SAML metadata change under way' },
      { action: 'intervention.resolve', actor: 'ana@acme.example', reason: 'SAML metadata fixed in 4.2.1' },
    ]);
    expect(await inTransaction(db.pool, (client) => transitionIntervention(client, { organizationId: f.organizationId, id: '00000000-0000-4000-8000-000000000000', action: 'ack', actor: 'x', reason: null, nowMs })))
      .toMatchObject({ ok: false, code: 'NOT_FOUND' });
  }, 120_000);

  it('reopens an item resolved while its series was still above normal, and verifies the effect once it is back, raising nothing new', async () => {
    const [it0] = await item();
    const id = it0?.id ?? '';
    const from = Math.round(((await db.pool.query<{ c: Date }>('SELECT max(at) AS c FROM audit_log')).rows[0]?.c.getTime() ?? 0) / HOUR_MS) - DETECT_T0 / HOUR_MS;
    const until = SHIFT_TO + 36;
    for (let h = from; h < until; h++) {
      await f.write(h, h + 1);
      await f.runAt(h);
    }
    expect((await item())[0]?.status).toBe('reopened');
    expect((await audit(id)).find((a) => a.action === 'intervention.reopen')).toEqual({ action: 'intervention.reopen', actor: 'frontline-detect', reason: 'a signal was still above normal 96 h after resolution' });
    const resolved = await inTransaction(db.pool, (client) =>
      transitionIntervention(client, { organizationId: f.organizationId, id, action: 'resolve', actor: 'ana@acme.example', reason: '4.2.1 rolled out to every tenant', nowMs: DETECT_T0 + until * HOUR_MS }));
    expect(resolved).toMatchObject({ ok: true, from: 'reopened', to: 'resolved' });
    for (let h = until; h < HOURS; h++) {
      await f.write(h, h + 1);
      await f.runAt(h);
    }
    const after = await item();
    expect(after).toHaveLength(1);
    expect(after[0]?.status).toBe('effect_verified');
    expect((await audit(id)).at(-1)).toMatchObject({ action: 'intervention.verify', reason: 'every signal back to normal for 24 h after resolution' });
    expect((await db.pool.query<{ status: string }>("SELECT status::text FROM spikes s JOIN series x ON x.id = s.series_id WHERE x.driver_key = 'configuration/sso'")).rows).toEqual([{ status: 'resolved' }]);
  }, 120_000);
});
