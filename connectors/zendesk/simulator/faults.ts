import { mulberry32 } from './random.ts';

/**
 * Seeded, deterministic fault injection: the n-th faultable request always gets the same decision for
 * the same seed and request order. Five draws are consumed per request whatever the outcome, so one
 * rate does not shift the others.
 */
export interface FaultSettings {
  seed: number;
  /** Share of requests answered with a 5xx from `errorStatuses`. */
  errorRate: number;
  errorStatuses: number[];
  /** Share of 200 responses whose JSON body is cut in half (headers stay valid). */
  truncateRate: number;
  /** Share of requests delayed by `slowMs` real milliseconds. */
  slowRate: number;
  slowMs: number;
  /** Share of requests answered with an edge-protection 429 that has no Retry-After. */
  edge429WithoutRetryAfter: number;
  /** 1-based incremental-export request numbers that fail with 503. */
  failRequests: number[];
  /** 1-based /api/v2 request numbers answered with an account-level 429 (text/html, long Retry-After). */
  accountLimitRequests?: number[];
  /** Share of the other /api/v2 requests answered so (its own seeded stream: the draws above do not shift). */
  accountLimitRate?: number;
  /** Retry-After of those 429s, in seconds (default 120: account limits ask for more than a minute). */
  accountLimitRetryAfterSec?: number;
}

export type FaultDecision =
  | { kind: 'none'; delayMs: number }
  | { kind: 'truncate'; delayMs: number }
  | { kind: 'edge429'; delayMs: number }
  | { kind: 'error'; status: number; delayMs: number };

export interface FaultPlan {
  decide(exportRequestNumber: number | null): FaultDecision;
  /**
   * Whether the n-th /api/v2 request (1-based) meets an account-level 429 before any budget: the
   * Retry-After in seconds, or null. Zendesk may limit a whole account on an unusual spike
   * (https://developer.zendesk.com/api-reference/introduction/rate-limits/ "Account limit"); its
   * documented 429 example is `text/html` with `Retry-After: 93`
   * (https://developer.zendesk.com/documentation/api-basics/best-practices/best-practices-for-avoiding-rate-limiting).
   */
  accountLimit(apiRequestNumber: number): number | null;
}

const defaultAccountLimitRetryAfterSec = 120;

export function createFaultPlan(settings: FaultSettings | undefined): FaultPlan {
  if (!settings) return { decide: () => ({ kind: 'none', delayMs: 0 }), accountLimit: () => null };
  const random = mulberry32(settings.seed);
  const accountRandom = mulberry32((settings.seed ^ 0x61636374) >>> 0);
  const scheduled = new Set(settings.failRequests);
  const accountScheduled = new Set(settings.accountLimitRequests ?? []);
  const accountRate = settings.accountLimitRate ?? 0;
  const accountRetryAfterSec = settings.accountLimitRetryAfterSec ?? defaultAccountLimitRetryAfterSec;
  return {
    accountLimit(apiRequestNumber) {
      const draw = accountRandom();
      return accountScheduled.has(apiRequestNumber) || draw < accountRate ? accountRetryAfterSec : null;
    },
    decide(exportRequestNumber) {
      const [rError, rStatus, rTruncate, rSlow, rEdge] = [random(), random(), random(), random(), random()];
      const delayMs = rSlow < settings.slowRate ? settings.slowMs : 0;
      if (exportRequestNumber !== null && scheduled.has(exportRequestNumber)) return { kind: 'error', status: 503, delayMs };
      if (rError < settings.errorRate) {
        const status = settings.errorStatuses[Math.floor(rStatus * settings.errorStatuses.length)] ?? 503;
        return { kind: 'error', status, delayMs };
      }
      if (rEdge < settings.edge429WithoutRetryAfter) return { kind: 'edge429', delayMs };
      if (rTruncate < settings.truncateRate) return { kind: 'truncate', delayMs };
      return { kind: 'none', delayMs };
    },
  };
}
