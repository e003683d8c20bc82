import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gaussianVector } from '../../../../worker/curvature/lanczos';
import { sharpnessAt } from '../../../../worker/curvature/measure';
import { createModel } from '../../../../worker/models/registry';
import { cyclicOneHot } from './fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe("the engine CNN's reluPreActivations", () => {
  const model = createModel({ kind: 'cnn', depth: 5, width: 2 }, 'sp', { inputShape: [8, 8, 1], numClasses: 3 });

  it('returns one z per conv; the first is conv2d(x, W0, same) + b0', () => {
    const params = model.init(4);
    const x = tf.tensor4d(Float32Array.from(gaussianVector(6 * 64, 2)), [6, 8, 8, 1]);
    const pre = model.reluPreActivations?.(params, x) ?? [];
    // Myrtle-5 = 4 convs + the dense readout: one pre-activation per conv (kernel + bias each).
    expect(pre).toHaveLength((model.paramSpecs.length - 2) / 2);
    expect(pre).toHaveLength(4);
    const direct = tf.tidy(() => tf.add(tf.conv2d(x, params[0] as tf.Tensor4D, 1, 'same'), params[1] as tf.Tensor1D));
    const a = pre[0]?.dataSync() ?? new Float32Array(0);
    const b = direct.dataSync();
    expect(a.length).toBe(b.length);
    // Same convolution computed by two code paths: float32 rounding only.
    a.forEach((v, i) => expect(Math.abs(v - (b[i] ?? NaN))).toBeLessThan(1e-5 * (1 + Math.abs(v))));
    tf.dispose([...params, ...pre, x, direct]);
  });

  it('sharpness on the CNN goes through the gated network: no product retried, flips along the Ritz vector reported', () => {
    const params = model.init(4);
    const x = tf.tensor4d(Float32Array.from(gaussianVector(32 * 64, 3)), [32, 8, 8, 1]);
    const y = cyclicOneHot(32, 3);
    const est = sharpnessAt({ model, params, batch: { x, y }, lossKind: 'mse' });
    expect(typeof est.fdFlips).toBe('number');
    expect(est.fdRetried).toBe(0);
    expect(est.value).toBeGreaterThan(0);
    tf.dispose([...params, x, y]);
  });
});
