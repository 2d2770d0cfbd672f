import { describe, expect, it } from 'vitest';
import { manualClock } from './clock.ts';
import { mulberry32 } from './random.ts';
import { createRateBudget } from './rate-budget.ts';

const T0 = Date.parse('2026-11-20T12:00:00Z');

describe('createRateBudget', () => {
  it('starts empty and does not delay', () => {
    const budget = createRateBudget();
    expect(budget.snapshot()).toEqual({ limit: null, remaining: null, resetAtMs: null, observedAtMs: null });
    expect(budget.delayBeforeNextMs(T0)).toBe(0);
  });

  it('snapshots the most constraining limit and counts requests sent since', () => {
    const budget = createRateBudget();
    budget.observe({ 'ratelimit-limit': '700', 'ratelimit-remaining': '650', 'ratelimit-reset': '30', 'zendesk-ratelimit-incremental-exports': 'total=10; remaining=4; resets=30' }, T0);
    expect(budget.snapshot()).toEqual({ limit: 10, remaining: 4, resetAtMs: T0 + 30_000, observedAtMs: T0 });
    budget.noteRequest(T0 + 1);
    expect(budget.snapshot().remaining).toBe(3);
  });

  it('keeps the last state when a response has no rate headers', () => {
    const budget = createRateBudget();
    budget.observe({ 'ratelimit-limit': '10', 'ratelimit-remaining': '5', 'ratelimit-reset': '60' }, T0);
    budget.observe({ 'content-type': 'application/json' }, T0 + 10);
    expect(budget.snapshot().remaining).toBe(5);
  });

  it('does not pace while plenty remains, spreads the rest when low, waits for the reset at zero', () => {
    const budget = createRateBudget({ safetyMs: 1_000 });
    budget.observe({ 'ratelimit-limit': '100', 'ratelimit-remaining': '50', 'ratelimit-reset': '40' }, T0);
    expect(budget.delayBeforeNextMs(T0)).toBe(0);
    budget.observe({ 'ratelimit-limit': '100', 'ratelimit-remaining': '19', 'ratelimit-reset': '40' }, T0);
    expect(budget.delayBeforeNextMs(T0)).toBe(2_000); // 40 s over 19 + 1 gaps
    budget.observe({ 'ratelimit-limit': '100', 'ratelimit-remaining': '0', 'ratelimit-reset': '40' }, T0);
    expect(budget.delayBeforeNextMs(T0)).toBe(41_000);
    expect(budget.delayBeforeNextMs(T0 + 40_000)).toBe(1_000); // whole-second resets: keep a margin
    expect(budget.delayBeforeNextMs(T0 + 41_000)).toBe(0);
  });

  it('assumes a one-minute window when the provider gives no reset', () => {
    const budget = createRateBudget();
    budget.observe({ 'x-rate-limit': '200', 'x-rate-limit-remaining': '0' }, T0);
    expect(budget.delayBeforeNextMs(T0)).toBe(61_000);
    expect(budget.snapshot().resetAtMs).toBeNull();
  });

  it('keeps a reserve for other consumers when asked', () => {
    const budget = createRateBudget({ reserve: 2 });
    budget.observe({ 'ratelimit-limit': '10', 'ratelimit-remaining': '2', 'ratelimit-reset': '20' }, T0);
    expect(budget.delayBeforeNextMs(T0)).toBe(21_000);
  });
});

/**
 * A fixed-window server (limit per 60 s window, reset in whole seconds rounded down, like Zendesk's
 * `resets=`) and a client that asks the budget before every request: over many windows it must use
 * ≥ 90 % of the limit and never see a 429. `headers` says what the server sends after the n-th request
 * of a window.
 */
type WindowHeaders = (count: number, resetSeconds: number) => Record<string, string>;

function simulate(limit: number, windows: number, latencyMs: () => number, headers: WindowHeaders, startOffsetMs = 123) {
  const clock = manualClock(T0 + startOffsetMs);
  const budget = createRateBudget();
  const windowMs = 60_000;
  const end = T0 + windows * windowMs;
  let sent = 0;
  let rejected = 0;
  const used = new Map<number, number>();
  while (clock.now() < end) {
    clock.advance(budget.delayBeforeNextMs(clock.now()));
    if (clock.now() >= end) break;
    budget.noteRequest(clock.now());
    const windowIndex = Math.floor((clock.now() - T0) / windowMs);
    const count = (used.get(windowIndex) ?? 0) + 1;
    used.set(windowIndex, count);
    if (count > limit) rejected += 1;
    else sent += 1;
    budget.observe(headers(count, Math.floor((T0 + (windowIndex + 1) * windowMs - clock.now()) / 1000)), clock.now());
    clock.advance(latencyMs());
  }
  return { sent, rejected, capacity: limit * windows, perWindow: [...used.values()] };
}

const ietfHeaders = (limit: number): WindowHeaders => (count, reset) => ({
  'ratelimit-limit': String(limit), 'ratelimit-remaining': String(Math.max(0, limit - count)), 'ratelimit-reset': String(reset),
});

describe('pacing against a fixed-window server', () => {
  it('uses ≥ 90 % of a small limit (incremental export: 10/min) without a 429', () => {
    const random = mulberry32(1);
    const { sent, rejected, capacity } = simulate(10, 30, () => Math.floor(random() * 400), ietfHeaders(10));
    expect(rejected).toBe(0);
    expect(sent / capacity).toBeGreaterThanOrEqual(0.9);
  });
  it('uses ≥ 90 % of a large limit (account: 700/min) without a 429', () => {
    const random = mulberry32(2);
    const { sent, rejected, capacity } = simulate(700, 10, () => Math.floor(random() * 20), ietfHeaders(700));
    expect(rejected).toBe(0);
    expect(sent / capacity).toBeGreaterThanOrEqual(0.9);
  });
});

describe('createRateBudget: every Zendesk header variant', () => {
  it('paces by the most constraining family: an exhausted export limit beats a healthy account limit', () => {
    const budget = createRateBudget({ safetyMs: 1_000 });
    budget.observe({ 'x-rate-limit': '700', 'x-rate-limit-remaining': '690', 'zendesk-ratelimit-incremental-exports': 'total=30; remaining=0; resets=20' }, T0);
    expect(budget.delayBeforeNextMs(T0)).toBe(21_000);
    expect(budget.snapshot()).toEqual({ limit: 30, remaining: 0, resetAtMs: T0 + 20_000, observedAtMs: T0 });
  });

  it('…and an exhausted account limit beats a healthy export limit', () => {
    const budget = createRateBudget({ safetyMs: 1_000 });
    budget.observe({ 'ratelimit-limit': '400', 'ratelimit-remaining': '0', 'ratelimit-reset': '7', 'zendesk-ratelimit-incremental-exports': 'total=30; remaining=29; resets=50' }, T0);
    expect(budget.delayBeforeNextMs(T0)).toBe(8_000);
  });

  it('does not pace a healthy 30/minute export limit as if it were 10', () => {
    const budget = createRateBudget();
    // 12 left of 30: a limit of 10 would already be exhausted; 30 × 20 % = 6 is the watermark.
    budget.observe({ 'x-rate-limit': '2500', 'x-rate-limit-remaining': '2400', 'zendesk-ratelimit-incremental-exports': 'total=30; remaining=12; resets=40' }, T0);
    expect(budget.delayBeforeNextMs(T0)).toBe(0);
  });

  it('reads mixed-case header names', () => {
    const budget = createRateBudget({ safetyMs: 1_000 });
    budget.observe({ 'X-Rate-Limit': '700', 'X-Rate-Limit-Remaining': '0' }, T0);
    expect(budget.delayBeforeNextMs(T0)).toBe(61_000);
  });

  it('paces by the older rate-limit-* family', () => {
    const budget = createRateBudget({ safetyMs: 1_000 });
    budget.observe({ 'rate-limit-limit': '200', 'rate-limit-remaining': '0', 'rate-limit-reset': '15' }, T0);
    expect(budget.delayBeforeNextMs(T0)).toBe(16_000);
  });

  it('waits for an epoch-seconds x-ratelimit-reset', () => {
    const budget = createRateBudget({ safetyMs: 1_000 });
    budget.observe({ 'x-ratelimit-limit': '700', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(T0 / 1000) + 30) }, T0);
    expect(budget.delayBeforeNextMs(T0)).toBe(31_000);
  });

  it('a malformed reset with nothing remaining waits an assumed window, neither zero nor forever', () => {
    for (const reset of ['-5', 'abc 5', '99999999999']) {
      const budget = createRateBudget({ safetyMs: 1_000 });
      budget.observe({ 'ratelimit-limit': '10', 'ratelimit-remaining': '0', 'ratelimit-reset': reset }, T0);
      expect({ reset, delay: budget.delayBeforeNextMs(T0) }).toEqual({ reset, delay: 61_000 });
    }
  });

  it('keeps an endpoint limit from an earlier response while other endpoints answer with account headers only', () => {
    const budget = createRateBudget({ safetyMs: 1_000 });
    budget.observe({ 'x-rate-limit': '700', 'x-rate-limit-remaining': '690', 'zendesk-ratelimit-incremental-exports': 'total=30; remaining=0; resets=20' }, T0);
    // e.g. GET /api/v2/ticket_fields in between: the export limit is still spent.
    budget.observe({ 'x-rate-limit': '700', 'x-rate-limit-remaining': '689' }, T0 + 1_000);
    expect(budget.delayBeforeNextMs(T0 + 1_000)).toBe(20_000);
    // After its reset it no longer holds anything back.
    expect(budget.delayBeforeNextMs(T0 + 21_000)).toBe(0);
    budget.noteRequest(T0 + 21_000);
    expect(budget.snapshot()).toMatchObject({ limit: 700 });
  });
});

/** What Zendesk sends on an export: the account headers and the export header, each its own window. */
function simulateExport(exportLimit: number, accountLimit: number, windows: number, latencyMs: () => number) {
  return simulate(exportLimit, windows, latencyMs, (count, resets) => ({
    'X-Rate-Limit': String(accountLimit),
    'X-Rate-Limit-Remaining': String(Math.max(0, accountLimit - count)),
    'Zendesk-RateLimit-incremental-exports': `total=${exportLimit}; remaining=${Math.max(0, exportLimit - count)}; resets=${resets}`,
  }), 4_321);
}

describe('pacing by the export header next to the account headers', () => {
  it('High Volume (30/min): ≥ 90 % of 30 a minute, no 429, far more than 10 in a minute', () => {
    const random = mulberry32(11);
    const { sent, rejected, capacity, perWindow } = simulateExport(30, 2500, 20, () => Math.floor(random() * 300));
    expect(rejected).toBe(0);
    expect(sent / capacity).toBeGreaterThanOrEqual(0.9);
    expect(Math.min(...perWindow.slice(1, -1))).toBeGreaterThanOrEqual(27);
  });
  it('the default (10/min): ≥ 90 %, no 429', () => {
    const random = mulberry32(12);
    const { sent, rejected, capacity } = simulateExport(10, 700, 20, () => Math.floor(random() * 300));
    expect(rejected).toBe(0);
    expect(sent / capacity).toBeGreaterThanOrEqual(0.9);
  });
});
