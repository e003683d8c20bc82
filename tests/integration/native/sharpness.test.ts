import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../../server/core/run-config';
import { estimateSharpness } from '../../../worker/curvature/sharpness';
import { sliceBatch } from '../../../worker/data/dataset';
import { makeSynthetic } from '../../../worker/data/synthetic';
import { initBackend } from '../../../worker/engine/backend';
import { lossAndGrads } from '../../../worker/engine/grad';
import { createModel } from '../../../worker/models/registry';
import { loadAddon } from '../../../worker/native/addon';

/**
 * Sharpness λ^H by the curvature module's finite-difference HVPs + Lanczos, on atlas-native and on wasm, at the same
 * θ0 and batch. FD-HVPs divide a gradient difference by 2ε (ε = 1e-4), so float32 rounding in the gradients is
 * magnified: the two backends' gradients differ by a few ulps, and the estimates differ by 7e-5 (FCN) and 3.3e-4
 * (CNN) relative here (deterministic: same seeds, single-threaded kernels). The issue's bar is 1e-3 relative.
 */

const TOL = 1e-3;
const loaded = loadAddon();

async function sharpness(backend: 'atlas-native' | 'wasm', spec: ModelSpec, inputDim: number): Promise<number> {
  await initBackend(backend);
  const data = makeSynthetic({
    kind: 'gmm',
    inputDim,
    classes: 4,
    trainSize: 128,
    testSize: 1,
    seed: 9,
    mupInputScaling: false,
  });
  const model = createModel(spec, 'sp', { inputShape: data.train.inputShape, numClasses: 4 });
  const params = model.init(3);
  const batch = sliceBatch(data.train, 0, 128);
  const est = estimateSharpness({ params, gradAt: (p) => lossAndGrads(model, p, batch, 'mse'), flipCheck: 'none' });
  tf.dispose([...params, batch.x, batch.y]);
  expect(est.converged).toBe(true);
  return est.value;
}

if (loaded.ok) {
  describe('FD-HVP sharpness on atlas-native equals wasm', () => {
    it(`FCN-3-32: λ^H within ${TOL} relative`, async () => {
      const spec: ModelSpec = { kind: 'fcn', depth: 3, width: 32 };
      const native = await sharpness('atlas-native', spec, 16);
      const wasm = await sharpness('wasm', spec, 16);
      expect(native).toBeGreaterThan(0);
      expect(Math.abs(native - wasm) / wasm).toBeLessThanOrEqual(TOL);
    });

    it(`CNN Myrtle-5 width 2 on 8×8 images: λ^H within ${TOL} relative`, async () => {
      const spec: ModelSpec = { kind: 'cnn', depth: 5, width: 2 };
      const native = await sharpness('atlas-native', spec, 64);
      const wasm = await sharpness('wasm', spec, 64);
      expect(native).toBeGreaterThan(0);
      expect(Math.abs(native - wasm) / wasm).toBeLessThanOrEqual(TOL);
    });
  });
} else {
  describe('FD-HVP sharpness without the addon', () => {
    it(`runs on wasm (${loaded.reason})`, async () => {
      expect(await sharpness('wasm', { kind: 'fcn', depth: 3, width: 32 }, 16)).toBeGreaterThan(0);
    });
  });
}
