import { DEFAULT_DETECTOR_SETTINGS } from '../../src/domain/detect/detector-settings.ts';
import type { Action, DetectorState } from '../../src/domain/detect/detector-state.ts';
import { SeriesBuffer } from '../../src/domain/detect/series-buffer.ts';
import { SeriesDetector } from '../../src/domain/detect/series-detector.ts';
import { CHUNK_SERIES } from '../../src/pipeline/detect/detect-organization.ts';
import { HOURS_PER_WEEK, median, mixedHistories, SYNTHETIC_T0, VOLUME_CLASSES } from './detection-stats.ts';

/**
 * The in-memory cost of one detection cycle as the detect stage runs it, per series: a detector built
 * from the saved state, the stored history primed back in (`weeks` weeks − 1 hour), the new hour observed.
 * Histories are `distinct` generated steady series (volume classes in turn) reused cyclically over
 * `series`; each one's state comes from a warm-up pass that observed all but its last hour once,
 * kept as the store keeps it (JSON). Like the detect stage, buffers are reused per slot of a
 * 1,000-series chunk. Single core, one process; the median of `runs` runs. The run's total is the
 * loop's work; copying each saved state (the stage parses it from the store, counted with the
 * database reads) is timed apart, as `stateCopyMs`.
 */
export interface CycleRun {
  totalMs: number;
  /** Copying the saved states for the run (outside `totalMs`). */
  stateCopyMs: number;
  /** Inside the loop, per phase: constructing from the state, priming, observing the last hour. */
  constructMs: number;
  primeMs: number;
  observeMs: number;
  actions: Partial<Record<Action, number>>;
}

export interface CycleReport {
  series: number;
  distinctHistories: number;
  historyHours: number;
  runs: CycleRun[];
  medianTotalMs: number;
  microsPerSeries: number;
  /** Shares of the median run's loop time. */
  shares: { construct: number; prime: number; observe: number };
  /** µs per series by volume class (from per-class timers of the median run). */
  microsPerSeriesByClass: Record<string, number>;
  /** The warm-up pass: observing all but the last hour from an empty state, per distinct history (a new series' first cycle). */
  warmup: { ms: number; microsPerSeries: number };
}

export function measureCycle(options: { series: number; distinct: number; runs: number; seed: number; weeks: number; log: (line: string) => void }): CycleReport {
  const hours = options.weeks * HOURS_PER_WEEK;
  const histories = mixedHistories(options.distinct, hours, options.seed);
  const warmStart = performance.now();
  const states: DetectorState[] = histories.map(({ values }) => {
    const detector = new SeriesDetector(DEFAULT_DETECTOR_SETTINGS, SYNTHETIC_T0, undefined, new SeriesBuffer(hours));
    for (let h = 0; h < hours - 1; h++) detector.observe(values[h] ?? 0);
    return JSON.parse(JSON.stringify(detector.state)) as DetectorState;
  });
  const warmMs = performance.now() - warmStart;
  options.log(`  warm-up: ${options.distinct} states from ${hours - 1} observed hours each in ${(warmMs / 1000).toFixed(1)} s`);

  const runs: (CycleRun & { byClass: number[] })[] = [];
  const buffers = Array.from({ length: CHUNK_SERIES }, () => new SeriesBuffer(hours));
  for (let r = 0; r < options.runs; r++) {
    const actions: Partial<Record<Action, number>> = {};
    const byClass = VOLUME_CLASSES.map(() => 0);
    let constructMs = 0;
    let primeMs = 0;
    let observeMs = 0;
    let stateCopyMs = 0;
    for (let s = 0; s < options.series; s++) {
      const d = s % options.distinct;
      const values = histories[d]?.values ?? new Float64Array(hours);
      // The detector takes its state over; in the detect stage it is a fresh object parsed by the driver
      // (counted with the database reads), here a copy made outside the timing.
      const c0 = performance.now();
      const saved = states[d] === undefined ? undefined : structuredClone(states[d]);
      const t0 = performance.now();
      stateCopyMs += t0 - c0;
      const detector = new SeriesDetector(DEFAULT_DETECTOR_SETTINGS, SYNTHETIC_T0, saved, buffers[s % CHUNK_SERIES]);
      const t1 = performance.now();
      detector.prime(values, hours - 1);
      const t2 = performance.now();
      const decision = detector.observe(values[hours - 1] ?? 0);
      const t3 = performance.now();
      actions[decision.action] = (actions[decision.action] ?? 0) + 1;
      constructMs += t1 - t0;
      primeMs += t2 - t1;
      observeMs += t3 - t2;
      const c = d % VOLUME_CLASSES.length;
      byClass[c] = (byClass[c] ?? 0) + (t3 - t0);
    }
    const totalMs = constructMs + primeMs + observeMs;
    runs.push({ totalMs, stateCopyMs, constructMs, primeMs, observeMs, actions, byClass });
    options.log(`  run ${r + 1}: ${options.series} series in ${totalMs.toFixed(0)} ms (${((totalMs * 1000) / options.series).toFixed(1)} µs/series; ` +
      `prime ${((100 * primeMs) / totalMs).toFixed(0)} %, observe ${((100 * observeMs) / totalMs).toFixed(0)} %, construct ${((100 * constructMs) / totalMs).toFixed(0)} %)`);
  }
  const medianTotalMs = median(runs.map((r) => r.totalMs));
  const mid = [...runs].sort((a, b) => Math.abs(a.totalMs - medianTotalMs) - Math.abs(b.totalMs - medianTotalMs))[0] ?? runs[0];
  const loop = mid?.totalMs ?? Number.NaN;
  const perClass = VOLUME_CLASSES.map((_, c) => Array.from({ length: options.series }, (_, s) => (s % options.distinct) % VOLUME_CLASSES.length).filter((k) => k === c).length);
  return {
    series: options.series,
    distinctHistories: options.distinct,
    historyHours: hours,
    runs: runs.map(({ byClass: _, ...run }) => run),
    medianTotalMs,
    microsPerSeries: (medianTotalMs * 1000) / options.series,
    shares: { construct: (mid?.constructMs ?? 0) / loop, prime: (mid?.primeMs ?? 0) / loop, observe: (mid?.observeMs ?? 0) / loop },
    microsPerSeriesByClass: Object.fromEntries(VOLUME_CLASSES.map((v, c) => [`${v}/h`, ((mid?.byClass[c] ?? 0) * 1000) / (perClass[c] ?? 1)])),
    warmup: { ms: warmMs, microsPerSeries: (warmMs * 1000) / options.distinct },
  };
}
