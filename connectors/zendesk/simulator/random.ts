/**
 * Seeded randomness. Sequential draws use mulberry32 (the connector kit's); per-ticket attributes use a stateless hash of
 * (seed, id, salt) so a ticket's JSON can be regenerated on demand instead of being stored — that is
 * what keeps a 1M-ticket history in a few typed arrays.
 */
export { mulberry32 } from '../../../src/connector-kit/random.ts';

function fmix32(input: number): number {
  let h = input | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of three integers (murmur3 finalizer chained). */
export function hash32(seed: number, id: number, salt: number): number {
  return fmix32(fmix32(fmix32(seed ^ 0x9e3779b9) ^ id) + Math.imul(salt | 0, 0x27d4eb2f));
}

/** Uniform in [0, 1), a pure function of its arguments. */
export function unitHash(seed: number, id: number, salt: number): number {
  return hash32(seed, id, salt) / 4294967296;
}

/** Standard normal from two uniforms (Box–Muller). */
export function standardNormal(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(Math.max(u1, 1e-12))) * Math.cos(2 * Math.PI * u2);
}

/** Poisson draw: exact (Knuth) for small means, normal approximation above. */
export function poisson(mean: number, random: () => number): number {
  if (!(mean > 0)) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * standardNormal(random(), random())));
  const limit = Math.exp(-mean);
  let count = 0;
  let product = random();
  while (product > limit) {
    count++;
    product *= random();
  }
  return count;
}

/** Index into a normalised cumulative distribution (last entry 1). */
export function pickIndex(cumulative: ArrayLike<number>, u: number): number {
  for (let i = 0; i < cumulative.length - 1; i++) {
    if (u < (cumulative[i] ?? 1)) return i;
  }
  return cumulative.length - 1;
}
