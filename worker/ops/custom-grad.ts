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
export type GradImpl = 'auto' | 'custom' | 'tf';

export function useCustomGrad(impl: GradImpl | undefined): boolean {
  if (impl === 'custom') return true;
  if (impl === 'tf') return false;
  return tf.getBackend() === 'wasm';
}
