import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../../../../worker/native/addon';
import { Prng, countedNativeBackend, normwiseError } from './fixtures';

/**
 * Property tests of the atlas-native convolution kernels (Conv2D, FusedConv2D, Conv2DBackpropInput,
 * Conv2DBackpropFilter) against the stock cpu kernels on random shapes, strides, padding and dilations, within
 * normwiseError's 1e-6 of the output's scale (kernels.test.ts has the other kernels).
 */

const str = (v: unknown): string => JSON.stringify(v);
const loaded = loadAddon();

if (loaded.ok) {
  const { both, expectClose } = countedNativeBackend(loaded.addon, 'atlas-native-counted');

  type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

  function randomConv(r: Prng, allowDilation: boolean) {
    const batch = r.int(1, 3);
    const [h, w] = [r.int(1, 9), r.int(1, 9)];
    const [cin, cout] = [r.int(1, 5), r.int(1, 6)];
    const [fh, fw] = [r.int(1, 4), r.int(1, 4)];
    const dilate = allowDilation && r.next() < 0.3;
    const strides: [number, number] = dilate ? [1, 1] : [r.int(1, 3), r.int(1, 3)];
    const dilations: [number, number] = dilate ? [r.int(1, 2), r.int(1, 2)] : [1, 1];
    const kind = r.pick(['same', 'valid', 'explicit'] as const);
    const pad: Pad =
      kind === 'explicit'
        ? [
            [0, 0],
            [r.int(0, 2), r.int(0, 2)],
            [r.int(0, 2), r.int(0, 2)],
            [0, 0],
          ]
        : kind;
    // VALID (or thin explicit padding) needs the effective filter to fit the padded image.
    const padH = kind === 'explicit' && Array.isArray(pad) ? (pad[1]?.[0] ?? 0) + (pad[1]?.[1] ?? 0) : 0;
    const padW = kind === 'explicit' && Array.isArray(pad) ? (pad[2]?.[0] ?? 0) + (pad[2]?.[1] ?? 0) : 0;
    const effH = (fh - 1) * dilations[0] + 1;
    const effW = (fw - 1) * dilations[1] + 1;
    const H = kind === 'same' ? h : Math.max(h, effH - padH);
    const W = kind === 'same' ? w : Math.max(w, effW - padW);
    const xShape: [number, number, number, number] = [batch, H, W, cin];
    const fShape: [number, number, number, number] = [fh, fw, cin, cout];
    return {
      xShape,
      fShape,
      strides,
      dilations,
      pad,
      x: r.floats(batch * H * W * cin),
      f: r.floats(fh * fw * cin * cout),
    };
  }

  describe('Conv2D, FusedConv2D and both conv gradients against the cpu backend', () => {
    it('forward: random sizes, strides, SAME/VALID/explicit padding, dilations (40 seeds)', async () => {
      for (let seed = 1; seed <= 40; seed++) {
        const c = randomConv(new Prng(200 + seed), true);
        const { native, ref, calls } = await both(() =>
          tf.conv2d(tf.tensor4d(c.x, c.xShape), tf.tensor4d(c.f, c.fShape), c.strides, c.pad, 'NHWC', c.dilations),
        );
        expect(calls.conv2d, `seed ${seed}`).toBe(1);
        expectClose(
          native,
          ref,
          normwiseError,
          `conv2d seed ${seed} x=${str(c.xShape)} f=${str(c.fShape)} s=${str(c.strides)} d=${str(c.dilations)} pad=${JSON.stringify(c.pad)}`,
        );
      }
    });

    it('fused bias + activation (15 seeds)', async () => {
      for (let seed = 1; seed <= 15; seed++) {
        const r = new Prng(300 + seed);
        const c = randomConv(r, false);
        const bias = r.floats(c.fShape[3]);
        const activation = r.pick(['linear', 'relu', 'elu'] as const);
        const { native, ref, calls } = await both(() =>
          tf.fused.conv2d({
            x: tf.tensor4d(c.x, c.xShape),
            filter: tf.tensor4d(c.f, c.fShape),
            strides: c.strides,
            pad: c.pad,
            bias: tf.tensor1d(bias),
            activation,
          }),
        );
        expect(calls.conv2d, `seed ${seed}`).toBe(1);
        expect(calls.biasActivation, `seed ${seed}`).toBe(1);
        expectClose(native, ref, normwiseError, `fused conv2d seed ${seed} ${activation}`);
      }
    });

    it('input and filter gradients via tf.grads of <r, conv(x, f)> (40 seeds)', async () => {
      for (let seed = 1; seed <= 40; seed++) {
        const r = new Prng(400 + seed);
        const c = randomConv(r, false);
        // The output shape decides the size of the random cotangent r.
        const outShape = tf.backend_util.computeConv2DInfo(c.xShape, c.fShape, c.strides, 1, c.pad).outShape;
        const rv = r.floats(outShape.reduce((p, q) => p * q, 1));
        const { native, ref, calls } = await both(() => {
          const g = tf.grads((x: tf.Tensor, f: tf.Tensor) =>
            tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad), tf.tensor4d(rv, outShape))),
          );
          return g([tf.tensor4d(c.x, c.xShape), tf.tensor4d(c.f, c.fShape)]);
        });
        expect(calls.conv2dBackpropInput, `seed ${seed}`).toBe(1);
        expect(calls.conv2dBackpropFilter, `seed ${seed}`).toBe(1);
        expectClose(
          native,
          ref,
          normwiseError,
          `conv2d grads seed ${seed} x=${str(c.xShape)} f=${str(c.fShape)} s=${str(c.strides)} pad=${JSON.stringify(c.pad)}`,
        );
      }
    });

    it('tiles the im2col buffer: forward, input and filter gradients over many tiles equal the reference', async () => {
      // patch = 3·3·64 = 576 floats, so a 128 Ki-float tile holds 227 output pixels: 4×24×24 = 2304 pixels take 11
      // tiles, the last one partial (the filter gradient accumulates over all of them).
      const r = new Prng(999);
      const x = r.floats(4 * 24 * 24 * 64);
      const f = r.floats(3 * 3 * 64 * 4);
      const dy = r.floats(4 * 24 * 24 * 4);
      const { native, ref, calls } = await both(() => {
        const xt = tf.tensor4d(x, [4, 24, 24, 64]);
        const ft = tf.tensor4d(f, [3, 3, 64, 4]);
        const dyt = tf.tensor4d(dy, [4, 24, 24, 4]);
        const g = tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xt, f as tf.Tensor4D, 1, 'same'), dyt)));
        return [tf.conv2d(xt, ft, 1, 'same'), tf.conv2dTranspose(dyt, ft, [4, 24, 24, 64], 1, 'same'), g(ft)];
      });
      expect(calls.conv2d).toBe(2);
      expect(calls.conv2dBackpropInput).toBe(1);
      expect(calls.conv2dBackpropFilter).toBe(1);
      expectClose(native, ref, normwiseError, 'tiled conv');
    });
  });
} else {
  it.skip('needs the atlas-native addon, which is not built here (kernels.test.ts says why)', () => undefined);
}
