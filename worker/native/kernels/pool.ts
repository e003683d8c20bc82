import * as tf from '@tensorflow/tfjs';
import { type NativeAddon, packGeometry } from '../addon';
import { type KernelArgs, type KernelOutput, as4, attrsOf, heapF32, input, makeResident, wasmBackend } from './common';
import { convGeometry, geometryKernel } from './conv';

/** TF.js's own pooling arithmetic (window, strides, padding, rounding); null for empty or non-rank-4 cases. */
function poolInfo(xShape: readonly number[], attrs: tf.MaxPoolAttrs): tf.backend_util.Conv2DInfo | null {
  const xs = as4(xShape);
  if (xs === null) return null;
  const info = tf.backend_util.computePool2DInfo(
    xs,
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const sizes = [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth];
  return sizes.every((v) => v > 0) ? info : null;
}

export function maxPool(addon: NativeAddon) {
  return (args: KernelArgs, stock: tf.KernelFunc): KernelOutput => {
    const x = input(args, 'x');
    const info = x.dtype === 'float32' ? poolInfo(x.shape, attrsOf<tf.MaxPoolAttrs>(args)) : null;
    if (info === null) return stock(args);
    const backend = wasmBackend(args);
    makeResident(backend, x);
    const out = backend.makeOutput(info.outShape, 'float32');
    addon.maxPool(heapF32(backend, x), heapF32(backend, out), packGeometry(convGeometry(info)));
    return out;
  };
}

export function maxPoolGrad(addon: NativeAddon) {
  return (args: KernelArgs, stock: tf.KernelFunc): KernelOutput => {
    const dy = input(args, 'dy');
    const x = input(args, 'input');
    const info =
      x.dtype === 'float32' && dy.dtype === 'float32' ? poolInfo(x.shape, attrsOf<tf.MaxPoolGradAttrs>(args)) : null;
    if (info === null) return stock(args);
    return geometryKernel(args, [dy, x], [...x.shape], info, (...k) => addon.maxPoolGrad(...k));
  };
}
