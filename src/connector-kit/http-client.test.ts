import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { manualClock } from './clock.ts';
import { ConnectorError } from './failure.ts';
import { type HttpClientOptions, createHttpClient } from './http-client.ts';
import { mulberry32 } from './random.ts';

const BASE = 'https://acme.zendesk.com';
const T0 = Date.parse('2026-11-20T12:00:00Z');
const TOKEN = 'sekrit-api-token-0123456789';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function client(over: Partial<HttpClientOptions> = {}) {
  const clock = manualClock(T0);
  const http = createHttpClient({
    connectorKey: 'zendesk-main',
    baseUrl: BASE,
    auth: { type: 'api_token', email: 'ops@acme.test', token: TOKEN },
    clock,
    random: mulberry32(1),
    maxAttempts: 3,
    ...over,
  });
  return { http, clock };
}

/** nock 14 only propagates Error instances (a plain object stalls the request until the timeout). */
function netError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(error)}`);
  return error;
}

function expectNoSecret(error: ConnectorError, ...secrets: string[]): void {
  const everything = `${error.message}\n${JSON.stringify(error)}\n${inspect(error, { depth: 10 })}`;
  for (const secret of secrets) {
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(Buffer.from(`ops@acme.test/token:${secret}`).toString('base64'));
  }
}

describe('createHttpClient: requests', () => {
  it('sends Basic {email}/token:{token}, joins relative URLs, drops undefined params and parses JSON', async () => {
    const basic = `Basic ${Buffer.from(`ops@acme.test/token:${TOKEN}`).toString('base64')}`;
    const scope = nock(BASE, { reqheaders: { authorization: basic } })
      .get('/api/v2/users/me.json')
      .query({ a: '1' })
      .reply(200, { user: { id: 7 } }, { 'Content-Type': 'application/json' });
    const { http } = client();
    const res = await http.request({ url: '/api/v2/users/me.json', params: { a: 1, cursor: undefined, b: null } });
    expect(res).toMatchObject({ status: 200, data: { user: { id: 7 } }, url: `${BASE}/api/v2/users/me.json?a=1` });
    expect(res.headers['content-type']).toBe('application/json');
    expect(http.stats()).toEqual({ requests: 1, throttled: 0, retried: 0, waitedMs: 0 });
    expect(scope.isDone()).toBe(true);
  });

  it('validates with a zod schema when given one', async () => {
    nock(BASE).get('/api/v2/x.json').reply(200, { count: 'many' });
    const { http } = client();
    const error = await failure(http.request({ url: '/api/v2/x.json' }, z.object({ count: z.number() })));
    expect(error).toMatchObject({ failure: 'system', code: 'SCHEMA_MISMATCH', status: 200 });
    expect(error.message).toContain('count');
  });

  it('accepts absolute URLs under the base URL and refuses others', async () => {
    nock(BASE).get('/api/v2/next.json').query({ cursor: 'abc' }).reply(200, {});
    const { http } = client();
    await expect(http.request({ url: `${BASE}/api/v2/next.json?cursor=abc` })).resolves.toMatchObject({ status: 200 });
    const error = await failure(http.request({ url: 'https://evil.example/api/v2/next.json' }));
    expect(error).toMatchObject({ failure: 'system', code: 'FOREIGN_URL' });
    await expect(http.request({ url: '//evil.example/api/v2/x.json' })).rejects.toMatchObject({ code: 'FOREIGN_URL' });
    expect(http.stats().requests).toBe(1);
  });

  it('returns text untouched for responseType text', async () => {
    nock(BASE).get('/robots.txt').reply(200, 'User-agent: *');
    const { http } = client();
    await expect(http.request({ url: '/robots.txt', responseType: 'text' })).resolves.toMatchObject({ data: 'User-agent: *' });
  });
});

describe('createHttpClient: base URL', () => {
  it('requires https unless insecure is allowed', () => {
    expect(() => client({ baseUrl: 'http://127.0.0.1:4010' })).toThrow(expect.objectContaining({ failure: 'config', code: 'BASE_URL_INSECURE' }));
    expect(() => client({ baseUrl: 'http://127.0.0.1:4010', allowInsecure: true })).not.toThrow();
    expect(() => client({ baseUrl: 'acme.zendesk.com' })).toThrow(expect.objectContaining({ failure: 'config', code: 'BASE_URL_INVALID' }));
    expect(() => client({ baseUrl: 'https://u:p@acme.zendesk.com' })).toThrow(/credentials/);
  });

  it('keeps a base path prefix', async () => {
    nock('https://proxy.acme.test').get('/zendesk/api/v2/users/me.json').reply(200, {});
    const { http } = client({ baseUrl: 'https://proxy.acme.test/zendesk/' });
    await expect(http.request({ url: '/api/v2/users/me.json' })).resolves.toMatchObject({ status: 200 });
  });
});

describe('createHttpClient: retries', () => {
  it('waits out a 429 with Retry-After on the injected clock without spending attempts', async () => {
    nock(BASE)
      .get('/api/v2/incremental/tickets/cursor.json')
      .times(3)
      .reply(429, { error: 'APIRateLimitExceeded' }, { 'Retry-After': '30' })
      .get('/api/v2/incremental/tickets/cursor.json')
      .reply(200, { tickets: [] });
    const { http, clock } = client({ maxAttempts: 1 });
    const res = await http.request({ url: '/api/v2/incremental/tickets/cursor.json' });
    expect(res.status).toBe(200);
    expect(http.stats()).toEqual({ requests: 4, throttled: 3, retried: 3, waitedMs: 90_000 });
    expect(clock.now()).toBe(T0 + 90_000);
  });

  it('gives up on rate limits only when the wait budget is spent (transient, retryAfterMs set)', async () => {
    nock(BASE).get('/api/v2/x.json').times(3).reply(429, {}, { 'Retry-After': '60' });
    const { http } = client({ maxRateLimitWaitMs: 120_000 });
    const error = await failure(http.request({ url: '/api/v2/x.json' }));
    expect(error).toMatchObject({ failure: 'transient', code: 'RATE_LIMITED', status: 429, retryAfterMs: 60_000 });
    expect(http.stats()).toMatchObject({ requests: 3, throttled: 3, waitedMs: 120_000 });
  });

  it('retries a 500 and succeeds', async () => {
    nock(BASE).get('/api/v2/x.json').reply(500, 'oops').get('/api/v2/x.json').reply(200, { ok: true });
    const { http } = client();
    await expect(http.request({ url: '/api/v2/x.json' })).resolves.toMatchObject({ data: { ok: true } });
    expect(http.stats()).toMatchObject({ requests: 2, retried: 1, throttled: 0 });
    expect(http.stats().waitedMs).toBeGreaterThanOrEqual(0);
  });

  it('fails transient after maxAttempts server errors, naming connector, status and path', async () => {
    nock(BASE).get('/api/v2/x.json').query(true).times(3).reply(503, 'down');
    const { http } = client();
    const error = await failure(http.request({ url: '/api/v2/x.json', params: { cursor: 'c1' } }));
    expect(error).toMatchObject({ failure: 'transient', code: 'HTTP_5XX', status: 503, connector: 'zendesk-main' });
    expect(error.message).toContain('"zendesk-main"');
    expect(error.message).toContain('GET /api/v2/x.json');
    expect(error.message).toContain('503');
    expect(error.message).not.toContain('cursor');
  });

  it('retries a truncated JSON body, and fails TRUNCATED_BODY when it persists', async () => {
    nock(BASE).get('/api/v2/x.json').reply(200, '{"tickets":[{"id":1').get('/api/v2/x.json').reply(200, { tickets: [] });
    const { http } = client();
    await expect(http.request({ url: '/api/v2/x.json' })).resolves.toMatchObject({ data: { tickets: [] } });
    nock(BASE).get('/api/v2/y.json').times(3).reply(200, '{"tickets":');
    const error = await failure(http.request({ url: '/api/v2/y.json' }));
    expect(error).toMatchObject({ failure: 'transient', code: 'TRUNCATED_BODY' });
  });

  it('retries network errors', async () => {
    nock(BASE).get('/api/v2/x.json').replyWithError(netError('ECONNRESET', 'socket hang up')).get('/api/v2/x.json').reply(200, {});
    const { http } = client();
    await expect(http.request({ url: '/api/v2/x.json' })).resolves.toMatchObject({ status: 200 });
    expect(http.stats()).toMatchObject({ requests: 2, retried: 1 });
  });

  it('times out (transient TIMEOUT)', async () => {
    nock(BASE).get('/api/v2/slow.json').delay(2_000).reply(200, {});
    const { http } = client({ maxAttempts: 1, timeoutMs: 100 });
    const error = await failure(http.request({ url: '/api/v2/slow.json' }));
    expect(error).toMatchObject({ failure: 'transient', code: 'TIMEOUT' });
  });

  it('honours an AbortSignal', async () => {
    const controller = new AbortController();
    controller.abort();
    const { http } = client({ signal: controller.signal });
    const error = await failure(http.request({ url: '/api/v2/x.json' }));
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(http.stats().requests).toBe(0);
  });
});

describe('createHttpClient: config failures never leak secrets', () => {
  it('401 → config, naming connector, status and path, with no token anywhere', async () => {
    nock(BASE).get('/api/v2/users/me.json').query(true).reply(401, { error: "Couldn't authenticate you" });
    const { http } = client();
    const error = await failure(http.request({ url: '/api/v2/users/me.json', params: { api_key: 'query-secret' } }));
    expect(error).toMatchObject({ failure: 'config', code: 'AUTH_REJECTED', status: 401, connector: 'zendesk-main' });
    expect(error.message).toMatch(/zendesk-main.*credentials.*GET \/api\/v2\/users\/me\.json.*401/);
    expectNoSecret(error, TOKEN, 'query-secret');
    expect(http.stats().requests).toBe(1);
  });

  it('a network error keeps no axios config (headers) on the error', async () => {
    nock(BASE).get('/api/v2/x.json').replyWithError(netError('ENOTFOUND', 'getaddrinfo ENOTFOUND acme.zendesk.com'));
    const { http } = client();
    const error = await failure(http.request({ url: '/api/v2/x.json' }));
    expect(error).toMatchObject({ failure: 'config', code: 'HOST_NOT_FOUND' });
    expectNoSecret(error, TOKEN);
  });

  it('rule messages get {connector}, {status}, {path} and messageVars filled in', async () => {
    nock(BASE).get('/api/v2/users/me.json').reply(403, {});
    const { http } = client({
      rules: [{ match: { status: [403] }, action: 'fail', failure: 'config', code: 'ZD_FORBIDDEN', message: 'Zendesk refused connector "{connector}" ({status}): give {who} admin access' }],
      messageVars: { who: 'ops@acme.test' },
    });
    const error = await failure(http.request({ url: '/api/v2/users/me.json' }));
    expect(error.code).toBe('ZD_FORBIDDEN');
    expect(error.message).toBe('Zendesk refused connector "zendesk-main" (403): give ops@acme.test admin access (GET /api/v2/users/me.json → HTTP 403)');
  });
});

describe('createHttpClient: OAuth refresh-token rotation', () => {
  const oauth = { type: 'oauth', clientId: 'frontline', clientSecret: 'client-secret-xyz', accessToken: 'old-access', refreshToken: 'old-refresh' } as const;

  it('on a 401 refreshes once, persists the rotated pair before retrying, and retries with the new token', async () => {
    const events: string[] = [];
    nock(BASE, { reqheaders: { authorization: 'Bearer old-access' } }).get('/api/v2/users/me.json').reply(401, {});
    nock(BASE)
      .post('/oauth/tokens', { grant_type: 'refresh_token', refresh_token: 'old-refresh', client_id: 'frontline', client_secret: 'client-secret-xyz' })
      .reply(200, { access_token: 'new-access', refresh_token: 'new-refresh', token_type: 'bearer', expires_in: 7200 });
    nock(BASE, { reqheaders: { authorization: 'Bearer new-access' } })
      .get('/api/v2/users/me.json')
      .reply(() => {
        events.push('retry');
        return [200, { user: { id: 1 } }];
      });
    const { http } = client({
      auth: oauth,
      onSecretsRotated: async (tokens) => {
        events.push(`rotated:${tokens.accessToken}:${tokens.refreshToken}`);
      },
    });
    await expect(http.request({ url: '/api/v2/users/me.json' })).resolves.toMatchObject({ data: { user: { id: 1 } } });
    expect(events).toEqual(['rotated:new-access:new-refresh', 'retry']);
    expect(http.stats()).toMatchObject({ requests: 3, retried: 1 });
  });

  it('a second 401 after the refresh is a config failure', async () => {
    nock(BASE).get('/api/v2/users/me.json').times(2).reply(401, {});
    nock(BASE).post('/oauth/tokens').reply(200, { access_token: 'new-access', refresh_token: 'new-refresh' });
    const { http } = client({ auth: oauth, onSecretsRotated: async () => undefined });
    const error = await failure(http.request({ url: '/api/v2/users/me.json' }));
    expect(error).toMatchObject({ failure: 'config', code: 'AUTH_REJECTED', status: 401 });
    expectNoSecret(error, 'new-access', 'new-refresh', 'old-refresh', 'client-secret-xyz');
  });

  it('a rejected refresh token is a config failure telling the operator to re-authorise', async () => {
    nock(BASE).get('/api/v2/users/me.json').reply(401, {});
    nock(BASE).post('/oauth/tokens').reply(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    const { http } = client({ auth: oauth });
    const error = await failure(http.request({ url: '/api/v2/users/me.json' }));
    expect(error).toMatchObject({ failure: 'config', code: 'OAUTH_REFRESH_REJECTED', status: 400 });
    expect(error.message).toContain('authorise connector "zendesk-main" again');
    expectNoSecret(error, 'old-refresh', 'client-secret-xyz', 'old-access');
  });

  it('without an access token, refreshes before the first request; concurrent requests share one refresh', async () => {
    const rotations: string[] = [];
    nock(BASE).post('/oauth/tokens').once().reply(200, { access_token: 'fresh', refresh_token: 'r2' });
    nock(BASE, { reqheaders: { authorization: 'Bearer fresh' } }).get('/api/v2/a.json').reply(200, { a: 1 }).get('/api/v2/b.json').reply(200, { b: 1 });
    const { http } = client({
      auth: { ...oauth, accessToken: null },
      onSecretsRotated: async (t) => {
        rotations.push(t.refreshToken);
      },
    });
    const [a, b] = await Promise.all([http.request({ url: '/api/v2/a.json' }), http.request({ url: '/api/v2/b.json' })]);
    expect([a.data, b.data]).toEqual([{ a: 1 }, { b: 1 }]);
    expect(rotations).toEqual(['r2']);
  });
});

describe('createHttpClient: rate budget', () => {
  it('updates the budget snapshot from response headers and paces when the budget is low', async () => {
    nock(BASE)
      .get('/api/v2/x.json')
      .reply(200, {}, { 'ratelimit-limit': '10', 'ratelimit-remaining': '0', 'ratelimit-reset': '20' })
      .get('/api/v2/x.json')
      .reply(200, {}, { 'ratelimit-limit': '10', 'ratelimit-remaining': '9', 'ratelimit-reset': '60' });
    const { http, clock } = client();
    await http.request({ url: '/api/v2/x.json' });
    expect(http.budget()).toEqual({ limit: 10, remaining: 0, resetAtMs: T0 + 20_000, observedAtMs: T0 });
    await http.request({ url: '/api/v2/x.json' });
    expect(clock.now()).toBe(T0 + 21_000); // waited for the reset plus the one-second margin
    expect(http.stats()).toMatchObject({ requests: 2, waitedMs: 21_000, throttled: 0 });
    expect(http.budget()).toMatchObject({ limit: 10, remaining: 9 });
  });
});

describe('createHttpClient: account-level 429 as text/html', () => {
  it('waits out Retry-After: 120 (two minutes, not clamped to 60), does not parse the HTML as an error, and succeeds', async () => {
    nock(BASE)
      .get('/api/v2/incremental/tickets/cursor.json')
      .reply(429, '<html><body><h1>429 Too Many Requests</h1></body></html>', { 'Content-Type': 'text/html; charset=utf-8', 'Retry-After': '120' })
      .get('/api/v2/incremental/tickets/cursor.json')
      .reply(200, { tickets: [] }, { 'Content-Type': 'application/json' });
    const { http, clock } = client({ maxAttempts: 1 });
    const res = await http.request({ url: '/api/v2/incremental/tickets/cursor.json' });
    expect(res).toMatchObject({ status: 200, data: { tickets: [] } });
    expect(clock.now()).toBe(T0 + 120_000);
    expect(http.stats()).toEqual({ requests: 2, throttled: 1, retried: 1, waitedMs: 120_000 });
  });

  it('the same against a real local server', async () => {
    let hits = 0;
    const server = createServer((req, res) => {
      hits += 1;
      if (hits === 1) {
        res.writeHead(429, { 'Content-Type': 'text/html; charset=utf-8', 'Retry-After': '120' });
        res.end('<html><body>You have exceeded the account rate limit</body></html>');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Rate-Limit': '700', 'X-Rate-Limit-Remaining': '699' });
      res.end(JSON.stringify({ path: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    nock.enableNetConnect('127.0.0.1');
    try {
      const { port } = server.address() as AddressInfo;
      const { http, clock } = client({ baseUrl: `http://127.0.0.1:${port}`, allowInsecure: true, maxAttempts: 1 });
      const res = await http.request({ url: '/api/v2/users/me.json' });
      expect(res).toMatchObject({ status: 200, data: { path: '/api/v2/users/me.json' } });
      expect(clock.now()).toBe(T0 + 120_000);
      expect(http.stats()).toMatchObject({ requests: 2, throttled: 1, waitedMs: 120_000 });
      expect(http.budget()).toMatchObject({ limit: 700, remaining: 699 });
    } finally {
      nock.disableNetConnect();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a text/html 429 whose Retry-After exceeds the wait budget fails transient (not config, not a parse error)', async () => {
    nock(BASE).get('/api/v2/x.json').reply(429, '<html>busy</html>', { 'Content-Type': 'text/html', 'Retry-After': '3600' });
    const { http } = client({ maxRateLimitWaitMs: 15 * 60_000 });
    const error = await failure(http.request({ url: '/api/v2/x.json' }));
    expect(error).toMatchObject({ failure: 'transient', code: 'RATE_LIMITED', status: 429, retryAfterMs: 3_600_000 });
  });
});

describe('createHttpClient: pacing by the Zendesk export header', () => {
  it('account and export headers on one response: waits for the spent export limit', async () => {
    nock(BASE)
      .get('/api/v2/incremental/tickets/cursor.json')
      .reply(200, { tickets: [] }, {
        'X-Rate-Limit': '700',
        'X-Rate-Limit-Remaining': '650',
        'ratelimit-limit': '700',
        'ratelimit-remaining': '650',
        'ratelimit-reset': '40',
        'Zendesk-RateLimit-incremental-exports': 'total=30; remaining=0; resets=25',
      })
      .get('/api/v2/incremental/tickets/cursor.json')
      .reply(200, { tickets: [] });
    const { http, clock } = client();
    await http.request({ url: '/api/v2/incremental/tickets/cursor.json' });
    expect(http.budget()).toEqual({ limit: 30, remaining: 0, resetAtMs: T0 + 25_000, observedAtMs: T0 });
    await http.request({ url: '/api/v2/incremental/tickets/cursor.json' });
    expect(clock.now()).toBe(T0 + 26_000);
    expect(http.stats()).toMatchObject({ requests: 2, throttled: 0 });
  });

  it('a 30/minute export limit lets 30 requests a minute through: no 429, no pacing as if 10', async () => {
    const limit = 30;
    const used = new Map<number, number>();
    let rejected = 0;
    const { http, clock } = client();
    nock(BASE)
      .persist()
      .get('/api/v2/incremental/tickets/cursor.json')
      .query(true)
      .reply(() => {
        const now = clock.now();
        const window = Math.floor(now / 60_000);
        const count = (used.get(window) ?? 0) + 1;
        used.set(window, count);
        const resets = Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000));
        const headers = {
          'X-Rate-Limit': '2500',
          'X-Rate-Limit-Remaining': '2400',
          'Zendesk-RateLimit-incremental-exports': `total=${limit}; remaining=${Math.max(0, limit - count)}; resets=${resets}`,
        };
        if (count > limit) {
          rejected += 1;
          return [429, { error: 'APIRateLimitExceeded' }, { ...headers, 'Retry-After': String(resets) }];
        }
        return [200, { tickets: [], end_of_stream: false }, headers];
      });
    for (let i = 0; i < 90; i++) await http.request({ url: '/api/v2/incremental/tickets/cursor.json', params: { cursor: `c${i}` } });
    expect(rejected).toBe(0);
    expect(http.stats().throttled).toBe(0);
    // 90 requests at 30 a minute take three windows; at 10 a minute they would take nine.
    expect(clock.now() - T0).toBeLessThan(4 * 60_000);
    expect(Math.max(...used.values())).toBe(30);
  });
});
