import { describe, expect, it } from 'vitest';
import { parseRateLimitHeaders } from './rate-limit-headers.ts';

/**
 * Every rate-limit header variant Zendesk sends (connectors/zendesk/NOTES.md "Rate limits"), alone and
 * together, plus the ServiceNow/Jira `x-ratelimit-*` family the kit shares with them.
 */
const T0 = Date.parse('2026-11-20T12:00:00Z');
const T0_SEC = Math.floor(T0 / 1000);

describe('parseRateLimitHeaders: each variant alone', () => {
  it('x-rate-limit / x-rate-limit-remaining: the account limit, per minute, without a reset', () => {
    expect(parseRateLimitHeaders({ 'x-rate-limit': '700', 'x-rate-limit-remaining': '699' }, T0)).toEqual([
      { source: 'x-rate-limit', limit: 700, remaining: 699, resetAtMs: null },
    ]);
  });

  it('ratelimit-limit|remaining|reset: reset in delta seconds', () => {
    expect(parseRateLimitHeaders({ 'ratelimit-limit': '400', 'ratelimit-remaining': '384', 'ratelimit-reset': '50' }, T0)).toEqual([
      { source: 'ratelimit', limit: 400, remaining: 384, resetAtMs: T0 + 50_000 },
    ]);
  });

  it('the older rate-limit-* family', () => {
    expect(parseRateLimitHeaders({ 'rate-limit-limit': '200', 'rate-limit-remaining': '17', 'rate-limit-reset': '12' }, T0)).toEqual([
      { source: 'rate-limit', limit: 200, remaining: 17, resetAtMs: T0 + 12_000 },
    ]);
    // Some responses name the limit like x-rate-limit does: `rate-limit: 200`.
    expect(parseRateLimitHeaders({ 'rate-limit': '200', 'rate-limit-remaining': '17' }, T0)).toEqual([
      { source: 'rate-limit', limit: 200, remaining: 17, resetAtMs: null },
    ]);
  });

  it('zendesk-ratelimit-incremental-exports: total=10; remaining=9; resets=60', () => {
    expect(parseRateLimitHeaders({ 'zendesk-ratelimit-incremental-exports': 'total=10; remaining=9; resets=60' }, T0)).toEqual([
      { source: 'zendesk-ratelimit-incremental-exports', limit: 10, remaining: 9, resetAtMs: T0 + 60_000 },
    ]);
  });

  it('the High Volume add-on export header: the limit is whatever total says (30), not 10', () => {
    expect(parseRateLimitHeaders({ 'zendesk-ratelimit-incremental-exports': 'total=30; remaining=29; resets=58' }, T0)).toEqual([
      { source: 'zendesk-ratelimit-incremental-exports', limit: 30, remaining: 29, resetAtMs: T0 + 58_000 },
    ]);
  });

  it('other endpoint headers of the same shape (users cursor export, tickets index)', () => {
    expect(
      parseRateLimitHeaders(
        {
          'zendesk-ratelimit-incremental-exports-cursor': 'total=60; remaining=12; resets=5',
          'zendesk-ratelimit-tickets-index': 'total=100;remaining=99;resets=41',
        },
        T0,
      ),
    ).toEqual([
      { source: 'zendesk-ratelimit-incremental-exports-cursor', limit: 60, remaining: 12, resetAtMs: T0 + 5_000 },
      { source: 'zendesk-ratelimit-tickets-index', limit: 100, remaining: 99, resetAtMs: T0 + 41_000 },
    ]);
  });

  it('x-ratelimit-limit with an epoch-seconds reset (and epoch milliseconds, and an ISO date)', () => {
    const at = T0_SEC + 45;
    expect(parseRateLimitHeaders({ 'x-ratelimit-limit': '700', 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': String(at) }, T0)).toEqual([
      { source: 'x-ratelimit', limit: 700, remaining: 3, resetAtMs: at * 1000 },
    ]);
    expect(parseRateLimitHeaders({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': String(at * 1000) }, T0)[0]?.resetAtMs).toBe(at * 1000);
    expect(parseRateLimitHeaders({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '2026-11-20T12:05:00Z' }, T0)[0]?.resetAtMs).toBe(T0 + 300_000);
    expect(parseRateLimitHeaders({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': 'Fri, 20 Nov 2026 12:01:00 GMT' }, T0)[0]?.resetAtMs).toBe(T0 + 60_000);
  });
});

describe('parseRateLimitHeaders: variants together', () => {
  it('account headers and the export header on one response: one observation each', () => {
    const observations = parseRateLimitHeaders(
      {
        'x-rate-limit': '700',
        'x-rate-limit-remaining': '642',
        'ratelimit-limit': '700',
        'ratelimit-remaining': '642',
        'ratelimit-reset': '55',
        'zendesk-ratelimit-incremental-exports': 'total=30; remaining=0; resets=55',
      },
      T0,
    );
    expect(observations).toEqual([
      { source: 'ratelimit', limit: 700, remaining: 642, resetAtMs: T0 + 55_000 },
      { source: 'zendesk-ratelimit-incremental-exports', limit: 30, remaining: 0, resetAtMs: T0 + 55_000 },
    ]);
  });

  it('the account limit under several names counts once: the name with a reset wins, else the lowest remaining', () => {
    expect(
      parseRateLimitHeaders({ 'x-rate-limit': '700', 'x-rate-limit-remaining': '5', 'rate-limit-limit': '700', 'rate-limit-remaining': '6', 'rate-limit-reset': '9' }, T0),
    ).toEqual([{ source: 'rate-limit', limit: 700, remaining: 6, resetAtMs: T0 + 9_000 }]);
    expect(parseRateLimitHeaders({ 'x-rate-limit': '700', 'x-rate-limit-remaining': '5', 'rate-limit': '700', 'rate-limit-remaining': '4' }, T0)).toEqual([
      { source: 'rate-limit', limit: 700, remaining: 4, resetAtMs: null },
    ]);
  });

  it('x-ratelimit-* next to Zendesk account headers is kept as its own observation', () => {
    const at = T0_SEC + 30;
    expect(
      parseRateLimitHeaders({ 'x-rate-limit': '700', 'x-rate-limit-remaining': '600', 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '2', 'x-ratelimit-reset': String(at) }, T0),
    ).toEqual([
      { source: 'x-rate-limit', limit: 700, remaining: 600, resetAtMs: null },
      { source: 'x-ratelimit', limit: 100, remaining: 2, resetAtMs: at * 1000 },
    ]);
  });
});

describe('parseRateLimitHeaders: case-insensitive', () => {
  it('reads header names in any case, and the keys of key=value headers', () => {
    expect(
      parseRateLimitHeaders(
        { 'X-Rate-Limit': '700', 'X-Rate-Limit-Remaining': '1', 'Zendesk-RateLimit-incremental-exports': 'Total=30; REMAINING=7; Resets=20' },
        T0,
      ),
    ).toEqual([
      { source: 'x-rate-limit', limit: 700, remaining: 1, resetAtMs: null },
      { source: 'zendesk-ratelimit-incremental-exports', limit: 30, remaining: 7, resetAtMs: T0 + 20_000 },
    ]);
    expect(parseRateLimitHeaders({ 'RateLimit-Limit': '10', 'RateLimit-Remaining': '2', 'RateLimit-Reset': '4' }, T0)).toEqual([
      { source: 'ratelimit', limit: 10, remaining: 2, resetAtMs: T0 + 4_000 },
    ]);
    expect(parseRateLimitHeaders({ 'X-RateLimit-Remaining': '2', 'X-RateLimit-Reset': String(T0_SEC + 9) }, T0)).toEqual([
      { source: 'x-ratelimit', limit: null, remaining: 2, resetAtMs: (T0_SEC + 9) * 1000 },
    ]);
  });
});

describe('parseRateLimitHeaders: malformed values are ignored', () => {
  it('a family without a readable remaining count is no observation', () => {
    for (const remaining of ['lots', '', ' ', '-1', '1e3', '0x10', '5abc', 'NaN']) {
      expect(parseRateLimitHeaders({ 'ratelimit-limit': '10', 'ratelimit-remaining': remaining, 'ratelimit-reset': '5' }, T0)).toEqual([]);
    }
    expect(parseRateLimitHeaders({ 'x-rate-limit': '700', 'x-rate-limit-remaining': undefined }, T0)).toEqual([]);
  });

  it('an unreadable limit is null, the rest is kept', () => {
    expect(parseRateLimitHeaders({ 'ratelimit-limit': 'many', 'ratelimit-remaining': '3', 'ratelimit-reset': '5' }, T0)).toEqual([
      { source: 'ratelimit', limit: null, remaining: 3, resetAtMs: T0 + 5_000 },
    ]);
  });

  it('an unreadable or absurd reset is null (Date.parse must not turn "-5" into 2001)', () => {
    for (const reset of ['-5', 'abc 5', 'soon', '', '5 minutes', '1e3', String(T0_SEC + 10 * 86_400), '99999999999']) {
      const [observation] = parseRateLimitHeaders({ 'ratelimit-limit': '10', 'ratelimit-remaining': '0', 'ratelimit-reset': reset }, T0);
      expect({ reset, resetAtMs: observation?.resetAtMs }).toEqual({ reset, resetAtMs: null });
    }
  });

  it('key=value headers need a remaining count; garbage parts are skipped', () => {
    expect(
      parseRateLimitHeaders(
        {
          'zendesk-ratelimit-a': 'total=5',
          'zendesk-ratelimit-b': 'total=5; remaining=-1; resets=3',
          'zendesk-ratelimit-c': 'nonsense',
          'zendesk-ratelimit-d': '',
          'zendesk-ratelimit-e': 'total=abc; remaining=4; resets=soon; =7; junk',
        },
        T0,
      ),
    ).toEqual([{ source: 'zendesk-ratelimit-e', limit: null, remaining: 4, resetAtMs: null }]);
  });

  it('no rate-limit headers at all: no observations', () => {
    expect(parseRateLimitHeaders({ 'content-type': 'text/html; charset=utf-8', 'retry-after': '120' }, T0)).toEqual([]);
  });
});
