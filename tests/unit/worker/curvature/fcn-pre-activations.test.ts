import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gaussianVector } from '../../../../worker/curvature/lanczos';
import { sharpnessAt } from '../../../../worker/curvature/measure';
import { createModel } from '../../../../worker/models/registry';
import { cyclicOneHot } from './fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe("the engine FCN's reluPreActivations (for the flip count of finite-difference HVPs)", () => {
  for (const param of ['sp', 'mup'] as const) {
    it(`${param}: the last hidden z gives the logits as relu(z)·W + b (times the readout multiplier)`, () => {
      const model = createModel({ kind: 'fcn', depth: 3, width: 12 }, param, { inputShape: [5], numClasses: 3 });
      const params = model.init(2);
      const x = tf.tensor2d(Float32Array.from(gaussianVector(7 * 5, 3)), [7, 5]);
      const pre = model.reluPreActivations?.(params, x) ?? [];
      expect(pre.map((t) => t.shape)).toEqual([
        [7, 12],
        [7, 12],
      ]);
      const logits = model.apply(params, x);
      // μP readout multiplier √(1/fan_in) (PAPER §3.2); SP 1.
      const mult = param === 'mup' ? Math.sqrt(1 / 12) : 1;
      const again = tf.tidy(() =>
        tf.mul(
          tf.add(tf.matMul(tf.relu(pre[1] as tf.Tensor2D), params[4] as tf.Tensor2D), params[5] as tf.Tensor1D),
          mult,
        ),
      );
      const a = logits.dataSync();
      const b = again.dataSync();
      // Same float32 ops in a different order: agreement to float32 rounding.
      a.forEach((v, i) => expect(Math.abs(v - (b[i] ?? NaN))).toBeLessThan(1e-5 * (1 + Math.abs(v))));
      tf.dispose([...params, ...pre, x, logits, again]);
    });
  }

  it('without gating, estimates on the engine FCN check every product and report the flips left (0 after retries)', () => {
    const model = createModel({ kind: 'fcn', depth: 3, width: 16 }, 'sp', { inputShape: [8], numClasses: 4 });
    const params = model.init(1);
    const x = tf.tensor2d(Float32Array.from(gaussianVector(64 * 8, 5)), [64, 8]);
    const y = cyclicOneHot(64, 4);
    const est = sharpnessAt({ model, params, batch: { x, y }, lossKind: 'mse', gating: false });
    expect(est.fdFlips).toBe(0);
    expect(est.converged).toBe(true);
    tf.dispose([...params, x, y]);
  });
});
