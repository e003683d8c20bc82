import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon';
import {
  type KernelArgs,
  type KernelOutput,
  attrsOf,
  heapF32,
  input,
  makeResident,
  sizeOf,
  wasmBackend,
} from './common';

export interface SumPlan {
  outer: number;
  reduce: number;
  inner: number;
  outShape: number[];
}

/**
 * A sum over a run of consecutive axes is a sum over the middle of an outer×reduce×inner view, with no transpose
 * (the bias gradients: axis 0 of [B, n], axes 0–2 of [B, H, W, C]). Null for other axis sets and empty reductions.
 */
export function planSum(shape: readonly number[], axis: number | number[], keepDims: boolean): SumPlan | null {
  const axes = [...new Set(tf.util.parseAxisParam(axis, [...shape]))].sort((p, q) => p - q);
  const first = axes[0];
  const last = axes[axes.length - 1];
  if (first === undefined || last === undefined || last - first !== axes.length - 1) return null;
  const outer = sizeOf(shape.slice(0, first));
  const reduce = sizeOf(shape.slice(first, last + 1));
  const inner = sizeOf(shape.slice(last + 1));
  if (reduce === 0) return null;
  const outShape = keepDims
    ? shape.map((d, i) => (i >= first && i <= last ? 1 : d))
    : shape.filter((_, i) => i < first || i > last);
  return { outer, reduce, inner, outShape };
}

export function sum(addon: NativeAddon) {
  return (args: KernelArgs, stock: tf.KernelFunc): KernelOutput => {
    const x = input(args, 'x');
    const { axis, keepDims } = attrsOf<tf.SumAttrs>(args);
    const plan = x.dtype === 'float32' ? planSum(x.shape, axis, keepDims) : null;
    if (plan === null) return stock(args);
    const backend = wasmBackend(args);
    makeResident(backend, x);
    const out = backend.makeOutput(plan.outShape, 'float32');
    addon.sumMiddle(heapF32(backend, x), heapF32(backend, out), plan.outer, plan.reduce, plan.inner);
    return out;
  };
}
