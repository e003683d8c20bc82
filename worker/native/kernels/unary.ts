import type * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type KernelOutput, attrsOf, input, wasmBackend } from './common';

/**
 * Identity without a copy: tensors are immutable, so the output shares the input's heap buffer and the backend's
 * reference count keeps it alive (the wasm backend's own Reshape does the same). TF.js clones every tensor it saves
 * for the backward pass through this kernel; the stock wasm kernel copies each one.
 */
export function identity() {
  return (args: KernelArgs): KernelOutput => {
    const x = input(args, 'x');
    const backend = wasmBackend(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

/** Cast to the dtype a tensor already has is an identity (ReLU's gradient casts its float32 step mask to float32). */
export function cast() {
  const same = identity();
  return (args: KernelArgs, stock: tf.KernelFunc): KernelOutput => {
    const x = input(args, 'x');
    const { dtype } = attrsOf<tf.CastAttrs>(args);
    return dtype === x.dtype ? same(args) : stock(args);
  };
}
