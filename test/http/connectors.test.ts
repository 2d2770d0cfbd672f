import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { NOW, bearer, seedConnector, seedOrganization, seedRuns, seedTicket, testApp, tokenFor } from './http-fixtures.ts';

const SECRET_TOKEN = 'zd-secret-token-0123456789abcdef';
const CIPHERTEXT = Buffer.from('c1phertext-bytes-that-must-never-leak', 'utf8');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();
const MIN = 60_000;

describe('GET /api/v1/connectors', () => {
  let db: TestDatabase;
  let token: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    const org = await seedOrganization(db.prisma, 'acme');
    token = await tokenFor(db.prisma, [org.id]);
    const main = await seedConnector(db.prisma, org.id, 'zendesk-main', {
      settings: { auth: { type: 'api_token', email: 'ops@acme.example' }, apiToken: SECRET_TOKEN, clientSecret: SECRET_TOKEN },
      baseUrl: 'https://bot:hunter2@acme.zendesk.com',
    });
    await db.prisma.connectorSecret.create({
      data: { connectorId: main.id, name: 'token', keyId: 'k1', iv: Buffer.from('iv-iv-iv-iv-'), tag: Buffer.from('tag-tag-tag-tag-'), ciphertext: CIPHERTEXT },
    });
    await db.prisma.syncState.create({
      data: {
        connectorId: main.id, stream: 'tickets', cursor: 'MTcwMDAwMDAwMC4xMjM0NQ==', cursorUpdatedAt: new Date(NOW - 4 * MIN),
        sourceHighWater: new Date(NOW - 10 * MIN), lastSuccessAt: new Date(NOW - 4 * MIN),
        rateBudget: { limit: 700, remaining: 512, resetAtMs: NOW + 30_000, observedAtMs: NOW - 4 * MIN },
      },
    });
    const runs = Array.from({ length: 11 }, (_, i) => ({ status: 'succeeded' as const, startedAt: ago((60 - i * 5) * MIN), finishedAt: ago((59 - i * 5) * MIN), inserted: i }));
    await seedRuns(db.prisma, main, org.id, [
      ...runs,
      { status: 'failed', startedAt: ago(5 * MIN), finishedAt: ago(4.5 * MIN), errorClass: 'transient', errorCode: 'ZENDESK_TIMEOUT', errorMessage: 'Zendesk did not answer within 30 s' },
    ]);
    for (const id of ['1', '2', '3']) await seedTicket(db.prisma, main, org.id, id);
    await seedTicket(db.prisma, main, org.id, '4', 'deleted');
    for (const [i, resolved] of [[1, false], [2, false], [3, true], [4, false]] as const) {
      await db.prisma.quarantinedRecord.create({
        data: {
          connectorId: main.id, stream: 'tickets', nativeId: `q${i}`, reason: `missing created_at (${i})`, payload: { id: i },
          payloadHash: `h${i}`, firstSeenAt: new Date(NOW - i * MIN), lastSeenAt: new Date(NOW), resolvedAt: resolved ? new Date(NOW) : null,
        },
      });
    }

    const fresh = await seedConnector(db.prisma, org.id, 'zendesk-new');
    await seedRuns(db.prisma, fresh, org.id, [{ status: 'running', startedAt: ago(MIN) }]);
    const healthy = await seedConnector(db.prisma, org.id, 'zendesk-ok');
    await seedRuns(db.prisma, healthy, org.id, [{ status: 'succeeded', startedAt: ago(3 * MIN), finishedAt: ago(2 * MIN) }]);
    const broken = await seedConnector(db.prisma, org.id, 'zendesk-broken');
    await seedRuns(db.prisma, broken, org.id, [
      { status: 'succeeded', startedAt: ago(30 * MIN), finishedAt: ago(29 * MIN) },
      { status: 'failed', startedAt: ago(3 * MIN), finishedAt: ago(2 * MIN), errorClass: 'config', errorCode: 'ZENDESK_UNAUTHORIZED', errorMessage: 'Zendesk rejected the API token (401): check the e-mail and token' },
    ]);
    const stale = await seedConnector(db.prisma, org.id, 'zendesk-stale');
    await seedRuns(db.prisma, stale, org.id, [{ status: 'succeeded', startedAt: ago(121 * MIN), finishedAt: ago(120 * MIN) }]);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('reports last run, lag, rate budget, cursor, counts and quarantine of each connector', async () => {
    const { app } = testApp(db);
    const res = await app.inject({ method: 'GET', url: '/api/v1/connectors', headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    const main = res.json().connectors.find((c: { key: string }) => c.key === 'zendesk-main');
    expect(main).toEqual({
      organization: 'acme',
      key: 'zendesk-main',
      system: 'zendesk',
      name: 'Zendesk zendesk-main',
      enabled: true,
      baseUrl: 'https://acme.zendesk.com/',
      health: 'degraded',
      healthReason: 'last run failed (transient ZENDESK_TIMEOUT)',
      lastRun: {
        id: expect.stringMatching(/^\d+$/), stream: 'tickets', mode: 'incremental', status: 'failed',
        startedAt: ago(5 * MIN), finishedAt: ago(4.5 * MIN), fetched: 0, inserted: 0, updated: 0, unchanged: 0, quarantined: 0, throttled: 0,
        errorClass: 'transient', errorCode: 'ZENDESK_TIMEOUT', errorMessage: 'Zendesk did not answer within 30 s',
      },
      lag: { seconds: 600, sourceHighWater: ago(10 * MIN), lastSuccessAt: ago(4 * MIN) },
      rateBudget: { limit: 700, remaining: 512, resetAt: new Date(NOW + 30_000).toISOString(), observedAt: ago(4 * MIN) },
      cursor: { present: true, updatedAt: ago(4 * MIN) },
      tickets: { live: 3, deleted: 1 },
      quarantined: 3,
    });
    await app.close();
  });

  it('derives health: never_synced, ok, degraded, failing', async () => {
    const { app } = testApp(db);
    const res = await app.inject({ method: 'GET', url: '/api/v1/connectors', headers: bearer(token) });
    const health = Object.fromEntries(res.json().connectors.map((c: { key: string; health: string; healthReason: string | null }) => [c.key, [c.health, c.healthReason]]));
    expect(health).toEqual({
      'zendesk-broken': ['failing', 'last run failed (config ZENDESK_UNAUTHORIZED)'],
      'zendesk-main': ['degraded', 'last run failed (transient ZENDESK_TIMEOUT)'],
      'zendesk-new': ['never_synced', null],
      'zendesk-ok': ['ok', null],
      'zendesk-stale': ['failing', 'no successful sync for 2 h'],
    });
    const fresh = res.json().connectors.find((c: { key: string }) => c.key === 'zendesk-new');
    expect(fresh.lastRun.status).toBe('running');
    expect(fresh.lag).toEqual({ seconds: null, sourceHighWater: null, lastSuccessAt: null });
    expect(fresh.rateBudget).toBeNull();
    expect(fresh.cursor).toEqual({ present: false, updatedAt: null });
    await app.close();
  });

  it('shows one connector with its last 10 runs, newest first', async () => {
    const { app } = testApp(db);
    const res = await app.inject({ method: 'GET', url: '/api/v1/connectors/zendesk-main', headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.health).toBe('degraded');
    expect(body.runs).toHaveLength(10);
    expect(body.runs[0].status).toBe('failed');
    expect(body.runs.slice(1).map((r: { inserted: number }) => r.inserted)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2]);
    const unknown = await app.inject({ method: 'GET', url: '/api/v1/connectors/nope', headers: bearer(token) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toEqual({ code: 'FL_NOT_FOUND', message: 'No connector "nope" in your organizations' });
    await app.close();
  });

  it('pages through unresolved quarantined records', async () => {
    const { app } = testApp(db);
    const first = await app.inject({ method: 'GET', url: '/api/v1/connectors/zendesk-main/quarantine?limit=2', headers: bearer(token) });
    expect(first.statusCode).toBe(200);
    expect(first.json().items.map((q: { nativeId: string }) => q.nativeId)).toEqual(['q1', 'q2']);
    expect(first.json().items[0]).toEqual({ id: expect.any(String), stream: 'tickets', nativeId: 'q1', reason: 'missing created_at (1)', firstSeenAt: ago(MIN), lastSeenAt: ago(0) });
    const cursor = first.json().nextCursor;
    expect(cursor).toMatch(/^\d+$/);
    const second = await app.inject({ method: 'GET', url: `/api/v1/connectors/zendesk-main/quarantine?limit=2&cursor=${cursor}`, headers: bearer(token) });
    expect(second.json()).toEqual({ items: [expect.objectContaining({ nativeId: 'q4' })], nextCursor: null });
    await app.close();
  });

  it('rejects a bad query with FL_VALIDATION and one detail per problem', async () => {
    const { app } = testApp(db);
    const res = await app.inject({ method: 'GET', url: '/api/v1/connectors/zendesk-main/quarantine?limit=500&cursor=abc', headers: bearer(token) });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('FL_VALIDATION');
    expect(body.error.message).toBe('Invalid querystring: 2 problems');
    expect(body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['cursor', 'limit']);
    expect(body.error.details.find((d: { path: string }) => d.path === 'cursor').message).toBe('cursor must be a value of nextCursor');
    await app.close();
  });

  it('never returns a secret, a secret-like setting or URL credentials', async () => {
    const { app } = testApp(db);
    const bodies: string[] = [];
    for (const url of ['/api/v1/connectors', '/api/v1/connectors/zendesk-main', '/api/v1/connectors/zendesk-main/quarantine', '/api/v1/drivers']) {
      const res = await app.inject({ method: 'GET', url, headers: bearer(token) });
      expect(res.statusCode).toBe(200);
      bodies.push(res.body);
    }
    const all = bodies.join('\n');
    for (const needle of [SECRET_TOKEN, 'hunter2', 'apiToken', 'clientSecret', 'ops@acme.example', 'MTcwMDAwMDAwMC4xMjM0NQ', CIPHERTEXT.toString('utf8'), CIPHERTEXT.toString('base64'), CIPHERTEXT.toString('hex')]) {
      expect(all).not.toContain(needle);
    }
    await app.close();
  });
});
