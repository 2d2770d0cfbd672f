/**
 * Zendesk-style request budget: a fixed number of requests per one-minute window of simulated time
 * (https://developer.zendesk.com/api-reference/introduction/rate-limits/). Windows are aligned to
 * whole minutes of the injected clock, so tests advance the clock instead of sleeping.
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Whole seconds until the window resets (at least 1): ratelimit-reset and Retry-After. */
  resetSec: number;
}

export interface MinuteWindow {
  take(nowMs: number): RateDecision;
  peek(nowMs: number): RateDecision;
}

const windowMs = 60_000;

export function createMinuteWindow(limit: number): MinuteWindow {
  let windowIndex = Number.NEGATIVE_INFINITY;
  let used = 0;
  function roll(nowMs: number): number {
    const index = Math.floor(nowMs / windowMs);
    if (index !== windowIndex) {
      windowIndex = index;
      used = 0;
    }
    return Math.max(1, Math.ceil(((index + 1) * windowMs - nowMs) / 1000));
  }
  return {
    take(nowMs) {
      const resetSec = roll(nowMs);
      if (used >= limit) return { allowed: false, limit, remaining: 0, resetSec };
      used++;
      return { allowed: true, limit, remaining: limit - used, resetSec };
    },
    peek(nowMs) {
      const resetSec = roll(nowMs);
      return { allowed: used < limit, limit, remaining: Math.max(0, limit - used), resetSec };
    },
  };
}
