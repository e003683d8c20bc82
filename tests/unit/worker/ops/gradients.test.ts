import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { LossKind } from '../../../../server/core/run-config';
import { Rng } from '../../../../worker/data/prng';
import { initBackend } from '../../../../worker/engine/backend';
import { lossAndGrads } from '../../../../worker/engine/grad';
import type { Model } from '../../../../worker/engine/types';
import { createModel } from '../../../../worker/models/registry';
import { conv2dSame } from '../../../../worker/ops/conv2d';
import { dense } from '../../../../worker/ops/dense';

// The wasm backend's custom gradients (explicit transposes; convolutions rewritten as forward convolutions) against
// the cpu backend's own kernels (MatMul with transpose flags, Conv2DBackpropFilter, Conv2DBackpropInput), in one
// process: tf.setBackend switches between them. Tolerance 1e-4 relative to the largest entry: float32
// sums of ≤ a few hundred terms in a different order differ by ~1e-6 relative.

function randoms(seed: number, n: number): Float32Array {
  const r = new Rng(seed);
  return new Float32Array(n).map(() => r.normal());
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return diff / scale;
}

/** Gradients of sum(op(...inputs) · probe) with respect to every input, as flat arrays. */
function gradsOf(op: (...ts: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], probe: tf.Tensor): Float32Array[] {
  const gs = tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.mul(op(...ts), probe)))(inputs);
  const out = gs.map((g) => g.dataSync() as Float32Array);
  tf.dispose(gs);
  return out;
}

/** One batch as plain numbers: inputs of shape `xShape`, targets [B, K]. */
interface BatchData {
  x: ArrayLike<number>;
  xShape: number[];
  y: ArrayLike<number>;
  yShape: readonly [number, number];
}

/** Loss and every parameter gradient of `model` (initialized from `seed`) on `batch`, computed on `backend`. */
async function lossAndGradsOn(
  backend: 'wasm' | 'cpu',
  model: Model,
  seed: number,
  batch: BatchData,
  lossKind: LossKind,
): Promise<{ loss: number; grads: Float32Array[] }> {
  await initBackend(backend);
  const params = model.init(seed);
  const x = tf.tensor(Float32Array.from(batch.x), batch.xShape);
  const y = tf.tensor2d(Float32Array.from(batch.y), [...batch.yShape]);
  const out = lossAndGrads(model, params, { x, y }, lossKind);
  const res = {
    loss: out.loss.dataSync()[0] as number,
    grads: out.grads.map((g) => g.dataSync() as Float32Array),
  };
  tf.dispose([out.loss, out.accuracy, ...out.grads, ...params, x, y]);
  return res;
}

/** The whole model's loss agrees between wasm and cpu within 1e-5 relative, every gradient within 1e-4. */
async function expectWasmMatchesCpu(model: Model, seed: number, batch: BatchData, lossKind: LossKind): Promise<void> {
  const cpu = await lossAndGradsOn('cpu', model, seed, batch, lossKind);
  const wasm = await lossAndGradsOn('wasm', model, seed, batch, lossKind);
  expect(Math.abs(wasm.loss - cpu.loss) / cpu.loss).toBeLessThan(1e-5);
  wasm.grads.forEach((g, i) => expect(relErr(g, cpu.grads[i] as Float32Array)).toBeLessThan(1e-4));
}

describe('dense with explicit-transpose gradients', () => {
  it('equals TF.js own gradient for x, W and b, on wasm and cpu', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend(backend);
      const x = tf.tensor2d(randoms(1, 7 * 5), [7, 5]);
      const w = tf.tensor2d(randoms(2, 5 * 3), [5, 3]);
      const b = tf.tensor1d(randoms(3, 3));
      const probe = tf.tensor2d(randoms(4, 7 * 3), [7, 3]);
      const custom = gradsOf(
        (a, c, d) => dense(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D, { impl: 'custom' }),
        [x, w, b],
        probe,
      );
      const own = gradsOf(
        (a, c, d) => dense(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D, { impl: 'tf' }),
        [x, w, b],
        probe,
      );
      for (let i = 0; i < 3; i++) expect(relErr(custom[i] as Float32Array, own[i] as Float32Array)).toBeLessThan(1e-5);
      // The first-layer form gives the same W and b gradients without an input gradient.
      const noInput = gradsOf(
        (c, d) => dense(x, c as tf.Tensor2D, d as tf.Tensor1D, { impl: 'custom', inputGrad: false }),
        [w, b],
        probe,
      );
      expect(relErr(noInput[0] as Float32Array, own[1] as Float32Array)).toBeLessThan(1e-5);
      expect(relErr(noInput[1] as Float32Array, own[2] as Float32Array)).toBeLessThan(1e-5);
      tf.dispose([x, w, b, probe]);
    }
  });

  it('whole-FCN gradients (SP and μP, MSE) match between wasm and cpu', async () => {
    for (const parameterization of ['sp', 'mup'] as const) {
      const model = createModel({ kind: 'fcn', depth: 3, width: 16 }, parameterization, {
        inputShape: [12],
        numClasses: 4,
      });
      const batch = { x: randoms(60, 6 * 12), xShape: [6, 12], y: randoms(61, 6 * 4), yShape: [6, 4] as const };
      await expectWasmMatchesCpu(model, 2, batch, 'mse');
    }
  });
});

describe('conv2d gradients on wasm equal the cpu backend’s kernels within 1e-4 relative', () => {
  for (const k of [3, 5]) {
    it(`filter, input and bias gradients, ${k}×${k} kernel on non-square maps`, async () => {
      const [B, H, W, Ci, Co] = [3, 6, 5, 2, 4];
      const data = {
        x: randoms(10 + k, B * H * W * Ci),
        f: randoms(20 + k, k * k * Ci * Co),
        b: randoms(30 + k, Co),
        probe: randoms(40 + k, B * H * W * Co),
      };
      const run = (impl: 'custom' | 'tf') => {
        const x = tf.tensor4d(data.x, [B, H, W, Ci]);
        const f = tf.tensor4d(data.f, [k, k, Ci, Co]);
        const b = tf.tensor1d(data.b);
        const probe = tf.tensor4d(data.probe, [B, H, W, Co]);
        const g = gradsOf(
          (a, c, d) => conv2dSame(a as tf.Tensor4D, c as tf.Tensor4D, d as tf.Tensor1D, { impl }),
          [x, f, b],
          probe,
        );
        tf.dispose([x, f, b, probe]);
        return g;
      };
      await initBackend('cpu');
      const reference = run('tf');
      await initBackend('wasm');
      const custom = run('custom');
      expect(custom[0]?.length).toBe(B * H * W * Ci);
      expect(custom[1]?.length).toBe(k * k * Ci * Co);
      expect(relErr(custom[0] as Float32Array, reference[0] as Float32Array)).toBeLessThan(1e-4);
      expect(relErr(custom[1] as Float32Array, reference[1] as Float32Array)).toBeLessThan(1e-4);
      expect(relErr(custom[2] as Float32Array, reference[2] as Float32Array)).toBeLessThan(1e-4);
    });
  }

  it('without the custom path, wasm cannot compute the filter gradient at all (the gap this closes)', async () => {
    await initBackend('wasm');
    const x = tf.ones<tf.Rank.R4>([1, 4, 4, 1]);
    const f = tf.ones<tf.Rank.R4>([3, 3, 1, 1]);
    expect(() => tf.grad((ff: tf.Tensor) => tf.sum(tf.conv2d(x, ff as tf.Tensor4D, 1, 'same')))(f)).toThrow(
      /Conv2DBackpropFilter/,
    );
    tf.dispose([x, f]);
  });

  it('whole-CNN gradients (SP and μP, cross-entropy) match between wasm and cpu', async () => {
    for (const parameterization of ['sp', 'mup'] as const) {
      const model = createModel({ kind: 'cnn', depth: 7, width: 4 }, parameterization, {
        inputShape: [8, 8, 2],
        numClasses: 3,
      });
      const ys = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0.5, 0, 0, 0, 1];
      const batch = { x: randoms(50, 5 * 8 * 8 * 2), xShape: [5, 8, 8, 2], y: ys, yShape: [5, 3] as const };
      await expectWasmMatchesCpu(model, 1, batch, 'xent');
    }
  });
});
