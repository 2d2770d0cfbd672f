import { randomInt } from 'node:crypto';

/** A source of uniform numbers in [0, 1): injected so jitter is reproducible in tests. */
export type RandomSource = () => number;

/**
 * mulberry32: a tiny seeded PRNG. Tests pass a fixed seed; production seeds it from the OS so
 * several workers do not back off in lock-step.
 */
export function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Production default: a PRNG seeded from the OS. */
export function osSeededRandom(): RandomSource {
  return mulberry32(randomInt(0, 2 ** 31));
}
