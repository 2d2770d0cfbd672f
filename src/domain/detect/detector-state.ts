import type { Baseline, BaselineKind } from './baseline.ts';

/**
 * What the detector concludes and keeps. Times are bucket starts in ms; a window [startMs, endMs)
 * ends where its last bucket ends. The state is small and JSON-safe: the detect stage stores it per
 * series, and rebuilds the rest (baselines, sums) from the stored series points on its next run.
 */
export interface Evidence {
  /** 'cusum' = the accumulator's run; otherwise the horizon's length in ms. */
  source: number | 'cusum';
  windowStartMs: number;
  windowEndMs: number;
  observed: number;
  expected: number;
  /** (observed − expected) / expected; Infinity when nothing was expected. */
  pctChange: number;
  /** Upper-tail p-value of the observed count under the baseline with the series' dispersion. */
  pValue: number;
  dispersion: number;
  baseline: Baseline;
  /** p ≤ alpha (or the accumulator's alarm). */
  significant: boolean;
  /** At least minPct and minExtra above expected. */
  practical: boolean;
}

export interface OpenEpisode {
  sinceMs: number;
  openedMs: number;
  /** The evidence it opened on, and the strongest seen since. */
  opening: Evidence;
  peak: Evidence;
  /** Log-likelihood evidence that the series is back to normal (≥ 0), and since when it has leaned so (null: it does not). */
  normalEvidence: number;
  normalSinceMs: number | null;
}

export interface ClosedEpisode {
  sinceMs: number;
  /** Start of the last abnormal bucket. */
  endMs: number;
  /** 'new_level': it lasted so long that the baseline learns it (only its excess stays masked). */
  kind: 'resolved' | 'new_level';
}

export interface DetectorState {
  v: 1;
  /** The last bucket decided on; null before the first. */
  lastBucketMs: number | null;
  /**
   * The series' noise. Per bucket: mean squared residual (net of the baseline's estimation error) and
   * mean expected count, whose ratio is the dispersion, learned under one kind of baseline (a more
   * mature one starts afresh). Per horizon (settings order): how much more a window sum varies than
   * its buckets would alone (autocorrelation), learned from non-overlapping windows.
   */
  noise: { square: number; mean: number; buckets: number; kind: BaselineKind | null; inflation: number[]; windows: number[] };
  cusum: { value: number; startMs: number | null };
  episode: OpenEpisode | null;
  /** Resolved episodes recent enough to be masked out of baselines. */
  resolved: ClosedEpisode[];
}

const zeros = (n: number): number[] => Array.from({ length: n }, () => 0);

export const initialDetectorState = (horizons: number): DetectorState => ({
  v: 1, lastBucketMs: null,
  noise: { square: 0, mean: 0, buckets: 0, kind: null, inflation: zeros(horizons).map(() => 1), windows: zeros(horizons) },
  cusum: { value: 0, startMs: null }, episode: null, resolved: [],
});

export type Action = 'warming' | 'quiet' | 'open' | 'update' | 'ongoing' | 'resolve';

export interface Decision {
  bucketMs: number;
  value: number;
  /** The bucket's one-step expectation (NaN while warming up). */
  expected: number;
  action: Action;
  /**
   * Evidence strength in [0, 1] for offline scoring: −log10 p of the strongest practically significant
   * evidence, scaled; 0 while an episode is open (it has been reported) or when nothing stands out.
   */
  score: number;
  /** The strongest evidence of this bucket (null while warming up). */
  evidence: Evidence | null;
  /** The episode after this decision (for 'resolve': the one that just ended). */
  episode: OpenEpisode | null;
}
