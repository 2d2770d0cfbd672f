import { describe, expect, it } from 'vitest';
import { MAX_TP, scaledSigmoid } from './scaled-sigmoid.ts';

describe('scaledSigmoid (nab/sweeper.py)', () => {
  it('is 2/(1+e^{5p}) - 1 up to p = 3 and exactly -1 beyond', () => {
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(3)).toBeCloseTo(2 / (1 + Math.exp(15)) - 1, 15);
    expect(scaledSigmoid(3)).toBeGreaterThan(-1);
    expect(scaledSigmoid(3.000001)).toBe(-1);
    expect(scaledSigmoid(Number.POSITIVE_INFINITY)).toBe(-1);
    expect(scaledSigmoid(-0.4)).toBeCloseTo(-scaledSigmoid(0.4), 15);
  });

  it('rewards at most NAB\'s maxTP, reached at a window\'s left edge (p = -1)', () => {
    expect(MAX_TP).toBe(0.9866142981514305);
    expect(scaledSigmoid(-0.5)).toBeLessThan(MAX_TP);
  });
});
