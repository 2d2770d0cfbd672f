import betainc from '@stdlib/math-base-special-betainc';
import gammainc from '@stdlib/math-base-special-gammainc';

/**
 * Tail probabilities of a count with mean μ and variance φμ: Poisson when the dispersion φ is 1,
 * negative binomial above it (success probability p = 1/φ, size r = μ/(φ − 1) have exactly that mean
 * and variance). Exact for small counts, where a normal approximation calls one extra ticket on a
 * quiet series a spike; sums of counts are counts, so this holds for every horizon. Computed as
 * regularized incomplete gamma / beta functions, so tiny tails keep their precision:
 * Poisson P(X ≥ x) = P(x, μ); NB P(X ≤ k) = I_p(r, k + 1).
 */
const MIN_P = 1e-300;

/** P(X ≥ observed). */
export function upperTail(observed: number, mean: number, dispersion: number): number {
  const x = Math.ceil(observed - 1e-9);
  if (x <= 0) return 1;
  if (!(mean > 0)) return MIN_P;
  const p = dispersion <= 1 + 1e-9 ? gammainc(mean, x, true, false) : betainc(1 / dispersion, mean / (dispersion - 1), x, true, true);
  return clamp(p);
}

/** P(X ≤ observed). */
export function lowerTail(observed: number, mean: number, dispersion: number): number {
  const x = Math.floor(observed + 1e-9);
  if (x < 0) return MIN_P;
  if (!(mean > 0)) return 1;
  const p = dispersion <= 1 + 1e-9 ? gammainc(mean, x + 1, true, true) : betainc(1 / dispersion, mean / (dispersion - 1), x + 1, true, false);
  return clamp(p);
}

const clamp = (p: number): number => (Number.isNaN(p) ? 1 : Math.min(1, Math.max(MIN_P, p)));
