import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiToken } from '../../src/store/api-token-repository.ts';
import { bearer, seedConnector, seedOrganization, testApp } from '../http/http-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const cli = fileURLToPath(new URL('../../src/cli/frontline.js', import.meta.url));
const run = promisify(execFile);
const TOKEN_LINE = /^fl_[A-Za-z0-9_-]{43}\n$/;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** `frontline tokens …` run as a child process against its own database; the tokens then call the real HTTP app. */
describe('frontline tokens', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let alpha: { id: string; key: string };
  let beta: { id: string; key: string };
  const frontline = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [cli, 'tokens', ...args], {
        env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent', USER: 'ops-tester', ...env },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const connectorsSeenBy = async (token: string): Promise<{ status: number; connectors: string[] }> => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/connectors', headers: bearer(token) });
    const body = response.json() as { connectors?: { organization: string; key: string }[] };
    return { status: response.statusCode, connectors: (body.connectors ?? []).map((c) => `${c.organization}/${c.key}`).sort() };
  };
  const tokenRows = () => db.prisma.apiToken.count();
  const auditRows = () => db.prisma.auditLog.count({ where: { entityType: 'api_token' } });

  beforeAll(async () => {
    db = await createTestDatabase();
    alpha = await seedOrganization(db.prisma, 'alpha');
    beta = await seedOrganization(db.prisma, 'beta');
    await seedConnector(db.prisma, alpha.id, 'zendesk-a');
    await seedConnector(db.prisma, beta.id, 'zendesk-b');
    // The real clock: tokens created by the CLI expire relative to now.
    app = testApp(db, { now: () => Date.now() }).app;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  let alphaToken = '';
  let alphaTokenId = '';

  it('creates a token that is printed once, stored as a hash, audited, and sees only its organization', async () => {
    const created = await frontline(['create', '--org', 'alpha']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(TOKEN_LINE);
    alphaToken = created.stdout.trim();
    expect(created.stderr).toContain('will not be shown again');
    expect(created.stderr).toContain('Authorization: Bearer');
    expect(created.stderr).not.toContain(alphaToken);

    const row = await db.prisma.apiToken.findFirstOrThrow({ where: { tokenHash: hashApiToken(alphaToken) }, include: { scopes: true } });
    alphaTokenId = row.id;
    expect(row.role).toBe('analyst');
    expect(row.name).toMatch(/^alpha analyst by ops-tester on \d{4}-\d{2}-\d{2}$/);
    expect(row.expiresAt).toBeNull();
    expect(row.scopes.map((s) => s.organizationId)).toEqual([alpha.id]);
    expect(created.stderr).toContain(row.id);

    const audit = await db.prisma.auditLog.findMany({ where: { entityType: 'api_token', entityId: row.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ organizationId: alpha.id, actor: 'ops-tester', action: 'api_token.created' });
    expect(audit[0]?.after).toMatchObject({ name: row.name, role: 'analyst', organizations: ['alpha'], expiresAt: null });
    expect(JSON.stringify(audit, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toMatch(new RegExp(`${alphaToken.slice(3)}|${row.tokenHash}`));

    expect(await connectorsSeenBy(alphaToken)).toEqual({ status: 200, connectors: ['alpha/zendesk-a'] });
    const foreign = await app.inject({ method: 'GET', url: '/api/v1/connectors/zendesk-b', headers: bearer(alphaToken) });
    expect(foreign.statusCode).toBe(404);
    const foreignOrg = await app.inject({ method: 'GET', url: '/api/v1/drivers?organization=beta', headers: bearer(alphaToken) });
    expect(foreignOrg.statusCode).toBe(404);
  });

  it('takes several organizations, a role, a name and an expiry; an expired token gets 401', async () => {
    const before = Date.now();
    const created = await frontline(['create', '--org', 'alpha', '--org', 'beta', '--role', 'service', '--name', 'nightly export', '--expires', '90d']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(TOKEN_LINE);
    const token = created.stdout.trim();
    const row = await db.prisma.apiToken.findUniqueOrThrow({ where: { tokenHash: hashApiToken(token) } });
    expect(row).toMatchObject({ name: 'nightly export', role: 'service' });
    const ninetyDays = 90 * 86_400_000;
    expect(row.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + ninetyDays);
    expect(row.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + ninetyDays);
    expect(await db.prisma.auditLog.count({ where: { entityId: row.id, action: 'api_token.created' } })).toBe(2);
    expect(await connectorsSeenBy(token)).toEqual({ status: 200, connectors: ['alpha/zendesk-a', 'beta/zendesk-b'] });

    const [dated, short] = await Promise.all([
      frontline(['create', '--org', 'beta', '--expires', '2999-01-31']),
      frontline(['create', '--org', 'beta', '--name', 'short-lived', '--expires', '1h']),
    ]);
    expect(dated.code, dated.stderr).toBe(0);
    const datedRow = await db.prisma.apiToken.findUniqueOrThrow({ where: { tokenHash: hashApiToken(dated.stdout.trim()) } });
    expect(datedRow.expiresAt?.toISOString()).toBe('2999-01-31T00:00:00.000Z');

    expect(short.code, short.stderr).toBe(0);
    const shortToken = short.stdout.trim();
    expect(await connectorsSeenBy(shortToken)).toEqual({ status: 200, connectors: ['beta/zendesk-b'] });
    const later = testApp(db, { now: () => Date.now() + 2 * 3_600_000 }).app;
    try {
      const expired = await later.inject({ method: 'GET', url: '/api/v1/connectors', headers: bearer(shortToken) });
      expect(expired.statusCode).toBe(401);
    } finally {
      await later.close();
    }
  });

  it('lists tokens with their organizations and dates, never a hash or a token', async () => {
    const hashes = (await db.prisma.apiToken.findMany({ select: { tokenHash: true } })).map((r) => r.tokenHash);
    const [json, table, alphaOnly] = await Promise.all([frontline(['list', '--json']), frontline(['list']), frontline(['list', '--org', 'alpha', '--json'])]);
    expect(json.code, json.stderr).toBe(0);
    const view = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(view).toHaveLength(4);
    const mine = view.find((t) => t['id'] === alphaTokenId);
    expect(mine).toMatchObject({ role: 'analyst', organizations: ['alpha'], status: 'active', expiresAt: null, revokedAt: null });
    expect(Object.keys(mine ?? {}).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'organizations', 'revokedAt', 'role', 'status']);
    // The HTTP calls above used it.
    expect(typeof mine?.['lastUsedAt']).toBe('string');
    expect(view.find((t) => t['name'] === 'nightly export')).toMatchObject({ role: 'service', organizations: ['alpha', 'beta'] });

    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain(alphaTokenId);
    expect(table.stdout).toContain('nightly export');
    for (const output of [json.stdout, table.stdout]) {
      for (const hash of hashes) expect(output).not.toContain(hash);
      expect(output).not.toContain(alphaToken.slice(3));
      expect(output).not.toMatch(/fl_[A-Za-z0-9_-]{43}/);
    }

    expect(alphaOnly.code, alphaOnly.stderr).toBe(0);
    const onlyAlpha = JSON.parse(alphaOnly.stdout) as { name: string }[];
    expect(onlyAlpha.map((t) => t.name).sort()).toEqual([view.find((t) => t['id'] === alphaTokenId)?.['name'], 'nightly export'].sort());
  });

  it('revokes a token: 401 from then on, audited; a second revoke or an unknown id fails clearly', async () => {
    const revoked = await frontline(['revoke', alphaTokenId, '--actor', 'security-team']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`revoked API token ${alphaTokenId}`);
    expect(await connectorsSeenBy(alphaToken)).toEqual({ status: 401, connectors: [] });
    const row = await db.prisma.apiToken.findUniqueOrThrow({ where: { id: alphaTokenId } });
    expect(row.revokedAt).not.toBeNull();
    const audit = await db.prisma.auditLog.findMany({ where: { entityId: alphaTokenId, action: 'api_token.revoked' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ organizationId: alpha.id, actor: 'security-team', before: { revokedAt: null }, after: { revokedAt: row.revokedAt?.toISOString() } });

    const listed = JSON.parse((await frontline(['list', '--json'])).stdout) as Record<string, unknown>[];
    expect(listed.find((t) => t['id'] === alphaTokenId)).toMatchObject({ status: 'revoked', revokedAt: row.revokedAt?.toISOString() });

    const auditBefore = await auditRows();
    const [again, unknown, garbage] = await Promise.all([
      frontline(['revoke', alphaTokenId]),
      frontline(['revoke', '00000000-0000-4000-8000-000000000000']),
      frontline(['revoke', 'not-an-id']),
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`API token ${alphaTokenId}`);
    expect(again.stderr).toContain('already revoked');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown API token id "00000000-0000-4000-8000-000000000000"');
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain('unknown API token id "not-an-id"');
    expect(await auditRows()).toBe(auditBefore);
    for (const outcome of [again, unknown, garbage]) expect(outcome.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses bad input with a clear message and a non-zero exit code, creating nothing', async () => {
    const tokensBefore = await tokenRows();
    const auditBefore = await auditRows();

    // Independent refusals, run side by side.
    const [unknownOrg, noOrg, badRole, badExpiry, pastExpiry, emptyName, listUnknown] = await Promise.all([
      frontline(['create', '--org', 'alpha', '--org', 'gamma']),
      frontline(['create']),
      frontline(['create', '--org', 'alpha', '--role', 'root']),
      frontline(['create', '--org', 'alpha', '--expires', 'next week']),
      frontline(['create', '--org', 'alpha', '--expires', '2020-01-01']),
      frontline(['create', '--org', 'alpha', '--name', '  ']),
      frontline(['list', '--org', 'gamma']),
    ]);
    expect(unknownOrg.code).toBe(2);
    expect(unknownOrg.stdout).toBe('');
    expect(unknownOrg.stderr).toContain('unknown organization "gamma"');
    expect(unknownOrg.stderr).toContain('Known organizations: alpha, beta.');

    expect(noOrg.code).toBe(2);
    expect(noOrg.stderr).toContain('--org <key> is required');
    expect(noOrg.stderr).toContain('alpha, beta');

    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toContain("'root' is invalid");
    expect(badRole.stderr).toContain('admin, analyst, executive, controller, service');

    expect(badExpiry.code).toBe(2);
    expect(badExpiry.stderr).toContain('--expires "next week" is neither a date nor a duration');
    expect(pastExpiry.code).toBe(2);
    expect(pastExpiry.stderr).toContain('not in the future');
    expect(emptyName.code).toBe(2);
    expect(emptyName.stderr).toContain('--name');

    expect(listUnknown.code).toBe(2);
    expect(listUnknown.stderr).toContain('unknown organization "gamma"');
    expect(listUnknown.stderr).toContain('Known organizations: alpha, beta.');

    for (const outcome of [unknownOrg, noOrg, badRole, badExpiry, pastExpiry, emptyName, listUnknown]) {
      expect(outcome.stdout).not.toMatch(/fl_/);
      expect(outcome.stderr).not.toMatch(/\n\s+at /);
    }
    expect(await tokenRows()).toBe(tokensBefore);
    expect(await auditRows()).toBe(auditBefore);
  });
  it('issues a token that acts for a person of each of its organizations, and refuses one for a stranger', async () => {
    await db.prisma.person.create({ data: { organizationId: alpha.id, email: 'clara@alpha.example', name: 'Clara Controller' } });
    const before = await tokenRows();
    const stranger = await frontline(['create', '--org', 'alpha', '--org', 'beta', '--role', 'controller', '--person', 'clara@alpha.example']);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toContain('--person clara@alpha.example is no person of organization beta; no token was created. Add them under `people:`');
    expect(await tokenRows()).toBe(before);
    const created = await frontline(['create', '--org', 'alpha', '--role', 'controller', '--person', 'Clara@Alpha.example']);
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('acts for clara@alpha.example');
    const row = await db.prisma.apiToken.findUniqueOrThrow({ where: { tokenHash: hashApiToken(created.stdout.trim()) } });
    expect(row).toMatchObject({ role: 'controller', personEmail: 'clara@alpha.example' });
  });
});
