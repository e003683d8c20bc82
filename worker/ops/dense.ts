import * as tf from '@tensorflow/tfjs';
import { type CustomGradOptions, sumRows, useCustomGrad, withDataInput, withInputGrad } from './custom-grad';

/**
 * Dense layer y = x·W + b with a backward pass built from explicit transposes and plain (untransposed) matMuls.
 * TF.js's own matMul gradient uses the transposeA/transposeB flags, which run at 1.5–3.4 GFLOP/s on the wasm
 * backend against ~40 for a plain matMul (FACTS.md); an explicit transpose is cheap next to the product.
 */

/** x·W + b in one fused kernel; [B, n_in]·[n_in, n_out] is [B, n_out]. */
function denseForward(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: w, bias: b }) as tf.Tensor2D;
}

// Only x is saved (TF.js clones saved tensors, which is a copy on wasm). W is read in the backward pass from the
// closure: it is a parameter, alive until the gradient is taken (valueAndGrads runs forward and backward in one call),
// whereas x is an activation that model.apply's tidy would dispose.
const denseWithInputGrad = withInputGrad(
  denseForward,
  (x) => [x],
  (saved, dy, w) => {
    const [sx] = saved as [tf.Tensor2D];
    // dx = (W·dyᵀ)ᵀ rather than dy·Wᵀ: transposing the two [B, n] operands is cheaper than transposing W, and
    // XNNPACK then packs the small dyᵀ instead of a fresh n×n Wᵀ (1.5–2 ms less per 512-wide layer at B = 128).
    return [tf.transpose(tf.matMul(w, tf.transpose(dy))), tf.matMul(tf.transpose(sx), dy), sumRows(dy)];
  },
);

export type DenseOptions = CustomGradOptions;

/** y = x·W + b for x [B, n_in], W [n_in, n_out], b [n_out]; differentiable in W and b, and in x unless inputGrad is false. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, options: DenseOptions = {}): tf.Tensor2D {
  if (!useCustomGrad(options.impl)) return tf.add(tf.matMul(x, w), b);
  // x is data (closed over, not an input of the op), so its input gradient is never computed.
  if (options.inputGrad === false)
    return withDataInput(x, w, b, denseForward, (sx, dy) => [tf.matMul(tf.transpose(sx), dy), sumRows(dy)]);
  return denseWithInputGrad(x, w, b);
}
