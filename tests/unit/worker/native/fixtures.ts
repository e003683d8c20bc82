import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, expect } from 'vitest';
import type { NativeAddon } from '../../../../worker/native/addon';
import { ensureWasmPaths } from '../../../../worker/native/loader';
import { registerAtlasNative } from '../../../../worker/native/register';

/** Small deterministic PRNG (mulberry32) so every property case is reproducible from its seed. */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  bool(): boolean {
    return this.next() < 0.5;
  }
  pick<T>(xs: readonly T[]): T {
    const x = xs[Math.floor(this.next() * xs.length)];
    if (x === undefined) throw new Error('pick from an empty list');
    return x;
  }
  /** Uniform in [-1, 1). */
  floats(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = 2 * this.next() - 1;
    return out;
  }
}

/**
 * max |got − want| / max |want|: the error of a float32 GEMM-like result relative to its scale. Accumulating K
 * products in float32 errs by about √K·2⁻²⁴ of the typical magnitude (worst case K·2⁻²⁴), so for the small K used
 * here (≤ 100) the native and the reference sums agree to well under 1e-6 of the output's scale, while any indexing,
 * transpose, padding or broadcasting mistake shows up as an O(1) error. Elementwise relative error would be
 * meaningless for outputs that cancel to near zero.
 */
export function normwiseError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i] ?? NaN;
    const w = want[i] ?? NaN;
    if (Number.isNaN(g) !== Number.isNaN(w)) return Infinity;
    if (Number.isNaN(w)) continue;
    diff = Math.max(diff, Math.abs(g - w));
    scale = Math.max(scale, Math.abs(w));
  }
  return scale === 0 ? diff : diff / scale;
}

/** max over elements of |got − want| / |want| (0/0 counts as equal; NaN must match NaN). */
export function elementwiseError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i] ?? NaN;
    const w = want[i] ?? NaN;
    if (Number.isNaN(g) || Number.isNaN(w)) {
      if (Number.isNaN(g) !== Number.isNaN(w)) return Infinity;
      continue;
    }
    if (g === w) continue;
    worst = Math.max(worst, Math.abs(g - w) / Math.abs(w));
  }
  return worst;
}

/** Runs `fn` with `backend` active and returns its outputs' values; every tensor it made is freed. */
export async function onBackend(backend: string, fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(list);
  return values;
}

export type CallCounts = Record<string, number>;

/** The addon with every kernel call counted, to prove a test exercised the native path and not a fallback. */
export function countingAddon(addon: NativeAddon): { addon: NativeAddon; counts: CallCounts } {
  const counts: CallCounts = {};
  const wrap =
    <A extends unknown[]>(name: string, f: (...args: A) => void) =>
    (...args: A): void => {
      counts[name] = (counts[name] ?? 0) + 1;
      f(...args);
    };
  return {
    counts,
    addon: {
      apiVersion: addon.apiVersion,
      matmul: wrap('matmul', addon.matmul.bind(addon)),
      biasActivation: wrap('biasActivation', addon.biasActivation.bind(addon)),
      conv2d: wrap('conv2d', addon.conv2d.bind(addon)),
      conv2dBackpropInput: wrap('conv2dBackpropInput', addon.conv2dBackpropInput.bind(addon)),
      conv2dBackpropFilter: wrap('conv2dBackpropFilter', addon.conv2dBackpropFilter.bind(addon)),
      sumMiddle: wrap('sumMiddle', addon.sumMiddle.bind(addon)),
      binary: wrap('binary', addon.binary.bind(addon)),
      maxPool: wrap('maxPool', addon.maxPool.bind(addon)),
      maxPoolGrad: wrap('maxPoolGrad', addon.maxPoolGrad.bind(addon)),
      setNumThreads: addon.setNumThreads.bind(addon),
      info: addon.info.bind(addon),
    },
  };
}

/** The bar of `expectClose` for normwiseError and elementwiseError (see each). */
const TOL = 1e-6;

/** A test file's atlas-native backend with counted addon calls, checked kernel by kernel against the cpu backend. */
export interface CountedNative {
  /** Calls of each addon function so far. */
  counts: () => CallCounts;
  /** Runs fn on atlas-native and on cpu; returns the outputs and how often each addon function ran. */
  both: (
    fn: () => tf.Tensor | tf.Tensor[],
  ) => Promise<{ native: Float32Array[]; ref: Float32Array[]; calls: CallCounts }>;
  /** Every native output is within TOL of the reference by `measure`. */
  expectClose: (native: Float32Array[], ref: Float32Array[], measure: typeof normwiseError, label: string) => void;
}

/**
 * Registers (in the file's beforeAll) an atlas-native backend named `name` over `addon` with every call counted and
 * native broadcasting from the first element on, and returns the comparisons the kernel tests make with it.
 */
export function countedNativeBackend(addon: NativeAddon, name: string): CountedNative {
  let counts: CallCounts = {};
  beforeAll(() => {
    ensureWasmPaths();
    const counted = countingAddon(addon);
    counts = counted.counts;
    registerAtlasNative(counted.addon, { name, minNativeBroadcast: 0 });
  });
  return {
    counts: () => counts,
    both: async (fn) => {
      const before = { ...counts };
      const native = await onBackend(name, fn);
      const calls: CallCounts = {};
      for (const [k, v] of Object.entries(counts)) calls[k] = v - (before[k] ?? 0);
      const ref = await onBackend('cpu', fn);
      return { native, ref, calls };
    },
    expectClose: (native, ref, measure, label) => {
      expect(native.length).toBe(ref.length);
      native.forEach((got, i) => {
        const want = ref[i];
        if (want === undefined) throw new Error('missing reference output');
        const err = measure(got, want);
        expect(err, `${label} output ${i}: error ${err}`).toBeLessThanOrEqual(TOL);
      });
    },
  };
}

/** Whether scripts/build-native.mjs has what it needs here: an OpenBLAS cblas.h, a C++ compiler and make. */
export function nativeBuildPossible(): boolean {
  const headers = [
    '/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h',
    '/usr/include/aarch64-linux-gnu/openblas-pthread/cblas.h',
    '/usr/include/x86_64-linux-gnu/openblas-openmp/cblas.h',
    '/usr/include/openblas/cblas.h',
  ];
  const openblas = headers.some((h) => existsSync(h) && readFileSync(h, 'utf8').includes('openblas_set_num_threads'));
  const onPath = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
  return openblas && (onPath('c++') || onPath('g++')) && onPath('make');
}
