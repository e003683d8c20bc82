import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../worker/engine/backend';
import { lossAndGrads } from '../../../../worker/engine/grad';
import type { Batch, Model } from '../../../../worker/engine/types';
import { flattenToFloat64 } from '../../../../worker/curvature/hvp';
import { gaussianVector } from '../../../../worker/curvature/lanczos';
import { GATED_FD_EPS, sharpnessAt } from '../../../../worker/curvature/measure';
import { createModel } from '../../../../worker/models/registry';
import { referenceLambdaMax } from './fixtures';

/**
 * The CNN's gated pass (ReLU gates and max-pool routing frozen at θ, worker/models/cnn.ts) on a tiny engine CNN:
 * Myrtle-5, width 1, SP, 6×6×2 images (pools 6→3 and 3→1, the second cropping an odd size), 3 classes, 140
 * parameters, batch 6. Reference: an independent float64 reimplementation of the same network in plain JS, its
 * gates and routing frozen at θ (a polynomial in θ, no kinks), whose dense Hessian is assembled from central second
 * differences of the float64 loss at ε = 1e-4 (truncation ~ε² and rounding ~1e-16/ε² both ~1e-8 relative), and
 * λ_max of that by Householder + Sturm bisection (fixtures.referenceLambdaMax).
 */

const [H, W, C, K, B] = [6, 6, 2, 3, 6];
/** (C_in, C_out, max-pool after) of the four convs of Myrtle-5 at width 1 ([2, 1, 1] convs per stage, widths 1, 2, 4). */
const CONVS: readonly (readonly [number, number, boolean])[] = [
  [C, 1, false],
  [1, 1, true],
  [1, 2, true],
  [2, 4, false],
];
const FEATURES = 4;

interface Frozen {
  relu: Uint8Array[];
  /** Index 0..3 of the cell each output of each pool takes (row-major in the window). */
  route: Uint8Array[];
}

/** MSE (0.5·mean over B×K) of the CNN in float64; records gates/routing when `frozen` is null, else uses them. */
function loss64(theta: Float64Array, x: Float64Array, y: Float64Array, frozen: Frozen | null, record?: Frozen): number {
  let a = x;
  let [h, w, c] = [H, W, C];
  let off = 0;
  let pool = 0;
  CONVS.forEach(([cin, cout, poolAfter], li) => {
    const z = new Float64Array(B * h * w * cout);
    const bOff = off + 9 * cin * cout;
    for (let b = 0; b < B; b++)
      for (let r = 0; r < h; r++)
        for (let q = 0; q < w; q++)
          for (let o = 0; o < cout; o++) {
            let s = theta[bOff + o] ?? 0;
            for (let i = 0; i < 3; i++) {
              const rr = r + i - 1;
              if (rr < 0 || rr >= h) continue;
              for (let j = 0; j < 3; j++) {
                const qq = q + j - 1;
                if (qq < 0 || qq >= w) continue;
                for (let ci = 0; ci < cin; ci++)
                  s +=
                    (a[((b * h + rr) * w + qq) * cin + ci] ?? 0) *
                    (theta[off + ((i * 3 + j) * cin + ci) * cout + o] ?? 0);
              }
            }
            z[((b * h + r) * w + q) * cout + o] = s;
          }
    off = bOff + cout;
    const gate = frozen?.relu[li] ?? Uint8Array.from(z, (v) => (v > 0 ? 1 : 0));
    record?.relu.push(gate);
    for (let i = 0; i < z.length; i++) if (gate[i] === 0) z[i] = 0;
    a = z;
    c = cout;
    if (poolAfter) {
      const [ho, wo] = [Math.floor(h / 2), Math.floor(w / 2)];
      const p = new Float64Array(B * ho * wo * c);
      const route = frozen?.route[pool] ?? new Uint8Array(p.length);
      for (let b = 0; b < B; b++)
        for (let r = 0; r < ho; r++)
          for (let q = 0; q < wo; q++)
            for (let o = 0; o < c; o++) {
              const cell = (k: number): number => a[((b * h + 2 * r + (k >> 1)) * w + 2 * q + (k & 1)) * c + o] ?? 0;
              const idx = ((b * ho + r) * wo + q) * c + o;
              if (frozen === null) {
                let best = 0;
                for (let k = 1; k < 4; k++) if (cell(k) > cell(best)) best = k;
                route[idx] = best;
              }
              p[idx] = cell(route[idx] ?? 0);
            }
      record?.route.push(route);
      pool++;
      a = p;
      [h, w] = [ho, wo];
    }
  });
  let total = 0;
  for (let b = 0; b < B; b++)
    for (let k = 0; k < K; k++) {
      let f = theta[off + FEATURES * K + k] ?? 0;
      for (let o = 0; o < FEATURES; o++) {
        let m = 0;
        for (let i = 0; i < h * w; i++) m += a[(b * h * w + i) * FEATURES + o] ?? 0;
        f += (m / (h * w)) * (theta[off + o * K + k] ?? 0);
      }
      const d = f - (y[b * K + k] ?? 0);
      total += d * d;
    }
  return (0.5 * total) / (B * K);
}

/** Dense Hessian of the frozen float64 loss by central second differences, then its λ_max. */
function referenceLambda(theta: Float64Array, x: Float64Array, y: Float64Array): number {
  const frozen: Frozen = { relu: [], route: [] };
  loss64(theta, x, y, null, frozen);
  const n = theta.length;
  const e = 1e-4;
  const at = (i: number, si: number, j: number, sj: number): number => {
    const t = Float64Array.from(theta);
    t[i] = (t[i] ?? 0) + si * e;
    t[j] = (t[j] ?? 0) + sj * e;
    return loss64(t, x, y, frozen);
  };
  const hess = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      const v = (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4 * e * e);
      hess[i * n + j] = v;
      hess[j * n + i] = v;
    }
  return referenceLambdaMax(hess, n);
}

/** The reference depends on θ and data only (same on both backends): computed once (~2 s). */
let exactMemo: number | undefined;

describe.each(['cpu', 'wasm'] as const)('gated CNN on %s', (backend) => {
  let model: Model;
  let params: tf.Tensor[];
  let batch: Batch;
  let theta: Float64Array;
  let x64: Float64Array;
  let y64: Float64Array;

  beforeAll(async () => {
    await initBackend(backend);
    expect(tf.getBackend()).toBe(backend);
    model = createModel({ kind: 'cnn', depth: 5, width: 1 }, 'sp', { inputShape: [H, W, C], numClasses: K });
    const init = model.init(3);
    // Nonzero biases (0.1·N(0,1)), so θ is not the special point where every bias is 0.
    params = init.map((p, i) =>
      p.rank === 1
        ? tf.add(p, tf.tensor1d(Float32Array.from(gaussianVector(p.size, 40 + i), (v) => 0.1 * v)))
        : p.clone(),
    );
    tf.dispose(init);
    theta = flattenToFloat64(params);
    x64 = Float64Array.from(gaussianVector(B * H * W * C, 5), (v) => Math.fround(v));
    y64 = new Float64Array(B * K);
    for (let b = 0; b < B; b++) y64[b * K + (b % K)] = 1;
    batch = { x: tf.tensor4d(Float32Array.from(x64), [B, H, W, C]), y: tf.tensor2d(Float32Array.from(y64), [B, K]) };
  });
  afterAll(() => tf.dispose([...params, batch.x, batch.y]));

  it('has 140 parameters, and the float64 reimplementation gives the engine’s loss at θ (float32 rounding only)', () => {
    expect(model.paramCount).toBe(140);
    expect(theta.length).toBe(140);
    const r = lossAndGrads(model, params, batch, 'mse');
    const engine = r.loss.dataSync()[0] ?? NaN;
    tf.dispose([r.loss, r.accuracy, ...r.grads]);
    expect(Math.abs(engine - loss64(theta, x64, y64, null)) / engine).toBeLessThan(1e-5);
  });

  it('the gated CNN (ReLU gates + pool routing of θ) gives exactly the logits of the CNN at θ', () => {
    const gates = model.gatesAt?.(params, batch.x) ?? [];
    // 4 conv gates + 2 pool routings, each routing one-hot over the window's 4 cells.
    expect(gates).toHaveLength(6);
    const routing = gates[5];
    expect(routing?.shape).toEqual([4, B, 1, 1, 2]);
    if (routing !== undefined)
      expect(Array.from(tf.tidy(() => tf.sum(routing, 0)).dataSync())).toEqual(new Array(B * 2).fill(1));
    const a = model.apply(params, batch.x);
    const g = model.applyGated?.(params, batch.x, gates);
    expect(g).toBeDefined();
    if (g !== undefined) expect(Array.from(g.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([...gates, a, ...(g === undefined ? [] : [g])]);
  });

  it(`λ^H through the gated FD HVP (ε = ${GATED_FD_EPS}) is within 1% of the float64 dense Hessian's λ_max`, () => {
    exactMemo ??= referenceLambda(theta, x64, y64);
    const exact = exactMemo;
    expect(exact).toBeGreaterThan(0);
    const est = sharpnessAt({ model, params, batch, lossKind: 'mse', lanczos: { tol: 1e-6, maxIter: 80 } });
    expect(est.converged).toBe(true);
    // Gated products are not retried (nothing to flip in the kink-free network).
    expect(est.fdRetried).toBe(0);
    // The bar is 1%; measured 2e-5 (cpu) and 1e-6 (wasm), float32 gradients differenced at ε = 1e-3.
    expect(Math.abs(est.value - exact) / exact).toBeLessThan(1e-3);
    console.log(
      `[${backend}] CNN λ^H gated ${est.value} vs dense float64 ${exact}: ${((est.value - exact) / exact).toExponential(2)}`,
    );
  });
});
