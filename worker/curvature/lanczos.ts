/**
 * Largest eigenvalue of a symmetric linear operator by Lanczos with full reorthogonalization, in float64
 * (PAPER §4.2 [I]: "Lanczos (20–50 iterations, with reorthogonalization)"; the authors computed in float64 because
 * float32 did not always converge). The operator is given as a function on Float64Array vectors, so the same solver
 * serves finite-difference Hessian-vector products (hvp.ts), the preconditioned operator P^{-1/2}HP^{-1/2} and
 * explicit test matrices.
 *
 * Stopping rule: the Lanczos relation A·Q_k = Q_k·T_k + β_k·q_{k+1}·e_kᵀ gives the residual of the top Ritz pair
 * (θ, y = Q_k·s) exactly as ‖A·y − θ·y‖ = |β_k·s_k|; the run stops when that is ≤ tol·|θ|. For a symmetric operator
 * some eigenvalue then lies within the residual of θ. Iterations are bounded; when an attempt does not converge the
 * solver restarts from its best Ritz vector (explicit restart), at most `maxRestarts` times.
 */

export type LinearOperator = (v: Float64Array) => Float64Array;

/** The operator returned NaN or ±Inf (e.g. a gradient that overflowed at θ±εv next to a divergence). */
export class NonFiniteOperatorError extends Error {
  constructor() {
    super('lanczos: operator returned a non-finite value');
    this.name = 'NonFiniteOperatorError';
  }
}

export interface LanczosOptions {
  /** Relative residual tolerance ‖Ay − θy‖ ≤ tol·|θ| (default 1e-3: with FD-HVPs the operator itself is ~1e-5 noisy). */
  tol?: number;
  /** Lanczos steps per attempt (default 40). */
  maxIter?: number;
  /** Restarts from the best Ritz vector after an unconverged attempt (default 3). */
  maxRestarts?: number;
  /** Start vector (need not be normalized); defaults to a seeded Gaussian vector. */
  start?: Float64Array;
  /** Seed of the default Gaussian start vector (the authors used 93, PAPER §9.4). */
  seed?: number;
}

export interface LanczosResult {
  /** Largest (algebraic) Ritz value. */
  value: number;
  /** Its unit Ritz vector. */
  vector: Float64Array;
  /** Operator applications used, over all attempts. */
  iterations: number;
  converged: boolean;
  /** Final residual estimate ‖Ay − θy‖. */
  residual: number;
  restarts: number;
}

export function dot(a: Float64Array, b: Float64Array): number {
  if (b.length < a.length) throw new Error(`dot: lengths ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}

export function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

/** Deterministic standard-normal vector (mulberry32 + Box–Muller), float64. */
export function gaussianVector(n: number, seed: number): Float64Array {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const phi = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(phi);
    if (i + 1 < n) out[i + 1] = r * Math.sin(phi);
  }
  return out;
}

/**
 * Eigen-decomposition of a small dense symmetric matrix (row-major n×n) by cyclic Jacobi rotations, float64.
 * Returns eigenvalues (unsorted) and eigenvectors as columns of `vectors` (row-major n×n).
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const at = (i: number, j: number): number => a[i * n + j] ?? 0;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const x = at(i, j) * at(i, j);
        total += x;
        if (i !== j) off += x;
      }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = at(p, q);
        if (apq === 0) continue;
        const theta = (at(q, q) - at(p, p)) / (2 * apq);
        const t = Math.sign(theta === 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = at(k, p);
          const akq = at(k, q);
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = at(p, k);
          const aqk = at(q, k);
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p] ?? 0;
          const vkq = v[k * n + q] ?? 0;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = at(i, i);
  return { values, vectors: v };
}

/** Top eigenpair of the symmetric tridiagonal matrix with diagonal `alpha` and off-diagonal `beta` (length k−1). */
function topOfTridiagonal(alpha: readonly number[], beta: readonly number[]): { value: number; s: Float64Array } {
  const k = alpha.length;
  const t = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    t[i * k + i] = alpha[i] ?? 0;
    if (i + 1 < k) {
      t[i * k + i + 1] = beta[i] ?? 0;
      t[(i + 1) * k + i] = beta[i] ?? 0;
    }
  }
  const { values, vectors } = symmetricEigen(t, k);
  let best = 0;
  for (let i = 1; i < k; i++) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  const s = new Float64Array(k);
  for (let i = 0; i < k; i++) s[i] = vectors[i * k + best] ?? 0;
  return { value: values[best] ?? NaN, s };
}

/**
 * Coefficients c_b = ⟨w, b⟩ for every basis vector, four basis vectors per sweep over w (a fused classical
 * Gram–Schmidt projection: w is read n·⌈k/4⌉ times instead of n·k, and V8 keeps four accumulators in registers).
 */
function projections(w: Float64Array, basis: readonly Float64Array[], out: Float64Array): void {
  const n = w.length;
  const k = basis.length;
  const empty = new Float64Array(0);
  for (let g = 0; g < k; g += 4) {
    const b0 = basis[g] ?? empty;
    const m = Math.min(4, k - g);
    if (m === 4) {
      const b1 = basis[g + 1] ?? empty;
      const b2 = basis[g + 2] ?? empty;
      const b3 = basis[g + 3] ?? empty;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < n; i++) {
        const x = w[i] ?? 0;
        s0 += x * (b0[i] ?? 0);
        s1 += x * (b1[i] ?? 0);
        s2 += x * (b2[i] ?? 0);
        s3 += x * (b3[i] ?? 0);
      }
      out[g] = s0;
      out[g + 1] = s1;
      out[g + 2] = s2;
      out[g + 3] = s3;
    } else {
      for (let j = 0; j < m; j++) out[g + j] = dot(w, basis[g + j] ?? empty);
    }
  }
}

/** w −= Σ_b c_b·b, four basis vectors per sweep over w; returns ‖w‖ afterwards. */
function subtractProjections(w: Float64Array, basis: readonly Float64Array[], c: Float64Array): number {
  const n = w.length;
  const k = basis.length;
  const empty = new Float64Array(0);
  for (let g = 0; g < k; g += 4) {
    const m = Math.min(4, k - g);
    const b0 = basis[g] ?? empty;
    const c0 = c[g] ?? 0;
    if (m === 4) {
      const b1 = basis[g + 1] ?? empty;
      const b2 = basis[g + 2] ?? empty;
      const b3 = basis[g + 3] ?? empty;
      const c1 = c[g + 1] ?? 0;
      const c2 = c[g + 2] ?? 0;
      const c3 = c[g + 3] ?? 0;
      for (let i = 0; i < n; i++)
        w[i] = (w[i] ?? 0) - c0 * (b0[i] ?? 0) - c1 * (b1[i] ?? 0) - c2 * (b2[i] ?? 0) - c3 * (b3[i] ?? 0);
    } else {
      for (let j = 0; j < m; j++) {
        const b = basis[g + j] ?? empty;
        const cj = c[g + j] ?? 0;
        for (let i = 0; i < n; i++) w[i] = (w[i] ?? 0) - cj * (b[i] ?? 0);
      }
    }
  }
  return norm(w);
}

/**
 * α = ⟨w, q⟩ (with the finiteness check, in one indexed sweep: for-of over ~10^6 entries costs ~10× more in V8), then
 * the three-term step w −= α·q + β_prev·q_prev in place. Returns α and ‖w‖ after the step.
 */
function threeTermStep(
  w: Float64Array,
  q: Float64Array,
  prevQ: Float64Array | undefined,
  prevB: number,
): { alpha: number; norm: number } {
  const n = w.length;
  let a = 0;
  for (let i = 0; i < n; i++) {
    const x = w[i] ?? 0;
    if (!Number.isFinite(x)) throw new NonFiniteOperatorError();
    a += x * (q[i] ?? 0);
  }
  let sq = 0;
  if (prevQ === undefined) {
    for (let i = 0; i < n; i++) {
      const x = (w[i] ?? 0) - a * (q[i] ?? 0);
      w[i] = x;
      sq += x * x;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const x = (w[i] ?? 0) - a * (q[i] ?? 0) - prevB * (prevQ[i] ?? 0);
      w[i] = x;
      sq += x * x;
    }
  }
  return { alpha: a, norm: Math.sqrt(sq) };
}

/**
 * Full reorthogonalization of w against every basis vector in float64 by classical Gram–Schmidt (all projections from
 * the same w, fused four basis vectors per sweep), with a second pass only when the first removed most of w (the DGKS
 * criterion; "twice is enough" holds for CGS2): these passes cost as much as the products on big models. `before` is
 * ‖w‖ before the passes; returns ‖w‖ after them (β_j).
 */
function reorthogonalize(
  w: Float64Array,
  basis: readonly Float64Array[],
  coeffs: Float64Array,
  before: number,
): number {
  let prev = before;
  let bj = before;
  for (let pass = 0; pass < 2; pass++) {
    const c = coeffs.subarray(0, basis.length);
    projections(w, basis, c);
    bj = subtractProjections(w, basis, c);
    if (bj > Math.SQRT1_2 * prev) break;
    prev = bj;
  }
  return bj;
}

/** The unit vector Σ_i s_i·q_i of the first s.length basis vectors (a Ritz vector from its coordinates s). */
function ritzVector(basis: readonly Float64Array[], s: Float64Array, n: number): Float64Array {
  const vector = new Float64Array(n);
  subtractProjections(
    vector,
    basis.slice(0, s.length),
    s.map((x) => -x),
  );
  const vn = norm(vector);
  if (vn > 0) for (let i = 0; i < n; i++) vector[i] = (vector[i] ?? 0) / vn;
  return vector;
}

/** One Lanczos attempt from `start`; returns the top Ritz pair and whether it met the tolerance. */
function attempt(
  op: LinearOperator,
  start: Float64Array,
  maxIter: number,
  tol: number,
): { value: number; vector: Float64Array; iterations: number; converged: boolean; residual: number } {
  const n = start.length;
  const q0 = new Float64Array(start);
  const n0 = norm(q0);
  if (!(n0 > 0)) throw new Error('lanczos: start vector is zero');
  for (let i = 0; i < n; i++) q0[i] = (q0[i] ?? 0) / n0;
  const basis: Float64Array[] = [q0];
  const alpha: number[] = [];
  const beta: number[] = [];
  let top: { value: number; s: Float64Array } = { value: NaN, s: new Float64Array(1) };
  let residual = Infinity;
  let converged = false;
  const steps = Math.min(maxIter, n);
  const coeffs = new Float64Array(steps + 1);
  let used = 0;
  for (let j = 0; j < steps; j++) {
    const q = basis[j];
    if (q === undefined) break;
    const r = op(q);
    used++;
    if (r.length !== n) throw new Error(`lanczos: operator returned length ${r.length}, expected ${n}`);
    // A bulk copy (Float64Array.from would iterate), so the operator may return a buffer it keeps.
    const w = new Float64Array(r);
    // The three-term recurrence first, so that the reorthogonalization sees only the rounding drift.
    const { alpha: a, norm: before } = threeTermStep(
      w,
      q,
      j > 0 ? basis[j - 1] : undefined,
      j > 0 ? (beta[j - 1] ?? 0) : 0,
    );
    alpha.push(a);
    const bj = reorthogonalize(w, basis, coeffs, before);
    top = topOfTridiagonal(alpha, beta);
    residual = Math.abs(bj * (top.s[j] ?? 0));
    if (residual <= tol * Math.abs(top.value) || bj <= 1e-14 * Math.max(1, Math.abs(top.value))) {
      converged = true;
      break;
    }
    if (j + 1 >= steps) {
      // A Krylov space of full dimension n is invariant: T_n holds the exact spectrum.
      if (steps === n) {
        converged = true;
        residual = 0;
      }
      break;
    }
    beta.push(bj);
    const inv = 1 / bj;
    for (let i = 0; i < n; i++) w[i] = (w[i] ?? 0) * inv;
    basis.push(w);
  }
  return { value: top.value, vector: ritzVector(basis, top.s, n), iterations: used, converged, residual };
}

/** λ_max of the symmetric operator `op` on vectors of length `n` (Lanczos, full reorthogonalization, restarts). */
export function lanczosTop(op: LinearOperator, n: number, opts: LanczosOptions = {}): LanczosResult {
  const tol = opts.tol ?? 1e-3;
  const maxIter = opts.maxIter ?? 40;
  const maxRestarts = opts.maxRestarts ?? 3;
  if (n < 1) throw new Error('lanczos: empty operator');
  let start = opts.start !== undefined && norm(opts.start) > 0 ? opts.start : gaussianVector(n, opts.seed ?? 93);
  if (start.length !== n) throw new Error(`lanczos: start vector has length ${start.length}, expected ${n}`);
  let iterations = 0;
  for (let r = 0; ; r++) {
    const res = attempt(op, start, maxIter, tol);
    iterations += res.iterations;
    if (res.converged || r >= maxRestarts) {
      return {
        value: res.value,
        vector: res.vector,
        iterations,
        converged: res.converged,
        residual: res.residual,
        restarts: r,
      };
    }
    start = res.vector;
  }
}

/**
 * A warm start for the next estimate: the previous Ritz vector plus a seeded Gaussian component of relative weight
 * `weight` (default 0.1), so a new top eigenvector nearly orthogonal to the old one is still reached quickly.
 */
export function warmStart(previous: Float64Array, seed: number, weight = 0.1): Float64Array {
  const g = gaussianVector(previous.length, seed);
  const pn = norm(previous);
  const gn = norm(g);
  if (!(pn > 0) || !(gn > 0)) return g;
  return previous.map((x, i) => x / pn + (weight * (g[i] ?? 0)) / gn);
}
