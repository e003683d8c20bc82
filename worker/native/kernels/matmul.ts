import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ACTIVATION, type NativeAddon } from '../addon';
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

export interface MatMulPlan {
  batchA: number;
  batchB: number;
  m: number;
  n: number;
  k: number;
  outShape: number[];
}

/**
 * Shapes of a BatchMatMul as the addon runs it: outer dims flattened to one batch per side, broadcast by the rule
 * "equal, or one side has batch 1" (what TF.js's kernels support). Null when the shapes are outside that rule or
 * the inner dims disagree, so the stock kernel reports the error in TF.js's own words.
 */
export function planMatMul(
  aShape: readonly number[],
  bShape: readonly number[],
  transA: boolean,
  transB: boolean,
): MatMulPlan | null {
  const ra = aShape.length;
  const rb = bShape.length;
  if (ra < 2 || rb < 2) return null;
  const [a0, a1] = [aShape[ra - 2] ?? 0, aShape[ra - 1] ?? 0];
  const [b0, b1] = [bShape[rb - 2] ?? 0, bShape[rb - 1] ?? 0];
  const m = transA ? a1 : a0;
  const k = transA ? a0 : a1;
  const kb = transB ? b1 : b0;
  const n = transB ? b0 : b1;
  if (k !== kb) return null;
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  const batchA = sizeOf(outerA);
  const batchB = sizeOf(outerB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return null;
  }
  return { batchA, batchB, m, n, k, outShape: [...outer, m, n] };
}

/** The addon's plan for float32 operands, or null to leave the product to the stock kernel. */
function planFloatMatMul(a: tf.TensorInfo, b: tf.TensorInfo, transA: boolean, transB: boolean): MatMulPlan | null {
  return a.dtype === 'float32' && b.dtype === 'float32' ? planMatMul(a.shape, b.shape, transA, transB) : null;
}

/** The planned product into `out` (a heap view: call after the last allocation). */
function runMatMul(
  addon: NativeAddon,
  backend: BackendWasm,
  [a, b]: [tf.TensorInfo, tf.TensorInfo],
  out: Float32Array,
  plan: MatMulPlan,
  { transposeA, transposeB }: { transposeA: boolean; transposeB: boolean },
): void {
  const { batchA, batchB, m, n, k } = plan;
  addon.matmul(heapF32(backend, a), heapF32(backend, b), out, batchA, batchB, m, n, k, transposeA, transposeB);
}

export function batchMatMul(addon: NativeAddon) {
  return (args: KernelArgs, stock: tf.KernelFunc): KernelOutput => {
    const a = input(args, 'a');
    const b = input(args, 'b');
    const attrs = attrsOf<tf.BatchMatMulAttrs>(args);
    const plan = planFloatMatMul(a, b, attrs.transposeA, attrs.transposeB);
    if (plan === null) return stock(args);
    const backend = wasmBackend(args);
    makeResident(backend, a, b);
    const out = backend.makeOutput(plan.outShape, 'float32');
    runMatMul(addon, backend, [a, b], heapF32(backend, out), plan, attrs);
    return out;
  };
}

/** Activations the addon fuses; 'prelu' (per-channel weights) stays with the stock kernel. */
export function nativeActivation(name: string | undefined): number | null {
  switch (name ?? 'linear') {
    case 'linear':
      return ACTIVATION.linear;
    case 'relu':
      return ACTIVATION.relu;
    case 'relu6':
      return ACTIVATION.relu6;
    case 'leakyrelu':
      return ACTIVATION.leakyrelu;
    case 'sigmoid':
      return ACTIVATION.sigmoid;
    case 'elu':
      return ACTIVATION.elu;
    default:
      return null;
  }
}

/** A bias the addon can add row by row: n values along the last axis (any leading 1s) or a single value. */
export function rowBias(bias: tf.TensorInfo | undefined, n: number): boolean {
  if (bias === undefined) return true;
  if (bias.dtype !== 'float32') return false;
  const size = sizeOf(bias.shape);
  if (size === 1) return true;
  return size === n && bias.shape[bias.shape.length - 1] === n;
}

export function fusedMatMul(addon: NativeAddon) {
  return (args: KernelArgs, stock: tf.KernelFunc): KernelOutput => {
    const a = input(args, 'a');
    const b = input(args, 'b');
    const bias = args.inputs.bias;
    const attrs = attrsOf<tf._FusedMatMulAttrs>(args);
    const { activation, leakyreluAlpha } = attrs;
    const act = nativeActivation(activation);
    const plan = planFloatMatMul(a, b, attrs.transposeA, attrs.transposeB);
    if (plan === null || act === null || args.inputs.preluActivationWeights !== undefined || !rowBias(bias, plan.n)) {
      return stock(args);
    }
    const backend = wasmBackend(args);
    makeResident(backend, a, b, ...(bias === undefined ? [] : [bias]));
    const out = backend.makeOutput(plan.outShape, 'float32');
    const outView = heapF32(backend, out);
    runMatMul(addon, backend, [a, b], outView, plan, attrs);
    const rows = Math.max(plan.batchA, plan.batchB) * plan.m;
    addon.biasActivation(
      outView,
      rows,
      plan.n,
      bias === undefined ? null : heapF32(backend, bias),
      act,
      leakyreluAlpha ?? 0.2,
    );
    return out;
  };
}
