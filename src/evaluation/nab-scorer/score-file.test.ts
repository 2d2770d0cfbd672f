import { describe, expect, it } from 'vitest';
import { formatTimestamp } from '../series-csv/parse-timestamp.ts';
import { NAB_PROFILES } from './profiles.ts';
import { MAX_TP, scaledSigmoid } from './scaled-sigmoid.ts';
import { scoreAtThreshold } from './score-corpus.ts';
import { scoreFileAtThreshold, sweepFile } from './score-file.ts';
import { parseWindows } from './windows.ts';

const T0 = Date.UTC(2015, 1, 26, 21, 42, 53);
const at = (row: number) => `${formatTimestamp(T0 + row * 300_000, 'nab')}.000000`;
const timestamps = (n: number) => Array.from({ length: n }, (_, i) => T0 + i * 300_000);
const scoresWith = (n: number, detections: Record<number, number>) => Array.from({ length: n }, (_, i) => detections[i] ?? 0);
const standard = NAB_PROFILES.standard;

describe('scoring one file at a threshold (Sweeper.scoreDataSet)', () => {
  // 100 rows: probation 15; window 0 wholly inside it, window 1 straddles its end, window 2 after it.
  const windows = parseWindows({ 'a.csv': [[at(2), at(5)], [at(10), at(20)], [at(50), at(59)]] });
  const swept = (detections: Record<number, number>) => sweepFile({ name: 'a.csv', timestamps: timestamps(100), scores: scoresWith(100, detections) }, windows, standard);

  it('never counts a window wholly inside probation, not even as a miss', () => {
    const file = swept({ 3: 1 });
    expect(file.probation).toBe(15);
    expect(file.scored).toEqual([false, true, true]);
    expect(scoreFileAtThreshold(file, 0.5, standard)).toEqual({ name: 'a.csv', threshold: 0.5, score: -2, tp: 0, tn: 69, fp: 0, fn: 16, total: 100 });
  });

  it('scores a window straddling probation on its later rows only, positions still from its real start', () => {
    const file = swept({ 12: 1, 16: 1 });
    const result = scoreFileAtThreshold(file, 0.5, standard);
    expect(file.weights[16]).toBeCloseTo(scaledSigmoid(-(20 - 16 + 1) / 11) / MAX_TP, 15);
    expect(result.score).toBeCloseTo(-1 + (file.weights[16] ?? Number.NaN), 15);
    expect(result.tp).toBe(1);
  });

  it('detects at score >= threshold, keeps only the best detection per window, counts TP/FN per row', () => {
    const file = swept({ 52: 0.7, 50: 0.6, 55: 0.9 });
    const result = scoreFileAtThreshold(file, 0.6, standard);
    expect(result.score).toBeCloseTo(-1 + 1, 15);
    expect({ tp: result.tp, fn: result.fn }).toEqual({ tp: 3, fn: 13 });
    expect(scoreFileAtThreshold(file, 0.61, standard).score).toBeCloseTo(-1 + (file.weights[52] ?? 0), 15);
  });

  it('adds each false positive\'s weight, by distance from the previous window', () => {
    const file = swept({ 21: 1, 90: 1, 30: 0.4 });
    const result = scoreFileAtThreshold(file, 0.5, standard);
    expect(result.score).toBeCloseTo(-2 + (file.weights[21] ?? 0) - 0.11, 15);
    expect({ fp: result.fp, tn: result.tn }).toEqual({ fp: 2, tn: 67 });
  });

  it('normalises against tpW per labelled window and -fnW per scored window', () => {
    const result = scoreAtThreshold([{ name: 'a.csv', timestamps: timestamps(100), scores: scoresWith(100, { 15: 1, 50: 1 }) }], windows, 'standard', 0.5);
    expect(result.windows).toEqual({ labelled: 3, scored: 2 });
    expect(result.normalised).toBeCloseTo((100 * (result.raw + 2)) / (3 + 2), 12);
  });

  it('refuses input NAB would mis-score', () => {
    const file = { name: 'a.csv', timestamps: timestamps(100), scores: scoresWith(100, {}) };
    expect(() => sweepFile({ ...file, name: 'b.csv' }, windows, standard)).toThrow(/b\.csv: no entry in the windows JSON/);
    expect(() => sweepFile({ ...file, scores: [1] }, windows, standard)).toThrow(/100 timestamps but 1 scores/);
    expect(() => sweepFile({ ...file, scores: scoresWith(100, { 7: Number.NaN }) }, windows, standard)).toThrow(/row 7 .* non-finite anomaly score/);
    expect(() => sweepFile({ ...file, timestamps: timestamps(100).map((t, i) => (i === 40 ? T0 : t)) }, windows, standard)).toThrow(/row 40 is not after row 39/);
    const shifted = { ...file, timestamps: timestamps(100).map((t) => t + 1000) };
    expect(() => sweepFile(shifted, windows, standard)).toThrow(/window 0 starts at .* which is no row's timestamp/);
    expect(() => sweepFile({ ...file, timestamps: [...timestamps(99).map((t) => formatTimestamp(t, 'nab')), 'soon'] }, windows, standard)).toThrow(/row 99 has an unparseable timestamp "soon"/);
  });
});
