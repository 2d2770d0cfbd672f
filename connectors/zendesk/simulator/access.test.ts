import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../src/connector-kit/clock.ts';
import { createZendeskSimulator } from './index.ts';
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
