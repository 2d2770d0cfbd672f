import { describe, expect, it } from 'vitest';
import type { ResponseRule } from './declaration.ts';
import { mulberry32 } from './random.ts';
import { parseRetryAfterMs } from './retry-after.ts';
import { type AttemptOutcome, type RetryInput, decideRetry, fullJitter } from './retry-decision.ts';

const NOW = Date.parse('2026-11-20T12:00:00Z');

function input(outcome: AttemptOutcome, over: Partial<RetryInput> = {}): RetryInput {
  return {
    outcome,
    attempt: 1,
    maxAttempts: 5,
    rateLimitHits: 1,
    rateLimitWaitedMs: 0,
    maxRateLimitWaitMs: 600_000,
    nowMs: NOW,
    random: mulberry32(42),
    backoff: { baseMs: 1_000, maxMs: 30_000 },
    ...over,
  };
}

const res = (status: number, headers: Record<string, string> = {}, bodyText = ''): AttemptOutcome => ({ kind: 'response', status, headers, bodyText });

describe('parseRetryAfterMs', () => {
  it('reads delta seconds', () => {
    expect(parseRetryAfterMs('30', NOW)).toBe(30_000);
    expect(parseRetryAfterMs(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfterMs('1.5', NOW)).toBe(1_500);
  });
  it('reads an HTTP date relative to the injected now', () => {
    expect(parseRetryAfterMs('Fri, 20 Nov 2026 12:00:45 GMT', NOW)).toBe(45_000);
    expect(parseRetryAfterMs('Fri, 20 Nov 2026 11:59:00 GMT', NOW)).toBe(0);
  });
  it('reads waits above a minute (account-level 429s) unclamped', () => {
    expect(parseRetryAfterMs('120', NOW)).toBe(120_000);
    expect(parseRetryAfterMs('3600', NOW)).toBe(3_600_000);
  });
  it('returns null for absent or unreadable values', () => {
    expect(parseRetryAfterMs(undefined, NOW)).toBeNull();
    expect(parseRetryAfterMs('', NOW)).toBeNull();
    expect(parseRetryAfterMs('-5', NOW)).toBeNull();
    expect(parseRetryAfterMs('soon', NOW)).toBeNull();
  });
});

describe('decideRetry: defaults by status', () => {
  it('accepts 2xx', () => {
    const d = decideRetry(input(res(200)));
    expect(d).toMatchObject({ accept: true, retry: false, code: 'OK' });
  });

  it('429 waits Retry-After exactly and does not consume an attempt', () => {
    const d = decideRetry(input(res(429, { 'retry-after': '30' }), { attempt: 5, maxAttempts: 5 }));
    expect(d).toMatchObject({ retry: true, rateLimited: true, consumesAttempt: false, waitMs: 30_000, failure: 'transient', code: 'RATE_LIMITED' });
  });

  it('429 with an HTTP-date Retry-After waits until that date', () => {
    const d = decideRetry(input(res(429, { 'retry-after': 'Fri, 20 Nov 2026 12:01:00 GMT' })));
    expect(d.waitMs).toBe(60_000);
  });

  it('429 without Retry-After still backs off, growing with the hits, never near zero', () => {
    const waits = [1, 2, 3, 4].map((hits) => decideRetry(input(res(429), { rateLimitHits: hits, random: () => 0 })).waitMs);
    expect(waits).toEqual([500, 1_000, 2_000, 4_000]);
    expect(decideRetry(input(res(429), { rateLimitHits: 20, random: () => 0.999999 })).waitMs).toBe(30_000);
  });

  it('429 fails (transient, with retryAfter) once the wait budget would be exceeded', () => {
    const d = decideRetry(input(res(429, { 'retry-after': '60' }), { rateLimitWaitedMs: 570_000 }));
    expect(d).toMatchObject({ retry: false, rateLimited: true, failure: 'transient', code: 'RATE_LIMITED', waitMs: 60_000 });
    expect(d.reason).toContain('wait budget');
  });

  it('an account-level text/html 429 with Retry-After: 120 waits 120 s exactly: not clamped to the 60 s backoff cap, no attempt spent', () => {
    const html = res(429, { 'content-type': 'text/html; charset=utf-8', 'retry-after': '120' }, '<html><body>Too Many Requests</body></html>');
    const d = decideRetry(input(html, { attempt: 5, maxAttempts: 5, backoff: { baseMs: 1_000, maxMs: 60_000 } }));
    expect(d).toMatchObject({ retry: true, rateLimited: true, consumesAttempt: false, waitMs: 120_000, failure: 'transient', code: 'RATE_LIMITED' });
    expect(d.reason).toContain('Retry-After');
  });

  it('reads Retry-After whatever the case of its name', () => {
    expect(decideRetry(input(res(429, { 'Retry-After': '93' }))).waitMs).toBe(93_000);
    expect(decideRetry(input(res(503, { 'RETRY-AFTER': '7' }))).waitMs).toBe(7_000);
  });

  it('a 429 with Retry-After: 0 (or a date already past) still waits a second, so repeated ones cannot spin', () => {
    expect(decideRetry(input(res(429, { 'retry-after': '0' }))).waitMs).toBe(1_000);
    expect(decideRetry(input(res(429, { 'retry-after': 'Fri, 20 Nov 2026 11:00:00 GMT' }))).waitMs).toBe(1_000);
  });

  it('Retry-After beyond the default wait budget is honoured until the budget is spent', () => {
    const d = decideRetry(input(res(429, { 'retry-after': '600' }), { maxRateLimitWaitMs: 15 * 60_000, rateLimitWaitedMs: 120_000 }));
    expect(d).toMatchObject({ retry: true, waitMs: 600_000 });
  });

  it('5xx retries with backoff until the attempts run out', () => {
    const first = decideRetry(input(res(500), { attempt: 1, random: () => 0.5 }));
    expect(first).toMatchObject({ retry: true, consumesAttempt: true, waitMs: 500, code: 'HTTP_5XX' });
    const fourth = decideRetry(input(res(502), { attempt: 4, random: () => 0.5 }));
    expect(fourth.waitMs).toBe(4_000);
    const last = decideRetry(input(res(503), { attempt: 5 }));
    expect(last).toMatchObject({ retry: false, failure: 'transient', code: 'HTTP_5XX' });
    expect(last.reason).toContain('gave up after 5 attempts');
  });

  it('503 with Retry-After honours it and still consumes an attempt', () => {
    const d = decideRetry(input(res(503, { 'retry-after': '7' })));
    expect(d).toMatchObject({ retry: true, waitMs: 7_000, consumesAttempt: true });
  });

  it('401 and 403 are config failures with a message saying what to fix', () => {
    const unauthorized = decideRetry(input(res(401)));
    expect(unauthorized).toMatchObject({ retry: false, failure: 'config', code: 'AUTH_REJECTED' });
    expect(unauthorized.message).toMatch(/credentials/);
    const forbidden = decideRetry(input(res(403)));
    expect(forbidden).toMatchObject({ retry: false, failure: 'config', code: 'FORBIDDEN' });
    expect(forbidden.message).toMatch(/permission/);
  });

  it('404 on a fixed API path is a config failure (wrong base URL); on an item look-up it is system', () => {
    expect(decideRetry(input(res(404)))).toMatchObject({ failure: 'config', code: 'NOT_FOUND' });
    expect(decideRetry(input(res(404))).message).toMatch(/baseUrl/);
    expect(decideRetry(input(res(404), { notFoundIsConfig: false }))).toMatchObject({ failure: 'system', code: 'HTTP_4XX' });
  });

  it('other 4xx are system failures; redirects are config', () => {
    expect(decideRetry(input(res(422)))).toMatchObject({ retry: false, failure: 'system', code: 'HTTP_4XX' });
    expect(decideRetry(input(res(400)))).toMatchObject({ retry: false, failure: 'system' });
    expect(decideRetry(input(res(301)))).toMatchObject({ retry: false, failure: 'config', code: 'REDIRECT' });
  });
});

describe('decideRetry: no response', () => {
  it('network errors and timeouts are transient and spend attempts', () => {
    expect(decideRetry(input({ kind: 'network', code: 'ECONNRESET' }))).toMatchObject({ retry: true, code: 'NETWORK', consumesAttempt: true });
    expect(decideRetry(input({ kind: 'network', code: 'ETIMEDOUT' }))).toMatchObject({ retry: true, code: 'TIMEOUT' });
    expect(decideRetry(input({ kind: 'network', code: 'ECONNABORTED' }, { attempt: 5 }))).toMatchObject({ retry: false, failure: 'transient', code: 'TIMEOUT' });
  });
  it('an unknown host or a bad certificate is config', () => {
    expect(decideRetry(input({ kind: 'network', code: 'ENOTFOUND' }))).toMatchObject({ retry: false, failure: 'config', code: 'HOST_NOT_FOUND' });
    expect(decideRetry(input({ kind: 'network', code: 'CERT_HAS_EXPIRED' }))).toMatchObject({ retry: false, failure: 'config', code: 'TLS_REJECTED' });
  });
  it('a truncated body is transient', () => {
    expect(decideRetry(input({ kind: 'truncated', status: 200 }))).toMatchObject({ retry: true, failure: 'transient', code: 'TRUNCATED_BODY' });
    expect(decideRetry(input({ kind: 'truncated', status: 200 }, { attempt: 5 }))).toMatchObject({ retry: false, code: 'TRUNCATED_BODY' });
  });
});

describe('decideRetry: ordered response rules come first', () => {
  const rules: ResponseRule[] = [
    { match: { status: [403], bodyIncludes: 'rate limit' }, action: 'rate_limited' },
    { match: { status: [403] }, action: 'fail', failure: 'config', code: 'ZD_FORBIDDEN', message: 'give {connector} admin access' },
    { match: { status: [409] }, action: 'retry' },
    { match: { status: [404] }, action: 'ignore' },
    { match: { bodyIncludes: '"error":"Maintenance"' }, action: 'retry', failure: 'system' },
  ];

  it('first match wins', () => {
    expect(decideRetry(input(res(403, { 'retry-after': '5' }, 'rate limit exceeded'), { rules }))).toMatchObject({ retry: true, rateLimited: true, waitMs: 5_000 });
    expect(decideRetry(input(res(403, {}, 'nope'), { rules }))).toMatchObject({ retry: false, failure: 'config', code: 'ZD_FORBIDDEN', message: 'give {connector} admin access' });
  });
  it('retry rules spend attempts and end with the rule failure class', () => {
    expect(decideRetry(input(res(409), { rules }))).toMatchObject({ retry: true, consumesAttempt: true, code: 'RULE_RETRY' });
    expect(decideRetry(input(res(409), { rules, attempt: 5 }))).toMatchObject({ retry: false, failure: 'transient' });
    expect(decideRetry(input(res(200, {}, '{"error":"Maintenance"}'), { rules, attempt: 5 }))).toMatchObject({ retry: false, failure: 'system' });
  });
  it('ignore hands the response back', () => {
    expect(decideRetry(input(res(404), { rules }))).toMatchObject({ accept: true, code: 'IGNORED' });
  });
  it('rules match on headers too', () => {
    const headerRules: ResponseRule[] = [{ match: { headerPresent: 'Retry-After', status: [503] }, action: 'rate_limited' }];
    expect(decideRetry(input(res(503, { 'retry-after': '3' }), { rules: headerRules, attempt: 5 }))).toMatchObject({ retry: true, rateLimited: true });
  });
  it('rules do not apply to network outcomes', () => {
    expect(decideRetry(input({ kind: 'network', code: 'ECONNRESET' }, { rules }))).toMatchObject({ code: 'NETWORK' });
  });
});

describe('fullJitter', () => {
  it('is reproducible with a seeded source and bounded by the capped step', () => {
    const a = [1, 2, 3, 4, 5, 6].map((n) => fullJitter(n, { baseMs: 1_000, maxMs: 10_000 }, mulberry32(7)));
    const b = [1, 2, 3, 4, 5, 6].map((n) => fullJitter(n, { baseMs: 1_000, maxMs: 10_000 }, mulberry32(7)));
    expect(a).toEqual(b);
    a.forEach((wait, i) => expect(wait).toBeLessThanOrEqual(Math.min(10_000, 1_000 * 2 ** i)));
  });
});
