import * as tf from '@tensorflow/tfjs';
import type { Optimizer } from '../engine/types';

/** One update and the sizes the row records, read back with a single sync. */
export interface MeasuredStep {
  params: tf.Tensor[];
  /** ‖θ_{t+1} − θ_t‖₂. */
  updateNorm: number;
  /** ‖m_t‖ after the update (SGD-M's momentum, Adam's first moment). */
  mNorm?: number;
  /** ‖v_t‖ after the update (Adam). */
  vNorm?: number;
}

/**
 * An optimizer that measures its own update (all of worker/optim's do): from the update direction itself, so the
 * loop needs no subtraction pass, and with the state norms in the same readback. `gradNorm` = ‖g_t‖, which the loop
 * has already read (plain SGD's update norm is η‖g_t‖ exactly).
 */
export interface MeasuringOptimizer extends Optimizer {
  stepMeasured(
    params: readonly tf.Tensor[],
    grads: readonly tf.Tensor[],
    lr: number,
    known: { gradNorm: number },
  ): MeasuredStep;
}

export function canMeasureStep(opt: Optimizer): opt is MeasuringOptimizer {
  return typeof (opt as Partial<MeasuringOptimizer>).stepMeasured === 'function';
}

/** Global L2 norm ‖(t₁, …, tₙ)‖₂ of a list of tensors, as a scalar tensor the caller owns (0 for an empty list). */
export function globalNorm(ts: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (ts.length === 0) return tf.scalar(0);
    return tf.sqrt(tf.addN(ts.map((t) => tf.sum(tf.square(t))))) as tf.Scalar;
  });
}

/** Global L2 norm of the difference of two equally shaped tensor lists (e.g. ‖θ_{t+1} − θ_t‖), as a scalar tensor. */
export function globalDiffNorm(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): tf.Scalar {
  if (a.length !== b.length) throw new Error(`globalDiffNorm: ${a.length} tensors against ${b.length}`);
  return tf.tidy(() => {
    if (a.length === 0) return tf.scalar(0);
    return tf.sqrt(tf.addN(a.map((t, i) => tf.sum(tf.square(tf.sub(t, at(b, i))))))) as tf.Scalar;
  });
}

/** `xs[i]`, throwing when the index is out of range (lists of parameters, gradients and state are parallel). */
export function at<T>(xs: readonly T[], i: number): T {
  const x = xs[i];
  if (x === undefined) throw new Error(`index ${i} out of range (length ${xs.length})`);
  return x;
}

/** Reads several scalar tensors with one readback and disposes them. */
export function readScalars(ts: readonly tf.Tensor[]): number[] {
  if (ts.length === 0) return [];
  const stacked = tf.stack([...ts]);
  const values = Array.from(stacked.dataSync());
  tf.dispose([stacked, ...ts]);
  return values;
}

/** Reads a scalar tensor's value and disposes it. */
export function readScalar(s: tf.Tensor): number {
  const v = s.dataSync()[0];
  s.dispose();
  if (v === undefined) throw new Error('readScalar: empty tensor');
  return v;
}

/** Checks that a gradient list matches the parameter list tensor by tensor (same count, same shapes). */
export function assertParallel(params: readonly tf.Tensor[], grads: readonly tf.Tensor[], who: string): void {
  if (params.length !== grads.length)
    throw new Error(`${who}: ${params.length} parameters but ${grads.length} gradients`);
  params.forEach((p, i) => {
    const g = at(grads, i);
    if (!tf.util.arraysEqual(p.shape, g.shape)) {
      throw new Error(
        `${who}: parameter ${i} has shape [${p.shape.join(',')}] but its gradient [${g.shape.join(',')}]`,
      );
    }
  });
}
