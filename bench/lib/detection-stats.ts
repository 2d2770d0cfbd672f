import { mulberry32, type RandomSource } from '../../src/connector-kit/random.ts';
import { generateSeries } from '../../src/evaluation/synthetic-counts/ticket-like-series.ts';

/** Small shared helpers of the detection benchmark (bench/detection.ts). */
export const HOURS_PER_WEEK = 168;
/** A Monday, 00:00 UTC: the first hour of every synthetic series (the generator's weekday 0). */
export const SYNTHETIC_T0 = Date.parse('2026-01-05T00:00:00Z');
/** The four volume classes, mean tickets per hour over the week. */
export const VOLUME_CLASSES = [0.5, 3, 20, 150] as const;
/** Per-series dispersion (variance / mean of an hour) is drawn uniformly from this range. */
export const DISPERSION_RANGE = [1.2, 3] as const;

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** Linear-interpolated quantile; NaN for an empty list. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (s[lo] ?? 0) + ((s[hi] ?? 0) - (s[lo] ?? 0)) * (at - lo);
}

/** A 32-bit seed from a run seed and the indices that name one series (FNV-1a over the parts). */
export function seedOf(...parts: number[]): number {
  let h = 2_166_136_261;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 16_777_619);
    h ^= h >>> 13;
  }
  return h >>> 0;
}

export const uniform = (random: RandomSource, lo: number, hi: number): number => lo + (hi - lo) * random();

/** `hours` hourly counts of `distinct` steady series, volume classes in turn, dispersion drawn per series. */
export function mixedHistories(distinct: number, hours: number, seed: number): { values: Float64Array; meanPerHour: number; dispersion: number }[] {
  return Array.from({ length: distinct }, (_, d) => {
    const random = mulberry32(seedOf(seed, 7, d));
    const meanPerHour = VOLUME_CLASSES[d % VOLUME_CLASSES.length] ?? 1;
    const dispersion = uniform(random, ...DISPERSION_RANGE);
    const { values } = generateSeries({ seed: seedOf(seed, 8, d), hours, meanPerHour, dispersion });
    return { values: Float64Array.from(values), meanPerHour, dispersion };
  });
}

export const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');
export const pct = (x: number, digits = 1): string => (Number.isFinite(x) ? `${(100 * x).toFixed(digits)} %` : '—');
