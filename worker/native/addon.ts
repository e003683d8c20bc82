import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The atlas-native addon (worker/native/src, built by scripts/build-native.mjs): float32 kernels over OpenBLAS that
 * work in place on typed arrays — in the backend, zero-copy views of the TF.js wasm heap.
 */

/** Must equal kApiVersion in src/addon.cc; a build from older sources is refused rather than called wrongly. */
export const NATIVE_API_VERSION = 4;

/** Activation codes of biasActivation (src/kernels.h `Activation`). */
export const ACTIVATION = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4, elu: 5 } as const;
export type NativeActivation = keyof typeof ACTIVATION;

/** Op codes of binary (src/kernels.h `BinaryOp`). */
export const BINARY_OP = { add: 0, sub: 1, mul: 2, div: 3, squaredDifference: 4, maximum: 5, minimum: 6 } as const;
export type NativeBinaryOp = keyof typeof BINARY_OP;

export interface OpenBlasInfo {
  /** openblas_get_config(), e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64". */
  config: string;
  /** The kernel family in use (honours OPENBLAS_CORETYPE), e.g. "Cooperlake". */
  corename: string;
  numThreads: number;
  /** OPENBLAS_NUM_THREADS as OpenBLAS reads it (a positive integer), or 0 when unset: the operator's setting. */
  envThreads: number;
}

export interface NativeAddon {
  readonly apiVersion: number;
  /** c[i] = op(a[i % batchA]) · op(b[i % batchB]), row-major; a is m×k (k×m if transA), b is k×n (n×k if transB). */
  matmul(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    batchA: number,
    batchB: number,
    m: number,
    n: number,
    k: number,
    transA: boolean,
    transB: boolean,
  ): void;
  /** In place on rows×n: add bias (n values or 1, or null for none), then the activation. */
  biasActivation(
    c: Float32Array,
    rows: number,
    n: number,
    bias: Float32Array | null,
    activation: number,
    leakyAlpha: number,
  ): void;
  /** geometry = convGeometry(...): NHWC input, HWIO filter. */
  conv2d(x: Float32Array, w: Float32Array, y: Float32Array, geometry: Int32Array): void;
  conv2dBackpropInput(dy: Float32Array, w: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, geometry: Int32Array): void;
  /** out[o, i] = Σ_r x[o, r, i] (x viewed as outer×reduce×inner), accumulated in double. */
  sumMiddle(x: Float32Array, out: Float32Array, outer: number, reduce: number, inner: number): void;
  /** out = a ∘ b over `shape`, reading each operand with per-dim element strides (0 = broadcast). */
  binary(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    shape: Int32Array,
    aStrides: Int32Array,
    bStrides: Int32Array,
  ): void;
  /** Max pooling, NHWC; geometry as for convs with outC = inC and the window as the filter. */
  maxPool(x: Float32Array, y: Float32Array, geometry: Int32Array): void;
  /** dx of max pooling: each dy goes to the first maximum of its window in x. */
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  setNumThreads(n: number): void;
  info(): OpenBlasInfo;
}

export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  fH: number;
  fW: number;
  strideH: number;
  strideW: number;
  dilH: number;
  dilW: number;
  padTop: number;
  padLeft: number;
}

/** The Int32Array layout the addon's conv functions read (order of src/kernels.h `ConvGeometry`). */
export function packGeometry(g: ConvGeometry): Int32Array {
  return Int32Array.from([
    g.batch,
    g.inH,
    g.inW,
    g.inC,
    g.outH,
    g.outW,
    g.outC,
    g.fH,
    g.fW,
    g.strideH,
    g.strideW,
    g.dilH,
    g.dilW,
    g.padTop,
    g.padLeft,
  ]);
}

/** Where scripts/build-native.mjs puts the addon. */
export const DEFAULT_ADDON_PATH = fileURLToPath(new URL('./build/Release/atlas_native.node', import.meta.url));

export type AddonLoad = { ok: true; addon: NativeAddon } | { ok: false; reason: string };

const FUNCTIONS = [
  'matmul',
  'biasActivation',
  'conv2d',
  'conv2dBackpropInput',
  'conv2dBackpropFilter',
  'sumMiddle',
  'binary',
  'maxPool',
  'maxPoolGrad',
  'setNumThreads',
  'info',
] as const;

function isAddon(m: unknown): m is NativeAddon {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return r.apiVersion === NATIVE_API_VERSION && FUNCTIONS.every((f) => typeof r[f] === 'function');
}

/** Loads the addon; never throws — a missing or stale build comes back as { ok: false, reason }. */
export function loadAddon(file: string = DEFAULT_ADDON_PATH): AddonLoad {
  let m: unknown;
  try {
    m = createRequire(import.meta.url)(file) as unknown;
  } catch (e) {
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
    const missing = e instanceof Error && (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
    return {
      ok: false,
      reason: missing ? 'the addon is not built (npm run setup builds it when OpenBLAS is installed)' : first,
    };
  }
  if (!isAddon(m)) {
    const version = typeof m === 'object' && m !== null ? (m as Record<string, unknown>).apiVersion : undefined;
    return {
      ok: false,
      reason: `the built addon has API version ${String(version)}, expected ${NATIVE_API_VERSION} (rebuild: node scripts/build-native.mjs)`,
    };
  }
  return { ok: true, addon: m };
}
