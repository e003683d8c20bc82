import * as tf from '@tensorflow/tfjs';
import type { Batch, Model } from '../../../../worker/engine/types';
import type { GradientAt, PreActivationsAt } from '../../../../worker/curvature/hvp';
import { gaussianVector } from '../../../../worker/curvature/lanczos';

/**
 * Tiny models for the curvature tests, independent of the engine's own models: a linear model and a one-hidden-layer
 * ReLU MLP (FCN-2), both with MSE = 0.5·mean over batch×classes (PAPER §3.4), plus float64 references computed by
 * hand in plain JS (exact Hessian-vector products by Pearlmutter's R-operator, and dense Hessians).
 */

/** One-hot targets [n, k], example i of class i mod k. */
export function cyclicOneHot(n: number, k: number): tf.Tensor2D {
  return tf.tidy(() =>
    tf
      .oneHot(
        tf.tensor1d(
          Array.from({ length: n }, (_, i) => i % k),
          'int32',
        ),
        k,
      )
      .toFloat(),
  ) as tf.Tensor2D;
}

export function mse(logits: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  return tf.mul(0.5, tf.mean(tf.square(tf.sub(logits, y))));
}

export interface Data64 {
  /** Inputs, row-major [B, d]. */
  x: Float64Array;
  /** Targets, row-major [B, K]. */
  y: Float64Array;
  b: number;
  d: number;
  k: number;
}

/** Gaussian inputs and one-hot targets of a seeded random class. */
export function syntheticData(b: number, d: number, k: number, seed: number): Data64 {
  const x = gaussianVector(b * d, seed);
  const u = gaussianVector(b, seed + 1);
  const y = new Float64Array(b * k);
  for (let i = 0; i < b; i++) y[i * k + (Math.floor(Math.abs(u[i] ?? 0) * 1000) % k)] = 1;
  return { x, y, b, d, k };
}

export function toBatch(data: Data64): Batch {
  return {
    x: tf.tensor2d(Float32Array.from(data.x), [data.b, data.d]),
    y: tf.tensor2d(Float32Array.from(data.y), [data.b, data.k]),
  };
}

/** FCN-1 (linear): logits = x·W + b. Params [W (d×K), b (K)]. */
export function linearModel(d: number, k: number): Model {
  return {
    spec: { kind: 'fcn', depth: 1, width: k },
    parameterization: 'sp',
    paramSpecs: [
      { name: 'dense0/kernel', shape: [d, k] },
      { name: 'dense0/bias', shape: [k] },
    ],
    paramCount: d * k + k,
    inputShape: [d],
    numClasses: k,
    init(seed) {
      const w = gaussianVector(d * k, seed).map((v) => v / Math.sqrt(d));
      return [tf.tensor2d(Float32Array.from(w), [d, k]), tf.zeros([k])];
    },
    apply(params, x) {
      const [w, b] = params as [tf.Tensor2D, tf.Tensor1D];
      return tf.add(tf.matMul(x as tf.Tensor2D, w), b);
    },
  };
}

/** FCN-2: logits = relu(x·W1 + b1)·W2 + b2, He init (σ² = 2 hidden, 1 readout), biases 0. */
export interface Mlp extends Model {
  preActivations(params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor[];
}

export function reluMlp(d: number, m: number, k: number): Mlp {
  return {
    spec: { kind: 'fcn', depth: 2, width: m },
    parameterization: 'sp',
    paramSpecs: [
      { name: 'dense0/kernel', shape: [d, m] },
      { name: 'dense0/bias', shape: [m] },
      { name: 'dense1/kernel', shape: [m, k] },
      { name: 'dense1/bias', shape: [k] },
    ],
    paramCount: d * m + m + m * k + k,
    inputShape: [d],
    numClasses: k,
    init(seed) {
      const w1 = gaussianVector(d * m, seed).map((v) => v * Math.sqrt(2 / d));
      const w2 = gaussianVector(m * k, seed + 7).map((v) => v * Math.sqrt(1 / m));
      return [
        tf.tensor2d(Float32Array.from(w1), [d, m]),
        tf.zeros([m]),
        tf.tensor2d(Float32Array.from(w2), [m, k]),
        tf.zeros([k]),
      ];
    },
    apply(params, x) {
      const [w1, b1, w2, b2] = params as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
      return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, w1), b1)), w2), b2);
    },
    preActivations(params, x) {
      const [w1, b1] = params as [tf.Tensor2D, tf.Tensor1D];
      return [tf.add(tf.matMul(x as tf.Tensor2D, w1), b1)];
    },
  };
}

/** ∇L on a fixed batch via tf.grads (single backprop, which is exact for these ops). */
export function gradAtFor(model: Model, batch: Batch): GradientAt {
  return (params) => {
    const g = tf.grads((...ps: tf.Tensor[]) => mse(model.apply(ps, batch.x), batch.y));
    return { grads: g([...params]) };
  };
}

export function preActsFor(model: Mlp, batch: Batch): PreActivationsAt {
  return (params) => model.preActivations(params, batch.x);
}

/**
 * Exact Hessian-vector product of the FCN-2 MSE loss in float64 (Pearlmutter's R-operator; ReLU'' = 0 away from the
 * kinks, so this is the Hessian of the piecewise-quadratic loss at θ). θ and v are flat, in paramSpecs order.
 */
export function mlpHvp64(theta: Float64Array, v: Float64Array, data: Data64, m: number): Float64Array {
  const { x, y, b: bs, d, k } = data;
  const o1 = d * m;
  const o2 = o1 + m;
  const o3 = o2 + m * k;
  const W1 = (i: number, j: number): number => theta[i * m + j] ?? 0;
  const W2 = (j: number, c: number): number => theta[o2 + j * k + c] ?? 0;
  const V1 = (i: number, j: number): number => v[i * m + j] ?? 0;
  const V2 = (j: number, c: number): number => v[o2 + j * k + c] ?? 0;
  const out = new Float64Array(theta.length);
  const scale = 1 / (bs * k);
  const z = new Float64Array(m);
  const rz = new Float64Array(m);
  const a = new Float64Array(m);
  const ra = new Float64Array(m);
  const dmask = new Float64Array(m);
  const r = new Float64Array(k);
  const rr = new Float64Array(k);
  for (let n = 0; n < bs; n++) {
    for (let j = 0; j < m; j++) {
      let s = theta[o1 + j] ?? 0;
      let rs = v[o1 + j] ?? 0;
      for (let i = 0; i < d; i++) {
        const xi = x[n * d + i] ?? 0;
        s += xi * W1(i, j);
        rs += xi * V1(i, j);
      }
      z[j] = s;
      rz[j] = rs;
      dmask[j] = s > 0 ? 1 : 0;
      a[j] = Math.max(0, s);
      ra[j] = (dmask[j] ?? 0) * rs;
    }
    for (let c = 0; c < k; c++) {
      let f = theta[o3 + c] ?? 0;
      let rf = v[o3 + c] ?? 0;
      for (let j = 0; j < m; j++) {
        f += (a[j] ?? 0) * W2(j, c);
        rf += (a[j] ?? 0) * V2(j, c) + (ra[j] ?? 0) * W2(j, c);
      }
      r[c] = (f - (y[n * k + c] ?? 0)) * scale;
      rr[c] = rf * scale;
    }
    for (let j = 0; j < m; j++) {
      let rda = 0;
      for (let c = 0; c < k; c++) {
        // R(∂L/∂W2[j,c]) = Ra_j·r_c + a_j·Rr_c
        out[o2 + j * k + c] = (out[o2 + j * k + c] ?? 0) + (ra[j] ?? 0) * (r[c] ?? 0) + (a[j] ?? 0) * (rr[c] ?? 0);
        rda += V2(j, c) * (r[c] ?? 0) + W2(j, c) * (rr[c] ?? 0);
      }
      const rdz = (dmask[j] ?? 0) * rda;
      out[o1 + j] = (out[o1 + j] ?? 0) + rdz;
      for (let i = 0; i < d; i++) out[i * m + j] = (out[i * m + j] ?? 0) + (x[n * d + i] ?? 0) * rdz;
    }
    for (let c = 0; c < k; c++) out[o3 + c] = (out[o3 + c] ?? 0) + (rr[c] ?? 0);
  }
  return out;
}

/** Dense n×n matrix (row-major) of a linear operator, column by column. */
export function denseFromOperator(op: (v: Float64Array) => Float64Array, n: number): Float64Array {
  const h = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(n);
    e[j] = 1;
    const col = op(e);
    for (let i = 0; i < n; i++) h[i * n + j] = col[i] ?? 0;
  }
  // Symmetrize away float64 rounding so Jacobi sees an exactly symmetric matrix.
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const s = ((h[i * n + j] ?? 0) + (h[j * n + i] ?? 0)) / 2;
      h[i * n + j] = s;
      h[j * n + i] = s;
    }
  return h;
}

/**
 * λ_max of a dense symmetric matrix by a method independent of the code under test: Householder reduction to
 * tridiagonal form, then bisection on Sturm sequence counts, all in float64 (accurate to ~1e-13 relative).
 */
export function referenceLambdaMax(matrix: Float64Array, n: number): number {
  const a = Float64Array.from(matrix);
  for (let k = 0; k < n - 2; k++) {
    const m = n - k - 1;
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) v[i] = a[(k + 1 + i) * n + k] ?? 0;
    const xn = Math.hypot(...v);
    if (xn === 0) continue;
    const alpha = (v[0] ?? 0) > 0 ? -xn : xn;
    v[0] = (v[0] ?? 0) - alpha;
    const vn = Math.hypot(...v);
    if (vn === 0) continue;
    for (let i = 0; i < m; i++) v[i] = (v[i] ?? 0) / vn;
    const p = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += (a[(k + 1 + i) * n + k + 1 + j] ?? 0) * (v[j] ?? 0);
      p[i] = s;
    }
    let kk = 0;
    for (let i = 0; i < m; i++) kk += (v[i] ?? 0) * (p[i] ?? 0);
    for (let i = 0; i < m; i++) p[i] = (p[i] ?? 0) - kk * (v[i] ?? 0);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        const idx = (k + 1 + i) * n + k + 1 + j;
        a[idx] = (a[idx] ?? 0) - 2 * (v[i] ?? 0) * (p[j] ?? 0) - 2 * (p[i] ?? 0) * (v[j] ?? 0);
      }
    a[(k + 1) * n + k] = alpha;
    a[k * n + k + 1] = alpha;
    for (let i = 1; i < m; i++) {
      a[(k + 1 + i) * n + k] = 0;
      a[k * n + k + 1 + i] = 0;
    }
  }
  const diag = Array.from({ length: n }, (_, i) => a[i * n + i] ?? 0);
  const off = Array.from({ length: n - 1 }, (_, i) => a[i * n + i + 1] ?? 0);
  // Number of eigenvalues below x (Sturm count via the LDLᵀ pivots of T − xI).
  const below = (x: number): number => {
    let count = 0;
    let q = 1;
    for (let i = 0; i < n; i++) {
      const e = i > 0 ? (off[i - 1] ?? 0) : 0;
      q = (diag[i] ?? 0) - x - (i > 0 ? (e * e) / (q === 0 ? 1e-300 : q) : 0);
      if (q < 0) count++;
    }
    return count;
  };
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const r = Math.abs(i > 0 ? (off[i - 1] ?? 0) : 0) + Math.abs(i < n - 1 ? (off[i] ?? 0) : 0);
    lo = Math.min(lo, (diag[i] ?? 0) - r);
    hi = Math.max(hi, (diag[i] ?? 0) + r);
  }
  for (let it = 0; it < 200 && hi - lo > 1e-14 * Math.max(1, Math.abs(hi)); it++) {
    const mid = (lo + hi) / 2;
    if (below(mid) === n) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}
