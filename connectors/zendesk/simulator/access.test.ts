import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../src/connector-kit/clock.ts';
import { parseRateLimitHeaders } from '../../../src/connector-kit/rate-limit-headers.ts';
import { createZendeskSimulator } from './index.ts';
import { zendeskSimulatorOptionsSchema } from './options.ts';
import { forbiddenBody } from './request-guard.ts';
import { startMs } from './simulator-test-support.ts';

const exportUrl = '/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=10';
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('rate limits on the injected clock', () => {
  it('answers the 11th export request in a minute with 429 and Retry-After, then recovers', async () => {
    const clock = manualClock(startMs); // 15 s into the minute
    const sim = createZendeskSimulator({ clock, tickets: 200 });
    for (let i = 1; i <= 10; i++) {
      const ok = await sim.app.inject({ url: exportUrl });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['zendesk-ratelimit-incremental-exports']).toBe(`total=10; remaining=${10 - i}; resets=45`);
      expect(ok.headers['x-rate-limit']).toBe('700');
      expect(ok.headers['x-rate-limit-remaining']).toBe(String(700 - i));
      expect(ok.headers['ratelimit-reset']).toBe('45');
    }
    clock.advance(5_000);
    const throttled = await sim.app.inject({ url: exportUrl });
    expect(throttled.statusCode).toBe(429);
    expect(throttled.headers['retry-after']).toBe('40');
    expect(throttled.headers['zendesk-ratelimit-incremental-exports']).toBe('total=10; remaining=0; resets=40');
    expect(throttled.headers['ratelimit-remaining']).toBe('689');
    expect(throttled.json()).toEqual({
      error: 'APIRateLimitExceeded',
      description: 'Number of allowed incremental export API requests per minute exceeded',
    });
    const fields = await sim.app.inject({ url: '/api/v2/ticket_fields.json' });
    expect(fields.statusCode).toBe(200); // the account budget is separate
    clock.advance(40_000);
    expect((await sim.app.inject({ url: exportUrl })).statusCode).toBe(200);
    expect(sim.stats()).toEqual({ requests: 13, exportRequests: 12, throttled: 1, byStatus: { '200': 12, '429': 1 } });
  });

  it('limits the account budget and can be switched off', async () => {
    const clock = manualClock(startMs);
    const limited = createZendeskSimulator({ clock, tickets: 10, rateLimit: { accountPerMinute: 3 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await limited.app.inject({ url: '/api/v2/ticket_fields.json' })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const denied = await limited.app.inject({ url: '/api/v2/ticket_fields.json' });
    expect(denied.json()).toMatchObject({ error: 'APIRateLimitExceeded' });
    expect(denied.headers['retry-after']).toBe('45');
    const open = createZendeskSimulator({ clock, tickets: 10, rateLimit: false });
    for (let i = 0; i < 30; i++) expect((await open.app.inject({ url: exportUrl })).statusCode).toBe(200);
    const last = await open.app.inject({ url: exportUrl });
    expect(last.headers['x-rate-limit']).toBeUndefined();
    expect(open.stats().throttled).toBe(0);
  });
});

describe('the High Volume API add-on', () => {
  it('allows 30 export requests a minute and says so in the export header (2500 account requests)', async () => {
    const clock = manualClock(startMs); // 15 s into the minute
    const sim = createZendeskSimulator({ clock, tickets: 200, rateLimit: { highVolume: true } });
    for (let i = 1; i <= 30; i++) {
      const ok = await sim.app.inject({ url: exportUrl });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['zendesk-ratelimit-incremental-exports']).toBe(`total=30; remaining=${30 - i}; resets=45`);
      expect(ok.headers['x-rate-limit']).toBe('2500');
    }
    const throttled = await sim.app.inject({ url: exportUrl });
    expect(throttled.statusCode).toBe(429);
    expect(throttled.headers['retry-after']).toBe('45');
    // What the connector kit reads from it: the limit comes from the header, not from a constant.
    const observed = parseRateLimitHeaders(throttled.headers as Record<string, string>, clock.now());
    expect(observed.find((o) => o.source === 'zendesk-ratelimit-incremental-exports')).toMatchObject({ limit: 30, remaining: 0 });
  });

  it('resolves the plan defaults, and explicit limits override them', () => {
    const parse = (rateLimit: unknown) => zendeskSimulatorOptionsSchema.parse({ rateLimit }).rateLimit;
    expect(parse(undefined)).toEqual({ highVolume: false, accountPerMinute: 700, exportPerMinute: 10, headers: ['x-rate-limit', 'ratelimit', 'endpoint'] });
    expect(parse({ highVolume: true })).toMatchObject({ accountPerMinute: 2500, exportPerMinute: 30 });
    expect(parse({ highVolume: true, exportPerMinute: 12 })).toMatchObject({ accountPerMinute: 2500, exportPerMinute: 12 });
    expect(parse({ exportPerMinute: 30 })).toMatchObject({ accountPerMinute: 700, exportPerMinute: 30 });
    expect(parse({ headers: ['rate-limit', 'x-ratelimit'] })).toMatchObject({ headers: ['rate-limit', 'x-ratelimit'] });
    expect(() => parse({ headers: ['x-bogus'] })).toThrow();
    expect(parse(false)).toBe(false);
  });
});

describe('account-level 429 (spike protection)', () => {
  it('answers text/html with Retry-After above a minute and no budget headers, on the scheduled requests', async () => {
    const clock = manualClock(startMs);
    const sim = createZendeskSimulator({ clock, tickets: 50, faults: { accountLimitRequests: [2], accountLimitRetryAfterSec: 120 } });
    expect((await sim.app.inject({ url: exportUrl })).statusCode).toBe(200);
    const limited = await sim.app.inject({ url: '/api/v2/ticket_fields.json' });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^text\/html/);
    expect(limited.headers['retry-after']).toBe('120');
    expect(limited.headers['x-rate-limit']).toBeUndefined();
    expect(limited.headers['zendesk-ratelimit-incremental-exports']).toBeUndefined();
    expect(() => JSON.parse(limited.body)).toThrow();
    expect((await sim.app.inject({ url: exportUrl })).statusCode).toBe(200);
    expect(sim.stats()).toMatchObject({ throttled: 1, byStatus: { '200': 2, '429': 1 } });
  });

  it('a seeded share of requests: same seed, same requests', async () => {
    const run = async (seed: number) => {
      const sim = createZendeskSimulator({ clock: manualClock(startMs), tickets: 10, rateLimit: false, faults: { seed, accountLimitRate: 0.25 } });
      const codes: number[] = [];
      for (let i = 0; i < 40; i++) codes.push((await sim.app.inject({ url: '/api/v2/users/me.json' })).statusCode);
      return codes;
    };
    const first = await run(4);
    expect(await run(4)).toEqual(first);
    const limited = first.filter((code) => code === 429).length;
    expect(limited).toBeGreaterThan(3);
    expect(limited).toBeLessThan(20);
  });
});

describe('a user without admin rights', () => {
  it('gets Zendesk\'s 403 on the export and ticket fields, and is an agent in users/me', async () => {
    const auth = { role: 'agent' as const, apiToken: { email: 'agent@acme.example', token: 'tok-a' } };
    const sim = createZendeskSimulator({ clock: manualClock(startMs), tickets: 10, auth });
    const headers = { authorization: basic('agent@acme.example/token:tok-a') };
    for (const url of [exportUrl, '/api/v2/ticket_fields.json?page[size]=100', '/api/v2/ticket_fields']) {
      const denied = await sim.app.inject({ url, headers });
      expect(denied.statusCode).toBe(403);
      expect(denied.body).toBe(
        '{"error":{"title":"Forbidden","message":"You do not have access to this page. Please contact the account owner of this help desk for further help."}}',
      );
      expect(denied.json()).toEqual(forbiddenBody);
      expect(denied.headers['x-rate-limit']).toBe('700');
    }
    const me = await sim.app.inject({ url: '/api/v2/users/me.json', headers });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ user: { email: 'agent@acme.example', role: 'agent' } });
    // Wrong credentials are still a 401, not a 403.
    expect((await sim.app.inject({ url: exportUrl, headers: { authorization: basic('agent@acme.example/token:nope') } })).statusCode).toBe(401);
    expect(sim.stats().exportRequests).toBe(0);
  });
});

describe('authentication', () => {
  it('accepts the API token as Basic {email}/token:{token} and rejects anything else with 401', async () => {
    const auth = { apiToken: { email: 'ops@acme.example', token: 'tok-1' } };
    const sim = createZendeskSimulator({ clock: manualClock(startMs), tickets: 10, auth });
    const ok = await sim.app.inject({ url: exportUrl, headers: { authorization: basic('ops@acme.example/token:tok-1') } });
    expect(ok.statusCode).toBe(200);
    for (const authorization of [basic('ops@acme.example/token:wrong'), basic('ops@acme.example:tok-1'), 'Bearer tok-1', undefined]) {
      const denied = await sim.app.inject({ url: exportUrl, headers: authorization ? { authorization } : {} });
      expect(denied.statusCode).toBe(401);
      expect(denied.json()).toEqual({ error: "Couldn't authenticate you" });
      expect(denied.headers['x-rate-limit']).toBe('700');
    }
    const me = await sim.app.inject({ url: '/api/v2/users/me.json', headers: { authorization: basic('ops@acme.example/token:tok-1') } });
    expect(me.json()).toMatchObject({ user: { email: 'ops@acme.example', role: 'admin' } });
  });

  it('rotates OAuth tokens on refresh: the old pair stops working, expired access tokens get 401', async () => {
    const clock = manualClock(startMs);
    const oauth = { clientId: 'frontline', clientSecret: 'cs-1', accessToken: 'at-0', refreshToken: 'rt-0', accessTokenTtlMs: 600_000 };
    const sim = createZendeskSimulator({ clock, tickets: 10, auth: { oauth } });
    const get = (token: string) => sim.app.inject({ url: exportUrl, headers: { authorization: `Bearer ${token}` } });
    const refresh = (payload: Record<string, string>, form = false) =>
      sim.app.inject({
        method: 'POST',
        url: '/oauth/tokens',
        ...(form
          ? { payload: new URLSearchParams(payload).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
          : { payload }),
      });
    const grant = { grant_type: 'refresh_token', client_id: 'frontline', client_secret: 'cs-1' };
    expect((await get('at-0')).statusCode).toBe(200);

    const first = await refresh({ ...grant, refresh_token: 'rt-0' });
    expect(first.statusCode).toBe(200);
    const tokens = first.json();
    expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'read', expires_in: 600 });
    expect(tokens.refresh_token).not.toBe('rt-0');
    expect((await get('at-0')).statusCode).toBe(401);
    expect((await get(tokens.access_token)).statusCode).toBe(200);

    const reused = await refresh({ ...grant, refresh_token: 'rt-0' });
    expect(reused.statusCode).toBe(400);
    expect(reused.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh({ ...grant, client_secret: 'nope', refresh_token: tokens.refresh_token })).statusCode).toBe(401);

    clock.advance(601_000);
    expect((await get(tokens.access_token)).statusCode).toBe(401);
    const second = await refresh({ ...grant, refresh_token: tokens.refresh_token }, true);
    expect(second.statusCode).toBe(200);
    expect((await get(second.json().access_token)).statusCode).toBe(200);
  });
});
