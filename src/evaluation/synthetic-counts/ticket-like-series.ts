import { mulberry32 } from '../../connector-kit/random.ts';
import { overdispersedCount } from './samplers.ts';

/**
 * Seeded, ticket-like hourly counts with known truth: a weekly shape (office hours, quiet nights and
 * weekends), overdispersion, optional slow drift, and injected episodes of known size. Used by the
 * detector's tests and by bench/detection.ts.
 */
export interface InjectedEpisode {
  /** First and last hour (index) of the episode. */
  from: number;
  to: number;
  /** Relative increase of the mean (0.4 = +40 %); a ramp reaches it after `rampHours`. */
  lift: number;
  rampHours?: number;
  /** Or an absolute number of extra tickets per hour. */
  extraPerHour?: number;
}

export interface SeriesSpec {
  seed: number;
  hours: number;
  /** Mean tickets per hour, averaged over the week. */
  meanPerHour: number;
  /** Variance / mean of an hour (1 = Poisson). */
  dispersion: number;
  /** 0 = flat; 1 = the full office-hours shape. */
  seasonality?: number;
  /** Relative drift per day (0.005 = +0.5 % a day, compounding). */
  driftPerDay?: number;
  episodes?: readonly InjectedEpisode[];
  /** The first hour's day of week, 0 = Monday. */
  startWeekday?: number;
}

export interface GeneratedSeries {
  values: number[];
  /** The mean each hour was drawn from without episodes (the oracle baseline). */
  baseline: number[];
  /** With episodes. */
  mean: number[];
}

/** Relative volume by hour of week (Monday 00:00 first), averaging 1. */
export function weeklyShape(seasonality: number, startWeekday = 0): (hour: number) => number {
  const raw: number[] = [];
  for (let h = 0; h < 168; h++) {
    const day = Math.floor(h / 24);
    const hod = h % 24;
    const office = Math.exp(-(((hod - 13) / 4.5) ** 2));
    const weekend = day >= 5 ? 0.35 : 1;
    raw.push((0.15 + office) * weekend);
  }
  const avg = raw.reduce((a, b) => a + b, 0) / raw.length;
  return (hour) => 1 - seasonality + seasonality * ((raw[(hour + startWeekday * 24) % 168] ?? avg) / avg);
}

export function generateSeries(spec: SeriesSpec): GeneratedSeries {
  const random = mulberry32(spec.seed);
  const shape = weeklyShape(spec.seasonality ?? 1, spec.startWeekday ?? 0);
  const values: number[] = [];
  const baseline: number[] = [];
  const mean: number[] = [];
  for (let h = 0; h < spec.hours; h++) {
    const drift = Math.pow(1 + (spec.driftPerDay ?? 0), h / 24);
    const base = spec.meanPerHour * shape(h) * drift;
    let m = base;
    for (const e of spec.episodes ?? []) {
      if (h < e.from || h > e.to) continue;
      const ramp = e.rampHours ? Math.min(1, (h - e.from + 1) / e.rampHours) : 1;
      m += base * e.lift * ramp + (e.extraPerHour ?? 0);
    }
    baseline.push(base);
    mean.push(m);
    values.push(overdispersedCount(random, m, spec.dispersion));
  }
  return { values, baseline, mean };
}
