import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../src/connector-kit/clock.ts';
import { parseRateLimitHeaders } from '../../../src/connector-kit/rate-limit-headers.ts';
import { createAuthGate } from './auth.ts';
import { createFaultPlan } from './faults.ts';
import { type RateLimitHeaderFamily, rateLimitHeaderFamilies } from './options.ts';
import { createMinuteWindow } from './rate-limiter.ts';
import { installRequestGuard, type SimulatorStats } from './request-guard.ts';
import { startMs } from './simulator-test-support.ts';

/** The guard alone on a bare Fastify app, so each rate-limit header family can be chosen. */
function guarded(headerFamilies: readonly RateLimitHeaderFamily[] | undefined, exportPerMinute = 10) {
  const clock = manualClock(startMs); // 15 s into the minute
  const stats: SimulatorStats = { requests: 0, exportRequests: 0, throttled: 0, byStatus: {} };
  const app = Fastify();
  installRequestGuard(app, {
    clock,
    auth: createAuthGate(undefined, 1, clock.now()),
    account: createMinuteWindow(700),
    exports: createMinuteWindow(exportPerMinute),
    faults: createFaultPlan(undefined),
    stats,
    ...(headerFamilies ? { headerFamilies } : {}),
  });
  app.get('/api/v2/incremental/tickets/cursor.json', async () => ({ tickets: [], end_of_stream: true }));
  app.get('/api/v2/users/me.json', async () => ({ user: { id: 1 } }));
  return { app, clock, stats };
}

const exportUrl = '/api/v2/incremental/tickets/cursor.json?start_time=0';
const rateHeaderNames = /^(x-rate-limit|ratelimit-|rate-limit-|x-ratelimit-|zendesk-ratelimit-)/;
const rateHeaders = (headers: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => rateHeaderNames.test(name)).map(([name, value]) => [name, String(value)]));

describe('rate-limit header families', () => {
  it('defaults to what Zendesk sends today: X-Rate-Limit, ratelimit-* and the export header', async () => {
    const { app } = guarded(undefined);
    const response = await app.inject({ url: exportUrl });
    expect(rateHeaders(response.headers)).toEqual({
      'x-rate-limit': '700',
      'x-rate-limit-remaining': '699',
      'ratelimit-limit': '700',
      'ratelimit-remaining': '699',
      'ratelimit-reset': '45',
      'zendesk-ratelimit-incremental-exports': 'total=10; remaining=9; resets=45',
    });
  });

  it('sends each family alone, in a shape the connector kit reads back to the same limit', async () => {
    const resetEpochSec = Math.floor(startMs / 1000) + 45;
    const expected: Record<RateLimitHeaderFamily, Record<string, string>> = {
      'x-rate-limit': { 'x-rate-limit': '700', 'x-rate-limit-remaining': '699' },
      ratelimit: { 'ratelimit-limit': '700', 'ratelimit-remaining': '699', 'ratelimit-reset': '45' },
      'rate-limit': { 'rate-limit-limit': '700', 'rate-limit-remaining': '699', 'rate-limit-reset': '45' },
      'x-ratelimit': { 'x-ratelimit-limit': '700', 'x-ratelimit-remaining': '699', 'x-ratelimit-reset': String(resetEpochSec) },
      endpoint: { 'zendesk-ratelimit-incremental-exports': 'total=10; remaining=9; resets=45' },
    };
    for (const family of rateLimitHeaderFamilies) {
      const { app, clock } = guarded([family]);
      const headers = rateHeaders((await app.inject({ url: exportUrl })).headers);
      expect({ family, headers }).toEqual({ family, headers: expected[family] });
      const [observation] = parseRateLimitHeaders(headers, clock.now());
      expect(observation).toMatchObject({ limit: family === 'endpoint' ? 10 : 700, remaining: family === 'endpoint' ? 9 : 699 });
      if (family !== 'x-rate-limit') expect(observation?.resetAtMs).toBe(startMs + 45_000);
    }
  });

  it('the export header only on exports; the High Volume limit in it', async () => {
    const { app } = guarded(['x-rate-limit', 'endpoint'], 30);
    expect(rateHeaders((await app.inject({ url: '/api/v2/users/me.json' })).headers)).toEqual({ 'x-rate-limit': '700', 'x-rate-limit-remaining': '699' });
    expect((await app.inject({ url: exportUrl })).headers['zendesk-ratelimit-incremental-exports']).toBe('total=30; remaining=29; resets=45');
  });

  it('without the endpoint family an exhausted export limit is still enforced (429 with Retry-After)', async () => {
    const { app, stats } = guarded(['ratelimit'], 2);
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await app.inject({ url: exportUrl })).statusCode);
    expect(codes).toEqual([200, 200, 429]);
    const last = await app.inject({ url: exportUrl });
    expect(last.headers['retry-after']).toBe('45');
    expect(last.headers['zendesk-ratelimit-incremental-exports']).toBeUndefined();
    expect(stats.throttled).toBe(2);
  });
});
