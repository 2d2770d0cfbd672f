import type { DetectorSettings } from '../../domain/detect/detector-settings.ts';
import type { Action } from '../../domain/detect/detector-state.ts';
import { SeriesBuffer } from '../../domain/detect/series-buffer.ts';
import { SeriesDetector } from '../../domain/detect/series-detector.ts';

/** What the product's detector says about one series, row by row. */
export interface DetectedSeries {
  /** decision.score per row, in [0, 1]. */
  readonly scores: number[];
  /** True on the rows whose decision opened an episode (what the product would alert on). */
  readonly alerts: boolean[];
  /** How many rows got each action. */
  readonly actions: Record<Action, number>;
}

/**
 * Runs the product detector over a series in streaming order: one row is one bucket, the first at
 * `originMs`, each row decided from the rows up to it (SeriesDetector never looks ahead). Rows are
 * taken as consecutive buckets whatever their timestamps say, which is what NAB's row-based scoring
 * needs; a series with gaps should be filled first when its timestamps are to mean buckets.
 */
export function detectSeries(values: readonly number[], originMs: number, settings: DetectorSettings): DetectedSeries {
  const detector = new SeriesDetector(settings, originMs, undefined, new SeriesBuffer(values.length));
  const actions: Record<Action, number> = { warming: 0, quiet: 0, open: 0, update: 0, ongoing: 0, resolve: 0 };
  const scores: number[] = [];
  const alerts: boolean[] = [];
  for (const value of values) {
    const decision = detector.observe(value);
    actions[decision.action] += 1;
    scores.push(decision.score);
    alerts.push(decision.action === 'open');
  }
  return { scores, alerts, actions };
}
