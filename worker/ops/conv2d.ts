import * as tf from '@tensorflow/tfjs';
import { type CustomGradOptions, sumRows, useCustomGrad, withDataInput, withInputGrad } from './custom-grad';

/**
 * Stride-1 SAME convolution with an odd square kernel, y = conv(x, f) + b, whose gradients are forward convolutions,
 * the one conv kernel that is fast on wasm (FACTS.md: wasm has no Conv2DBackpropFilter, and its
 * Conv2DBackpropInput runs at ~2 GFLOP/s). Both rewrites need no im2col buffer:
 *
 * - filter gradient: dF[i,j,c,o] = Σ_{b,h,w} xpad[b,h+i,w+j,c]·dy[b,h,w,o] is a VALID convolution of
 *   xpad viewed as [C_in, H+2p, W+2p, B] (channels play the batch, the batch plays the channels) with dy viewed as a
 *   filter [H, W, B, C_out]; its output [C_in, k, k, C_out] is transposed to [k, k, C_in, C_out].
 * - input gradient: dx = conv_SAME(dy, f') with f' the spatially flipped filter with in/out channels swapped.
 */

function pad(k: number): number {
  return (k - 1) / 2;
}

function filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, k: number): tf.Tensor4D {
  const p = pad(k);
  const xt = tf.transpose(
    p > 0
      ? tf.pad(x, [
          [0, 0],
          [p, p],
          [p, p],
          [0, 0],
        ])
      : x,
    [3, 1, 2, 0],
  );
  const dyt = tf.transpose(dy, [1, 2, 0, 3]);
  return tf.transpose(tf.conv2d(xt, dyt, 1, 'valid'), [1, 2, 0, 3]);
}

function inputGrad(dy: tf.Tensor4D, f: tf.Tensor4D): tf.Tensor4D {
  const flipped = tf.transpose(tf.reverse(f, [0, 1]), [0, 1, 3, 2]);
  return tf.conv2d(dy, flipped, 1, 'same');
}

function biasGrad(dy: tf.Tensor4D): tf.Tensor1D {
  const c = dy.shape[3];
  return sumRows(tf.reshape(dy, [-1, c]));
}

function forward(x: tf.Tensor4D, f: tf.Tensor4D, b: tf.Tensor1D): tf.Tensor4D {
  return tf.add(tf.conv2d(x, f, 1, 'same'), b);
}

const convWithInputGrad = withInputGrad(
  forward,
  (x, f) => [x, f],
  (saved, dy) => {
    const [sx, sf] = saved as [tf.Tensor4D, tf.Tensor4D];
    return [inputGrad(dy, sf), filterGrad(sx, dy, sf.shape[0]), biasGrad(dy)];
  },
);

export type Conv2dOptions = CustomGradOptions;

/** SAME, stride-1 convolution plus bias: x [B,H,W,C_in], f [k,k,C_in,C_out] (k odd), b [C_out]. */
export function conv2dSame(x: tf.Tensor4D, f: tf.Tensor4D, b: tf.Tensor1D, options: Conv2dOptions = {}): tf.Tensor4D {
  const [kh, kw] = f.shape;
  if (kh !== kw || kh % 2 !== 1) throw new Error(`conv2dSame needs an odd square kernel, got ${kh}×${kw}`);
  if (!useCustomGrad(options.impl)) return forward(x, f, b);
  if (options.inputGrad === false)
    return withDataInput(x, f, b, forward, (sx, dy, fi) => [filterGrad(sx, dy, fi.shape[0]), biasGrad(dy)]);
  return convWithInputGrad(x, f, b);
}

/** The two gradients of conv2dSame by the forward-conv rewrites above, exported for tests and the benchmark. */
export const conv2dSameGrads = { filterGrad, inputGrad };
