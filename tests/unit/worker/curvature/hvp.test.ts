import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flattenToFloat64, makeFdHvp, unflatten, type GradientAt } from '../../../../worker/curvature/hvp';
import { gaussianVector } from '../../../../worker/curvature/lanczos';
import { gradAtFor, mlpHvp64, preActsFor, reluMlp, syntheticData, toBatch } from './fixtures';

function relErr(a: Float64Array, b: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
    den += (b[i] ?? 0) ** 2;
  }
  return Math.sqrt(num / den);
}

function unit(n: number, seed: number): Float64Array {
  const v = gaussianVector(n, seed);
  const s = Math.hypot(...v);
  return v.map((x) => x / s);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('finite-difference HVP on a quadratic', () => {
  // L(θ) = ½θᵀAθ − bᵀθ, so ∇L = Aθ − b and the Hessian is A exactly; central differences are exact up to rounding.
  const n = 20;
  const g = gaussianVector(n * n, 11);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) a[i * n + j] = ((g[i * n + j] ?? 0) + (g[j * n + i] ?? 0)) / 2 + (i === j ? 3 : 0);
  const aT = tf.tensor2d(Float32Array.from(a), [n, n]);
  const bT = tf.tensor2d(Float32Array.from(gaussianVector(n, 12)), [n, 1]);
  const gradAt: GradientAt = (ps) => ({ grads: [tf.tidy(() => tf.sub(tf.matMul(aT, ps[0] as tf.Tensor2D), bT))] });
  afterAll(() => tf.dispose([aT, bT]));

  it('equals A·v in float64 to 1e-4 relative (ε = 1e-2: exact for a quadratic, float32 gradients are the only error)', () => {
    const theta = [tf.tensor2d(Float32Array.from(gaussianVector(n, 13)), [n, 1])];
    const hvp = makeFdHvp({ params: theta, gradAt, eps: 1e-2 });
    for (const seed of [1, 2, 3]) {
      const v = unit(n, seed);
      const av = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) av[i] = (av[i] ?? 0) + (a[i * n + j] ?? 0) * (v[j] ?? 0);
      expect(relErr(hvp.apply(v), av)).toBeLessThan(1e-4);
    }
    expect(hvp.products).toBe(3);
    tf.dispose(theta);
  });

  it('does not leak tensors', () => {
    const theta = [tf.tensor2d(Float32Array.from(gaussianVector(n, 13)), [n, 1])];
    const hvp = makeFdHvp({ params: theta, gradAt });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) hvp.apply(unit(n, i));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(theta);
  });
});

describe('flatten / unflatten', () => {
  it('round-trips shapes and values in order', () => {
    const ts = [tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor1d([7, 8])];
    const flat = flattenToFloat64(ts);
    expect(Array.from(flat)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const back = unflatten(flat, [[2, 3], [2]]);
    expect(back.map((t) => t.shape)).toEqual([[2, 3], [2]]);
    expect(Array.from(back[1]?.dataSync() ?? [])).toEqual([7, 8]);
    expect(() => unflatten(flat, [[3]])).toThrow(/8 entries, shapes need 3/);
    tf.dispose([...ts, ...back]);
  });
});

describe('the choice of ε on a ReLU MLP (FCN-2, 316 parameters, MSE, B = 256)', () => {
  // Exact reference: Pearlmutter's R-operator in float64 (fixtures.mlpHvp64). Seed 2 has a unit whose pre-activation
  // sits close to zero for some example, the situation that made ε = 1e-3 69% off on a real MLP (FACTS.md).
  const [d, m, k, b] = [8, 24, 4, 256];
  const data = syntheticData(b, d, k, 2);
  const batch = toBatch(data);
  const model = reluMlp(d, m, k);
  const params = model.init(2);
  const theta = flattenToFloat64(params);
  const n = theta.length;
  afterAll(() => tf.dispose([...params, batch.x, batch.y]));

  /** Over 24 random unit directions: total flips, worst error of flip-free products, best error of flipped ones. */
  function survey(eps: number): { flips: number; worstClean: number; bestFlipped: number } {
    const hvp = makeFdHvp({ params, gradAt: gradAtFor(model, batch), preActivationsAt: preActsFor(model, batch), eps });
    let flips = 0;
    let worstClean = 0;
    let bestFlipped = Infinity;
    for (let r = 0; r < 24; r++) {
      const v = unit(n, 1000 + r);
      const e = relErr(hvp.apply(v), mlpHvp64(theta, v, data, m));
      const f = hvp.flipsAlong(v) ?? 0;
      flips += f;
      if (f === 0) worstClean = Math.max(worstClean, e);
      else bestFlipped = Math.min(bestFlipped, e);
    }
    return { flips, worstClean, bestFlipped };
  }

  it('ε = 1e-3: units flip and every flipped product is visibly wrong (> 30% off)', () => {
    const s = survey(1e-3);
    expect(s.flips).toBeGreaterThan(0);
    expect(s.bestFlipped).toBeGreaterThan(0.3);
  });

  it('ε = 1e-4: flip-free products agree with the exact float64 HVP to 1e-2 (per vector), and flips are rarer', () => {
    const s3 = survey(1e-3);
    const s4 = survey(1e-4);
    expect(s4.worstClean).toBeLessThan(1e-2);
    expect(s4.flips).toBeLessThan(s3.flips);
    // A flip at ε = 1e-4 is worse than at 1e-3 (the jump is divided by 2h): hence flipped products are retried.
    expect(s4.bestFlipped).toBeGreaterThan(1);
  });

  it('ε = 1e-6: no flips, but float32 rounding dominates (> 10% off per vector)', () => {
    const s = survey(1e-6);
    expect(s.flips).toBe(0);
    expect(s.worstClean).toBeGreaterThan(0.1);
  });

  it('checkEveryProduct retries flipped products with ε/10 until none flip', () => {
    const hvp = makeFdHvp({
      params,
      gradAt: gradAtFor(model, batch),
      preActivationsAt: preActsFor(model, batch),
      eps: 1e-3,
      checkEveryProduct: true,
    });
    let worst = 0;
    for (let r = 0; r < 24; r++) {
      const v = unit(n, 1000 + r);
      worst = Math.max(worst, relErr(hvp.apply(v), mlpHvp64(theta, v, data, m)));
    }
    expect(hvp.flippedProducts).toBeGreaterThan(0);
    expect(hvp.maxFlips).toBe(0);
    // No product is a flip artefact (those are > 30% off, above); a product retried down to ε = 1e-5 carries that
    // step's float32 noise, measured at 2–3e-2 per vector on this model (and it averages out in Rayleigh quotients).
    expect(worst).toBeLessThan(5e-2);
  });
});
