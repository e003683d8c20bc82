import { type Rng } from '../data/prng';

/**
 * Truncated-normal initialization as Flax `variance_scaling(scale, 'truncated_normal', mode)` (PAPER §3.2): draw
 * z ~ N(0,1) truncated to [−2, 2], divide by the standard deviation of that truncated normal so that the variance
 * is exactly 1, then multiply by √(target variance).
 */

/** Standard deviation of N(0,1) truncated to [−2, 2]: √(1 − 2·2·φ(2)/(Φ(2) − Φ(−2))). */
export const TRUNCATED_NORMAL_STD = 0.8796256610342398;

/** Fills a new array with n draws of variance exactly `variance` (in expectation) from the rescaled truncated normal. */
export function truncatedNormal(rng: Rng, n: number, variance: number): Float32Array {
  const out = new Float32Array(n);
  const scale = Math.sqrt(variance) / TRUNCATED_NORMAL_STD;
  for (let i = 0; i < n; i++) {
    let z = rng.normal();
    while (z < -2 || z > 2) z = rng.normal();
    out[i] = z * scale;
  }
  return out;
}
