import { baselineOf, type Baseline, type Periods } from './baseline.ts';
import { upperTail } from './count-tail.ts';
import type { Evidence } from './detector-state.ts';
import type { DetectorSettings } from './detector-settings.ts';
import type { SeriesBuffer } from './series-buffer.ts';

/**
 * Evidence of an increase over one window: the observed count against its baseline, as an exact
 * count tail with the series' own dispersion (variance/mean), gated for practical significance.
 * Only the tail is costly; it is computed only when the window is practically above expected, so a
 * quiet series costs a few prefix-sum lookups per horizon.
 */
export interface Window {
  from: number;
  to: number;
  startMs: number;
  endMs: number;
}

/**
 * How much the baseline's own estimation error adds to the variance of observed − expected: a mean
 * of n same-hour samples (plus the shrinkage prior's one) has variance φμ/(n + 1); a level from L
 * buckets, summed over h, has relative variance h/L. `dispersion` arguments are the series' own
 * (intrinsic) dispersion; evidence uses dispersion × this factor.
 */
export function estimationFactor(baseline: Baseline, length: number): number {
  return baseline.kind === 'level' ? 1 + length / Math.max(1, baseline.samples) : 1 + 1 / (baseline.samples + 1);
}

/**
 * The dispersion the lagged samples themselves show: how much the same window varied from week to
 * week (or day to day), as variance / mean of a new window, (1 + 1/K) for the mean's own error. It
 * catches what a noise model learned from buckets cannot know: the days before a young series' first
 * Monday include a weekend; a bursty series varies more from week to week than hour to hour.
 */
function spreadDispersion(baseline: Baseline, model: number): number {
  if (baseline.sampleVariance === null || !(baseline.expected > 0)) return 1;
  const spread = (baseline.sampleVariance / baseline.expected) * (1 + 1 / baseline.samples);
  // A sample variance of a few sums is itself noisy: pooled with the model's as if it had SPREAD_PRIOR_DOF degrees of freedom.
  const dof = baseline.samples - 1;
  return (dof * spread + SPREAD_PRIOR_DOF * model) / (dof + SPREAD_PRIOR_DOF);
}

const SPREAD_PRIOR_DOF = 6;

export function evidenceOf(
  buffer: SeriesBuffer, window: Window, observed: number, baseline: Baseline, intrinsic: number, source: Evidence['source'], s: DetectorSettings,
): Evidence {
  const expected = baseline.expected;
  const model = intrinsic * estimationFactor(baseline, window.to - window.from + 1);
  const dispersion = Math.max(model, spreadDispersion(baseline, model));
  const extra = observed - expected;
  const pctChange = expected > 0 ? extra / expected : observed > 0 ? Number.POSITIVE_INFINITY : 0;
  const practical = extra >= s.minExtra && pctChange >= s.minPct;
  const pValue = extra > 0 && (practical || extra >= s.minExtra / 2) ? upperTail(observed, expected, dispersion) : 1;
  return {
    source, windowStartMs: window.startMs, windowEndMs: window.endMs, observed, expected, pctChange, pValue, dispersion, baseline,
    significant: pValue <= s.alpha, practical,
  };
}

export function horizonEvidence(
  buffer: SeriesBuffer, window: Window, periods: Periods, dispersion: number, horizonMs: number, s: DetectorSettings,
): Evidence | null {
  const baseline = baselineOf(buffer, window.from, window.to, periods);
  if (baseline === null) return null;
  return evidenceOf(buffer, window, buffer.sumEvidence(window.from, window.to), baseline, dispersion, horizonMs, s);
}

/**
 * One step of the accumulator: a one-sided CUSUM of the Poisson log-likelihood ratio for a shift by
 * (1 + cusumShift), scaled by the dispersion (an overdispersed count carries less evidence per ticket).
 * It finds sustained shifts too small for any single horizon, and stays at 0 under a drift smaller
 * than about half the shift it looks for.
 */
export function cusumIncrement(value: number, expected: number, dispersion: number, shift: number): number {
  const rho = 1 + shift;
  return (value * Math.log(rho) - expected * (rho - 1)) / Math.max(1, dispersion);
}

/** −log10 p mapped to [0, 1] (p = 1e-12 or smaller → 1). */
export const scoreOf = (pValue: number): number => Math.min(1, Math.max(0, -Math.log10(pValue) / 12));

/** Stronger evidence first: smaller p, then more extra tickets. */
export const stronger = (a: Evidence, b: Evidence): boolean =>
  a.pValue < b.pValue || (a.pValue === b.pValue && a.observed - a.expected > b.observed - b.expected);
