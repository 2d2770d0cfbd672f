/**
 * NAB's weighting curve (`sigmoid` / `scaledSigmoid` in nab/sweeper.py, github.com/numenta/NAB at
 * ea702d75): 2·sigmoid(-5p) - 1 = 2/(1+e^{5p}) - 1, and exactly -1 beyond p > 3 ("FP well behind
 * window"). p < 0 is inside a window (rewards approach +0.987 at the window's left edge), p > 0 is after one.
 */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3.0) return -1.0;
  return 2 * sigmoid(-5 * relativePosition) - 1.0;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** The reward for detecting at a window's left edge; in-window weights are divided by it so that edge earns tpWeight. */
export const MAX_TP = scaledSigmoid(-1.0);
