import type { RandomSource } from '../../connector-kit/random.ts';

/** Seeded samplers for count series: standard normal, gamma, Poisson, and their mixture (negative binomial). */
export function normal(random: RandomSource): number {
  // Box–Muller; 1 − u keeps the logarithm finite.
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape, 1) by Marsaglia and Tsang (ACM TOMS 26(3), 2000); shape < 1 by the boost u^(1/shape). */
export function gamma(random: RandomSource, shape: number): number {
  if (shape < 1) return gamma(random, shape + 1) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Poisson(mean): multiplication of uniforms for small means, a rounded normal beyond (mean > 60). */
export function poisson(random: RandomSource, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(random)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k += 1;
    p *= random();
  }
  return k;
}

/** A count with the given mean and variance dispersion × mean (gamma–Poisson mixture; Poisson at 1). */
export function overdispersedCount(random: RandomSource, mean: number, dispersion: number): number {
  if (dispersion <= 1 + 1e-9) return poisson(random, mean);
  const shape = mean / (dispersion - 1);
  return poisson(random, gamma(random, shape) * (dispersion - 1));
}
