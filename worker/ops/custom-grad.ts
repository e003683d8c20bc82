import * as tf from '@tensorflow/tfjs';

/** The save callback tf.customGrad passes after the inputs. */
export type Saver = (tensors: tf.Tensor[]) => void;

/** Splits customGrad's `(...inputs, save)` argument list into n tensors and the save callback. */
export function splitCustomGradArgs(args: Array<tf.Tensor | Saver>, n: number): { inputs: tf.Tensor[]; save: Saver } {
  const inputs: tf.Tensor[] = [];
  for (let i = 0; i < n; i++) {
    const t = args[i];
    if (!(t instanceof tf.Tensor)) throw new Error(`customGrad: argument ${i} is not a tensor`);
    inputs.push(t);
  }
  const save = args[n];
  if (typeof save !== 'function') throw new Error('customGrad: missing save callback');
  return { inputs, save };
}

/**
 * Which gradient implementation an op uses: 'custom' (built from kernels that are fast on wasm), 'tf' (TF.js's own
 * gradients, which are fine on backends with full kernels: cpu, tensorflow, the native backend), or 'auto'
 * (custom on wasm only).
 */
// Gradient functions wrap their work in tf.tidy: TF.js calls a customGrad's gradFunc outside any per-node scope,
// so its temporaries (pads, transposes) would otherwise live until the whole backward pass ends.

export type GradImpl = 'auto' | 'custom' | 'tf';

/** Options of the ops with custom gradients (dense, conv2dSame). */
export interface CustomGradOptions {
  /** False when x is input data, so no gradient with respect to x is needed (custom path only); default true. */
  inputGrad?: boolean;
  /** Gradient implementation; default 'auto' (custom on wasm). */
  impl?: GradImpl;
}

let defaultImpl: GradImpl = 'auto';

/** Sets the implementation ops use when a call does not choose one (the benchmark compares 'tf' with 'auto'). */
export function setDefaultGradImpl(impl: GradImpl): void {
  defaultImpl = impl;
}

export function useCustomGrad(impl: GradImpl | undefined): boolean {
  const chosen = impl ?? defaultImpl;
  if (chosen === 'custom') return true;
  if (chosen === 'tf') return false;
  return tf.getBackend() === 'wasm';
}

/**
 * Column sums of a [N, C] matrix as ones[1, N]·m: wasm's Sum over a non-innermost axis transposes the whole tensor
 * first (50–100 ms for a 128×28×28×32 conv output), while this product is a cheap GEMV.
 */
export function sumRows(m: tf.Tensor2D): tf.Tensor1D {
  const n = m.shape[0];
  return tf.reshape(tf.matMul(tf.ones([1, n]), m), [m.shape[1]]);
}

/**
 * op(x, w, b) for a layer whose input x is data: x is closed over rather than an input of the custom op, so its
 * gradient is never computed; `paramGrads(x, dy, w)` gives the gradients of w and b. x is saved for the backward
 * pass (TF.js keeps saved tensors alive past the forward pass's tidy).
 */
export function withDataInput<X extends tf.Tensor, W extends tf.Tensor, Y extends tf.Tensor>(
  x: X,
  w: W,
  b: tf.Tensor1D,
  forward: (x: X, w: W, b: tf.Tensor1D) => Y,
  paramGrads: (x: X, dy: Y, w: W) => [tf.Tensor, tf.Tensor],
): Y {
  const op = tf.customGrad((...args: Array<tf.Tensor | Saver>) => {
    const { inputs, save } = splitCustomGradArgs(args, 2);
    const [wi, bi] = inputs as [W, tf.Tensor1D];
    save([x]);
    return {
      value: forward(x, wi, bi),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx] = saved as [X];
        return tf.tidy(() => paramGrads(sx, dy as Y, wi));
      },
    };
  });
  return op(w, b);
}

/**
 * op(x, w, b) with a hand-written backward pass over all three inputs. `saveFor(x, w)` lists the tensors the pass
 * reads (TF.js clones saved tensors, a copy on wasm: save only what the closure cannot hold); `grads(saved, dy, w)`
 * returns [dx, dw, db], inside a tidy.
 */
export function withInputGrad<X extends tf.Tensor, W extends tf.Tensor, Y extends tf.Tensor>(
  forward: (x: X, w: W, b: tf.Tensor1D) => Y,
  saveFor: (x: X, w: W) => tf.Tensor[],
  grads: (saved: tf.Tensor[], dy: Y, w: W) => [tf.Tensor, tf.Tensor, tf.Tensor],
): (x: X, w: W, b: tf.Tensor1D) => Y {
  return tf.customGrad((...args: Array<tf.Tensor | Saver>) => {
    const { inputs, save } = splitCustomGradArgs(args, 3);
    const [x, w, b] = inputs as [X, W, tf.Tensor1D];
    save(saveFor(x, w));
    return {
      value: forward(x, w, b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => grads(saved, dy as Y, w)),
    };
  });
}
