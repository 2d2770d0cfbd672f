import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from '../../src/config/env.ts';
import { hashApiToken } from '../../src/store/api-token-repository.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { type LogCapture, bearer, seedOrganization, testApp, tokenFor } from './http-fixtures.ts';

/**
 * The /api/v1 rate limit (@fastify/rate-limit, README "HTTP API"): per API token, counted before the
 * token is looked up, per client address without a token; a limited request is 429 FL_RATE_LIMITED
 * with the coded body, `retry-after` and the `x-ratelimit-*` headers. The public routes are not
 * limited, and the token is in no key, log line or answer.
 */
const LIMIT = { max: 3, timeWindowMs: 60_000 };

describe('/api/v1 rate limit', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let logs: LogCapture;
  let first: string;
  let second: string;
  let third: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const org = await seedOrganization(db.prisma, 'acme');
    first = await tokenFor(db.prisma, [org.id], 'first');
    second = await tokenFor(db.prisma, [org.id], 'second');
    third = await tokenFor(db.prisma, [org.id], 'third');
    ({ app, logs } = testApp(db, { rateLimit: LIMIT }));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db.drop();
  });

  const connectors = (headers: Record<string, string>, remoteAddress?: string): Promise<LightMyRequestResponse> =>
    app.inject({ method: 'GET', url: '/api/v1/connectors', headers, ...(remoteAddress === undefined ? {} : { remoteAddress }) });

  it("answers a token's requests up to the limit, counting down in the x-ratelimit headers, then 429 FL_RATE_LIMITED with retry-after", async () => {
    for (const remaining of [2, 1, 0]) {
      const res = await connectors(bearer(first));
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('3');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(remaining));
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
      expect(res.headers['retry-after']).toBeUndefined();
    }
    const limited = await connectors({ ...bearer(first), 'x-request-id': 'limited-1' });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/json');
    expect(limited.json()).toEqual({ error: { code: 'FL_RATE_LIMITED', message: expect.stringMatching(/^Rate limit of 3 requests per 60 s exceeded: retry in /) }, requestId: 'limited-1' });
    expect(limited.headers['x-request-id']).toBe('limited-1');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60).toBe(true);
    expect(limited.headers).toMatchObject({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(retryAfter) });
    // However the header is spelt, it is the same token and the same count.
    const respelt = await connectors({ authorization: `bearer    ${first}` });
    expect([respelt.statusCode, respelt.json().error.code]).toEqual([429, 'FL_RATE_LIMITED']);
    // Every route of the scope shares the count.
    const other = await app.inject({ method: 'GET', url: '/api/v1/measures', headers: bearer(first) });
    expect(other.statusCode).toBe(429);
  });

  it('leaves the other tokens alone', async () => {
    const res = await connectors(bearer(second));
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-ratelimit-remaining']).toBe('2');
  });

  it('refuses a limited token before looking it up: an unknown token counts too, and gets 429 rather than 401', async () => {
    const unknown = `fl_${'A'.repeat(43)}`;
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push((await connectors(bearer(unknown))).statusCode);
    expect(answers).toEqual([401, 401, 401, 429]);
  });

  it('limits requests without a usable token per client address', async () => {
    const answers: number[] = [];
    for (const headers of [{}, { authorization: 'Basic Zm9vOmJhcg==' }, bearer('not-a-token'), {}]) {
      answers.push((await connectors(headers, '203.0.113.7')).statusCode);
    }
    expect(answers).toEqual([401, 401, 401, 429]);
    const elsewhere = await connectors({}, '198.51.100.9');
    expect(elsewhere.statusCode).toBe(401);
    // A token from the limited address has its own count.
    expect((await connectors(bearer(third), '203.0.113.7')).statusCode).toBe(200);
  });

  it('does not limit /healthz, /metrics or /docs, nor give them rate-limit headers', async () => {
    for (let i = 0; i < LIMIT.max + 3; i += 1) {
      for (const url of ['/healthz', '/metrics', '/docs/json']) {
        const res = await app.inject({ method: 'GET', url, headers: bearer(first) });
        expect([url, res.statusCode]).toEqual([url, 200]);
        expect(res.headers['x-ratelimit-limit']).toBeUndefined();
      }
    }
  });

  it('documents the 429 on every /api/v1 operation and FL_RATE_LIMITED in the error codes', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const operations = Object.entries(spec.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, responses: Object.keys(op.responses) })));
    const api = operations.filter((o) => o.path.startsWith('/api/v1/'));
    expect(api.length).toBeGreaterThan(15);
    expect(api.filter((o) => !o.responses.includes('429')).map((o) => `${o.method} ${o.path}`)).toEqual([]);
    expect(operations.filter((o) => !o.path.startsWith('/api/v1/') && o.responses.includes('429'))).toEqual([]);
    expect(JSON.stringify(spec.components.schemas)).toContain('FL_RATE_LIMITED');
  });

  it('never writes a token, nor its hash, into a log line or an answer', async () => {
    const text = logs.text();
    expect(text).toContain('"code":"FL_RATE_LIMITED"');
    for (const token of [first, second, third]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.slice(3));
      expect(text).not.toContain(hashApiToken(token));
    }
    const limited = await connectors(bearer(first));
    expect(limited.statusCode).toBe(429);
    expect(limited.body + JSON.stringify(limited.headers)).not.toContain(first.slice(3));
    expect(limited.body + JSON.stringify(limited.headers)).not.toContain(hashApiToken(first));
  });

  it('opens again once the window has passed', async () => {
    const short = testApp(db, { rateLimit: { max: 1, timeWindowMs: 300 } }).app;
    try {
      const get = () => short.inject({ method: 'GET', url: '/api/v1/connectors', headers: bearer(second) });
      expect((await get()).statusCode).toBe(200);
      expect((await get()).statusCode).toBe(429);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect((await get()).statusCode).toBe(200);
    } finally {
      await short.close();
    }
  });

  it('limits nothing when the app is built without a rate limit (serve always passes one, from the environment)', async () => {
    const plain = testApp(db).app;
    try {
      for (let i = 0; i < LIMIT.max + 2; i += 1) {
        const res = await plain.inject({ method: 'GET', url: '/api/v1/connectors', headers: bearer(first) });
        expect(res.statusCode).toBe(200);
        expect(res.headers['x-ratelimit-limit']).toBeUndefined();
      }
      const spec = (await plain.inject({ method: 'GET', url: '/docs/json' })).json();
      expect(Object.keys(spec.paths['/api/v1/connectors'].get.responses)).not.toContain('429');
    } finally {
      await plain.close();
    }
  });
});

describe('API_RATE_LIMIT_MAX and API_RATE_LIMIT_WINDOW', () => {
  it('default to 600 requests per 60 seconds', () => {
    const env = parseEnv({});
    expect([env.API_RATE_LIMIT_MAX, env.API_RATE_LIMIT_WINDOW]).toEqual([600, 60]);
  });

  it('take a count and seconds or a duration', () => {
    expect(parseEnv({ API_RATE_LIMIT_MAX: '120', API_RATE_LIMIT_WINDOW: '30s' })).toMatchObject({ API_RATE_LIMIT_MAX: 120, API_RATE_LIMIT_WINDOW: 30 });
    expect(parseEnv({ API_RATE_LIMIT_WINDOW: '90' }).API_RATE_LIMIT_WINDOW).toBe(90);
    expect(parseEnv({ API_RATE_LIMIT_WINDOW: '1h' }).API_RATE_LIMIT_WINDOW).toBe(3600);
  });

  it('refuse what is not one, naming the variable', () => {
    for (const bad of [{ API_RATE_LIMIT_MAX: '0' }, { API_RATE_LIMIT_MAX: '2.5' }, { API_RATE_LIMIT_MAX: 'lots' }, { API_RATE_LIMIT_WINDOW: 'soon' }, { API_RATE_LIMIT_WINDOW: '0' }]) {
      const name = Object.keys(bad)[0] ?? '';
      expect(() => parseEnv(bad)).toThrow(EnvError);
      expect(() => parseEnv(bad)).toThrow(name);
    }
  });
});
