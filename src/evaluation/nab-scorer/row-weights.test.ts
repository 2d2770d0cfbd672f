import { describe, expect, it } from 'vitest';
import { NAB_PROFILES } from './profiles.ts';
import { probationLength, rowWeights } from './row-weights.ts';
import { scaledSigmoid } from './scaled-sigmoid.ts';

describe('probationLength', () => {
  it('is floor(15 % of the rows), capped at 750 rows', () => {
    expect([0, 6, 100, 4999, 5000, 15_833].map((n) => probationLength(n))).toEqual([0, 0, 15, 749, 750, 750]);
    expect(probationLength(100_000, 0.1)).toBe(500);
  });
});

describe('rowWeights (Sweeper.calcSweepScore)', () => {
  const { weights, windowOf } = rowWeights(40, [{ startIndex: 5, endIndex: 9 }, { startIndex: 30, endIndex: 31 }], NAB_PROFILES.standard);

  it('charges -fpW for a detection before the first window', () => {
    expect(Array.from(weights.slice(0, 5))).toEqual([-0.11, -0.11, -0.11, -0.11, -0.11]);
  });

  it('rewards tpW at a window\'s left edge, falling towards its right edge', () => {
    expect(weights[5]).toBe(1);
    expect(weights[9]).toBeCloseTo(scaledSigmoid(-1 / 5) / scaledSigmoid(-1), 15);
    for (let i = 6; i <= 9; i++) expect(weights[i]).toBeLessThan(weights[i - 1] ?? 0);
    expect(Array.from(windowOf.slice(4, 11))).toEqual([-1, 0, 0, 0, 0, 0, -1]);
  });

  it('charges less the closer a false positive follows a window, and -fpW from 3·(width - 1) rows past its right end', () => {
    expect(weights[10]).toBeCloseTo(0.11 * scaledSigmoid(1 / 4), 15);
    expect(weights[10]).toBeLessThan(0);
    for (let i = 11; i <= 22; i++) expect(weights[i]).toBeLessThan(weights[i - 1] ?? 0);
    expect(weights[21]).toBeCloseTo(0.11 * scaledSigmoid(12 / 4), 15);
    expect(weights[22]).toBe(-0.11);
  });

  it('measures from the latest window once past another (a two-row window: width - 1 = 1)', () => {
    expect(windowOf[30]).toBe(1);
    expect(weights[32]).toBeCloseTo(0.11 * scaledSigmoid(1), 15);
    expect(weights[35]).toBe(-0.11);
  });
});
