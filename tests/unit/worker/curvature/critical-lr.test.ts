import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultCatapultDelta, findCriticalLr, searchCriticalLr } from '../../../../worker/curvature/critical-lr';
import { createOptimizer } from '../../../../worker/optim/create-optimizer';
import { OptimizerSpecSchema } from '../../../../server/core/run-config';
import { linearModel, syntheticData, toBatch } from './fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * For GD on a quadratic, L(θ − ηg) = L0 − a·η + ½·b·η² with a = gᵀg and b = gᵀHg, so the loss rises iff
 * η > η* = 2a/b, and it exceeds (1+δ)L0 iff η > η_δ = (a + √(a² + 2bδL0))/b. The binary search stops at an η_uppr
 * where the loss rose by at most δ: η* < η_c ≤ η_δ, with η_lwr < η* (the last η that lowered the loss).
 */
function quadraticProbe(a: number, b: number, l0: number): { probe: (eta: number) => number; calls: () => number } {
  let n = 0;
  return {
    probe: (eta) => {
      n++;
      return l0 - a * eta + 0.5 * b * eta * eta;
    },
    calls: () => n,
  };
}

describe('searchCriticalLr (PAPER §6.1, Algorithms 1–2) on a quadratic', () => {
  const [a, b, l0] = [3, 50, 2];
  const etaStar = (2 * a) / b; // 0.12
  const etaDelta = (delta: number): number => (a + Math.sqrt(a * a + 2 * b * delta * l0)) / b;

  for (const delta of [0.1, 0.01]) {
    it(`δ = ${delta}: η* < η_c ≤ η_δ, η_lwr < η*, every probe counted, about 10 passes`, () => {
      const q = quadraticProbe(a, b, l0);
      const r = searchCriticalLr(q.probe, l0, { eta0: 1e-4, etaTrgt: 10, delta });
      expect(r.etaC).toBeGreaterThan(etaStar);
      expect(r.etaC).toBeLessThanOrEqual(etaDelta(delta));
      expect(r.etaLwr).toBeLessThan(etaStar);
      expect(r.converged).toBe(true);
      expect(r.reachedTarget).toBe(false);
      expect(r.forwardPasses).toBe(q.calls());
      // 1e-4·2^11 = 0.2048 is the first η past 0.12: 12 passes of Algorithm 1, then a few bisections.
      expect(r.forwardPasses).toBeGreaterThanOrEqual(12);
      expect(r.forwardPasses).toBeLessThanOrEqual(12 + 10);
      expect(r.lossAtEtaC).toBeGreaterThanOrEqual(l0);
      expect(r.lossAtEtaC).toBeLessThanOrEqual(l0 * (1 + delta));
    });
  }

  it('caps at η_trgt when the loss never rises below it (target reached at step 1)', () => {
    const r = searchCriticalLr(quadraticProbe(a, b, l0).probe, l0, { eta0: 1e-3, etaTrgt: 0.05, delta: 0.1 });
    expect(r.reachedTarget).toBe(true);
    expect(r.etaC).toBe(0.05);
    // 1e-3 · 2^6 = 0.064 ≥ 0.05 is the first probed η at or past the target: 7 passes.
    expect(r.forwardPasses).toBe(7);
  });

  it('returns η₀ when the loss already rises there, and treats a non-finite loss as a rise', () => {
    const r = searchCriticalLr(quadraticProbe(a, b, l0).probe, l0, { eta0: 0.5, etaTrgt: 10, delta: 0.1 });
    expect(r).toMatchObject({ etaC: 0.5, risesAtEta0: true, forwardPasses: 1 });
    const nan = searchCriticalLr((eta) => (eta > 0.1 ? NaN : l0 - eta), l0, { eta0: 1e-3, etaTrgt: 10, delta: 0.1 });
    expect(nan.etaC).toBeGreaterThan(0.1);
    expect(nan.etaLwr).toBeLessThanOrEqual(0.1);
    // With only NaN above 0.1 the δ criterion is never met: the bisection stops at its bound and says so.
    expect(nan.converged).toBe(false);
    expect(nan.etaC - nan.etaLwr).toBeLessThan(1e-9);
  });

  it('default δ is 0.1 for SGD and 0.01 for the Adam family', () => {
    expect(defaultCatapultDelta('sgd')).toBe(0.1);
    expect(defaultCatapultDelta('sgd-momentum')).toBe(0.1);
    expect(defaultCatapultDelta('gi-adam')).toBe(0.01);
  });
});

describe('findCriticalLr with a real SGD step on a linear model under MSE (a quadratic loss)', () => {
  it('brackets the analytic threshold 2gᵀg/gᵀHg computed in float64, and reports T_reach/T_save', () => {
    const [bs, d, k] = [32, 6, 3];
    const data = syntheticData(bs, d, k, 4);
    const batch = toBatch(data);
    const model = linearModel(d, k);
    const params = model.init(3);
    const w = params[0]?.dataSync() ?? new Float32Array(0);
    // Float64 residuals R = XW − Y (b = 0 at init), gradient G̃ = X̃ᵀR/(BK), and gᵀHg = Σ_k ‖X̃g̃_k‖²/(BK).
    const xt = (n: number, i: number): number => (i < d ? (data.x[n * d + i] ?? 0) : 1);
    const res = new Float64Array(bs * k);
    let l0 = 0;
    for (let n = 0; n < bs; n++)
      for (let c = 0; c < k; c++) {
        let f = 0;
        for (let i = 0; i < d; i++) f += (data.x[n * d + i] ?? 0) * (w[i * k + c] ?? 0);
        const r = f - (data.y[n * k + c] ?? 0);
        res[n * k + c] = r;
        l0 += (0.5 * r * r) / (bs * k);
      }
    let gg = 0;
    let gHg = 0;
    for (let c = 0; c < k; c++) {
      const gc = new Float64Array(d + 1);
      for (let i = 0; i <= d; i++) {
        let s = 0;
        for (let n = 0; n < bs; n++) s += xt(n, i) * (res[n * k + c] ?? 0);
        gc[i] = s / (bs * k);
        gg += (gc[i] ?? 0) ** 2;
      }
      for (let n = 0; n < bs; n++) {
        let s = 0;
        for (let i = 0; i <= d; i++) s += xt(n, i) * (gc[i] ?? 0);
        gHg += (s * s) / (bs * k);
      }
    }
    const etaStar = (2 * gg) / gHg;
    const delta = 0.1;
    const etaDelta = (gg + Math.sqrt(gg * gg + 2 * gHg * delta * l0)) / gHg;
    const optimizer = createOptimizer(OptimizerSpecSchema.parse({ kind: 'sgd' }));
    const r = findCriticalLr({
      model,
      params,
      batch,
      lossKind: 'mse',
      optimizer,
      eta0: 1e-4,
      etaTrgt: 100,
      warmupSteps: 1024,
    });
    expect(r.loss0).toBeCloseTo(l0, 6);
    // float32 losses near η* differ from the float64 parabola by ~1e-7·L0: allow 1e-4 relative slack.
    expect(r.etaC).toBeGreaterThan(etaStar * (1 - 1e-4));
    expect(r.etaC).toBeLessThanOrEqual(etaDelta * (1 + 1e-4));
    expect(r.delta).toBe(0.1);
    expect(r.forwardPasses).toBeLessThanOrEqual(25);
    // PAPER §2.3: T_reach = T_wrm(1 − η_c/η_trgt), T_save = T_wrm·η_c/η_trgt − T_fp/2.
    expect(r.tReach).toBeCloseTo(1024 * (1 - r.etaC / 100), 9);
    expect(r.tSave).toBeCloseTo((1024 * r.etaC) / 100 - r.forwardPasses / 2, 9);
    // The optimizer state is untouched by the probes.
    expect(optimizer.t).toBe(0);
    optimizer.dispose();
    tf.dispose([...params, batch.x, batch.y]);
  });
});
