import type { CostMatrix } from './profiles.ts';
import type { SweptFile } from './score-file.ts';

/** NAB's starting threshold: above any score in [0, 1], so nothing is detected (the null detector's score). */
export const NO_DETECTION_THRESHOLD = 1.1;

export interface ThresholdChoice {
  readonly threshold: number;
  /** Raw corpus score S at that threshold. */
  readonly score: number;
}

interface ScorableRows {
  readonly scores: Float64Array;
  readonly weights: Float64Array;
  /** Window id across the corpus, -1 outside windows. */
  readonly windows: Int32Array;
}

/**
 * The corpus-wide threshold of nab/optimizer.py (optimizeThreshold) with Sweeper.calcScoreByThreshold
 * (nab/sweeper.py, github.com/numenta/NAB ea702d75): every non-probation row of every file, sorted by
 * score descending once, then swept so that S is known at 1.1 and at each distinct score (detections
 * are the rows scoring >= it). O(R log R) for R rows. NAB keeps the first of equal best scores in that
 * descending order (a stable sort), so ties go to the higher threshold; so here.
 */
export function optimiseThreshold(files: readonly SweptFile[], matrix: CostMatrix): ThresholdChoice {
  const rows = scorableRows(files);
  const order = Array.from({ length: rows.scores.length }, (_, i) => i).sort((a, b) => (rows.scores[b] ?? 0) - (rows.scores[a] ?? 0));
  const windowScores = initialWindowScores(files, matrix);
  let windowSum = windowScores.reduce((sum, s) => sum + s, 0);
  let fpSum = 0;
  let threshold = NO_DETECTION_THRESHOLD;
  let best: ThresholdChoice = { threshold, score: windowSum };
  for (const row of order) {
    const score = rows.scores[row] ?? 0;
    if (score !== threshold) {
      if (windowSum + fpSum > best.score) best = { threshold, score: windowSum + fpSum };
      threshold = score;
    }
    const window = rows.windows[row] ?? -1;
    const weight = rows.weights[row] ?? 0;
    if (window < 0) {
      fpSum += weight;
    } else if (weight > (windowScores[window] ?? 0)) {
      windowSum += weight - (windowScores[window] ?? 0);
      windowScores[window] = weight;
    }
  }
  if (windowSum + fpSum > best.score) best = { threshold, score: windowSum + fpSum };
  return best;
}

/** -fnW for each window with a row after probation, 0 (never counted) for a window wholly inside it. */
function initialWindowScores(files: readonly SweptFile[], matrix: CostMatrix): number[] {
  return files.flatMap((file) => file.scored.map((scored) => (scored ? -matrix.fnWeight : 0)));
}

function scorableRows(files: readonly SweptFile[]): ScorableRows {
  const total = files.reduce((sum, file) => sum + Math.max(0, file.scores.length - file.probation), 0);
  const rows: ScorableRows = { scores: new Float64Array(total), weights: new Float64Array(total), windows: new Int32Array(total) };
  let at = 0;
  let windowBase = 0;
  for (const file of files) {
    for (let i = file.probation; i < file.scores.length; i++, at++) {
      const window = file.windowOf[i] ?? -1;
      rows.scores[at] = file.scores[i] ?? 0;
      rows.weights[at] = file.weights[i] ?? 0;
      rows.windows[at] = window < 0 ? -1 : windowBase + window;
    }
    windowBase += file.windowCount;
  }
  return rows;
}
