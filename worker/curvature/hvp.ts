import * as tf from '@tensorflow/tfjs';

/**
 * Hessian-vector products by central finite differences of gradients on one fixed batch:
 *   Hv ≈ (∇L(θ + h·v) − ∇L(θ − h·v)) / 2h,  h = ε/‖v‖  (so the displacement θ±hv has norm ε).
 * TF.js's nested tf.grad is silently wrong for tanh, sigmoid, exp and softmax cross-entropy (FACTS.md), so this is
 * the HVP the project uses. The step matters for ReLU networks: a unit whose pre-activation changes sign between
 * θ−hv and θ+hv puts a kink inside the difference, and the quotient then measures a jump, not a curvature. Measured
 * on an MLP (FACTS.md): ε = 1e-3 → 69% off (flips), 1e-4 → 2e-5, 1e-5 → 1e-3 (float32 rounding); so the default
 * here is 1e-4, flips are counted, and a flipped product can be retried with ε/10. On larger networks no ε avoids
 * flips (an error ∝ 1/ε), so measure.ts differentiates the gated network instead when the model offers one.
 * Parameters and gradients cross into float64 (Float64Array) for all vector arithmetic.
 */

/** Default displacement norm ε of the finite difference (see the header). */
export const DEFAULT_FD_EPS = 1e-4;

/**
 * Loss gradient at `params` on the fixed batch. The returned tensors belong to the caller of `gradAt` (the HVP
 * disposes them); extra fields (loss, accuracy) are disposed as well.
 */
export type GradientAt = (params: readonly tf.Tensor[]) => {
  grads: tf.Tensor[];
  loss?: tf.Scalar;
  accuracy?: tf.Scalar;
};

/** Pre-activations of every ReLU of the model on the fixed batch at `params` (tensors the caller disposes). */
export type PreActivationsAt = (params: readonly tf.Tensor[]) => tf.Tensor[];

/** Flattens tensors into one float64 vector (row-major, in order). */
export function flattenToFloat64(tensors: readonly tf.Tensor[]): Float64Array {
  let n = 0;
  for (const t of tensors) n += t.size;
  const out = new Float64Array(n);
  let off = 0;
  for (const t of tensors) {
    out.set(t.dataSync(), off);
    off += t.size;
  }
  return out;
}

/** Splits a flat vector into float32 tensors of the given shapes (the caller owns them). */
export function unflatten(flat: Float64Array | Float32Array, shapes: readonly (readonly number[])[]): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  let off = 0;
  for (const shape of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    // TypedArray.set converts in bulk; Float32Array.from(subarray) would go through the iterator protocol.
    const buf = new Float32Array(size);
    buf.set(flat.subarray(off, off + size));
    out.push(tf.tensor(buf, [...shape], 'float32'));
    off += size;
  }
  if (off !== flat.length) throw new Error(`unflatten: vector has ${flat.length} entries, shapes need ${off}`);
  return out;
}

function disposeGradResult(r: ReturnType<GradientAt>): void {
  tf.dispose(r.grads);
  if (r.loss !== undefined) r.loss.dispose();
  if (r.accuracy !== undefined) r.accuracy.dispose();
}

export interface FdHvpOptions {
  params: readonly tf.Tensor[];
  gradAt: GradientAt;
  /** Norm of the displacement ±h·v (default DEFAULT_FD_EPS = 1e-4). */
  eps?: number;
  /** When given, ReLU sign flips between θ±hv are counted. */
  preActivationsAt?: PreActivationsAt;
  /**
   * Check every product for flips before computing it (two forward passes each, about +1/3 of an HVP's cost) and,
   * when units flip, retry that product with ε/10, up to `maxShrinks` times (default 2). Otherwise flips are only
   * counted through `flipsAlong`.
   */
  checkEveryProduct?: boolean;
  maxShrinks?: number;
}

export interface FdHvp {
  /** Number of parameters. */
  readonly n: number;
  /** Hv in float64. */
  apply(v: Float64Array): Float64Array;
  /** ReLU units whose pre-activation has a different sign at θ+hv and θ−hv (null without preActivationsAt). */
  flipsAlong(v: Float64Array): number | null;
  /** Products computed so far. */
  readonly products: number;
  /** Largest flip count left in a product that was used, after any ε shrinking (null when none were checked). */
  readonly maxFlips: number | null;
  /** Products whose first try at the nominal ε had flips (and were retried with a smaller ε). */
  readonly flippedProducts: number;
}

/** What the products of one operator share: θ, its shapes and size, and the gradient on the fixed batch. */
interface FdPoint {
  readonly params: readonly tf.Tensor[];
  readonly shapes: readonly (readonly number[])[];
  readonly n: number;
  readonly gradAt: GradientAt;
}

/** The displacement h·v as float32 tensors shaped like θ (the caller disposes). */
function uploadStep(v: Float64Array, h: number, shapes: FdPoint['shapes']): tf.Tensor[] {
  const step: tf.Tensor[] = [];
  let off = 0;
  for (const shape of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    const buf = new Float32Array(size);
    for (let i = 0; i < size; i++) buf[i] = h * (v[off + i] ?? 0);
    step.push(tf.tensor(buf, [...shape], 'float32'));
    off += size;
  }
  return step;
}

/**
 * out ← (∇L(θ+hv) − ∇L(θ−hv))·scale: the displacement h·v is uploaded once, θ±hv and the difference are formed on
 * the backend, and each tensor's difference is read back straight into `out` (no concatenated copy, no second
 * sweep for the scaling: these sweeps over n entries are what an HVP costs beyond its two gradients).
 */
function gradientDifferenceInto(at: FdPoint, v: Float64Array, h: number, scale: number, out: Float64Array): void {
  const step = uploadStep(v, h, at.shapes);
  try {
    const plus = at.params.map((p, i) => tf.add(p, step[i] ?? 0));
    const rp = at.gradAt(plus);
    tf.dispose(plus);
    const minus = at.params.map((p, i) => tf.sub(p, step[i] ?? 0));
    const rm = at.gradAt(minus);
    tf.dispose(minus);
    try {
      readDifferenceInto(rp.grads, rm.grads, at.n, scale, out);
    } finally {
      disposeGradResult(rp);
      disposeGradResult(rm);
    }
  } finally {
    tf.dispose(step);
  }
}

/** out ← (plus − minus)·scale, tensor by tensor, checking that the gradients have the n entries of θ. */
function readDifferenceInto(
  plus: readonly tf.Tensor[],
  minus: readonly tf.Tensor[],
  n: number,
  scale: number,
  out: Float64Array,
): void {
  if (plus.length !== minus.length) throw new Error('fd-hvp: gradient lists differ in length');
  let at = 0;
  plus.forEach((g, i) => {
    const d = tf.sub(g, minus[i] ?? 0);
    const data = d.dataSync();
    d.dispose();
    if (at + data.length > n) throw new Error(`fd-hvp: gradient has more than ${n} entries`);
    for (let j = 0; j < data.length; j++) out[at + j] = (data[j] ?? 0) * scale;
    at += data.length;
  });
  if (at !== n) throw new Error(`fd-hvp: gradient has ${at} entries, parameters ${n}`);
}

/** ReLU units whose pre-activation has a different sign at the two parameter points. */
function flipCount(pre: PreActivationsAt, plus: readonly tf.Tensor[], minus: readonly tf.Tensor[]): number {
  const count = tf.tidy(() => {
    const a = pre(plus);
    const b = pre(minus);
    if (a.length !== b.length) throw new Error('fd-hvp: pre-activation lists differ in length');
    let total = tf.scalar(0, 'int32');
    a.forEach((ta, i) => {
      const tb = b[i];
      if (tb === undefined) return;
      total = tf.add(total, tf.sum(tf.cast(tf.notEqual(tf.greater(ta, 0), tf.greater(tb, 0)), 'int32')));
    });
    return total;
  });
  const value = count.dataSync()[0] ?? 0;
  count.dispose();
  return value;
}

/** θ + s·v rounded to float32, as tensors (the caller disposes). */
function displaced(theta: Float64Array, v: Float64Array, s: number, shapes: FdPoint['shapes']): tf.Tensor[] {
  const x = new Float64Array(theta.length);
  for (let i = 0; i < theta.length; i++) x[i] = (theta[i] ?? 0) + s * (v[i] ?? 0);
  return unflatten(x, shapes);
}

/** ReLU flips between θ±hv with h = e/‖v‖ (displacement norm e). */
function flipsBetween(
  pre: PreActivationsAt,
  theta: Float64Array,
  shapes: FdPoint['shapes'],
  v: Float64Array,
  e: number,
): number {
  const h = e / normOf(v);
  const plus = displaced(theta, v, h, shapes);
  const minus = displaced(theta, v, -h, shapes);
  try {
    return flipCount(pre, plus, minus);
  } finally {
    tf.dispose(plus);
    tf.dispose(minus);
  }
}

/** A finite-difference HVP operator at θ = `params` on the batch baked into `gradAt`. */
export function makeFdHvp(opts: FdHvpOptions): FdHvp {
  const eps = opts.eps ?? DEFAULT_FD_EPS;
  if (!(eps > 0)) throw new Error(`fd-hvp: eps must be > 0, got ${eps}`);
  const shapes = opts.params.map((p) => p.shape);
  const n = opts.params.reduce((a, p) => a + p.size, 0);
  const point: FdPoint = { params: opts.params, shapes, n, gradAt: opts.gradAt };
  // θ in float64 is needed only for the flip check's displaced forward passes: read it back once, on demand.
  let thetaCache: Float64Array | null = null;
  const theta = (): Float64Array => (thetaCache ??= flattenToFloat64(opts.params));
  let products = 0;
  let maxFlips: number | null = null;
  let flippedProducts = 0;

  /** Flips between θ±hv for displacement norm `e` (null without preActivationsAt). */
  const flipsAt = (v: Float64Array, e: number): number | null => {
    const pre = opts.preActivationsAt;
    return pre === undefined ? null : flipsBetween(pre, theta(), shapes, v, e);
  };

  const flipsAlong = (v: Float64Array): number | null => {
    const f = flipsAt(v, eps);
    if (f !== null) maxFlips = Math.max(maxFlips ?? 0, f);
    return f;
  };

  /** The displacement norm of a product: ε, or with checkEveryProduct, ε/10^k for the first k without flips. */
  const epsFor = (v: Float64Array): number => {
    let e = eps;
    if (opts.checkEveryProduct !== true || opts.preActivationsAt === undefined) return e;
    const maxShrinks = opts.maxShrinks ?? 2;
    for (let k = 0; ; k++) {
      const f = flipsAt(v, e) ?? 0;
      if (k === 0 && f > 0) flippedProducts++;
      if (f === 0 || k >= maxShrinks) {
        maxFlips = Math.max(maxFlips ?? 0, f);
        return e;
      }
      e /= 10;
    }
  };

  const apply = (v: Float64Array): Float64Array => {
    if (v.length !== n) throw new Error(`fd-hvp: vector has ${v.length} entries, model has ${n}`);
    const vn = normOf(v);
    const out = new Float64Array(n);
    if (vn === 0) return out;
    const h = epsFor(v) / vn;
    gradientDifferenceInto(point, v, h, 1 / (2 * h), out);
    products++;
    return out;
  };

  return {
    n,
    apply,
    flipsAlong,
    get products() {
      return products;
    },
    get maxFlips() {
      return maxFlips;
    },
    get flippedProducts() {
      return flippedProducts;
    },
  };
}

function normOf(v: Float64Array): number {
  // Indexed: for-of over a typed array of ~10^6 entries costs ~10× more in V8 (this runs once per product).
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i] ?? 0;
    s += x * x;
  }
  return Math.sqrt(s);
}
