import type { Data64 } from './fixtures';

/**
 * Exact Hessian-vector products in float64 of an SP FCN (dims[0] → … → dims[L], ReLU between layers, multiplier 1)
 * under MSE, by Pearlmutter's R-operator with the activation pattern of θ (the a.e. Hessian of the ReLU network).
 * θ and v are flat in the engine's order [W0, b0, W1, b1, …], W row-major [fan_in, fan_out]. Plain loops, no tfjs:
 * the reference the gated finite-difference HVPs are checked against.
 */

const at = (a: Float64Array, i: number): number => a[i] ?? 0;
const EMPTY = new Float64Array(0);
const NO_GATES = new Uint8Array(0);

/** out[B×n] += a[B×m]·W[m×n], W in `t` at offset `off`. */
function mulW(
  bs: number,
  a: Float64Array,
  t: Float64Array,
  off: number,
  m: number,
  n: number,
  out: Float64Array,
): void {
  for (let i = 0; i < bs; i++)
    for (let p = 0; p < m; p++) {
      const av = at(a, i * m + p);
      if (av === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] = at(out, i * n + j) + av * at(t, off + p * n + j);
    }
}

/** out[B×m] += d[B×n]·Wᵀ. */
function mulWt(
  bs: number,
  d: Float64Array,
  t: Float64Array,
  off: number,
  m: number,
  n: number,
  out: Float64Array,
): void {
  for (let i = 0; i < bs; i++)
    for (let p = 0; p < m; p++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += at(d, i * n + j) * at(t, off + p * n + j);
      out[i * m + p] = at(out, i * m + p) + s;
    }
}

/** g[m×n] += aᵀ·d (a: B×m, d: B×n), g at offset `off`. */
function outer(bs: number, a: Float64Array, d: Float64Array, g: Float64Array, off: number, m: number, n: number): void {
  for (let i = 0; i < bs; i++)
    for (let p = 0; p < m; p++) {
      const av = at(a, i * m + p);
      if (av === 0) continue;
      for (let j = 0; j < n; j++) g[off + p * n + j] = at(g, off + p * n + j) + av * at(d, i * n + j);
    }
}

function addBias(bs: number, z: Float64Array, t: Float64Array, off: number, n: number): void {
  for (let i = 0; i < bs; i++) for (let j = 0; j < n; j++) z[i * n + j] = at(z, i * n + j) + at(t, off + j);
}

/** Zeroes the entries whose gate is closed. */
function gate(x: Float64Array, g: Uint8Array): void {
  for (let i = 0; i < x.length; i++) if (g[i] === 0) x[i] = 0;
}

/** Where each layer's W and b start in the flat parameter vector, and the layer widths. */
interface Layout {
  L: number;
  /** Batch size. */
  bs: number;
  fanIn(l: number): number;
  fanOut(l: number): number;
  wOff(l: number): number;
  bOff(l: number): number;
}

function layout(dims: readonly number[], bs: number): Layout {
  const L = dims.length - 1;
  const offs: number[] = [];
  let o = 0;
  for (let l = 0; l < L; l++) {
    offs.push(o);
    o += (dims[l] ?? 0) * (dims[l + 1] ?? 0) + (dims[l + 1] ?? 0);
  }
  return {
    L,
    bs,
    fanIn: (l) => dims[l] ?? 0,
    fanOut: (l) => dims[l + 1] ?? 0,
    wOff: (l) => offs[l] ?? 0,
    bOff: (l) => (offs[l] ?? 0) + (dims[l] ?? 0) * (dims[l + 1] ?? 0),
  };
}

/** The network at θ: activations h_l (h_0 = x, h_L = f), the ReLU gates, and the backpropagated errors δ_l. */
interface Pass {
  h: Float64Array[];
  gates: Uint8Array[];
  delta: Float64Array[];
}

function forwardAndBack(theta: Float64Array, data: Data64, lay: Layout, k: number): Pass {
  const { L, bs } = lay;
  const h: Float64Array[] = [data.x];
  const gates: Uint8Array[] = [];
  for (let l = 0; l < L; l++) {
    const n = lay.fanOut(l);
    const z = new Float64Array(bs * n);
    mulW(bs, h[l] ?? EMPTY, theta, lay.wOff(l), lay.fanIn(l), n, z);
    addBias(bs, z, theta, lay.bOff(l), n);
    if (l < L - 1) {
      const g = new Uint8Array(z.length);
      for (let i = 0; i < z.length; i++) {
        g[i] = at(z, i) > 0 ? 1 : 0;
        if (g[i] === 0) z[i] = 0;
      }
      gates.push(g);
    }
    h.push(z);
  }
  const f = h[L] ?? EMPTY;
  const delta: Float64Array[] = [];
  delta[L - 1] = f.map((x, i) => (x - at(data.y, i)) / (bs * k));
  for (let l = L - 1; l > 0; l--) {
    const dh = new Float64Array(bs * lay.fanIn(l));
    mulWt(bs, delta[l] ?? EMPTY, theta, lay.wOff(l), lay.fanIn(l), lay.fanOut(l), dh);
    gate(dh, gates[l - 1] ?? NO_GATES);
    delta[l - 1] = dh;
  }
  return { h, gates, delta };
}

/** R{h_l}: the directional derivatives of the activations along v (R{h_0} = 0). */
function rForward(theta: Float64Array, v: Float64Array, lay: Layout, pass: Pass): Float64Array[] {
  const { L, bs } = lay;
  const rh: Float64Array[] = [new Float64Array(bs * lay.fanIn(0))];
  for (let l = 0; l < L; l++) {
    const m = lay.fanIn(l);
    const n = lay.fanOut(l);
    const rz = new Float64Array(bs * n);
    mulW(bs, rh[l] ?? EMPTY, theta, lay.wOff(l), m, n, rz);
    mulW(bs, pass.h[l] ?? EMPTY, v, lay.wOff(l), m, n, rz);
    addBias(bs, rz, v, lay.bOff(l), n);
    if (l < L - 1) gate(rz, pass.gates[l] ?? NO_GATES);
    rh.push(rz);
  }
  return rh;
}

/** Hv = R{∇L}: the backward pass of R{δ}, accumulated into the flat parameter layout. */
function rBackward(theta: Float64Array, v: Float64Array, lay: Layout, pass: Pass, k: number): Float64Array {
  const { L, bs } = lay;
  const out = new Float64Array(theta.length);
  const rh = rForward(theta, v, lay, pass);
  let rd = (rh[L] ?? EMPTY).map((x) => x / (bs * k));
  for (let l = L - 1; l >= 0; l--) {
    const m = lay.fanIn(l);
    const n = lay.fanOut(l);
    const d = pass.delta[l] ?? EMPTY;
    outer(bs, rh[l] ?? EMPTY, d, out, lay.wOff(l), m, n);
    outer(bs, pass.h[l] ?? EMPTY, rd, out, lay.wOff(l), m, n);
    for (let i = 0; i < bs; i++)
      for (let j = 0; j < n; j++) out[lay.bOff(l) + j] = at(out, lay.bOff(l) + j) + at(rd, i * n + j);
    if (l > 0) {
      const x = new Float64Array(bs * m);
      mulWt(bs, rd, theta, lay.wOff(l), m, n, x);
      mulWt(bs, d, v, lay.wOff(l), m, n, x);
      gate(x, pass.gates[l - 1] ?? NO_GATES);
      rd = x;
    }
  }
  return out;
}

/** The exact HVP operator v ↦ Hv of the FCN with layer widths `dims` at θ on `data` (see the header). */
export function fcnHvp64(
  theta: Float64Array,
  data: Data64,
  dims: readonly number[],
): (v: Float64Array) => Float64Array {
  const lay = layout(dims, data.b);
  const k = dims[lay.L] ?? 0;
  const pass = forwardAndBack(theta, data, lay, k);
  return (v) => rBackward(theta, v, lay, pass, k);
}
