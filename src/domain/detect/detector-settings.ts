/**
 * What the spike detector is told: bucket size, horizons, and the thresholds that make a change worth
 * a person's attention. Durations are milliseconds; the product's series are hourly, offline
 * evaluation (`frontline detect --csv`) uses the file's own step.
 */
export interface DetectorSettings {
  /** Length of one bucket of the series. */
  bucketMs: number;
  /** Evidence windows, shortest first (1 h, 1 day, 7 days). */
  horizonsMs: readonly number[];
  /** A horizon's evidence counts when its upper-tail p-value is at most this. */
  alpha: number;
  /** Practical significance: at least this relative increase over expected (0.2 = +20 %)... */
  minPct: number;
  /** ...and at least this many extra tickets (observed − expected) in the window. */
  minExtra: number;
  /** The accumulator (one-sided CUSUM) looks for a sustained shift of this relative size. */
  cusumShift: number;
  /** Its alarm level, in log-likelihood-ratio units (larger: fewer alarms, later). */
  cusumThreshold: number;
  /**
   * An open episode resolves once the evidence that the series is back to normal — a sequential
   * likelihood ratio of "expected" against "still shifted by the opening's change" — reaches this
   * (log units: 3 ≈ 20 : 1)...
   */
  resolveEvidence: number;
  /** ...and it has leaned towards normal for at least this long. */
  resolveAfterMs: number;
  /** No decision before the series has this much history (the baseline needs it). */
  warmupMs: number;
  /** Weeks of same-hour-of-week history averaged into the seasonal baseline (at most). */
  seasonWeeks: number;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

/** The product's defaults (README "Spike detection"); per-driver overrides change the gates only. */
export const DEFAULT_DETECTOR_SETTINGS: DetectorSettings = {
  bucketMs: HOUR_MS,
  horizonsMs: [HOUR_MS, DAY_MS, WEEK_MS],
  alpha: 1e-5,
  minPct: 0.2,
  minExtra: 5,
  cusumShift: 0.25,
  cusumThreshold: 12,
  resolveEvidence: 5,
  resolveAfterMs: 6 * HOUR_MS,
  warmupMs: DAY_MS,
  seasonWeeks: 4,
};

/** The gates a driver may set in its configuration (`routing.drivers[].detection`). */
export type DriverDetectionOverrides = Partial<Pick<DetectorSettings, 'alpha' | 'minPct' | 'minExtra'>>;

/** Settings in whole buckets, as the detector indexes them. */
export interface BucketSettings {
  settings: DetectorSettings;
  horizons: number[];
  resolveAfter: number;
  warmup: number;
  week: number;
  day: number;
}

export function inBuckets(settings: DetectorSettings): BucketSettings {
  const n = (ms: number): number => Math.max(1, Math.round(ms / settings.bucketMs));
  if (!(settings.bucketMs > 0)) throw new Error(`detector: bucket length must be positive, got ${settings.bucketMs}`);
  const horizons = [...new Set(settings.horizonsMs.map(n))].sort((a, b) => a - b);
  if (horizons.length === 0) throw new Error('detector: at least one horizon is needed');
  return {
    settings, horizons, resolveAfter: n(settings.resolveAfterMs),
    warmup: n(settings.warmupMs), week: n(WEEK_MS), day: n(DAY_MS),
  };
}
