import * as tf from '@tensorflow/tfjs';
import { BINARY_OP, type NativeAddon, type NativeBinaryOp } from '../addon';
import { type KernelArgs, type KernelOutput, heapF32, input, makeResident, sizeOf, wasmBackend } from './common';

export interface BroadcastPlan {
  outShape: number[];
  aStrides: Int32Array;
  bStrides: Int32Array;
}

/** Element strides of `shape` read as a broadcast operand of `outShape` (numpy rules: right-aligned, 0 on size 1). */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const strides = new Int32Array(outShape.length);
  let step = 1;
  for (let i = 1; i <= outShape.length; i++) {
    const d = shape[shape.length - i];
    const o = outShape.length - i;
    if (d === undefined || d === 1) strides[o] = 0;
    else {
      strides[o] = step;
      step *= d;
    }
  }
  return strides;
}

/** Out shape and per-operand strides of a broadcasting binary op; null when the shapes do not broadcast. */
export function planBroadcast(aShape: readonly number[], bShape: readonly number[]): BroadcastPlan | null {
  let outShape: number[];
  try {
    outShape = tf.broadcast_util.assertAndGetBroadcastShape([...aShape], [...bShape]);
  } catch {
    return null;
  }
  if (outShape.length > 8) return null;
  return { outShape, aStrides: broadcastStrides(aShape, outShape), bStrides: broadcastStrides(bShape, outShape) };
}

/** Whether one operand is read with a stride of 0 somewhere while the other is not a single value. */
export function isTrueBroadcast(aShape: readonly number[], bShape: readonly number[]): boolean {
  const same = aShape.length === bShape.length && aShape.every((d, i) => d === bShape[i]);
  return !same && sizeOf(aShape) !== 1 && sizeOf(bShape) !== 1;
}

/**
 * Outputs from this size on are worth the native kernel when the op broadcasts (a bias over NHWC activations: ~2×
 * the stock kernel's speed, measured at 0.8–3.2 M elements). Equal shapes, scalar operands and smaller outputs run
 * as fast or faster on the stock wasm kernels (which have lower per-call overhead), so they stay there.
 */
export const MIN_NATIVE_BROADCAST = 1 << 18;

export function binary(addon: NativeAddon, op: NativeBinaryOp, minSize: number = MIN_NATIVE_BROADCAST) {
  const code = BINARY_OP[op];
  return (args: KernelArgs, stock: tf.KernelFunc): KernelOutput => {
    const a = input(args, 'a');
    const b = input(args, 'b');
    const worth = a.dtype === 'float32' && b.dtype === 'float32' && isTrueBroadcast(a.shape, b.shape);
    const plan = worth ? planBroadcast(a.shape, b.shape) : null;
    if (plan === null || sizeOf(plan.outShape) < minSize) return stock(args);
    const backend = wasmBackend(args);
    makeResident(backend, a, b);
    const out = backend.makeOutput(plan.outShape, 'float32');
    addon.binary(
      code,
      heapF32(backend, a),
      heapF32(backend, b),
      heapF32(backend, out),
      Int32Array.from(plan.outShape),
      plan.aStrides,
      plan.bStrides,
    );
    return out;
  };
}
