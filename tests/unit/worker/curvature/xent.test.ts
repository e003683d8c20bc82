import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharpnessAt } from '../../../../worker/curvature/measure';
import { linearModel, referenceLambdaMax, syntheticData, toBatch } from './fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Softmax cross-entropy is where TF.js's nested tf.grad is silently wrong (FACTS.md); the finite-difference HVP must
 * be right there. For a linear model, L = −(1/B)·Σ_n Σ_k y_nk·log p_nk has the exact Hessian
 * (1/B)·Σ_n (diag(p_n) − p_n p_nᵀ) ⊗ x̃_n x̃_nᵀ, assembled here in float64 with x̃ = (x, 1).
 */
describe('λ^H under softmax cross-entropy (linear model)', () => {
  it('equals the top eigenvalue of the exact float64 Hessian to 1e-3 relative', () => {
    const [b, d, k] = [48, 6, 3];
    const data = syntheticData(b, d, k, 21);
    const batch = toBatch(data);
    const model = linearModel(d, k);
    // Scale θ up so that the softmax is far from uniform and the p_n vary.
    const params = tf.tidy(() => model.init(5).map((p) => tf.mul(p, 3)));
    const w = params[0]?.dataSync() ?? new Float32Array(0);
    const bias = params[1]?.dataSync() ?? new Float32Array(0);
    const n = (d + 1) * k;
    // Index of W[i, c] is i·K + c; of b[c] is d·K + c: that is x̃_i with i = d for the bias.
    const idx = (i: number, c: number): number => i * k + c;
    const h = new Float64Array(n * n);
    for (let s = 0; s < b; s++) {
      const xt = Array.from({ length: d + 1 }, (_, i) => (i < d ? (data.x[s * d + i] ?? 0) : 1));
      const logits = Array.from({ length: k }, (_, c) => {
        let z = bias[c] ?? 0;
        for (let i = 0; i < d; i++) z += (xt[i] ?? 0) * (w[i * k + c] ?? 0);
        return z;
      });
      const m = Math.max(...logits);
      const e = logits.map((z) => Math.exp(z - m));
      const sum = e.reduce((a, x) => a + x, 0);
      const p = e.map((x) => x / sum);
      for (let i = 0; i <= d; i++)
        for (let j = 0; j <= d; j++)
          for (let c = 0; c < k; c++)
            for (let c2 = 0; c2 < k; c2++) {
              const a = ((c === c2 ? (p[c] ?? 0) : 0) - (p[c] ?? 0) * (p[c2] ?? 0)) * (xt[i] ?? 0) * (xt[j] ?? 0);
              h[idx(i, c) * n + idx(j, c2)] = (h[idx(i, c) * n + idx(j, c2)] ?? 0) + a / b;
            }
    }
    const exact = referenceLambdaMax(h, n);
    const est = sharpnessAt({ model, params, batch, lossKind: 'xent', lanczos: { tol: 1e-6, maxIter: n } });
    expect(Math.abs(est.value - exact) / exact).toBeLessThan(1e-3);
    tf.dispose([...params, batch.x, batch.y]);
  });
});
