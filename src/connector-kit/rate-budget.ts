import type { RateBudgetSnapshot } from './connector-module.ts';
import { type HeaderBag, type RateObservation, parseRateLimitHeaders } from './rate-limit-headers.ts';

/**
 * Per-connector rate budget read from response headers ("read the budget from the headers, don't
 * guess it"). While plenty remains, requests go out freely; once the remaining count drops to the low
 * watermark, the rest are spread evenly over the time left to the reset, and at zero the client waits
 * for the reset plus a safety margin (reset values are whole seconds). That spends ≥ 90 % of the
 * limit without meeting a 429 when we are the only consumer; a 429 is still handled by retry-decision.
 * Limits are whatever the headers say (Zendesk's export limit is 10 or 30 a minute by plan): nothing
 * here assumes a number, only a one-minute window when no reset is given.
 */
export interface RateBudgetOptions {
  /** Assumed window when the provider gives no reset (Zendesk's account limit is per minute). */
  windowMs?: number;
  /** Start pacing when remaining ≤ this fraction of the limit (and ≤ `minWatermark` otherwise). */
  lowFraction?: number;
  minWatermark?: number;
  /** Requests to leave untouched for other consumers of the same account. */
  reserve?: number;
  /** Added to the wait for a reset: reset headers are whole seconds. */
  safetyMs?: number;
}

export interface RateBudget {
  /** Record the headers of a response received at `nowMs` (no rate headers: keep the last state). */
  observe(headers: HeaderBag, nowMs: number): void;
  /** Count a request about to be sent, so pacing stays right between observations. */
  noteRequest(nowMs: number): void;
  /** How long to wait before the next request. */
  delayBeforeNextMs(nowMs: number): number;
  snapshot(): RateBudgetSnapshot;
}

interface Tracked extends RateObservation { observedAtMs: number; sentSince: number }

export function createRateBudget(options: RateBudgetOptions = {}): RateBudget {
  const windowMs = options.windowMs ?? 60_000;
  const lowFraction = options.lowFraction ?? 0.2;
  const minWatermark = options.minWatermark ?? 2;
  const reserve = options.reserve ?? 0;
  const safetyMs = options.safetyMs ?? 1_000;
  let tracked: Tracked[] = [];

  const resetOf = (t: Tracked): number => t.resetAtMs ?? t.observedAtMs + windowMs;
  // Reset values are whole seconds rounded down: an observation is only stale a margin after it.
  const expiresAt = (t: Tracked): number => resetOf(t) + safetyMs;
  const remainingOf = (t: Tracked): number => Math.max(0, t.remaining - t.sentSince);

  function delayFor(t: Tracked, nowMs: number): number {
    if (nowMs >= expiresAt(t)) return 0;
    const usable = remainingOf(t) - reserve;
    if (usable <= 0) return expiresAt(t) - nowMs;
    const watermark = Math.max(minWatermark, Math.ceil((t.limit ?? 0) * lowFraction));
    if (usable > watermark) return 0;
    // Spread what is left so the last request goes out before the reset, not on it.
    return Math.floor(Math.max(0, resetOf(t) - nowMs) / (usable + 1));
  }

  return {
    observe(headers, nowMs) {
      const observations = parseRateLimitHeaders(headers, nowMs);
      if (observations.length === 0) return;
      // Replace what this response speaks for; keep the others (an endpoint limit such as Zendesk's
      // export limit is only sent by that endpoint) until they expire.
      const fresh = new Set(observations.map((o) => o.source));
      const kept = tracked.filter((t) => !fresh.has(t.source) && nowMs < expiresAt(t));
      tracked = [...kept, ...observations.map((o) => ({ ...o, observedAtMs: nowMs, sentSince: 0 }))];
    },
    noteRequest(nowMs) {
      tracked = tracked.filter((t) => nowMs < expiresAt(t));
      for (const t of tracked) t.sentSince += 1;
    },
    delayBeforeNextMs(nowMs) {
      return tracked.reduce((max, t) => Math.max(max, delayFor(t, nowMs)), 0);
    },
    snapshot() {
      const binding = tracked.reduce<Tracked | null>((best, t) => (best === null || remainingOf(t) < remainingOf(best) ? t : best), null);
      if (binding === null) return { limit: null, remaining: null, resetAtMs: null, observedAtMs: null };
      return { limit: binding.limit, remaining: remainingOf(binding), resetAtMs: binding.resetAtMs, observedAtMs: binding.observedAtMs };
    },
  };
}
