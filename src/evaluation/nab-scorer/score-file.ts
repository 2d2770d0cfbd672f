import { parseTimestamp } from '../series-csv/parse-timestamp.ts';
import type { CostMatrix } from './profiles.ts';
import { PROBATION_PERCENT, probationLength, rowWeights } from './row-weights.ts';
import { locateWindows, type NabWindows } from './windows.ts';

/** One detector's output for one data file: a timestamp (NAB text or epoch ms) and an anomaly score per row. */
export interface CorpusFile {
  /** The file's path relative to NAB's data/, as keyed in the windows JSON. */
  readonly name: string;
  readonly timestamps: readonly string[] | readonly number[];
  readonly scores: readonly number[];
}

/** A file ready for sweeping: per-row weights, window membership and the probation cut. */
export interface SweptFile {
  readonly name: string;
  readonly scores: readonly number[];
  readonly weights: Float64Array;
  readonly windowOf: Int32Array;
  /** Rows [0, probation) are not scored. */
  readonly probation: number;
  /** All labelled windows of the file (NAB's perfect score counts these). */
  readonly windowCount: number;
  /** Which windows have a row after probation; the others are never counted, not even as misses. */
  readonly scored: readonly boolean[];
}

/** A file's result at one threshold, as a row of NAB's `<detector>_<profile>_scores.csv`. */
export interface FileScore {
  readonly name: string;
  readonly threshold: number;
  readonly score: number;
  /** Detected rows inside windows (rows, not windows: NAB counts them so). */
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  /** Undetected rows inside windows. */
  readonly fn: number;
  /** All rows of the file, probation included (NAB's Total_Count); tp + tn + fp + fn excludes probation. */
  readonly total: number;
}

export function sweepFile(file: CorpusFile, windows: NabWindows, matrix: CostMatrix, probationPercent = PROBATION_PERCENT): SweptFile {
  const fileWindows = windows.get(file.name);
  if (fileWindows === undefined) throw new Error(`${file.name}: no entry in the windows JSON (give it [] if it has no anomalies)`);
  const timestampsMs = toIncreasingMs(file);
  const indices = locateWindows(timestampsMs, fileWindows, file.name);
  const { weights, windowOf } = rowWeights(timestampsMs.length, indices, matrix);
  const probation = probationLength(timestampsMs.length, probationPercent);
  return {
    name: file.name, scores: file.scores, weights, windowOf, probation,
    windowCount: indices.length, scored: indices.map((window) => window.endIndex >= probation),
  };
}

/**
 * Sweeper.scoreDataSet in nab/sweeper.py (ea702d75) at a given threshold: a row is detected when its
 * score >= threshold; each scored window adds the best weight among its detected rows, or -fnW when none
 * is detected; each detected row outside windows adds its (negative) weight.
 */
export function scoreFileAtThreshold(file: SweptFile, threshold: number, matrix: CostMatrix): FileScore {
  const best = file.scored.map((scored) => (scored ? -matrix.fnWeight : 0));
  let fpScore = 0;
  const counts = { tp: 0, tn: 0, fp: 0, fn: 0 };
  for (let i = file.probation; i < file.scores.length; i++) {
    const detected = (file.scores[i] ?? Number.NaN) >= threshold;
    const window = file.windowOf[i] ?? -1;
    const weight = file.weights[i] ?? 0;
    if (window < 0) {
      if (detected) [fpScore, counts.fp] = [fpScore + weight, counts.fp + 1];
      else counts.tn++;
    } else if (detected) {
      best[window] = Math.max(best[window] ?? 0, weight);
      counts.tp++;
    } else {
      counts.fn++;
    }
  }
  const score = best.reduce((sum, s) => sum + s, 0) + fpScore;
  return { name: file.name, threshold, score, ...counts, total: file.scores.length };
}

function toIncreasingMs(file: CorpusFile): number[] {
  if (file.timestamps.length !== file.scores.length) {
    throw new Error(`${file.name}: ${file.timestamps.length} timestamps but ${file.scores.length} scores`);
  }
  const ms = file.timestamps.map((t: string | number, i: number) => {
    const value = typeof t === 'number' ? t : parseTimestamp(t);
    if (value === undefined || !Number.isFinite(value)) throw new Error(`${file.name}: row ${i} has an unparseable timestamp ${JSON.stringify(t)}`);
    if (!Number.isFinite(file.scores[i])) throw new Error(`${file.name}: row ${i} (${String(t)}) has a non-finite anomaly score ${file.scores[i]}`);
    return value;
  });
  ms.forEach((value, i) => {
    if (i > 0 && value <= (ms[i - 1] ?? value)) throw new Error(`${file.name}: row ${i} is not after row ${i - 1}; NAB scores rows in strictly increasing time`);
  });
  return ms;
}
