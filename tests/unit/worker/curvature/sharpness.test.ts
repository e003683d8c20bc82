import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../worker/engine/backend';
import { flattenToFloat64, type GradientAt } from '../../../../worker/curvature/hvp';
import { gaussianVector } from '../../../../worker/curvature/lanczos';
import { estimateSharpness } from '../../../../worker/curvature/sharpness';
import {
  denseFromOperator,
  gradAtFor,
  linearModel,
  mlpHvp64,
  preActsFor,
  referenceLambdaMax,
  reluMlp,
  syntheticData,
  toBatch,
} from './fixtures';

/** Q·diag(spectrum)·Qᵀ with Q from Gram–Schmidt on a seeded Gaussian matrix (float64). */
function rotatedMatrix(spectrum: readonly number[], seed: number): Float64Array {
  const n = spectrum.length;
  const g = gaussianVector(n * n, seed);
  const q: Float64Array[] = [];
  for (let c = 0; c < n; c++) {
    const v = Float64Array.from({ length: n }, (_, i) => g[i * n + c] ?? 0);
    for (const u of q) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (v[i] ?? 0) * (u[i] ?? 0);
      for (let i = 0; i < n; i++) v[i] = (v[i] ?? 0) - s * (u[i] ?? 0);
    }
    const nv = Math.hypot(...v);
    q.push(v.map((x) => x / nv));
  }
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += (q[c]?.[i] ?? 0) * (spectrum[c] ?? 0) * (q[c]?.[j] ?? 0);
      a[i * n + j] = s;
    }
  return a;
}

function quadraticGrad(a: Float64Array, n: number): { gradAt: GradientAt; dispose: () => void } {
  const aT = tf.tensor2d(Float32Array.from(a), [n, n]);
  return {
    gradAt: (ps) => ({ grads: [tf.tidy(() => tf.matMul(aT, ps[0] as tf.Tensor2D))] }),
    dispose: () => aT.dispose(),
  };
}

// The accuracy claims must hold on both backends available here (FACTS.md: wasm and cpu).
describe.each(['cpu', 'wasm'] as const)('%s backend', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
    expect(tf.getBackend()).toBe(backend);
  });

  describe('λ^H on a quadratic with a known spectrum', () => {
    it('equals the top eigenvalue 40 to 1e-3 relative with the default ε = 1e-4', () => {
      const n = 60;
      const spectrum = Array.from({ length: n }, (_, i) => (i === 0 ? 40 : -30 + i));
      const a = rotatedMatrix(spectrum, 3);
      const q = quadraticGrad(a, n);
      const theta = [tf.tensor2d(Float32Array.from(gaussianVector(n, 4)), [n, 1])];
      const est = estimateSharpness({ params: theta, gradAt: q.gradAt });
      expect(est.converged).toBe(true);
      expect(Math.abs(est.value - 40) / 40).toBeLessThan(1e-3);
      expect(est.fdFlips).toBeNull();
      tf.dispose(theta);
      q.dispose();
    });
  });

  describe('λ^H of a linear model (FCN-1) under MSE', () => {
    it('equals λ_max(X̃ᵀX̃)/(B·K) computed independently in float64, to 1e-3 relative', () => {
      // The loss is 0.5·mean over B×K of (xW + b − y)², so the Hessian is block-diagonal with one block X̃ᵀX̃/(B·K)
      // per output (X̃ = inputs with a ones column): its top eigenvalue is that of X̃ᵀX̃/(B·K).
      const [b, d, k] = [64, 10, 3];
      const data = syntheticData(b, d, k, 9);
      // Shift the inputs so the bias direction matters.
      const x = data.x.map((v, i) => v + (i % d) * 0.3);
      const shifted = { ...data, x };
      const batch = toBatch(shifted);
      const model = linearModel(d, k);
      const params = model.init(1);
      const gram = new Float64Array((d + 1) * (d + 1));
      for (let n = 0; n < b; n++)
        for (let i = 0; i <= d; i++)
          for (let j = 0; j <= d; j++) {
            const xi = i < d ? (x[n * d + i] ?? 0) : 1;
            const xj = j < d ? (x[n * d + j] ?? 0) : 1;
            gram[i * (d + 1) + j] = (gram[i * (d + 1) + j] ?? 0) + (xi * xj) / (b * k);
          }
      const exact = referenceLambdaMax(gram, d + 1);
      const est = estimateSharpness({ params, gradAt: gradAtFor(model, batch) });
      expect(est.converged).toBe(true);
      expect(Math.abs(est.value - exact) / exact).toBeLessThan(1e-3);
      tf.dispose([...params, batch.x, batch.y]);
    });
  });

  describe('λ^H and λ^{P⁻¹H} of a ReLU MLP against its dense float64 Hessian', () => {
    const [d, m, k, b] = [8, 24, 4, 256];
    const model = reluMlp(d, m, k);

    for (const seed of [1, 2]) {
      it(`seed ${seed}: λ^H within 1% of λ_max of the Hessian assembled column by column; no flips left`, () => {
        const data = syntheticData(b, d, k, seed);
        const batch = toBatch(data);
        const params = model.init(seed);
        const theta = flattenToFloat64(params);
        const n = theta.length;
        const exact = referenceLambdaMax(
          denseFromOperator((v) => mlpHvp64(theta, v, data, m), n),
          n,
        );
        const est = estimateSharpness({
          params,
          gradAt: gradAtFor(model, batch),
          preActivationsAt: preActsFor(model, batch),
        });
        expect(est.converged).toBe(true);
        expect(est.fdFlips).toBe(0);
        expect(Math.abs(est.value - exact) / exact).toBeLessThan(1e-2);
        // Lanczos needs far fewer products than the 316 columns of the dense Hessian.
        expect(est.iterations).toBeLessThan(40);
        tf.dispose([...params, batch.x, batch.y]);
      });
    }

    it('λ^{P⁻¹H} with Adam’s first preconditioner P = (1−β1)(|g|+ε) equals λ_max(P^{−1/2}HP^{−1/2}) within 1%', () => {
      const data = syntheticData(b, d, k, 1);
      const batch = toBatch(data);
      const params = model.init(1);
      const theta = flattenToFloat64(params);
      const n = theta.length;
      const grads = gradAtFor(model, batch)(params).grads;
      const g = flattenToFloat64(grads);
      // At t = 1 Adam's v̂ = g², so P = (1 − β1)(√v̂ + ε) = 0.1(|g| + 1e-8) (PAPER §4.1).
      const p = g.map((x) => 0.1 * (Math.abs(x) + 1e-8));
      const pTensors = tf.tidy(() => grads.map((gt) => tf.mul(0.1, tf.add(tf.abs(gt), 1e-8))));
      const s = p.map((x) => 1 / Math.sqrt(x));
      const exact = referenceLambdaMax(
        denseFromOperator(
          (v) =>
            mlpHvp64(
              theta,
              v.map((x, i) => x * (s[i] ?? 0)),
              data,
              m,
            ).map((x, i) => x * (s[i] ?? 0)),
          n,
        ),
        n,
      );
      const est = estimateSharpness({
        params,
        gradAt: gradAtFor(model, batch),
        preActivationsAt: preActsFor(model, batch),
        preconditioner: pTensors,
      });
      expect(est.fdFlips).toBe(0);
      expect(Math.abs(est.value - exact) / exact).toBeLessThan(1e-2);
      // Adam's preconditioning makes this number orders of magnitude above λ^H (PAPER P8: 10^5–10^6 on FCNs).
      expect(exact).toBeGreaterThan(100);
      tf.dispose([...params, ...grads, ...pTensors, batch.x, batch.y]);
    });
  });

  describe('λ^{P⁻¹H} on a quadratic with a known diagonal P', () => {
    it('equals the top eigenvalue of P^{−1/2}AP^{−1/2} (reference in float64) to 1e-3 relative', () => {
      const n = 30;
      const a = rotatedMatrix(
        Array.from({ length: n }, (_, i) => 1 + i),
        21,
      );
      const pDiag = Float64Array.from({ length: n }, (_, i) => 10 ** (-2 + (4 * i) / (n - 1)));
      const scaled = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          scaled[i * n + j] = (a[i * n + j] ?? 0) / Math.sqrt((pDiag[i] ?? 1) * (pDiag[j] ?? 1));
      const exact = referenceLambdaMax(scaled, n);
      const q = quadraticGrad(a, n);
      const theta = [tf.tensor2d(Float32Array.from(gaussianVector(n, 8)), [n, 1])];
      const pT = [tf.tensor2d(Float32Array.from(pDiag), [n, 1])];
      // Central differences are exact on a quadratic, so a large ε keeps float32 rounding out of this test of the
      // P^{−1/2}·H·P^{−1/2} algebra (P spans 1e−2..1e2); a tight tolerance makes Lanczos use the full Krylov space.
      const est = estimateSharpness({
        params: theta,
        gradAt: q.gradAt,
        preconditioner: pT,
        eps: 1e-2,
        lanczos: { maxIter: n, tol: 1e-7 },
      });
      expect(Math.abs(est.value - exact) / exact).toBeLessThan(1e-3);
      expect(() => estimateSharpness({ params: theta, gradAt: q.gradAt, preconditioner: [tf.zeros([n, 1])] })).toThrow(
        /must be > 0/,
      );
      tf.dispose([...theta, ...pT]);
      q.dispose();
    });
  });
});
