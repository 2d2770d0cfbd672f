import type { CostMatrix } from './profiles.ts';
import { MAX_TP, scaledSigmoid } from './scaled-sigmoid.ts';
import type { WindowIndices } from './windows.ts';

/** NAB's default share of each file that is probation (nab/runner.py, `probationaryPercent`). */
export const PROBATION_PERCENT = 0.15;

/**
 * Rows at the start of a file that are never scored: `min(floor(p·n), p·5000)`, i.e. at most 750 rows
 * at the default 15 % (Sweeper._getProbationaryLength in nab/sweeper.py, github.com/numenta/NAB ea702d75).
 */
export function probationLength(rows: number, probationPercent = PROBATION_PERCENT): number {
  return Math.min(Math.floor(probationPercent * rows), probationPercent * 5000);
}

/** Each row's "sweep score" (the weight its detection would add) and the window it lies in (-1: none). */
export interface RowWeights {
  readonly weights: Float64Array;
  readonly windowOf: Int32Array;
}

/**
 * Sweeper.calcSweepScore in nab/sweeper.py (ea702d75), row by row over the whole file, probation
 * included (probation only hides rows later; window positions and the distance to the previous window
 * still count them). Inside a window, a detection earns tpW·scaledSigmoid(-(right - i + 1)/width)/MAX_TP,
 * tpW at the left edge, ~0 at the right. Outside, it costs fpW·scaledSigmoid(|prevRight - i|/(prevWidth - 1)):
 * slightly less than nothing just after a window, -fpW far from it and before the first window.
 * The operation order of NAB's Python is kept so the doubles match.
 */
export function rowWeights(rows: number, windows: readonly WindowIndices[], matrix: CostMatrix): RowWeights {
  const weights = new Float64Array(rows);
  const windowOf = new Int32Array(rows).fill(-1);
  let next = 0;
  let current = -1;
  let right = -1;
  let width = 0;
  let prevRight: number | undefined;
  let prevWidth = 0;
  for (let i = 0; i < rows; i++) {
    const upcoming = windows[next];
    if (current < 0 && upcoming !== undefined && upcoming.startIndex === i) {
      [current, right, width] = [next, upcoming.endIndex, upcoming.endIndex - upcoming.startIndex + 1];
    }
    if (current >= 0) {
      windowOf[i] = current;
      weights[i] = (scaledSigmoid(-(right - i + 1) / width) * matrix.tpWeight) / MAX_TP;
    } else {
      // A one-row previous window divides by zero: Python raises, here the weight is -fpW (p = ∞ > 3).
      const unweighted = prevRight === undefined ? -1.0 : scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1));
      weights[i] = unweighted * matrix.fpWeight;
    }
    if (current >= 0 && i === right) {
      [prevRight, prevWidth, current] = [i, width, -1];
      next++;
    }
  }
  return { weights, windowOf };
}
