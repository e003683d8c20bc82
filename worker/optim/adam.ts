import * as tf from '@tensorflow/tfjs';
import type { Optimizer } from '../engine/types';
import { assertParallel, at, globalNorm, readScalar, readScalars, type MeasuredStep } from './norms';

export interface AdamHyper {
  beta1: number;
  beta2: number;
  eps: number;
}

/**
 * Adam as PAPER §3.5 (optax defaults, eps_root = 0, no weight decay, no clipping):
 *   m_t = β1·m_{t−1} + (1−β1)·g_t,  v_t = β2·v_{t−1} + (1−β2)·g_t²,
 *   θ_{t+1} = θ_t − η·m̂_t/(√v̂_t + ε),  m̂_t = m_t/(1−β1^t),  v̂_t = v_t/(1−β2^t).
 * GI-Adam and RI-Adam (PAPER §7) are the same rule started from a given v_0 (g_0² or r⊙r) with m_0 = 0, t = 0 and
 * the bias corrections kept; `v0` passes it in.
 */
export class AdamOptimizer implements Optimizer {
  readonly kind: 'adam' | 'gi-adam' | 'ri-adam';
  private readonly h: AdamHyper;
  /** m_t; null means m = 0 (before the first update). */
  private m: tf.Tensor[] | null = null;
  /** v_t; null means v = 0 (plain Adam before its first update). */
  private v: tf.Tensor[] | null;
  private steps = 0;

  /** `v0` is taken over (the optimizer disposes it); omit it for plain Adam (v_0 = 0). */
  constructor(opts: AdamHyper & { kind?: 'adam' | 'gi-adam' | 'ri-adam'; v0?: tf.Tensor[] }) {
    const { beta1, beta2, eps } = opts;
    if (!(beta1 >= 0 && beta1 < 1)) throw new Error(`Adam beta1 must be in [0, 1), got ${beta1}`);
    if (!(beta2 >= 0 && beta2 < 1)) throw new Error(`Adam beta2 must be in [0, 1), got ${beta2}`);
    if (!(eps > 0)) throw new Error(`Adam eps must be > 0, got ${eps}`);
    this.h = { beta1, beta2, eps };
    this.kind = opts.kind ?? 'adam';
    if (this.kind !== 'adam' && opts.v0 === undefined)
      throw new Error(`${this.kind} needs v0 (computed from the first batch's gradient)`);
    this.v = opts.v0 ?? null;
  }

  get t(): number {
    return this.steps;
  }

  /** Moments after one more update with gradient g, and the bias corrections of that update (inside a tidy). */
  private advance(grads: readonly tf.Tensor[]): { m: tf.Tensor[]; v: tf.Tensor[]; bc1: number; bc2: number } {
    const { beta1, beta2 } = this.h;
    const t = this.steps + 1;
    const m = grads.map((g, i) => {
      const fresh = tf.mul(g, 1 - beta1);
      return this.m === null ? fresh : tf.add(tf.mul(at(this.m, i), beta1), fresh);
    });
    const v = grads.map((g, i) => {
      const fresh = tf.mul(tf.square(g), 1 - beta2);
      return this.v === null ? fresh : tf.add(tf.mul(at(this.v, i), beta2), fresh);
    });
    return { m, v, bc1: 1 - beta1 ** t, bc2: 1 - beta2 ** t };
  }

  /** The step Δ = η·m̂/(√v̂ + ε) of each tensor, so that θ_{t+1} = θ − Δ. */
  private delta(m: tf.Tensor[], v: tf.Tensor[], bc1: number, bc2: number, lr: number): tf.Tensor[] {
    return m.map((mi, i) => {
      const mHat = tf.div(mi, bc1);
      const denom = tf.add(tf.sqrt(tf.div(at(v, i), bc2)), this.h.eps);
      return tf.mul(tf.div(mHat, denom), lr);
    });
  }

  step(params: readonly tf.Tensor[], grads: readonly tf.Tensor[], lr: number): tf.Tensor[] {
    return this.update(params, grads, lr, false).params;
  }

  /** `step` with ‖θ_{t+1} − θ_t‖ = ‖Δ‖ and the new ‖m‖, ‖v‖, in one readback. */
  stepMeasured(
    params: readonly tf.Tensor[],
    grads: readonly tf.Tensor[],
    lr: number,
    _known: { gradNorm: number },
  ): MeasuredStep {
    const r = this.update(params, grads, lr, true);
    const { m, v } = this;
    if (r.updateNorm === null || m === null || v === null) throw new Error(`${this.kind}.stepMeasured: no update norm`);
    const [updateNorm = NaN, mNorm = NaN, vNorm = NaN] = readScalars([r.updateNorm, globalNorm(m), globalNorm(v)]);
    return { params: r.params, updateNorm, mNorm, vNorm };
  }

  private update(
    params: readonly tf.Tensor[],
    grads: readonly tf.Tensor[],
    lr: number,
    measure: boolean,
  ): { params: tf.Tensor[]; updateNorm: tf.Scalar | null } {
    assertParallel(params, grads, `${this.kind}.step`);
    const out = tf.tidy(() => {
      const { m, v, bc1, bc2 } = this.advance(grads);
      const d = this.delta(m, v, bc1, bc2, lr);
      return { next: params.map((p, i) => tf.sub(p, at(d, i))), m, v, norm: measure ? [globalNorm(d)] : [] };
    });
    this.m?.forEach((t) => t.dispose());
    this.v?.forEach((t) => t.dispose());
    this.m = out.m;
    this.v = out.v;
    this.steps += 1;
    return { params: out.next, updateNorm: out.norm[0] ?? null };
  }

  peek(params: readonly tf.Tensor[], grads: readonly tf.Tensor[], lr: number): tf.Tensor[] {
    assertParallel(params, grads, `${this.kind}.peek`);
    return tf.tidy(() => {
      const { m, v, bc1, bc2 } = this.advance(grads);
      const d = this.delta(m, v, bc1, bc2, lr);
      return params.map((p, i) => tf.sub(p, at(d, i)));
    });
  }

  /**
   * P_t = (1−β1^t)·(√v̂_t + ε) of the update about to be taken, with v_t including the pending g_t (PAPER §4.1), so
   * that update is exactly θ − η·P_t⁻¹·m_t.
   */
  preconditioner(grads: readonly tf.Tensor[]): tf.Tensor[] {
    return tf.tidy(() => {
      const { v, bc1, bc2 } = this.advance(grads);
      return v.map((vi) => tf.mul(tf.add(tf.sqrt(tf.div(vi, bc2)), this.h.eps), bc1));
    });
  }

  stateNorms(): { mNorm: number; vNorm: number } {
    return {
      mNorm: this.m === null ? 0 : readScalar(globalNorm(this.m)),
      vNorm: this.v === null ? 0 : readScalar(globalNorm(this.v)),
    };
  }

  dispose(): void {
    this.m?.forEach((t) => t.dispose());
    this.v?.forEach((t) => t.dispose());
    this.m = null;
    this.v = null;
  }
}
