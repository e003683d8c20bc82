import * as tf from '@tensorflow/tfjs';
import { type ConvGeometry, type NativeAddon, packGeometry } from '../addon';
import {
  type KernelArgs,
  type KernelOutput,
  type Shape4,
  as4,
  attrsOf,
  heapF32,
  input,
  makeResident,
  wasmBackend,
} from './common';
import { nativeActivation, rowBias } from './matmul';

/** The addon's geometry from TF.js's own conv arithmetic (output size, SAME/VALID/explicit padding, rounding). */
export function convGeometry(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    fH: info.filterHeight,
    fW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    dilH: info.dilationHeight,
    dilW: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** Zero-size convolutions are left to the stock kernels (nothing to compute, and BLAS wants positive sizes). */
function nonEmpty(info: tf.backend_util.Conv2DInfo): boolean {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
  ].every((v) => v > 0);
}

/** TF.js's own NHWC conv arithmetic (output size, SAME/VALID/explicit padding, rounding) for the addon. */
function nhwcConvInfo(
  xs: Shape4,
  fs: Shape4,
  attrs: Pick<tf.Conv2DAttrs, 'strides' | 'pad' | 'dimRoundingMode'>,
  dilations: tf.Conv2DAttrs['dilations'],
): tf.backend_util.Conv2DInfo {
  const { strides, pad, dimRoundingMode } = attrs;
  return tf.backend_util.computeConv2DInfo(xs, fs, strides, dilations, pad, dimRoundingMode, false, 'channelsLast');
}

/**
 * Runs a two-input addon kernel over a conv geometry: the inputs made resident first, then the float32 output of
 * `outShape` allocated, then the heap views taken (after the last allocation, as they must be).
 */
export function geometryKernel(
  args: KernelArgs,
  [a, b]: [tf.TensorInfo, tf.TensorInfo],
  outShape: number[],
  info: tf.backend_util.Conv2DInfo,
  kernel: (a: Float32Array, b: Float32Array, out: Float32Array, geometry: Int32Array) => void,
): KernelOutput {
  const backend = wasmBackend(args);
  makeResident(backend, a, b);
  const out = backend.makeOutput(outShape, 'float32');
  kernel(heapF32(backend, a), heapF32(backend, b), heapF32(backend, out), packGeometry(convGeometry(info)));
  return out;
}

export function conv2d(addon: NativeAddon) {
  return (args: KernelArgs, stock: tf.KernelFunc): KernelOutput => {
    const x = input(args, 'x');
    const filter = input(args, 'filter');
    const attrs = attrsOf<tf.Conv2DAttrs>(args);
    const { dataFormat } = attrs;
    const xs = as4(x.shape);
    const fs = as4(filter.shape);
    if (dataFormat === 'NCHW' || xs === null || fs === null || x.dtype !== 'float32' || filter.dtype !== 'float32')
      return stock(args);
    const info = nhwcConvInfo(xs, fs, attrs, attrs.dilations);
    if (!nonEmpty(info)) return stock(args);
    return geometryKernel(args, [x, filter], info.outShape, info, (...k) => addon.conv2d(...k));
  };
}

export function fusedConv2d(addon: NativeAddon) {
  return (args: KernelArgs, stock: tf.KernelFunc): KernelOutput => {
    const x = input(args, 'x');
    const filter = input(args, 'filter');
    const bias = args.inputs.bias;
    const attrs = attrsOf<tf.FusedConv2DAttrs>(args);
    const { dataFormat, activation, leakyreluAlpha } = attrs;
    const xs = as4(x.shape);
    const fs = as4(filter.shape);
    const act = nativeActivation(activation);
    if (
      dataFormat === 'NCHW' ||
      xs === null ||
      fs === null ||
      x.dtype !== 'float32' ||
      filter.dtype !== 'float32' ||
      act === null ||
      args.inputs.preluActivationWeights !== undefined ||
      !rowBias(bias, fs[3])
    ) {
      return stock(args);
    }
    const info = nhwcConvInfo(xs, fs, attrs, attrs.dilations);
    if (!nonEmpty(info)) return stock(args);
    const backend = wasmBackend(args);
    makeResident(backend, x, filter, ...(bias === undefined ? [] : [bias]));
    const out = backend.makeOutput(info.outShape, 'float32');
    const y = heapF32(backend, out);
    addon.conv2d(heapF32(backend, x), heapF32(backend, filter), y, packGeometry(convGeometry(info)));
    const rows = info.batchSize * info.outHeight * info.outWidth;
    addon.biasActivation(
      y,
      rows,
      info.outChannels,
      bias === undefined ? null : heapF32(backend, bias),
      act,
      leakyreluAlpha ?? 0.2,
    );
    return out;
  };
}

export function conv2dBackpropInput(addon: NativeAddon) {
  return (args: KernelArgs, stock: tf.KernelFunc): KernelOutput => {
    const dy = input(args, 'dy');
    const filter = input(args, 'filter');
    const attrs = attrsOf<tf.Conv2DBackpropInputAttrs>(args);
    const { dataFormat } = attrs;
    const xs = as4(attrs.inputShape);
    const fs = as4(filter.shape);
    if (dataFormat === 'NCHW' || xs === null || fs === null || dy.dtype !== 'float32' || filter.dtype !== 'float32')
      return stock(args);
    const info = nhwcConvInfo(xs, fs, attrs, 1);
    if (!nonEmpty(info)) return stock(args);
    return geometryKernel(args, [dy, filter], xs, info, (...k) => addon.conv2dBackpropInput(...k));
  };
}

/**
 * The filter gradient, which the stock wasm backend does not have at all (FACTS.md); without a stock kernel to hand
 * other cases to, NCHW and non-float inputs are errors here.
 */
export function conv2dBackpropFilter(addon: NativeAddon) {
  return (args: KernelArgs): KernelOutput => {
    const x = input(args, 'x');
    const dy = input(args, 'dy');
    const attrs = attrsOf<tf.Conv2DBackpropFilterAttrs>(args);
    const xs = as4(x.shape);
    const fs = as4(attrs.filterShape);
    if (attrs.dataFormat === 'NCHW')
      throw new Error("atlas-native Conv2DBackpropFilter supports dataFormat 'NHWC' only");
    if (xs === null || fs === null) throw new Error('atlas-native Conv2DBackpropFilter needs rank-4 x and filterShape');
    if (x.dtype !== 'float32' || dy.dtype !== 'float32')
      throw new Error('atlas-native Conv2DBackpropFilter needs float32 inputs');
    const info = nhwcConvInfo(xs, fs, attrs, 1);
    const backend = wasmBackend(args);
    makeResident(backend, x, dy);
    const out = backend.makeOutput(fs, 'float32');
    const dw = heapF32(backend, out);
    if (!nonEmpty(info)) dw.fill(0);
    else addon.conv2dBackpropFilter(heapF32(backend, x), heapF32(backend, dy), dw, packGeometry(convGeometry(info)));
    return out;
  };
}
