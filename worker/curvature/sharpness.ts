import type * as tf from '@tensorflow/tfjs';
import { flattenToFloat64, makeFdHvp, type GradientAt, type PreActivationsAt } from './hvp';
import { lanczosTop, type LanczosOptions } from './lanczos';

/**
 * Sharpness λ^H = λ_max(∇²L) and preconditioned sharpness λ^{P⁻¹H} on one batch (PAPER §4.1). The latter is computed
 * as λ_max of the symmetric P^{−1/2}·H·P^{−1/2}, which has the eigenvalues of P⁻¹H (PAPER §4.1 [I]), with P the
 * diagonal preconditioner of the update about to be taken (Optimizer.preconditioner).
 */

export interface SharpnessOptions {
  /** Displacement norm of the finite difference (default 1e-4, see hvp.ts). */
  eps?: number;
  lanczos?: LanczosOptions;
  /**
   * Which displacements to check for ReLU sign flips: 'every' (default) checks every product first and retries a
   * flipped one with ε/10 (two forward passes per product, about +1/3 of an HVP); 'ritz' checks only the returned
   * eigenvector (two forward passes per estimate); 'none' skips the check. Without pre-activations nothing is checked.
   */
  flipCheck?: 'ritz' | 'every' | 'none';
}

export interface SharpnessEstimate {
  value: number;
  /** HVPs (Lanczos iterations) used. */
  iterations: number;
  converged: boolean;
  residual: number;
  /**
   * Largest number of ReLU units that flipped sign between θ±hv in a product the estimate used (after retries with a
   * smaller ε) or along the returned eigenvector; 0 = clean, null = not checked.
   */
  fdFlips: number | null;
  /** Products whose first try at the nominal ε had flips and were retried with a smaller ε. */
  fdRetried: number;
  /** Unit eigenvector in the coordinates of the operator (for a warm start of the next estimate). */
  vector: Float64Array;
}

export interface SharpnessInput extends SharpnessOptions {
  params: readonly tf.Tensor[];
  /** Gradient on the fixed batch (see hvp.ts). */
  gradAt: GradientAt;
  preActivationsAt?: PreActivationsAt;
  /** Diagonal of P (same shapes as params) for λ^{P⁻¹H}; null or absent for λ^H. */
  preconditioner?: readonly tf.Tensor[] | null;
}

/** λ_max of H (or of P^{−1/2}HP^{−1/2} when a preconditioner is given) by Lanczos over finite-difference HVPs. */
export function estimateSharpness(input: SharpnessInput): SharpnessEstimate {
  const flipCheck = input.flipCheck ?? 'every';
  const hvp = makeFdHvp({
    params: input.params,
    gradAt: input.gradAt,
    eps: input.eps,
    preActivationsAt: flipCheck === 'none' ? undefined : input.preActivationsAt,
    checkEveryProduct: flipCheck === 'every',
  });
  const n = hvp.n;
  let scale: Float64Array | null = null;
  if (input.preconditioner !== undefined && input.preconditioner !== null) {
    const p = flattenToFloat64(input.preconditioner);
    if (p.length !== n) throw new Error(`sharpness: preconditioner has ${p.length} entries, parameters ${n}`);
    scale = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const pi = p[i] ?? NaN;
      if (!(pi > 0)) throw new Error(`sharpness: preconditioner entry ${i} is ${pi}, must be > 0`);
      scale[i] = 1 / Math.sqrt(pi);
    }
  }
  const s = scale;
  const scaled = (v: Float64Array): Float64Array => {
    if (s === null) return v;
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = (v[i] ?? 0) * (s[i] ?? 0);
    return out;
  };
  const op = (v: Float64Array): Float64Array => scaled(hvp.apply(scaled(v)));
  const res = lanczosTop(op, n, input.lanczos);
  let fdFlips = hvp.maxFlips;
  if (flipCheck === 'ritz') {
    const f = hvp.flipsAlong(scaled(res.vector));
    fdFlips = f === null ? null : Math.max(f, fdFlips ?? 0);
  }
  return {
    value: res.value,
    iterations: res.iterations,
    converged: res.converged,
    residual: res.residual,
    fdFlips,
    fdRetried: hvp.flippedProducts,
    vector: res.vector,
  };
}
