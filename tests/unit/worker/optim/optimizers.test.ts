import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptimizerSpecSchema } from '../../../../server/core/run-config';
import { AdamOptimizer } from '../../../../worker/optim/adam';
import { createOptimizer, riAdamV0 } from '../../../../worker/optim/create-optimizer';
import { canMeasureStep } from '../../../../worker/optim/norms';
import { SgdOptimizer } from '../../../../worker/optim/sgd';

// Float32 arithmetic (ε_machine ≈ 1.2e-7) over a handful of operations on numbers of order 1: an absolute tolerance
// of 1e-6 (relative for small numbers: 1e-4) is loose enough for rounding and far tighter than any formula error
// (e.g. dropping a bias correction changes the Adam numbers below by ≥ 5%).
const TOL = 1e-6;

const theta0 = [1, -2, 0.5];
const g1 = [0.1, -0.2, 0.3];
const g2 = [0.2, 0.1, -0.3];
const lr = 0.01;

function vec(xs: number[]): tf.Tensor[] {
  return [tf.tensor1d(xs)];
}
function read(ts: tf.Tensor[]): number[] {
  const out = Array.from(ts[0]?.dataSync() ?? []);
  ts.forEach((t) => t.dispose());
  return out;
}
function expectClose(actual: number[], expected: number[], tol = TOL): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - (expected[i] ?? NaN))).toBeLessThan(tol));
}
/** Relative comparison: a few float32 operations each round by ≤ 6e-8 relative, so 1e-6 is a safe bound. */
function expectRel(actual: number[], expected: number[], rel = 1e-6): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] ?? NaN;
    expect(Math.abs(a - e)).toBeLessThanOrEqual(rel * Math.abs(e));
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('SGD with momentum (PAPER §3.5: m_t = g_t + β m_{t−1}, θ −= η m_t)', () => {
  it('takes two steps as computed by hand', () => {
    const opt = createOptimizer(OptimizerSpecSchema.parse({ kind: 'sgd-momentum', momentum: 0.9 }));
    const p0 = vec(theta0);
    // Step 1: m1 = g1 = [0.1, −0.2, 0.3]; θ1 = θ0 − 0.1·m1 = [0.99, −1.98, 0.47].
    const p1 = opt.step(p0, vec(g1), 0.1);
    const p1v = Array.from(p1[0]?.dataSync() ?? []);
    expectClose(p1v, [0.99, -1.98, 0.47]);
    // Step 2: m2 = g2 + 0.9·m1 = [0.2+0.09, 0.1−0.18, −0.3+0.27] = [0.29, −0.08, −0.03];
    // θ2 = θ1 − 0.1·m2 = [0.99−0.029, −1.98+0.008, 0.47+0.003] = [0.961, −1.972, 0.473].
    expectClose(read(opt.step(p1, vec(g2), 0.1)), [0.961, -1.972, 0.473]);
    // ‖m2‖ = √(0.29² + 0.08² + 0.03²) = √0.0914.
    expect(opt.stateNorms().mNorm).toBeCloseTo(Math.sqrt(0.0914), 6);
    expect(opt.t).toBe(2);
    expect(opt.kind).toBe('sgd-momentum');
    opt.dispose();
  });

  it('plain SGD is θ − ηg, keeps no state and has the identity preconditioner', () => {
    const opt = createOptimizer(OptimizerSpecSchema.parse({ kind: 'sgd' }));
    // θ0 − 0.5·g1 = [1−0.05, −2+0.1, 0.5−0.15].
    expectClose(read(opt.step(vec(theta0), vec(g1), 0.5)), [0.95, -1.9, 0.35]);
    expect(opt.preconditioner(vec(g2))).toBeNull();
    expect(opt.stateNorms()).toEqual({});
  });
});

describe('Adam (PAPER §3.5: β1 0.9, β2 0.999, ε 1e-8, bias corrections)', () => {
  it('takes two steps as computed by hand', () => {
    const opt = createOptimizer(OptimizerSpecSchema.parse({ kind: 'adam' }));
    // t = 1: m1 = 0.1·g1 = [0.01, −0.02, 0.03]; v1 = 0.001·g1² = [1e-5, 4e-5, 9e-5];
    // m̂1 = m1/(1−0.9) = g1; v̂1 = v1/(1−0.999) = g1²; Δ = η·g1/(|g1| + 1e-8) = 0.01·sign(g1)·(1 − 1e-8/|g1|).
    const p1 = opt.step(vec(theta0), vec(g1), lr);
    const step1 = [0.1, 0.2, 0.3].map((a) => (0.01 * a) / (a + 1e-8));
    const p1v = Array.from(p1[0]?.dataSync() ?? []);
    expectClose(p1v, [1 - (step1[0] ?? 0), -2 + (step1[1] ?? 0), 0.5 - (step1[2] ?? 0)]);
    // ‖m1‖ = 0.1·‖g1‖ = 0.1·√0.14; ‖v1‖ = 0.001·√(0.1⁴ + 0.2⁴ + 0.3⁴) = 0.001·√0.0098.
    const n1 = opt.stateNorms();
    expect(n1.mNorm).toBeCloseTo(0.1 * Math.sqrt(0.14), 7);
    expect(Math.abs((n1.vNorm ?? NaN) - 0.001 * Math.sqrt(0.0098))).toBeLessThan(1e-10);

    // t = 2: m2 = 0.9·m1 + 0.1·g2 = [0.009+0.02, −0.018+0.01, 0.027−0.03] = [0.029, −0.008, −0.003];
    //        v2 = 0.999·v1 + 0.001·g2² = [0.999e-5+4e-5, 3.996e-5+1e-5, 8.991e-5+9e-5] = [4.999e-5, 4.996e-5, 17.991e-5];
    //        1−β1² = 0.19, 1−β2² = 0.001999;
    //        m̂2 = [0.029, −0.008, −0.003]/0.19;  v̂2 = [4.999e-5, 4.996e-5, 17.991e-5]/0.001999.
    const m2 = [0.029, -0.008, -0.003];
    const v2 = [4.999e-5, 4.996e-5, 17.991e-5];
    const step2 = m2.map((m, i) => (0.01 * (m / 0.19)) / (Math.sqrt((v2[i] ?? NaN) / 0.001999) + 1e-8));
    // step2 ≈ [0.0096519, −0.0026643, −0.0005263]
    expect(step2[0]).toBeCloseTo(0.0096519, 6);
    const p2 = opt.step(p1, vec(g2), lr);
    expectClose(
      read(p2),
      p1v.map((p, i) => p - (step2[i] ?? NaN)),
    );
    p1.forEach((t) => t.dispose());
    opt.dispose();
  });

  it('preconditioner is (1−β1^t)(√v̂_t + ε) with v_t including the pending gradient, so the update is η·P⁻¹·m', () => {
    const opt = createOptimizer(OptimizerSpecSchema.parse({ kind: 'adam' }));
    // Before any update, with g1 pending: t = 1, v̂1 = g1², P = 0.1·(|g1| + 1e-8) = [0.01, 0.02, 0.03] (+1e-9, which
    // float32 cannot resolve at this size).
    expectRel(
      read(opt.preconditioner(vec(g1)) ?? []),
      [0.01, 0.02, 0.03].map((p) => p + 1e-9),
    );
    const p0 = vec(theta0);
    const p1 = opt.step(p0, vec(g1), lr);
    // With g2 pending: t = 2, P = 0.19·(√(v2/0.001999) + 1e-8), v2 as in the previous test.
    const v2 = [4.999e-5, 4.996e-5, 17.991e-5];
    const expectedP = v2.map((v) => 0.19 * (Math.sqrt(v / 0.001999) + 1e-8));
    // v2[2]/0.001999 = 0.09 exactly, so P[2] = 0.19·0.3 = 0.057; P ≈ [0.030046, 0.030037, 0.057].
    const P = read(opt.preconditioner(vec(g2)) ?? []);
    expect(P[2]).toBeCloseTo(0.057, 7);
    expectRel(P, expectedP);
    // And the update it takes is θ1 − η·P⁻¹·m2 with m2 = [0.029, −0.008, −0.003].
    const p1v = Array.from(p1[0]?.dataSync() ?? []);
    const m2 = [0.029, -0.008, -0.003];
    expectClose(
      read(opt.step(p1, vec(g2), lr)),
      p1v.map((p, i) => p - (lr * (m2[i] ?? NaN)) / (expectedP[i] ?? NaN)),
    );
    [...p0, ...p1].forEach((t) => t.dispose());
    opt.dispose();
  });
});

describe('GI-Adam (PAPER §7: v0 = g0², m0 = 0, t from 0, bias corrections kept)', () => {
  it('takes one step as computed by hand', () => {
    const g0 = vec(g1); // the first (discarded) batch's gradient
    const opt = createOptimizer(OptimizerSpecSchema.parse({ kind: 'gi-adam' }), { g0 });
    g0.forEach((t) => t.dispose());
    expect(opt.t).toBe(0);
    // v0 = g0² = [0.01, 0.04, 0.09]; ‖v0‖ = √(1e-4 + 16e-4 + 81e-4) = √0.0098; ‖m0‖ = 0.
    expect(opt.stateNorms().mNorm).toBe(0);
    expect(opt.stateNorms().vNorm).toBeCloseTo(Math.sqrt(0.0098), 7);
    // Update with g = g2 = [0.2, 0.1, −0.3] at t = 1:
    //   m1 = 0.1·g2 = [0.02, 0.01, −0.03]; m̂1 = m1/0.1 = g2;
    //   v1 = 0.999·[0.01, 0.04, 0.09] + 0.001·[0.04, 0.01, 0.09] = [0.01003, 0.03997, 0.09];
    //   v̂1 = v1/0.001 = [10.03, 39.97, 90]; √v̂1 = [3.16702, 6.32218, 9.48683];
    //   Δ = 0.01·g2/√v̂1 = [6.3151e-4, 1.5817e-4, −3.1623e-4]  (≈ √(1−β2)·η·g2/|g0|, PAPER §7's built-in warmup).
    const delta = [0.2 / Math.sqrt(10.03), 0.1 / Math.sqrt(39.97), -0.3 / Math.sqrt(90)].map((d) => 0.01 * d);
    expect(delta[0]).toBeCloseTo(6.3151e-4, 8);
    expect(delta[2]).toBeCloseTo(-3.1623e-4, 8);
    // From θ = 0 the new parameters are −Δ itself, so float32 resolves Δ to its own relative precision.
    expectRel(
      read(opt.step(vec([0, 0, 0]), vec(g2), lr)),
      delta.map((d) => -d),
    );
    opt.dispose();
  });

  it('cuts the initial preconditioned step by ~√(1−β2) against Adam: P is ~32× larger', () => {
    // Same g0 = g1 = g: Adam's P = 0.1·|g|; GI-Adam's P = 0.1·√((0.999g² + 0.001g²)/0.001) = 0.1·|g|/√0.001.
    const g0 = vec(g1);
    const gi = createOptimizer(OptimizerSpecSchema.parse({ kind: 'gi-adam' }), { g0 });
    const adam = createOptimizer(OptimizerSpecSchema.parse({ kind: 'adam' }));
    const pGi = read(gi.preconditioner(g0) ?? []);
    const pAdam = read(adam.preconditioner(g0) ?? []);
    pGi.forEach((p, i) => expect(p / (pAdam[i] ?? NaN)).toBeCloseTo(1 / Math.sqrt(0.001), 3));
    g0.forEach((t) => t.dispose());
    gi.dispose();
    adam.dispose();
  });
});

describe('RI-Adam (PAPER §7: v0 = r⊙r, r ~ N(0,I), ‖r‖ = ‖g0‖)', () => {
  it('has Σv0 = ‖g0‖², is non-negative, seeded, and is not g0²', () => {
    const g0 = [
      tf.tensor2d([
        [0.1, -0.2],
        [0.3, 0.05],
      ]),
      tf.tensor1d([0.4, -0.6, 0.2]),
    ];
    const gSq = 0.01 + 0.04 + 0.09 + 0.0025 + 0.16 + 0.36 + 0.04; // = 0.7025
    const v0 = riAdamV0(g0, 7);
    const flat = v0.flatMap((t) => Array.from(t.dataSync()));
    expect(flat).toHaveLength(7);
    expect(flat.every((x) => x >= 0)).toBe(true);
    // Σ v0 = Σ s²r² = s²‖r‖² = ‖g0‖²; float32 sums of 7 terms → relative 1e-6.
    expect(Math.abs(flat.reduce((a, b) => a + b, 0) / gSq - 1)).toBeLessThan(1e-5);
    expect(v0[0]?.shape).toEqual([2, 2]);
    // Random, not the GI-Adam value g0² (which would be [0.01, 0.04, 0.09, 0.0025, ...]).
    expect(Math.abs((flat[0] ?? NaN) - 0.01)).toBeGreaterThan(1e-4);
    // Same seed → identical v0; another seed → different.
    const again = riAdamV0(g0, 7).flatMap((t) => {
      const d = Array.from(t.dataSync());
      t.dispose();
      return d;
    });
    expect(again).toEqual(flat);
    const other = riAdamV0(g0, 8).flatMap((t) => {
      const d = Array.from(t.dataSync());
      t.dispose();
      return d;
    });
    expect(other).not.toEqual(flat);
    // The optimizer built from it reports ‖v0‖ = ‖v0 as computed‖.
    const opt = createOptimizer(OptimizerSpecSchema.parse({ kind: 'ri-adam' }), { g0, seed: 7 });
    expect(opt.stateNorms().vNorm).toBeCloseTo(Math.sqrt(flat.reduce((a, x) => a + x * x, 0)), 6);
    [...g0, ...v0].forEach((t) => t.dispose());
    opt.dispose();
  });

  it('gi-adam and ri-adam refuse to start without g0', () => {
    expect(() => createOptimizer(OptimizerSpecSchema.parse({ kind: 'gi-adam' }))).toThrow(/g0/);
    expect(() => createOptimizer(OptimizerSpecSchema.parse({ kind: 'ri-adam' }))).toThrow(/g0/);
  });
});

describe('peek (the η_c probe of PAPER §6.1)', () => {
  for (const kind of ['sgd', 'sgd-momentum', 'adam', 'gi-adam', 'ri-adam'] as const) {
    it(`${kind}: equals the step it previews and leaves the state unchanged`, () => {
      const g0 = vec([0.3, 0.1, -0.2]);
      const opt = createOptimizer(OptimizerSpecSchema.parse({ kind }), { g0, seed: 3 });
      const p0 = vec(theta0);
      const p1 = opt.step(p0, vec(g1), lr); // non-trivial state first
      const before = { t: opt.t, norms: opt.stateNorms() };
      const g = vec(g2);
      const peeked = read(opt.peek(p1, g, 0.05));
      const peekedAgain = read(opt.peek(p1, g, 0.05));
      expect({ t: opt.t, norms: opt.stateNorms() }).toEqual(before);
      expect(peekedAgain).toEqual(peeked);
      expect(read(opt.step(p1, g, 0.05))).toEqual(peeked);
      expect(opt.t).toBe(before.t + 1);
      [...g0, ...p0, ...p1, ...g].forEach((t) => t.dispose());
      opt.dispose();
    });
  }
});

describe('stepMeasured', () => {
  for (const kind of ['sgd', 'sgd-momentum', 'adam', 'gi-adam', 'ri-adam'] as const) {
    it(`${kind}: takes the same step as step() and reports ‖θ_{t+1} − θ_t‖ and the state norms`, () => {
      const spec = OptimizerSpecSchema.parse({ kind });
      const g0 = vec([0.3, 0.1, -0.2]);
      const a = createOptimizer(spec, { g0, seed: 3 });
      const b = createOptimizer(spec, { g0, seed: 3 });
      if (!canMeasureStep(a)) throw new Error(`${kind} cannot measure its step`);
      let pa = vec(theta0);
      let pb = vec(theta0);
      for (const g of [g1, g2, g1]) {
        const grads = vec(g);
        const m = a.stepMeasured(pa, grads, 0.05, { gradNorm: Math.hypot(...g) });
        const nb = b.step(pb, grads, 0.05);
        const before = Array.from(pa[0]?.dataSync() ?? []);
        const after = Array.from(m.params[0]?.dataSync() ?? []);
        expect(after).toEqual(Array.from(nb[0]?.dataSync() ?? []));
        const diff = Math.hypot(...after.map((x, i) => x - (before[i] ?? NaN)));
        // The difference of float32 parameters of size ~1 carries their rounding (≈1e-7) against a step of ~5e-2.
        expect(Math.abs(m.updateNorm - diff)).toBeLessThan(1e-6);
        // The state norms equal stateNorms() of the twin that took the same steps.
        const twin = b.stateNorms();
        expect(m.mNorm).toBe(twin.mNorm);
        expect(m.vNorm).toBe(twin.vNorm);
        [...pa, ...pb, ...grads].forEach((t) => t.dispose());
        pa = m.params;
        pb = nb;
      }
      [...pa, ...pb, ...g0].forEach((t) => t.dispose());
      a.dispose();
      b.dispose();
    });
  }
});

describe('memory', () => {
  it('holds a flat tensor count over 100 steps, and dispose() frees the state', () => {
    const params0 = [tf.randomNormal([8, 4], 0, 1, 'float32', 1), tf.zeros([4])];
    const opt = new AdamOptimizer({ beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const sgd = new SgdOptimizer({ momentum: 0.9 });
    let params = params0.map((p) => p.clone());
    let paramsS = params0.map((p) => p.clone());
    const grads = [tf.onesLike(params0[0] ?? tf.scalar(0)), tf.onesLike(params0[1] ?? tf.scalar(0))];
    const counts: number[] = [];
    for (let s = 0; s < 100; s++) {
      const next = opt.step(params, grads, 1e-3);
      params.forEach((p) => p.dispose());
      params = next;
      const nextS = sgd.step(paramsS, grads, 1e-3);
      paramsS.forEach((p) => p.dispose());
      paramsS = nextS;
      opt.stateNorms();
      opt.preconditioner(grads)?.forEach((t) => t.dispose());
      counts.push(tf.memory().numTensors);
    }
    // After the first step the state (m, v, momentum) exists; from then on the count must not move.
    expect(new Set(counts.slice(1)).size).toBe(1);
    const withState = tf.memory().numTensors;
    opt.dispose();
    sgd.dispose();
    // Adam held m and v (2 tensors each), SGD-M held m (2).
    expect(tf.memory().numTensors).toBe(withState - 6);
    [...params, ...paramsS, ...grads, ...params0].forEach((t) => t.dispose());
  });
});
