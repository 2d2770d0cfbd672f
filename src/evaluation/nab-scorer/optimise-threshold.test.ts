import { describe, expect, it } from 'vitest';
import { formatTimestamp } from '../series-csv/parse-timestamp.ts';
import { NO_DETECTION_THRESHOLD, optimiseThreshold } from './optimise-threshold.ts';
import { NAB_PROFILES, PROFILE_NAMES } from './profiles.ts';
import { scoreAtThreshold } from './score-corpus.ts';
import { type CorpusFile, sweepFile } from './score-file.ts';
import { parseWindows } from './windows.ts';

const T0 = Date.UTC(2014, 3, 1);
const at = (row: number) => `${formatTimestamp(T0 + row * 60_000, 'nab')}.000000`;
const timestamps = (n: number) => Array.from({ length: n }, (_, i) => T0 + i * 60_000);

/** A deterministic pseudo-random corpus; scores on a 0.05 grid so that many rows share a threshold. */
function randomCorpus(seed: number): CorpusFile[] {
  let state = seed;
  const next = () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  return [300, 200, 450].map((n, f) => ({ name: `f${f}.csv`, timestamps: timestamps(n), scores: Array.from({ length: n }, () => Math.round(next() ** 3 * 20) / 20) }));
}
const corpusWindows = parseWindows({ 'f0.csv': [[at(100), at(130)], [at(200), at(210)]], 'f1.csv': [], 'f2.csv': [[at(40), at(80)], [at(300), at(360)]] });

describe('optimiseThreshold (nab/optimizer.py over Sweeper.calcScoreByThreshold)', () => {
  it('finds the best of 1.1 and every distinct score, as scoring at each would', () => {
    for (const seed of [1, 2, 3, 4]) {
      const files = randomCorpus(seed);
      for (const profile of PROFILE_NAMES) {
        const swept = files.map((file) => sweepFile(file, corpusWindows, NAB_PROFILES[profile]));
        const candidates = [NO_DETECTION_THRESHOLD, ...new Set(swept.flatMap((f) => f.scores.slice(f.probation)))].sort((a, b) => b - a);
        const bruteForce = candidates.map((threshold) => ({ threshold, score: scoreAtThreshold(files, corpusWindows, profile, threshold).raw }));
        const best = bruteForce.reduce((a, b) => (b.score > a.score + 1e-12 ? b : a));
        const found = optimiseThreshold(swept, NAB_PROFILES[profile]);
        expect(found.threshold, `seed ${seed} ${profile}`).toBe(best.threshold);
        expect(found.score).toBeCloseTo(best.score, 10);
      }
    }
  });

  it('keeps the higher threshold when two score the same (NAB\'s stable sort)', () => {
    // Row 20 (score 0.9) is the window's left edge; row 25 (0.8) is later in it and adds nothing.
    const scores = Array.from({ length: 60 }, (_, i) => (i === 20 ? 0.9 : i === 25 ? 0.8 : 0.1));
    const windows = parseWindows({ 'a.csv': [[at(20), at(30)]] });
    const swept = [sweepFile({ name: 'a.csv', timestamps: timestamps(60), scores }, windows, NAB_PROFILES.standard)];
    expect(optimiseThreshold(swept, NAB_PROFILES.standard)).toEqual({ threshold: 0.9, score: 1 });
  });

  it('stays at 1.1 (the null detector\'s score) when any detection costs more than it earns', () => {
    const scores = Array.from({ length: 60 }, () => 0.5);
    const windows = parseWindows({ 'a.csv': [[at(20), at(30)]] });
    const swept = [sweepFile({ name: 'a.csv', timestamps: timestamps(60), scores }, windows, NAB_PROFILES.reward_low_FP_rate)];
    expect(optimiseThreshold(swept, NAB_PROFILES.reward_low_FP_rate)).toEqual({ threshold: 1.1, score: -1 });
  });
});
