import type { SeriesBuffer } from './series-buffer.ts';

/**
 * The expected count of a window of buckets [a, b], from history before it only (no look-ahead):
 * - seasonal: the mean of the same window 1…K weeks earlier (hour of week; K ≤ seasonWeeks);
 * - daily: the mean of the same window 1…7 days earlier (hour of day), for windows up to a day;
 * - level: the mean bucket of up to the week before the window, times its length.
 * A specific estimate is shrunk towards the next simpler one by how much it knows: with n samples
 * summing to c tickets it weighs c / (c + PRIOR_TICKETS) (empirical-Bayes style). A busy series keeps
 * its own hour-of-week shape (shrinking a peak hour towards the daily average would call every
 * peak a spike); a quiet one whose same-hour samples are all 0 still expects its average trickle.
 * A young series falls back from hour-of-week to hour-of-day to its level while its history is short.
 */
export type BaselineKind = 'hour_of_week' | 'hour_of_day' | 'level';

export interface Baseline {
  expected: number;
  kind: BaselineKind;
  /** Samples behind the estimate: weeks for hour_of_week, days for hour_of_day, buckets for level. */
  samples: number;
  /** The sample variance of the lagged window sums (null with fewer than two, or for level). */
  sampleVariance: number | null;
}

export interface Periods {
  week: number;
  day: number;
  /** Weeks averaged at most. */
  seasonWeeks: number;
  /** Minimum buckets of history before any estimate. */
  warmup: number;
}

/** Pseudo-tickets of the shrinkage prior. */
const PRIOR_TICKETS = 2;
const MAX_DAYS = 7;

export function baselineOf(buffer: SeriesBuffer, a: number, b: number, p: Periods): Baseline | null {
  const h = b - a + 1;
  if (a < p.warmup) return null;
  const levelSpan = Math.min(p.week, a);
  const level = (buffer.sumCleaned(a - levelSpan, a - 1) / levelSpan) * h;
  let estimate: Baseline = { expected: level, kind: 'level', samples: levelSpan, sampleVariance: null };
  if (h <= p.day) {
    const days = Math.min(MAX_DAYS, Math.floor(a / p.day));
    if (days >= 1) {
      const lagged = laggedSums(buffer, a, b, p.day, days);
      estimate = { expected: shrink(lagged.total, days, estimate.expected), kind: 'hour_of_day', samples: days, sampleVariance: lagged.variance };
    }
  }
  if (h <= p.week) {
    const weeks = Math.min(p.seasonWeeks, Math.floor(a / p.week));
    if (weeks >= 1) {
      const lagged = laggedSums(buffer, a, b, p.week, weeks);
      // A window longer than a day has no hour-of-day estimate to shrink towards: its weeks are all it has.
      const seasonal = estimate.kind === 'level' && h > p.day ? lagged.total / weeks : shrink(lagged.total, weeks, estimate.expected);
      const expected = seasonal * trendFactor(buffer, a, p.week, weeks);
      estimate = { expected, kind: 'hour_of_week', samples: weeks, sampleVariance: lagged.variance };
    } else if (h > p.day) {
      // A week-long window needs a week of history before it.
      return null;
    }
  }
  return estimate;
}

/**
 * One bucket's expectation: `baselineOf(buffer, i, i, p)?.expected` (NaN for none), computed without
 * building its description — the rebuild of a series after a restart asks it for every stored hour.
 * The same operations in the same order, so the same number.
 */
export function expectedAt(buffer: SeriesBuffer, i: number, p: Periods): number {
  if (i < p.warmup) return Number.NaN;
  const levelSpan = Math.min(p.week, i);
  let estimate = buffer.sumCleaned(i - levelSpan, i - 1) / levelSpan;
  const days = Math.min(MAX_DAYS, Math.floor(i / p.day));
  if (days >= 1) estimate = shrink(laggedTotal(buffer, i, p.day, days), days, estimate);
  const weeks = Math.min(p.seasonWeeks, Math.floor(i / p.week));
  if (weeks >= 1) estimate = shrink(laggedTotal(buffer, i, p.week, weeks), weeks, estimate) * trendFactor(buffer, i, p.week, weeks);
  return estimate;
}

function laggedTotal(buffer: SeriesBuffer, i: number, lag: number, count: number): number {
  let total = 0;
  for (let k = 1; k <= count; k++) total += buffer.sumCleaned(i - k * lag, i - k * lag);
  return total;
}

/** The same window 1…count lags earlier: the total of their sums, and the sums' sample variance. */
function laggedSums(buffer: SeriesBuffer, a: number, b: number, lag: number, count: number): { total: number; variance: number | null } {
  let total = 0;
  let squares = 0;
  for (let k = 1; k <= count; k++) {
    const sum = buffer.sumCleaned(a - k * lag, b - k * lag);
    total += sum;
    squares += sum * sum;
  }
  return { total, variance: count >= 2 ? Math.max(0, (squares - (total * total) / count) / (count - 1)) : null };
}

/**
 * A slow trend carried forward: the mean of weeks 1…K ago lags the present by (K + 1)/2 weeks, so a
 * series growing 3 % a week would look 7 % high against it, every hour. The least-squares slope of
 * the K whole weeks before the window (K ≥ 3), relative to their mean and clipped to ±MAX_WEEKLY_TREND
 * (a drift, not a shift: a jump is what the detector is for), extrapolated over that lag.
 */
function trendFactor(buffer: SeriesBuffer, a: number, week: number, weeks: number): number {
  if (weeks < 3) return 1;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let k = 1; k <= weeks; k++) {
    const y = buffer.sumCleaned(a - k * week, a - (k - 1) * week - 1);
    sx -= k;
    sy += y;
    sxx += k * k;
    sxy -= k * y;
  }
  const mean = sy / weeks;
  if (!(mean > 0)) return 1;
  const slope = (weeks * sxy - sx * sy) / (weeks * sxx - sx * sx);
  const relative = Math.max(-MAX_WEEKLY_TREND, Math.min(MAX_WEEKLY_TREND, slope / mean));
  return 1 + relative * ((weeks + 1) / 2);
}

const MAX_WEEKLY_TREND = 0.03;

/** The mean of `count` samples summing to `total`, shrunk towards `prior` by what the samples hold. */
function shrink(total: number, count: number, prior: number): number {
  const w = total / (total + PRIOR_TICKETS);
  return w * (total / count) + (1 - w) * prior;
}

export const describeBaseline = (b: Baseline): string =>
  b.kind === 'hour_of_week'
    ? `same hours of the week over the last ${b.samples} week${b.samples === 1 ? '' : 's'}`
    : b.kind === 'hour_of_day'
      ? `same hours of the day over the last ${b.samples} day${b.samples === 1 ? '' : 's'}`
      : 'the average of the week before';
