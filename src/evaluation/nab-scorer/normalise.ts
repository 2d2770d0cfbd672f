import type { CostMatrix } from './profiles.ts';

/** Window counts a normalised score needs. */
export interface WindowTally {
  /** Every labelled window of the scored files: the perfect detector earns tpW for each. */
  readonly labelled: number;
  /** Windows with a row after probation: the null detector pays fnW for each. */
  readonly scored: number;
}

/**
 * Runner.normalize in nab/runner.py (github.com/numenta/NAB ea702d75):
 * 100·(S - S_null)/(S_perfect - S_null), where S_null is the null detector's score (it detects nothing,
 * so -fnW per scored window) and S_perfect is tpW per labelled window (NAB counts these from the label
 * file, probation or not). With every window scored: standard and low-FP 100(S+N)/(2N), low-FN 100(S+2N)/(3N).
 */
export function normaliseScore(raw: number, matrix: CostMatrix, windows: WindowTally): number {
  const perfect = matrix.tpWeight * windows.labelled;
  const nullScore = -matrix.fnWeight * windows.scored;
  return (100 * (raw - nullScore)) / (perfect - nullScore);
}
