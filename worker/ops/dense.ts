import * as tf from '@tensorflow/tfjs';
import { type GradImpl, type Saver, splitCustomGradArgs, sumRows, useCustomGrad } from './custom-grad';

/**
 * Dense layer y = x·W + b with a backward pass built from explicit transposes and plain (untransposed) matMuls.
 * TF.js's own matMul gradient uses the transposeA/transposeB flags, which run at 1.5–3.4 GFLOP/s on the wasm
 * backend against ~40 for a plain matMul (FACTS.md); an explicit transpose is cheap next to the product.
 */

const denseWithInputGrad = tf.customGrad((...args: Array<tf.Tensor | Saver>) => {
  const { inputs, save } = splitCustomGradArgs(args, 3);
  const [x, w, b] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  // Only x is saved (TF.js clones saved tensors, which is a copy on wasm). W is read in the backward pass from the
  // closure: it is a parameter, alive until the gradient is taken (valueAndGrads runs forward and backward in one call),
  // whereas x is an activation that model.apply's tidy would dispose.
  save([x]);
  return {
    value: tf.fused.matMul({ a: x, b: w, bias: b }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx] = saved as [tf.Tensor2D];
      const sw = w;
      const dy2 = dy as tf.Tensor2D;
      // dx = (W·dyᵀ)ᵀ rather than dy·Wᵀ: transposing the two [B, n] operands is cheaper than transposing W, and
      // XNNPACK then packs the small dyᵀ instead of a fresh n×n Wᵀ (1.5–2 ms less per 512-wide layer at B = 128).
      return tf.tidy(() => [
        tf.transpose(tf.matMul(sw, tf.transpose(dy2))),
        tf.matMul(tf.transpose(sx), dy2),
        sumRows(dy2),
      ]);
    },
  };
});

/** x is data (closed over, not an input of the op), so its input gradient is never computed. */
function denseNoInputGrad(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  const op = tf.customGrad((...args: Array<tf.Tensor | Saver>) => {
    const { inputs, save } = splitCustomGradArgs(args, 2);
    const [wi, bi] = inputs as [tf.Tensor2D, tf.Tensor1D];
    save([x]);
    return {
      value: tf.fused.matMul({ a: x, b: wi, bias: bi }),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx] = saved as [tf.Tensor2D];
        const dy2 = dy as tf.Tensor2D;
        return tf.tidy(() => [tf.matMul(tf.transpose(sx), dy2), sumRows(dy2)]);
      },
    };
  });
  return op(w, b) as tf.Tensor2D;
}

export interface DenseOptions {
  /** False when x is input data, so no gradient with respect to x is needed (custom path only); default true. */
  inputGrad?: boolean;
  /** Gradient implementation; default 'auto' (custom on wasm). */
  impl?: GradImpl;
}

/** y = x·W + b for x [B, n_in], W [n_in, n_out], b [n_out]; differentiable in W and b, and in x unless inputGrad is false. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, options: DenseOptions = {}): tf.Tensor2D {
  if (!useCustomGrad(options.impl)) return tf.add(tf.matMul(x, w), b);
  if (options.inputGrad === false) return denseNoInputGrad(x, w, b);
  return denseWithInputGrad(x, w, b) as tf.Tensor2D;
}
