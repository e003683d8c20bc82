import { describe, expect, it } from 'vitest';
import {
  gaussianVector,
  lanczosTop,
  NonFiniteOperatorError,
  symmetricEigen,
  type LinearOperator,
} from '../../../../worker/curvature/lanczos';

/** y = A·v for a row-major dense n×n matrix. */
function denseOp(a: Float64Array, n: number): LinearOperator {
  return (v) => {
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += (a[i * n + j] ?? 0) * (v[j] ?? 0);
      y[i] = s;
    }
    return y;
  };
}

/** tridiag(−1, 2, −1): eigenvalues 2 − 2cos(kπ/(n+1)), k = 1..n, so λ_max = 2 + 2cos(π/(n+1)). */
function laplacian(n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = 2;
    if (i + 1 < n) {
      a[i * n + i + 1] = -1;
      a[(i + 1) * n + i] = -1;
    }
  }
  return a;
}

describe('symmetricEigen (Jacobi, float64)', () => {
  it('returns the closed-form spectrum of tridiag(−1, 2, −1) to 1e-12', () => {
    const n = 12;
    const { values } = symmetricEigen(laplacian(n), n);
    const got = Array.from(values).sort((x, y) => x - y);
    const want = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
    got.forEach((g, i) => expect(Math.abs(g - (want[i] ?? NaN))).toBeLessThan(1e-12));
  });
});

describe('lanczosTop', () => {
  it('finds λ_max of a diagonal operator with a spread spectrum to 1e-6 relative, in few iterations', () => {
    const n = 200;
    // Eigenvalues 1..199 and a top one at 250: a clear gap, so Lanczos converges fast.
    const d = Float64Array.from({ length: n }, (_, i) => (i === 17 ? 250 : 1 + (i % 199)));
    const op: LinearOperator = (v) => v.map((x, i) => (d[i] ?? 0) * x);
    const res = lanczosTop(op, n, { tol: 1e-9, maxIter: 60 });
    expect(res.converged).toBe(true);
    expect(Math.abs(res.value - 250) / 250).toBeLessThan(1e-6);
    expect(res.iterations).toBeLessThan(40);
    // The Ritz vector is the 17th unit vector (up to sign).
    expect(Math.abs(res.vector[17] ?? 0)).toBeGreaterThan(1 - 1e-6);
  });

  it('returns the largest algebraic eigenvalue, not the largest in magnitude (power iteration would give −10)', () => {
    const d = [-10, 1, 2, 3];
    const res = lanczosTop((v) => v.map((x, i) => (d[i] ?? 0) * x), 4, { tol: 1e-10 });
    expect(res.converged).toBe(true);
    expect(res.value).toBeCloseTo(3, 10);
  });

  it('on tridiag(−1, 2, −1) with n = 30 equals 2 + 2cos(π/31) to 1e-6 (full Krylov space if needed)', () => {
    const n = 30;
    const res = lanczosTop(denseOp(laplacian(n), n), n, { tol: 1e-10, maxIter: n });
    const exact = 2 + 2 * Math.cos(Math.PI / (n + 1));
    expect(res.converged).toBe(true);
    expect(Math.abs(res.value - exact)).toBeLessThan(1e-6);
  });

  it('restarts from its Ritz vector when an attempt is cut short, and reports non-convergence honestly', () => {
    const n = 100;
    const exact = 2 + 2 * Math.cos(Math.PI / (n + 1));
    // 5 steps per attempt cannot resolve the clustered top of this spectrum.
    const short = lanczosTop(denseOp(laplacian(n), n), n, { tol: 1e-10, maxIter: 5, maxRestarts: 0 });
    expect(short.converged).toBe(false);
    expect(short.iterations).toBe(5);
    expect(short.value).toBeLessThan(exact);
    // With restarts the estimate improves monotonically toward λ_max (Ritz values are lower bounds).
    const more = lanczosTop(denseOp(laplacian(n), n), n, { tol: 1e-10, maxIter: 5, maxRestarts: 6 });
    expect(more.iterations).toBe(35);
    expect(more.value).toBeGreaterThan(short.value);
    expect(more.value).toBeLessThanOrEqual(exact + 1e-12);
  });

  it('a random symmetric matrix: λ_max equals the dense Jacobi result to 1e-8 relative', () => {
    const n = 40;
    const g = gaussianVector(n * n, 5);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) a[i * n + j] = ((g[i * n + j] ?? 0) + (g[j * n + i] ?? 0)) / 2;
    const ref = Math.max(...symmetricEigen(a, n).values);
    const res = lanczosTop(denseOp(a, n), n, { tol: 1e-12, maxIter: n });
    expect(Math.abs(res.value - ref) / Math.abs(ref)).toBeLessThan(1e-8);
  });

  it('stops with NonFiniteOperatorError when the operator returns NaN (the training hook stores NaN then)', () => {
    expect(() => lanczosTop((v) => v.map((x, i) => (i === 2 ? NaN : x)), 5)).toThrow(NonFiniteOperatorError);
  });
});
