import { describe, expect, it } from 'vitest';
import { admitByFalseDiscoveryRate } from './fleet-control.ts';

describe('admitByFalseDiscoveryRate', () => {
  it('admits a strong proposal among few series', () => {
    expect(admitByFalseDiscoveryRate([null, 1e-6, null], 3, 0.05)).toEqual([false, true, false]);
  });

  it('asks more of a lone proposal the more series were tested', () => {
    expect(admitByFalseDiscoveryRate([1e-6], 100_000, 0.05)).toEqual([false]);
    expect(admitByFalseDiscoveryRate([1e-7], 100_000, 0.05)).toEqual([true]);
  });

  it('admits every proposal up to the largest rank under the line, not only those under their own step', () => {
    // Sorted: 1e-7 (≤ q·1/m = 5e-7), 8e-7 (> 1e-6? no: ≤ q·2/m = 1e-6), 2e-6 (> 1.5e-6): two admitted.
    const admitted = admitByFalseDiscoveryRate([2e-6, 1e-7, 8e-7], 100_000, 0.05);
    expect(admitted).toEqual([false, true, true]);
  });

  it('admits nothing when nothing is proposed', () => {
    expect(admitByFalseDiscoveryRate([null, null], 2, 0.05)).toEqual([false, false]);
  });
});
