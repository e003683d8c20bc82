import * as tf from '@tensorflow/tfjs';
import type { Optimizer } from '../engine/types';
import { assertParallel, at, globalNorm, readScalar, readScalars, type MeasuredStep } from './norms';

/**
 * (S)GD with optional heavy-ball momentum, as optax `sgd` (PAPER §3.5): m_t = g_t + β·m_{t−1}; θ_{t+1} = θ_t − η_t·m_t,
 * with m_0 = 0, no Nesterov and no weight decay. β = 0 is plain SGD and keeps no state.
 */
export class SgdOptimizer implements Optimizer {
  readonly kind: 'sgd' | 'sgd-momentum';
  private readonly beta: number;
  /** m_{t−1}; null before the first update (m_0 = 0) and always for plain SGD. */
  private m: tf.Tensor[] | null = null;
  private steps = 0;

  /** `kind` defaults to 'sgd-momentum' when β > 0; a config's 'sgd-momentum' with β = 0 keeps its name. */
  constructor(opts: { momentum: number; kind?: 'sgd' | 'sgd-momentum' }) {
    if (!(opts.momentum >= 0 && opts.momentum < 1))
      throw new Error(`SGD momentum must be in [0, 1), got ${opts.momentum}`);
    this.beta = opts.momentum;
    this.kind = opts.kind ?? (opts.momentum > 0 ? 'sgd-momentum' : 'sgd');
  }

  get t(): number {
    return this.steps;
  }

  /** The direction m_t = g_t + β·m_{t−1} of the update about to be taken (new tensors, inside the caller's tidy). */
  private direction(grads: readonly tf.Tensor[]): tf.Tensor[] {
    const prev = this.m;
    if (this.beta === 0 || prev === null) return grads.map((g) => g.clone());
    return grads.map((g, i) => tf.add(g, tf.mul(at(prev, i), this.beta)));
  }

  /** `step` with ‖θ_{t+1} − θ_t‖ = η‖m_t‖: η‖g_t‖ for plain SGD (no tensor work), one pass for SGD-M (= η·mNorm). */
  stepMeasured(
    params: readonly tf.Tensor[],
    grads: readonly tf.Tensor[],
    lr: number,
    known: { gradNorm: number },
  ): MeasuredStep {
    const next = this.step(params, grads, lr);
    if (this.beta === 0 || this.m === null) return { params: next, updateNorm: Math.abs(lr) * known.gradNorm };
    const [mNorm = NaN] = readScalars([globalNorm(this.m)]);
    return { params: next, updateNorm: Math.abs(lr) * mNorm, mNorm };
  }

  step(params: readonly tf.Tensor[], grads: readonly tf.Tensor[], lr: number): tf.Tensor[] {
    assertParallel(params, grads, 'sgd.step');
    const { next, m } = tf.tidy(() => {
      const d = this.direction(grads);
      const next = params.map((p, i) => tf.sub(p, tf.mul(at(d, i), lr)));
      return { next, m: this.beta > 0 ? d : [] };
    });
    if (this.beta > 0) {
      this.m?.forEach((t) => t.dispose());
      this.m = m;
    }
    this.steps += 1;
    return next;
  }

  peek(params: readonly tf.Tensor[], grads: readonly tf.Tensor[], lr: number): tf.Tensor[] {
    assertParallel(params, grads, 'sgd.peek');
    return tf.tidy(() => {
      const d = this.direction(grads);
      return params.map((p, i) => tf.sub(p, tf.mul(at(d, i), lr)));
    });
  }

  /** SGD's preconditioner is the identity. */
  preconditioner(_grads: readonly tf.Tensor[]): null {
    return null;
  }

  stateNorms(): { mNorm?: number } {
    if (this.beta === 0) return {};
    return { mNorm: this.m === null ? 0 : readScalar(globalNorm(this.m)) };
  }

  dispose(): void {
    this.m?.forEach((t) => t.dispose());
    this.m = null;
  }
}
