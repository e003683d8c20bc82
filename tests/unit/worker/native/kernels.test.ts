import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../../../../worker/native/addon';
import { MIN_NATIVE_BROADCAST, isTrueBroadcast } from '../../../../worker/native/kernels/binary';
import { registerAtlasNative } from '../../../../worker/native/register';
import {
  Prng,
  countedNativeBackend,
  countingAddon,
  elementwiseError,
  nativeBuildPossible,
  normwiseError,
} from './fixtures';

/**
 * Property tests: every native kernel of the atlas-native backend against the stock cpu kernel (pure JS, the
 * reference) on random shapes, transposes, batch broadcasting, strides, padding and dilations. Tolerances: see
 * normwiseError (GEMM-like: 1e-6 of the output's scale) and elementwiseError (elementwise ops: 1e-6 relative, i.e.
 * a few float32 ulps; most are bit-identical).
 */

const str = (v: unknown): string => JSON.stringify(v);
const loaded = loadAddon();
const BACKEND = 'atlas-native-counted';

describe('atlas-native addon availability', () => {
  it('is built wherever OpenBLAS, a compiler and make are present, and otherwise says why not', () => {
    if (nativeBuildPossible()) {
      expect(loaded.ok ? 'built' : loaded.reason).toBe('built');
    } else {
      expect(loaded.ok).toBe(false);
      if (!loaded.ok) expect(loaded.reason).toMatch(/not built/);
    }
  });
});

if (loaded.ok) {
  const addon = loaded.addon;

  const native = countedNativeBackend(addon, BACKEND);
  const { both, expectClose } = native;

  describe('addon on raw arrays (known answers)', () => {
    it('multiplies 2×2 matrices with every transpose combination', () => {
      const a = new Float32Array([1, 2, 3, 4]);
      const b = new Float32Array([5, 6, 7, 8]);
      const c = new Float32Array(4);
      addon.matmul(a, b, c, 1, 1, 2, 2, 2, false, false);
      expect([...c]).toEqual([19, 22, 43, 50]);
      addon.matmul(a, b, c, 1, 1, 2, 2, 2, true, false); // aᵀ = [1 3; 2 4]
      expect([...c]).toEqual([26, 30, 38, 44]);
      addon.matmul(a, b, c, 1, 1, 2, 2, 2, false, true); // bᵀ = [5 7; 6 8]
      expect([...c]).toEqual([17, 23, 39, 53]);
      addon.matmul(a, b, c, 1, 1, 2, 2, 2, true, true);
      expect([...c]).toEqual([23, 31, 34, 46]);
    });

    it('writes in place into a view at an offset of a larger buffer and nowhere else', () => {
      const buffer = new Float32Array(10).fill(-7);
      const c = buffer.subarray(3, 7);
      addon.matmul(new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6, 7, 8]), c, 1, 1, 2, 2, 2, false, false);
      expect([...buffer]).toEqual([-7, -7, -7, 19, 22, 43, 50, -7, -7, -7]);
    });

    it('convolves a 3×3 image with a 2×2 box filter, and both gradients match the hand-computed ones', () => {
      // x = 1..9 (one image, one channel), w = ones(2×2), VALID, stride 1: y = window sums.
      const geometry = Int32Array.from([1, 3, 3, 1, 2, 2, 1, 2, 2, 1, 1, 1, 1, 0, 0]);
      const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const w = new Float32Array(4).fill(1);
      const y = new Float32Array(4);
      addon.conv2d(x, w, y, geometry);
      expect([...y]).toEqual([12, 16, 24, 28]);
      // dy = ones: dx counts the windows covering each pixel; dw[i,j] sums x over the window shifted by (i,j).
      const dy = new Float32Array(4).fill(1);
      const dx = new Float32Array(9).fill(99);
      addon.conv2dBackpropInput(dy, w, dx, geometry);
      expect([...dx]).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
      const dw = new Float32Array(4).fill(99);
      addon.conv2dBackpropFilter(x, dy, dw, geometry);
      expect([...dw]).toEqual([12, 16, 24, 28]);
    });

    it('sums the middle axis in double precision', () => {
      // 2^24 + 1 + 1 − 2^24 = 2 exactly in double; float32 accumulation would lose both ones (result 0).
      const x = new Float32Array([16777216, 1, 1, -16777216]);
      const out = new Float32Array(1);
      addon.sumMiddle(x, out, 1, 4, 1);
      expect(out[0]).toBe(2);
    });

    it('rejects arrays shorter than the sizes claim, naming the argument, without touching memory', () => {
      expect(() =>
        addon.matmul(new Float32Array(4), new Float32Array(4), new Float32Array(3), 1, 1, 2, 2, 2, false, false),
      ).toThrow(/matmul: argument 2 has 3 elements, needs 4/);
      expect(() =>
        addon.conv2d(new Float32Array(9), new Float32Array(4), new Float32Array(4), new Int32Array(14)),
      ).toThrow(/argument 3 must have 15 elements/);
      expect(() =>
        addon.matmul(
          new Float64Array(4) as unknown as Float32Array,
          new Float32Array(4),
          new Float32Array(4),
          1,
          1,
          2,
          2,
          2,
          false,
          false,
        ),
      ).toThrow(/argument 0 must be a Float32Array/);
      expect(() =>
        addon.matmul(new Float32Array(8), new Float32Array(12), new Float32Array(24), 2, 3, 2, 2, 2, false, false),
      ).toThrow(/batch sizes/);
    });
  });

  describe('BatchMatMul and _FusedMatMul against the cpu backend', () => {
    it('random shapes, transposes and batch broadcasting (60 seeds)', async () => {
      for (let seed = 1; seed <= 60; seed++) {
        const r = new Prng(seed);
        const [m, n, k] = [r.int(1, 17), r.int(1, 17), r.int(1, 33)];
        const transA = r.bool();
        const transB = r.bool();
        // Outer dims: none, equal on both sides, or one side's batch broadcast (absent or all ones).
        const outer = r.pick([[], [3], [2, 2]]);
        const mode = r.pick(['equal', 'a1', 'b1', 'aAbsent', 'bAbsent'] as const);
        const outerA = mode === 'aAbsent' ? [] : mode === 'a1' ? outer.map(() => 1) : outer;
        const outerB = mode === 'bAbsent' ? [] : mode === 'b1' ? outer.map(() => 1) : outer;
        const aShape = [...outerA, ...(transA ? [k, m] : [m, k])];
        const bShape = [...outerB, ...(transB ? [n, k] : [k, n])];
        const av = r.floats(aShape.reduce((p, q) => p * q, 1));
        const bv = r.floats(bShape.reduce((p, q) => p * q, 1));
        const { native, ref, calls } = await both(() =>
          tf.matMul(tf.tensor(av, aShape), tf.tensor(bv, bShape), transA, transB),
        );
        expect(calls.matmul, `seed ${seed}`).toBe(1);
        expectClose(
          native,
          ref,
          normwiseError,
          `matMul seed ${seed} a=${str(aShape)} b=${str(bShape)} tA=${transA} tB=${transB}`,
        );
      }
    });

    it('fused bias and activations (30 seeds), with prelu handed to the stock kernel', async () => {
      const activations = ['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu'] as const;
      for (let seed = 1; seed <= 30; seed++) {
        const r = new Prng(100 + seed);
        const [m, n, k] = [r.int(1, 12), r.int(1, 12), r.int(1, 20)];
        const transA = r.bool();
        const transB = r.bool();
        const activation = activations[seed % activations.length] ?? 'linear';
        const biasKind = r.pick(['none', 'row', 'scalar'] as const);
        const av = r.floats(m * k);
        // Scale b so relu6 and the sigmoid's tails are exercised.
        const bv = r.floats(k * n).map((v) => 4 * v);
        const biasV = r.floats(n);
        const { native, ref, calls } = await both(() =>
          tf.fused.matMul({
            a: tf.tensor2d(av, transA ? [k, m] : [m, k]),
            b: tf.tensor2d(bv, transB ? [n, k] : [k, n]),
            transposeA: transA,
            transposeB: transB,
            activation,
            leakyreluAlpha: 0.3,
            ...(biasKind === 'none'
              ? {}
              : { bias: biasKind === 'row' ? tf.tensor1d(biasV) : tf.scalar(biasV[0] ?? 0) }),
          }),
        );
        expect(calls.biasActivation, `seed ${seed}`).toBe(1);
        expectClose(native, ref, normwiseError, `fused matMul seed ${seed} ${activation} bias=${biasKind}`);
      }
      const r = new Prng(7);
      const [av, bv, alpha] = [r.floats(12), r.floats(12), r.floats(3)];
      const prelu = await both(() =>
        tf.fused.matMul({
          a: tf.tensor2d(av, [4, 3]),
          b: tf.tensor2d(bv, [3, 4]).slice([0, 0], [3, 3]),
          activation: 'prelu',
          preluActivationWeights: tf.tensor1d(alpha),
        }),
      );
      expect(prelu.calls.biasActivation ?? 0).toBe(0);
      expectClose(prelu.native, prelu.ref, normwiseError, 'fused matMul prelu (stock)');
    });
  });

  describe('Sum against the cpu backend', () => {
    it('random ranks and axis sets, keepDims (40 seeds); non-consecutive axes go to the stock kernel', async () => {
      let nativeCases = 0;
      for (let seed = 1; seed <= 40; seed++) {
        const r = new Prng(500 + seed);
        const rank = r.int(1, 4);
        const shape = Array.from({ length: rank }, () => r.int(1, 7));
        const axes = Array.from({ length: rank }, (_, i) => i).filter(() => r.bool());
        const axis = axes.length === 0 ? [r.int(0, rank - 1)] : axes;
        const consecutive = axis.every((a, i) => i === 0 || a === (axis[i - 1] ?? -2) + 1);
        const keepDims = r.bool();
        const xv = r.floats(shape.reduce((p, q) => p * q, 1));
        const { native, ref, calls } = await both(() => tf.sum(tf.tensor(xv, shape), axis, keepDims));
        expect(calls.sumMiddle ?? 0, `seed ${seed}`).toBe(consecutive ? 1 : 0);
        if (consecutive) nativeCases++;
        expectClose(native, ref, normwiseError, `sum seed ${seed} shape=${str(shape)} axis=${str(axis)}`);
      }
      expect(nativeCases).toBeGreaterThan(20);
    });
  });

  describe('broadcasting binary kernels against the cpu backend', () => {
    const ops: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
      ['add', tf.add],
      ['sub', tf.sub],
      ['mul', tf.mul],
      ['div', tf.div],
      ['squaredDifference', tf.squaredDifference],
      ['maximum', tf.maximum],
      ['minimum', tf.minimum],
    ];
    for (const [name, op] of ops) {
      it(`${name}: random broadcast shapes (12 seeds)`, async () => {
        for (let seed = 1; seed <= 12; seed++) {
          const r = new Prng(600 + seed * 7 + name.length);
          const rank = r.int(0, 4);
          const out = Array.from({ length: rank }, () => r.int(1, 5));
          const operand = () => {
            const drop = r.int(0, rank);
            return out.slice(drop).map((d) => (r.next() < 0.3 ? 1 : d));
          };
          const aShape = operand();
          const bShape = operand();
          const av = r.floats(aShape.reduce((p, q) => p * q, 1));
          const bv = r.floats(bShape.reduce((p, q) => p * q, 1));
          const { native, ref, calls } = await both(() => op(tf.tensor(av, aShape), tf.tensor(bv, bShape)));
          // Equal shapes and single values stay with the stock kernel (as fast); true broadcasts run natively.
          expect(calls.binary ?? 0, `seed ${seed}`).toBe(isTrueBroadcast(aShape, bShape) ? 1 : 0);
          expectClose(native, ref, elementwiseError, `${name} seed ${seed} a=${str(aShape)} b=${str(bShape)}`);
        }
      });
    }

    it('with the product threshold, only broadcasts of at least MIN_NATIVE_BROADCAST elements run natively', async () => {
      const name = 'atlas-native-threshold';
      const counted = countingAddon(addon);
      registerAtlasNative(counted.addon, { name });
      await tf.setBackend(name);
      const bigShape = [MIN_NATIVE_BROADCAST / 64, 64];
      const sum = tf.tidy(() => {
        const bias = tf.range(0, 64);
        const small = tf.add(tf.ones([4, 64]), bias);
        const same = tf.add(tf.ones(bigShape), tf.ones(bigShape));
        const big = tf.add(tf.ones(bigShape), bias);
        return [tf.sum(small), tf.sum(same), tf.sum(big)].map((t) => t.dataSync()[0]);
      });
      expect(counted.counts.binary).toBe(1);
      // Σ (1 + j) over 64 columns: 64 + 2016 = 2080 per row.
      expect(sum).toEqual([4 * 2080, 2 * MIN_NATIVE_BROADCAST, (MIN_NATIVE_BROADCAST / 64) * 2080]);
    });

    it('maximum and minimum propagate NaN like the cpu backend', async () => {
      // A row broadcast over a matrix, so the native kernel runs.
      const a = [NaN, 1, -2, 0, 5, NaN, 3, -1];
      const b = [0, NaN, -3, NaN];
      const { native, ref, calls } = await both(() => [
        tf.maximum(tf.tensor2d(a, [2, 4]), tf.tensor1d(b)),
        tf.minimum(tf.tensor2d(a, [2, 4]), tf.tensor1d(b)),
      ]);
      expect(calls.binary).toBe(2);
      expect([...(native[0] ?? [])]).toEqual([NaN, NaN, -2, NaN, 5, NaN, 3, NaN]);
      expect([...(native[1] ?? [])]).toEqual([NaN, NaN, -3, NaN, 0, NaN, -3, NaN]);
      expectClose(native, ref, elementwiseError, 'NaN max/min');
    });

    it('int32 operands go to the stock kernel and stay int32', async () => {
      await tf.setBackend(BACKEND);
      const before = native.counts().binary ?? 0;
      const s = tf.add(tf.tensor2d([1, 2, 5, 6], [2, 2], 'int32'), tf.tensor1d([3, 4], 'int32'));
      expect(s.dtype).toBe('int32');
      expect([...s.dataSync()]).toEqual([4, 6, 8, 10]);
      expect(native.counts().binary ?? 0).toBe(before);
      s.dispose();
    });
  });

  describe('MaxPool, MaxPoolGrad, Identity and Cast against the cpu backend', () => {
    it('max pooling and its gradient: random windows, strides, SAME/VALID, ReLU ties (30 seeds)', async () => {
      for (let seed = 1; seed <= 30; seed++) {
        const r = new Prng(700 + seed);
        const shape: [number, number, number, number] = [r.int(1, 3), r.int(1, 9), r.int(1, 9), r.int(1, 5)];
        const size: [number, number] = [r.int(1, 3), r.int(1, 3)];
        const strides: [number, number] = [r.int(1, 3), r.int(1, 3)];
        const pad = r.pick(['same', 'valid'] as const);
        if (pad === 'valid' && (shape[1] < size[0] || shape[2] < size[1])) continue;
        const xv = r.floats(shape.reduce((p, q) => p * q, 1));
        // Half the seeds pool ReLU outputs: windows of zeros are ties, which must route the gradient like cpu does.
        const relu = seed % 2 === 0;
        // The gradient is taken with respect to the pooled tensor itself, so the routing among tied zeros is visible.
        const { native, ref, calls } = await both(() => {
          const g = tf.grads((a: tf.Tensor) => {
            const y = tf.maxPool(a as tf.Tensor4D, size, strides, pad);
            return tf.sum(tf.mul(y, tf.range(1, y.size + 1).reshape(y.shape)));
          });
          const x = tf.tensor4d(xv, shape);
          const a = relu ? tf.relu(x) : x;
          return [tf.maxPool(a, size, strides, pad), ...g([a])];
        });
        expect(calls.maxPool, `seed ${seed}`).toBe(2);
        expect(calls.maxPoolGrad, `seed ${seed}`).toBe(1);
        expectClose(
          native,
          ref,
          normwiseError,
          `maxPool seed ${seed} x=${str(shape)} size=${str(size)} s=${str(strides)} ${pad}`,
        );
      }
    });

    it('Identity and same-dtype Cast share the input buffer, and disposal order does not matter', async () => {
      await tf.setBackend(BACKEND);
      const backend = tf.backend();
      const before = backend.numDataIds();
      const x = tf.tensor1d([1, 2, 3]);
      const c = x.clone();
      const k = tf.cast(x, 'float32');
      const i32 = tf.cast(x, 'int32');
      // One buffer for x, its clone and its same-dtype cast; a second one for the int32 copy.
      expect(backend.numDataIds()).toBe(before + 2);
      x.dispose();
      expect([...c.dataSync()]).toEqual([1, 2, 3]);
      c.dispose();
      expect([...k.dataSync()]).toEqual([1, 2, 3]);
      expect(i32.dtype).toBe('int32');
      expect([...i32.dataSync()]).toEqual([1, 2, 3]);
      tf.dispose([k, i32]);
      expect(backend.numDataIds()).toBe(before);
    });
  });

  it('native kernels leave no tensors or heap entries behind', async () => {
    await tf.setBackend(BACKEND);
    const r = new Prng(4242);
    const x = tf.tensor4d(r.floats(2 * 6 * 6 * 3), [2, 6, 6, 3]);
    const f = tf.tensor4d(r.floats(3 * 3 * 3 * 4), [3, 3, 3, 4]);
    const step = () =>
      tf.tidy(() => {
        const g = tf.grads((xx: tf.Tensor, ff: tf.Tensor) =>
          tf.sum(tf.relu(tf.add(tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, 1, 'same'), 0.1))),
        );
        const [gx, gf] = g([x, f]);
        return tf.add(
          tf.sum(tf.matMul(tf.reshape(gx ?? x, [2, -1]), tf.reshape(gx ?? x, [2, -1]), false, true)),
          tf.sum(gf ?? f),
        );
      });
    step().dispose();
    const tensors = tf.memory().numTensors;
    const dataIds = tf.backend().numDataIds();
    for (let i = 0; i < 5; i++) step().dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(dataIds);
    tf.dispose([x, f]);
  });
}
