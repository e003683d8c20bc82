import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MetricRow, RunResult } from '../../../../server/core/metrics';
import { DataSpecSchema, type RunConfigInput } from '../../../../server/core/run-config';
import { loadData } from '../../../../worker/data/load';
import { trainRun } from '../../../../worker/engine/train';
import { curvatureHooks } from '../../../../worker/curvature/hooks';
import { measureLambda0 } from '../../../../worker/curvature/measure';
import { createModel } from '../../../../worker/models/registry';
import { tinyConfig } from '../train/fixtures';
import { referenceLambdaMax } from './fixtures';

const GMM = DataSpecSchema.parse({
  name: 'synthetic-gmm',
  synthetic: { inputDim: 16, classes: 4, trainSize: 128, testSize: 32, seed: 0 },
});

/** Synthetic Gaussian mixture, 16 inputs, 4 classes, 128 training examples, cpu backend: each run takes < 1 s. */
function cfg(over: Partial<RunConfigInput>): RunConfigInput {
  return tinyConfig({
    model: { kind: 'fcn', depth: 1, width: 4 },
    data: GMM,
    schedule: { etaTrgt: 0.05, warmupSteps: 1 },
    steps: 5,
    batchSize: 0,
    measure: { evalEvery: 0, sharpnessEvery: 1 },
    ...over,
  });
}

async function run(c: RunConfigInput): Promise<{ rows: MetricRow[]; result: RunResult }> {
  const rows: MetricRow[] = [];
  const result = await trainRun(c, { hooks: curvatureHooks, onRow: (r) => void rows.push(r) });
  expect(result.error).toBeNull();
  return { rows, result };
}

/** λ_max(X̃ᵀX̃)/(B·K) of the whole training set: the exact λ^H of a linear model under MSE (any θ). */
async function linearLambda(): Promise<number> {
  const data = await loadData(GMM);
  const { x, size: b, numClasses: k } = data.train;
  const d = 16;
  const g = new Float64Array((d + 1) * (d + 1));
  for (let n = 0; n < b; n++)
    for (let i = 0; i <= d; i++)
      for (let j = 0; j <= d; j++) {
        const xi = i < d ? (x[n * d + i] ?? 0) : 1;
        const xj = j < d ? (x[n * d + j] ?? 0) : 1;
        g[i * (d + 1) + j] = (g[i * (d + 1) + j] ?? 0) + (xi * xj) / (b * k);
      }
  return referenceLambdaMax(g, d + 1);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('curvature hooks in trainRun', () => {
  it.each(['cpu', 'wasm'] as const)(
    '%s: linear model, full batch: every row’s λ^H is λ_max(X̃ᵀX̃)/(BK), r = η·λ/2, λ0 agrees, regime C3',
    async (backend) => {
      const c = cfg({ backend, measure: { evalEvery: 0, sharpnessEvery: 1, lambda0: true, lambda0Batches: 2 } });
      const exact = await linearLambda();
      const before = tf.memory().numTensors;
      const { rows, result } = await run(c);
      // The run disposes everything it made, including the hooks' probes and estimates.
      expect(tf.memory().numTensors).toBe(before);
      for (const r of rows) {
        expect(Math.abs((r.sharpness ?? NaN) - exact) / exact).toBeLessThan(1e-3);
        expect(r.stabilityRatio).toBeCloseTo((0.05 * (r.sharpness ?? NaN)) / 2, 12);
        expect(r.lanczosIters).toBeGreaterThan(0);
        expect(r.precondSharpness).toBeUndefined();
      }
      expect(Math.abs((result.lambda0 ?? NaN) - exact) / exact).toBeLessThan(1e-3);
      const cv = result.curvature;
      expect(cv?.lambda0?.perBatch).toHaveLength(2);
      expect(cv?.measuredSteps).toBe(5);
      expect(cv?.thresholdConstant).toBe(2);
      // A linear model's Hessian does not change: flat λ, no catapult.
      expect(cv?.regime?.regime).toBe('C3');
      expect(Math.abs(cv?.regime?.evidence.logChange ?? NaN)).toBeLessThan(1e-3);
      expect(cv?.catapults).toEqual([]);
      expect(result.events.find((e) => e.kind === 'regime')?.note).toMatch(/^C3/);
    },
  );

  it('SGD-M: r divides by 2 on the first update (empty momentum buffer), then by 2 + 2β(1 − β^t) (PAPER §4.4)', async () => {
    const { rows, result } = await run(cfg({ optimizer: { kind: 'sgd-momentum', momentum: 0.9 } }));
    expect(rows.map((r) => r.step)).toEqual([0, 1, 2, 3, 4]);
    for (const r of rows) {
      const c = 2 + 1.8 * (1 - 0.9 ** r.step);
      expect(r.stabilityRatio).toBeCloseTo((0.05 * (r.sharpness ?? NaN)) / c, 12);
    }
    expect(rows[0]?.stabilityRatio).toBeCloseTo((0.05 * (rows[0]?.sharpness ?? NaN)) / 2, 12);
    // The stored summary keeps the late constant 2+2β for the dashboard's reference curve.
    expect(result.curvature?.thresholdConstant).toBeCloseTo(3.8, 12);
  });

  it("'critical' mode: η_c brackets the analytic GD threshold 2gᵀg/gᵀHg at θ₀, and the §2.3 ramp starts there", async () => {
    const c = cfg({
      schedule: { etaTrgt: 2, warmupSteps: 8, etaInit: { mode: 'critical' } },
      measure: { evalEvery: 0, sharpnessEvery: 0 },
      steps: 3,
    });
    // θ₀ exactly as the run initializes it, and the full-batch gradient in float64.
    const data = await loadData(GMM);
    const model = createModel({ kind: 'fcn', depth: 1, width: 4 }, 'sp', {
      inputShape: data.train.inputShape,
      numClasses: 4,
    });
    const params = model.init(1);
    const w = params[0]?.dataSync() ?? new Float32Array(0);
    tf.dispose(params);
    const { x, y, size: b } = data.train;
    const [d, k] = [16, 4];
    const xt = (n: number, i: number): number => (i < d ? (x[n * d + i] ?? 0) : 1);
    const res = new Float64Array(b * k);
    let l0 = 0;
    for (let n = 0; n < b; n++)
      for (let cc = 0; cc < k; cc++) {
        let f = 0;
        for (let i = 0; i < d; i++) f += xt(n, i) * (w[i * k + cc] ?? 0);
        res[n * k + cc] = f - (y[n * k + cc] ?? 0);
        l0 += (0.5 * (res[n * k + cc] ?? 0) ** 2) / (b * k);
      }
    let gg = 0;
    let gHg = 0;
    for (let cc = 0; cc < k; cc++) {
      const gc = Array.from({ length: d + 1 }, (_, i) => {
        let s = 0;
        for (let n = 0; n < b; n++) s += xt(n, i) * (res[n * k + cc] ?? 0);
        return s / (b * k);
      });
      gc.forEach((v) => (gg += v * v));
      for (let n = 0; n < b; n++) {
        let s = 0;
        for (let i = 0; i <= d; i++) s += xt(n, i) * (gc[i] ?? 0);
        gHg += (s * s) / (b * k);
      }
    }
    const etaStar = (2 * gg) / gHg;
    const etaDelta = (gg + Math.sqrt(gg * gg + 2 * gHg * 0.1 * l0)) / gHg;
    const { rows, result } = await run(c);
    const s = result.curvature?.criticalLr;
    expect(result.etaC).toBe(s?.etaC);
    expect(s?.etaC).toBeGreaterThan(etaStar * (1 - 1e-4));
    expect(s?.etaC).toBeLessThanOrEqual(etaDelta * (1 + 1e-4));
    expect(s?.loss0).toBeCloseTo(l0, 6);
    expect(s?.forwardPasses).toBeGreaterThan(0);
    // §2.3: η_0 = η_c + η_trgt·1/T_wrm; T_reach = T_wrm(1 − η_c/η_trgt).
    expect(rows[0]?.lr).toBeCloseTo((s?.etaC ?? NaN) + 2 / 8, 12);
    expect(s?.tReach).toBeCloseTo(8 * (1 - (s?.etaC ?? NaN) / 2), 9);
  });

  it("'persistent' mode: re-searches are recorded, and the applied rate is the last search's η, never decreasing", async () => {
    const c = cfg({
      model: { kind: 'fcn', depth: 3, width: 16 },
      schedule: { etaTrgt: 50, etaInit: { mode: 'persistent', eta0: 0.01 } },
      measure: { evalEvery: 0, sharpnessEvery: 0 },
      steps: 25,
      batchSize: 32,
    });
    const { rows, result } = await run(c);
    const p = result.curvature?.persistent;
    expect(p?.researches.length).toBeGreaterThan(0);
    expect(result.events.filter((e) => e.kind === 'catapult-search')).toHaveLength(p?.researches.length ?? -1);
    let expected = 0.01;
    const byStep = new Map((p?.researches ?? []).map((r) => [r.step, r]));
    for (const row of rows) {
      const r = byStep.get(row.step);
      if (r !== undefined) {
        // Algorithm 3 searches only when the probe loss fell below the reference, and moves η up to η_uppr.
        expect(r.probeLoss).toBeLessThan(r.refLoss);
        expect(r.etaNew).toBeGreaterThanOrEqual(expected);
        expect(r.etaNew).toBe(Math.min(50, r.etaUppr));
        expected = r.etaNew;
      }
      expect(row.lr).toBe(expected);
    }
  });

  it('Adam: λ^{P⁻¹H} with r = η·λ/20 on the first update (38 late); GI-Adam lowers λ0^{P⁻¹H} by about √(1−β2) ≈ 0.032 (PAPER P12)', async () => {
    const base = {
      model: { kind: 'fcn', depth: 2, width: 16 },
      steps: 1,
      schedule: { etaTrgt: 1e-3, warmupSteps: 1 },
    } as const;
    const adam = await run(cfg({ ...base, optimizer: { kind: 'adam' } }));
    const gi = await run(cfg({ ...base, optimizer: { kind: 'gi-adam' } }));
    const ra = adam.rows[0];
    const rg = gi.rows[0];
    // The first update is η(1−β1)·P⁻¹g, so its edge is η·λ^{P⁻¹H} = 2/(1−β1) = 20 (stabilityConstantAt).
    expect(ra?.stabilityRatio).toBeCloseTo((1e-3 * (ra?.precondSharpness ?? NaN)) / 20, 10);
    expect(adam.result.curvature?.quantity).toBe('precondSharpness');
    // Full batch: both see the same θ₀ and batch, so the same λ^H.
    expect(Math.abs((ra?.sharpness ?? NaN) - (rg?.sharpness ?? NaN)) / (ra?.sharpness ?? NaN)).toBeLessThan(1e-2);
    const ratio = (rg?.precondSharpness ?? NaN) / (ra?.precondSharpness ?? NaN);
    expect(ratio).toBeGreaterThan(0.032 / 3);
    expect(ratio).toBeLessThan(0.032 * 3);
    // Adam's preconditioned sharpness dwarfs λ^H at init (PAPER P8).
    expect(ra?.precondSharpness ?? 0).toBeGreaterThan(100 * (ra?.sharpness ?? Infinity));
  });

  it('measureLambda0(config), the calibration entry, gives the same exact λ0 without training', async () => {
    const exact = await linearLambda();
    const m = await measureLambda0(cfg({ measure: { evalEvery: 0, lambda0: true, lambda0Batches: 3 } }));
    expect(m.perBatch).toHaveLength(3);
    expect(m.converged).toEqual([true, true, true]);
    expect(Math.abs(m.lambda0 - exact) / exact).toBeLessThan(1e-3);
    expect(m.backend).toBe('cpu');
  });
});
