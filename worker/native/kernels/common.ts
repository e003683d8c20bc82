import type * as tf from '@tensorflow/tfjs';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The argument every TF.js kernel function receives. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];
export type KernelOutput = ReturnType<tf.KernelFunc>;

export function wasmBackend(args: KernelArgs): BackendWasm {
  if (!(args.backend instanceof BackendWasm)) throw new Error('atlas-native kernels run on a wasm backend instance');
  return args.backend;
}

export function input(args: KernelArgs, name: string): tf.TensorInfo {
  const t = args.inputs[name];
  if (t === undefined) throw new Error(`kernel input '${name}' is missing`);
  return t;
}

/**
 * The kernel's attributes in the shape TF.js's kernel_names declares for that kernel. The registry types attrs as a
 * generic map; each kernel's attribute interface is the documented contract of what the op passes.
 */
export function attrsOf<T>(args: KernelArgs): T {
  return (args.attrs ?? {}) as unknown as T;
}

/**
 * Makes every input resident on this backend's heap. An input still held by another backend is copied onto the heap
 * on first access, which can grow (and so move) the heap: this must run before any output is allocated and before
 * any view is taken.
 */
export function makeResident(backend: BackendWasm, ...tensors: tf.TensorInfo[]): void {
  for (const t of tensors) backend.dataIdMap.get(t.dataId);
}

/** A zero-copy Float32Array view of a float32 tensor on the wasm heap. Take views only after the last allocation. */
export function heapF32(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  const view = backend.typedArrayFromHeap(t);
  if (!(view instanceof Float32Array)) throw new Error(`expected a float32 tensor, got ${t.dtype}`);
  return view;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export type Shape4 = [number, number, number, number];

/** A rank-4 shape as a tuple, or null for any other rank. */
export function as4(shape: readonly number[]): Shape4 | null {
  return shape.length === 4 ? [shape[0] ?? 0, shape[1] ?? 0, shape[2] ?? 0, shape[3] ?? 0] : null;
}
