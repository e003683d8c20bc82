import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../../../server/core/metrics';
import type { RunConfigInput } from '../../../server/core/run-config';
import { trainRun } from '../../../worker/engine/train';
import { loadAddon } from '../../../worker/native/addon';

/**
 * Training on atlas-native against training on wasm, 50 SGD-momentum steps, through the product's own loop
 * (trainRun: engine A's models and ops, engine B's optimizers). The two backends run different gradient code
 * (wasm: the project's explicit-transpose/forward-conv gradients; atlas-native: TF.js's own gradients on native
 * kernels), so the curves agree to float32 rounding amplified by 50 steps of training, not bit for bit.
 *
 * Tolerance 1e-5 relative per step: one step's loss differs by a few float32 ulps (~1e-7 relative), and the training
 * map amplifies a parameter perturbation by a bounded factor per step; at these learning rates the measured gap
 * after 50 steps is 2.6e-7 (FCN) and 2.3e-7 (CNN), so 1e-5 leaves a ~40× margin, while a wrong gradient changes
 * the trajectory by O(1) within a few steps.
 */

const STEPS = 50;
const TOL = 1e-5;
const loaded = loadAddon();

function fcnConfig(backend: RunConfigInput['backend']): RunConfigInput {
  return {
    model: { kind: 'fcn', depth: 3, width: 32 },
    data: { name: 'synthetic-gmm', synthetic: { inputDim: 16, classes: 4, trainSize: 512, testSize: 64, seed: 3 } },
    optimizer: { kind: 'sgd-momentum', momentum: 0.9 },
    schedule: { etaTrgt: 0.1, warmupSteps: 10 },
    steps: STEPS,
    batchSize: 64,
    seed: 7,
    backend,
    measure: { evalEvery: 0 },
  };
}

/** The project's CNN (Myrtle-5, width 4) on 8×8×1 synthetic images: convs with both gradients, max-pooling. */
function cnnConfig(backend: RunConfigInput['backend']): RunConfigInput {
  return {
    model: { kind: 'cnn', depth: 5, width: 4 },
    data: { name: 'synthetic-gmm', synthetic: { inputDim: 64, classes: 4, trainSize: 256, testSize: 32, seed: 5 } },
    optimizer: { kind: 'sgd-momentum', momentum: 0.9 },
    schedule: { etaTrgt: 0.05, warmupSteps: 10 },
    steps: STEPS,
    batchSize: 32,
    seed: 11,
    backend,
    measure: { evalEvery: 0 },
  };
}

async function curve(config: RunConfigInput): Promise<{ losses: number[]; backend: string }> {
  const rows: MetricRow[] = [];
  const result = await trainRun(config, { onRow: (r) => void rows.push(r) });
  expect(result.outcome).toBe('trained');
  return { losses: rows.map((r) => r.loss), backend: result.backend };
}

function maxRelativeGap(a: readonly number[], b: readonly number[]): number {
  let worst = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? NaN;
    worst = Math.max(worst, Math.abs(x - y) / Math.abs(y));
  });
  return worst;
}

if (loaded.ok) {
  describe('atlas-native trains like wasm', () => {
    for (const [name, config] of [
      ['FCN-3-32', fcnConfig],
      ['CNN Myrtle-5 width 4', cnnConfig],
    ] as const) {
      it(`${name}: the same loss curve for ${STEPS} steps within ${TOL} relative, and the runs record their backend`, async () => {
        const native = await curve(config('atlas-native'));
        const wasm = await curve(config('wasm'));
        expect(native.backend).toBe('atlas-native');
        expect(wasm.backend).toBe('wasm');
        expect(native.losses).toHaveLength(STEPS);
        expect(wasm.losses).toHaveLength(STEPS);
        // The runs learn (so the comparison is of a moving trajectory, not of a constant).
        expect(native.losses[STEPS - 1] ?? NaN).toBeLessThan(0.9 * (native.losses[0] ?? NaN));
        expect(maxRelativeGap(native.losses, wasm.losses)).toBeLessThanOrEqual(TOL);
      });
    }

    it("'auto' picks atlas-native where the addon is built", async () => {
      const r = await trainRun({ ...fcnConfig('auto'), steps: 2 });
      expect(r.backend).toBe('atlas-native');
      expect(r.device).toMatch(/OpenBLAS .* 1 thread/);
    });
  });
} else {
  describe('without the addon, training falls back to wasm', () => {
    it(`'auto' trains on wasm (${loaded.reason})`, async () => {
      const auto = await curve(fcnConfig('auto'));
      expect(auto.backend).toBe('wasm');
      expect(auto.losses[STEPS - 1] ?? NaN).toBeLessThan(0.9 * (auto.losses[0] ?? NaN));
    });
  });
}
