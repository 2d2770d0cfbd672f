import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, hashApiToken, revokeApiToken, verifyApiToken } from '../../src/store/api-token-repository.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { NOW, bearer, seedConnector, seedOrganization, testApp, tokenFor } from './http-fixtures.ts';

describe('API tokens and tenancy', () => {
  let db: TestDatabase;
  let orgA: { id: string; key: string };
  let orgB: { id: string; key: string };
  beforeAll(async () => {
    db = await createTestDatabase();
    orgA = await seedOrganization(db.prisma, 'alpha');
    orgB = await seedOrganization(db.prisma, 'beta');
    await seedConnector(db.prisma, orgA.id, 'zendesk-a');
    await seedConnector(db.prisma, orgB.id, 'zendesk-b');
    await seedConnector(db.prisma, orgB.id, 'shared-key');
    await seedConnector(db.prisma, orgA.id, 'shared-key');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('stores only the SHA-256 of a token and verifies it with its organizations', async () => {
    const { token, id } = await createApiToken(db.prisma, { name: 'ci', role: 'service', organizationIds: [orgA.id, orgB.id] });
    expect(token).toMatch(/^fl_[A-Za-z0-9_-]{43}$/);
    const row = await db.prisma.apiToken.findUniqueOrThrow({ where: { id } });
    expect(row.tokenHash).toBe(hashApiToken(token));
    expect(JSON.stringify(row)).not.toContain(token.slice(3));
    const principal = await verifyApiToken(db.prisma, token, new Date(NOW));
    expect(principal).toEqual({ id, role: 'service', organizationIds: [orgA.id, orgB.id].sort(), personEmail: null });
    expect((await db.prisma.apiToken.findUniqueOrThrow({ where: { id } })).lastUsedAt?.toISOString()).toBe(new Date(NOW).toISOString());
    expect(await verifyApiToken(db.prisma, `${token.slice(0, -1)}x`)).toBeNull();
    expect(await verifyApiToken(db.prisma, 'not-a-token')).toBeNull();
  });

  it('rejects expired and revoked tokens', async () => {
    const expiring = await createApiToken(db.prisma, { name: 'short', role: 'analyst', organizationIds: [orgA.id], expiresAt: new Date(NOW + 1000) });
    expect(await verifyApiToken(db.prisma, expiring.token, new Date(NOW))).not.toBeNull();
    expect(await verifyApiToken(db.prisma, expiring.token, new Date(NOW + 1000))).toBeNull();
    const revoked = await createApiToken(db.prisma, { name: 'old', role: 'admin', organizationIds: [orgA.id] });
    expect(await revokeApiToken(db.prisma, revoked.id, new Date(NOW))).toBe(true);
    expect(await verifyApiToken(db.prisma, revoked.token, new Date(NOW))).toBeNull();
  });

  it('answers 401 with the coded body without a token or with a bad one', async () => {
    const { app } = testApp(db);
    const missing = await app.inject({ method: 'GET', url: '/api/v1/connectors' });
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="frontline"');
    expect(missing.json()).toEqual({
      error: { code: 'FL_UNAUTHORIZED', message: 'Missing API token: send "Authorization: Bearer fl_…"' },
      requestId: missing.headers['x-request-id'],
    });
    const wrong = await app.inject({ method: 'GET', url: '/api/v1/drivers', headers: bearer('fl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toEqual({ code: 'FL_UNAUTHORIZED', message: 'Invalid, expired or revoked API token' });
    const basic = await app.inject({ method: 'GET', url: '/api/v1/connectors/zendesk-a', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.statusCode).toBe(401);
    await app.close();
  });

  it("shows a token only its organizations' connectors; others are 404, not 403", async () => {
    const token = await tokenFor(db.prisma, [orgA.id]);
    const { app } = testApp(db);
    const list = await app.inject({ method: 'GET', url: '/api/v1/connectors/', headers: bearer(token) });
    expect(list.statusCode).toBe(200);
    expect(list.json().connectors.map((c: { organization: string; key: string }) => `${c.organization}/${c.key}`)).toEqual([
      'alpha/shared-key',
      'alpha/zendesk-a',
    ]);
    for (const url of ['/api/v1/connectors/zendesk-b', '/api/v1/connectors/zendesk-b/quarantine']) {
      const other = await app.inject({ method: 'GET', url, headers: bearer(token) });
      expect(other.statusCode).toBe(404);
      expect(other.json().error).toEqual({ code: 'FL_NOT_FOUND', message: 'No connector "zendesk-b" in your organizations' });
    }
    const foreignOrg = await app.inject({ method: 'GET', url: '/api/v1/drivers?organization=beta', headers: bearer(token) });
    expect(foreignOrg.statusCode).toBe(404);
    expect(foreignOrg.json().error.message).toBe('No organization "beta" in your organizations');
    const own = await app.inject({ method: 'GET', url: '/api/v1/connectors/shared-key', headers: bearer(token) });
    expect(own.statusCode).toBe(200);
    expect(own.json().organization).toBe('alpha');
    await app.close();
  });

  it('asks a token of several organizations to name one when a key is ambiguous', async () => {
    const token = await tokenFor(db.prisma, [orgA.id, orgB.id]);
    const { app } = testApp(db);
    const all = await app.inject({ method: 'GET', url: '/api/v1/connectors', headers: bearer(token) });
    expect(all.json().connectors).toHaveLength(4);
    const ambiguous = await app.inject({ method: 'GET', url: '/api/v1/connectors/shared-key', headers: bearer(token) });
    expect(ambiguous.statusCode).toBe(400);
    expect(ambiguous.json().error.code).toBe('FL_VALIDATION');
    expect(ambiguous.json().error.details).toEqual([
      { path: 'organization', message: 'This token sees several organizations (alpha, beta): add ?organization=<key>' },
    ]);
    const named = await app.inject({ method: 'GET', url: '/api/v1/connectors/shared-key?organization=beta', headers: bearer(token) });
    expect(named.json().organization).toBe('beta');
    const onlyBeta = await app.inject({ method: 'GET', url: '/api/v1/connectors?organization=beta', headers: bearer(token) });
    expect(onlyBeta.json().connectors.map((c: { key: string }) => c.key)).toEqual(['shared-key', 'zendesk-b']);
    const drivers = await app.inject({ method: 'GET', url: '/api/v1/drivers', headers: bearer(token) });
    expect(drivers.statusCode).toBe(400);
    await app.close();
  });
});
