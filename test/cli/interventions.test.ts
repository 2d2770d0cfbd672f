import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const cli = fileURLToPath(new URL('../../src/cli/frontline.js', import.meta.url));
const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `frontline interventions …` and `frontline silences …` as child processes against their own
 * database: items seeded with SQL as the detect stage writes them, transitions audited with `cli:<who>`.
 */
const OPEN = 'aaaa0001-0000-4000-8000-000000000001';
const RESOLVED = 'aaaa0002-0000-4000-8000-000000000002';
const HOUR = 3_600_000;

describe('frontline interventions and silences', () => {
  let db: TestDatabase;
  let orgId = '';
  const frontline = async (args: string[]): Promise<Outcome> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent' } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const audit = async (id: string) =>
    (await db.pool.query<{ actor: string; action: string; reason: string | null }>('SELECT actor, action, reason FROM audit_log WHERE entity_id = $1 ORDER BY id', [id])).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    const q = (sql: string, values: unknown[] = []) => db.pool.query(sql, values);
    orgId = (await q(`INSERT INTO organizations (id, key, name, time_zone, updated_at) VALUES (gen_random_uuid(), 'acme', 'ACME', 'Europe/Berlin', now()) RETURNING id`)).rows[0].id;
    const person = async (email: string, name: string) =>
      (await q('INSERT INTO people (id, organization_id, email, name) VALUES (gen_random_uuid(), $1, $2, $3) RETURNING id', [orgId, email, name])).rows[0].id as string;
    const ana = await person('ana@acme.example', 'Ana Weber');
    const pia = await person('pia@acme.example', 'Pia Lang');
    const connector = (await q(
      `INSERT INTO connectors (id, organization_id, key, system, name, base_url, settings, updated_at) VALUES (gen_random_uuid(), $1, 'zendesk-main', 'zendesk', 'Zendesk', 'https://acme.zendesk.com', '{}', now()) RETURNING id`,
      [orgId],
    )).rows[0].id;
    const series = (await q(
      `INSERT INTO series (organization_id, key, kind, connector_id, driver_key) VALUES ($1, 'driver_volume/zendesk-main/configuration/sso', 'driver_volume', $2, 'configuration/sso') RETURNING id`,
      [orgId, connector],
    )).rows[0].id;
    const spike = (await q(
      `INSERT INTO spikes (id, organization_id, series_id, fingerprint, window_start, window_end, started_at, peak_at, observed, expected, pct_change, significance, explanation, example_tickets, affected_customers, detected_at)
       VALUES (gen_random_uuid(), $1, $2, 'series/1/since/2026-03-10T06:00:00.000Z', '2026-03-10T06:00:00Z', '2026-03-11T10:00:00Z', '2026-03-10T06:00:00Z', '2026-03-11T10:00:00Z', 84, 40, 110, 1e-6, 'SSO tickets doubled', '{}', 7, '2026-03-10T07:00:00Z')
       RETURNING id`,
      [orgId, series],
    )).rows[0].id;
    const evidence = {
      signals: [{
        spikeId: spike, seriesKey: 'driver_volume/zendesk-main/configuration/sso', driverKey: 'configuration/sso', subject: 'configuration/sso', explanation: 'SSO tickets doubled',
        since: '2026-03-10T06:00:00.000Z', pctChange: 1.1, extra: 44, affectedCustomers: 7,
        exampleTickets: [{ id: '1', key: '#101', url: 'https://acme.zendesk.com/agent/tickets/101', subject: 'SSO login loops' }],
        release: { key: '4.2', name: '4.2', at: '2026-03-09T10:00:00.000Z' },
      }],
      threatens: { measures: ['m-sso-self-service'], kpis: ['sso-tickets'] },
      route: 'configuration/', escalateTo: null, meeting: { name: 'Weekly steering', at: '2026-03-16T08:00:00.000Z' },
    };
    await q(
      `INSERT INTO intervention_items (id, organization_id, fingerprint, spike_id, title, narrative, ask, severity, owner_id, due_at, status, driver_key, evidence, created_at, updated_at)
       VALUES ($1, $2, 'f1', $3, 'configuration/sso tickets +110 % since Tue 10 Mar, 07:00', 'SSO tickets doubled', 'Engineering: find why configuration/sso tickets rose.', 'high', $4,
               '2026-03-16T06:00:00Z', 'open', 'configuration/sso', $5::jsonb, '2026-03-10T07:00:00Z', '2026-03-10T07:00:00Z')`,
      [OPEN, orgId, spike, ana, JSON.stringify(evidence)],
    );
    await q('INSERT INTO intervention_spikes (intervention_id, spike_id) VALUES ($1, $2)', [OPEN, spike]);
    await q(`INSERT INTO intervention_participants (intervention_id, function, person_id) VALUES ($1, 'engineering', $2), ($1, 'product', $3), ($1, 'operations', NULL)`, [OPEN, ana, pia]);
    await q(
      `INSERT INTO audit_log (organization_id, actor, action, entity_type, entity_id, after, reason, at) VALUES ($1, 'frontline-detect', 'intervention.raised', 'intervention', $2, '{"status":"open"}', 'SSO tickets doubled', '2026-03-10T07:00:00Z')`,
      [orgId, OPEN],
    );
    await q(
      `INSERT INTO intervention_items (id, organization_id, fingerprint, title, narrative, severity, owner_id, due_at, status, resolved_at, driver_key, created_at, updated_at)
       VALUES ($1, $2, 'f2', 'billing/refund tickets +40 %', 'n', 'low', $3, '2026-03-12T08:00:00Z', 'resolved', now(), 'billing/refund', '2026-03-11T07:00:00Z', now())`,
      [RESOLVED, orgId, pia],
    );
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('lists items as a table with short ids, status, severity, local due time, owner and title; filters; --json', async () => {
    // Independent runs in parallel: each child process pays Node's and the CLI's start-up.
    const [listed, open, pias, none, bad, json] = await Promise.all([
      frontline(['interventions', 'list']),
      frontline(['interventions', 'list', '--status', 'open']),
      frontline(['interventions', 'list', '--owner', 'PIA@acme.example']),
      frontline(['interventions', 'list', '--owner', 'nobody@acme.example']),
      frontline(['interventions', 'list', '--status', 'closed']),
      frontline(['interventions', 'list', '--json']),
    ]);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+status\s+severity\s+due \(Europe\/Berlin\)\s+owner\s+title$/);
    // Newest first; 06:00 UTC is 07:00 in Berlin (CET).
    expect(lines[1]).toMatch(/^aaaa0002\s+resolved\s+low\s+2026-03-12 09:00\s+pia@acme\.example\s+billing\/refund tickets \+40 %$/);
    expect(lines[2]).toMatch(/^aaaa0001\s+open\s+high\s+2026-03-16 07:00\s+ana@acme\.example\s+configuration\/sso tickets \+110 % since Tue 10 Mar, 07:00$/);
    expect(lines).toHaveLength(3);

    expect(open.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(open.stdout).toContain('ana@acme.example');
    expect(pias.stdout).toContain('billing/refund');
    expect(pias.stdout).not.toContain('configuration/sso');
    expect([none.code, none.stdout]).toEqual([0, 'no intervention items in acme match these filters\n']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Allowed choices are open, acknowledged, in_progress, resolved, effect_verified, reopened');

    const body = JSON.parse(json.stdout);
    expect(body).toMatchObject({ organization: 'acme', timeZone: 'Europe/Berlin' });
    expect(body.items.map((i: { id: string }) => i.id)).toEqual([RESOLVED, OPEN]);
    expect(body.items[1]).toMatchObject({ status: 'open', severity: 'high', owner: { name: 'Ana Weber', email: 'ana@acme.example' }, dueAt: '2026-03-16T06:00:00.000Z', signalCount: 1 });
  });

  it('shows one item by full id or unique prefix: owner, participants, due and meeting, ask, narrative, signals with ticket links, threatened measures, history', async () => {
    const [full, prefix, unique, json] = await Promise.all([
      frontline(['interventions', 'show', OPEN]),
      frontline(['interventions', 'show', 'AAAA']),
      frontline(['interventions', 'show', 'AAAA0001']),
      frontline(['interventions', 'show', OPEN, '--json']).then((r) => JSON.parse(r.stdout)),
    ]);
    expect(full.code, full.stderr).toBe(0);
    const out = full.stdout;
    expect(out.split('\n')[0]).toBe('configuration/sso tickets +110 % since Tue 10 Mar, 07:00');
    expect(out).toMatch(/^status:\s+open \(next: ack, start, resolve\)$/m);
    expect(out).toMatch(/^owner:\s+Ana Weber <ana@acme\.example>$/m);
    expect(out).toMatch(/^participants:\s+engineering Ana Weber <ana@acme\.example>, product Pia Lang <pia@acme\.example>, operations —$/m);
    expect(out).toMatch(/^due:\s+2026-03-16 07:00 Europe\/Berlin, before Weekly steering on 2026-03-16 09:00$/m);
    expect(out).toContain('Ask:\n  Engineering: find why configuration/sso tickets rose.');
    expect(out).toContain('Narrative:\n  SSO tickets doubled');
    expect(out).toContain('  - configuration/sso +110 % since 2026-03-10 07:00, 7 affected customer(s), after release 4.2');
    expect(out).toContain('#101  "SSO login loops"  https://acme.zendesk.com/agent/tickets/101');
    expect(out).toContain('Affected customers: 7');
    expect(out).toContain('Threatens: measures m-sso-self-service; KPIs sso-tickets');
    expect(out).toContain('History:\n  2026-03-10 08:00 frontline-detect raised — SSO tickets doubled\n');

    expect(prefix.code).toBe(2);
    expect(prefix.stderr).toContain('matches several items in acme');
    expect([unique.code, unique.stdout]).toEqual([0, out]);

    expect(json).toMatchObject({ id: OPEN, organization: 'acme', allowedActions: ['ack', 'start', 'resolve'], affectedCustomers: 7 });
    expect(json.signals[0].exampleTickets[0].url).toBe('https://acme.zendesk.com/agent/tickets/101');
    expect(json.history).toHaveLength(1);
  });

  it('acknowledges and resolves with cli:<who> as the actor and the reason in the audit log and the history', async () => {
    const ack = await frontline(['interventions', 'ack', OPEN.slice(0, 36), '--reason', 'looking at the SAML change', '--as', 'ana@acme.example']);
    expect(ack.code, ack.stderr).toBe(0);
    expect(ack.stdout).toBe('aaaa0001 acknowledged (open → acknowledged) by cli:ana@acme.example — looking at the SAML change\n');
    expect((await audit(OPEN)).at(-1)).toEqual({ actor: 'cli:ana@acme.example', action: 'intervention.ack', reason: 'looking at the SAML change' });

    const resolved = await frontline(['interventions', 'resolve', OPEN]);
    expect(resolved.code, resolved.stderr).toBe(0);
    const me = `cli:${userInfo().username}`;
    expect(resolved.stdout).toBe(`aaaa0001 resolved (acknowledged → resolved) by ${me}\n`);
    expect((await audit(OPEN)).at(-1)).toEqual({ actor: me, action: 'intervention.resolve', reason: null });
    const row = (await db.pool.query('SELECT status::text, acknowledged_at IS NOT NULL AS acked, resolved_at IS NOT NULL AS resolved FROM intervention_items WHERE id = $1', [OPEN])).rows[0];
    expect(row).toEqual({ status: 'resolved', acked: true, resolved: true });

    const shown = (await frontline(['interventions', 'show', OPEN])).stdout;
    expect(shown).toMatch(/^ {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2} cli:ana@acme\.example ack — looking at the SAML change$/m);
    expect(shown).toMatch(new RegExp(`^ {2}\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} ${me} resolve$`, 'm'));
    expect(shown).toMatch(/^status:\s+resolved$/m);
  });

  it('refuses an invalid transition with the allowed actions (exit 1) and unknown or malformed ids (exit 2), changing nothing', async () => {
    const before = (await audit(OPEN)).length;
    await db.pool.query(`UPDATE intervention_items SET status = 'acknowledged' WHERE id = $1`, [RESOLVED]);
    const [twice, acked, unknown, unknownPrefix, malformed] = await Promise.all([
      frontline(['interventions', 'ack', OPEN]),
      frontline(['interventions', 'ack', RESOLVED]),
      frontline(['interventions', 'start', 'bbbb0000-0000-4000-8000-000000000000']),
      frontline(['interventions', 'show', 'bbbb']),
      frontline(['interventions', 'resolve', "x' OR 1=1"]),
    ]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toBe('aaaa0001: cannot ack an item that is resolved; nothing is left to do by hand\n');
    expect(acked.code).toBe(1);
    expect(acked.stderr).toBe('aaaa0002: cannot ack an item that is acknowledged; possible now: `frontline interventions start aaaa0002`, `frontline interventions resolve aaaa0002`\n');

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('no intervention item "bbbb0000-0000-4000-8000-000000000000" in acme: see `frontline interventions list` for the ids\n');
    expect(unknownPrefix.code).toBe(2);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('is not an intervention id');
    expect((await audit(OPEN)).length).toBe(before);
    expect((await audit(RESOLVED)).length).toBe(0);
  });

  it('adds, lists and expires silences, refusing one without a reason or an end in the future', async () => {
    const added = await frontline(['silences', 'add', '--driver', 'billing/', '--reason', 'price change announced', '--for', '3d', '--as', 'ops@acme.example']);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^silenced the billing\/ family in acme until \d{4}-\d{2}-\d{2} \d{2}:\d{2} Europe\/Berlin \(id [0-9a-f-]{36}\)/);
    const id = /\(id ([0-9a-f-]{36})\)/.exec(added.stdout)?.[1] ?? '';
    const [listed, noReason, blank, past, far, both] = await Promise.all([
      frontline(['silences', 'list']),
      frontline(['silences', 'add', '--driver', 'billing/', '--for', '2h']),
      frontline(['silences', 'add', '--driver', 'billing/', '--reason', '  ', '--for', '2h']),
      frontline(['silences', 'add', '--driver', 'billing/', '--reason', 'x', '--until', '2020-01-01T00:00:00Z']),
      frontline(['silences', 'add', '--driver', 'billing/', '--reason', 'x', '--for', '13w']),
      frontline(['silences', 'add', '--driver', 'billing/', '--reason', 'x', '--for', '2h', '--until', '2099-01-01']),
    ]);
    expect(listed.stdout).toMatch(new RegExp(`^${id.slice(0, 8)}\\s+billing/\\s+active\\s+\\S+ \\S+\\s+cli:ops@acme\\.example\\s+price change announced$`, 'm'));

    expect(noReason.code).not.toBe(0);
    expect(noReason.stderr).toContain("required option '--reason <text>' not specified");
    expect([blank.code, blank.stderr]).toEqual([2, '--reason must say why these spikes are expected (it is recorded with the silence)\n']);
    expect(past.code).toBe(2);
    expect(past.stderr).toContain('--until must be in the future');
    expect([far.code, far.stderr]).toEqual([2, expect.stringContaining('--for must be at most 90 days ahead')]);
    expect(both.code).toBe(2);

    const expired = await frontline(['silences', 'expire', id.slice(0, 8), '--reason', 'done early', '--as', 'ops@acme.example']);
    expect(expired.code, expired.stderr).toBe(0);
    expect(expired.stdout).toBe(`expired silence ${id.slice(0, 8)} (billing/) in acme: its spikes raise intervention items again\n`);
    const [active, all, again] = await Promise.all([
      frontline(['silences', 'list']).then((r) => r.stdout),
      frontline(['silences', 'list', '--all', '--json']).then((r) => JSON.parse(r.stdout)),
      frontline(['silences', 'expire', id]),
    ]);
    expect(active).toBe('no active silences in acme\n');
    expect(all.silences).toEqual([expect.objectContaining({ id, driver: 'billing/', state: 'expired', author: 'cli:ops@acme.example' })]);
    expect((await audit(id)).map((a) => [a.action, a.actor, a.reason])).toEqual([
      ['silence.added', 'cli:ops@acme.example', 'price change announced'], ['silence.expired', 'cli:ops@acme.example', 'done early'],
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('has already been expired');
  });

  it('asks for --org when there are several organizations', async () => {
    await db.pool.query(`INSERT INTO organizations (id, key, name, updated_at) VALUES (gen_random_uuid(), 'beta', 'Beta', now())`);
    const [ambiguous, beta, foreign, gamma] = await Promise.all([
      frontline(['interventions', 'list']),
      frontline(['interventions', 'list', '--org', 'beta']),
      frontline(['interventions', 'show', OPEN, '--org', 'beta']),
      frontline(['silences', 'list', '--org', 'gamma']),
    ]);
    expect([ambiguous.code, ambiguous.stderr]).toEqual([2, 'there are several organizations (acme, beta): add --org <key>\n']);
    expect(beta.stdout).toBe('no intervention items in beta yet: the detect stage raises them from spikes\n');
    expect(foreign.code).toBe(2);
    expect(gamma.stderr).toBe('unknown organization "gamma". Known organizations: acme, beta.\n');
  });
});
