import * as tf from '@tensorflow/tfjs';
import type { LossKind } from '../../server/core/run-config';
import type { LossFn } from './types';

/** MSE = 0.5 · mean over batch × classes of (f − y)² (PAPER §3.4: divided by B·K; this sets the scale of λ^H). */
export const mseLoss: LossFn = (logits, targets) =>
  tf.tidy(() => tf.mul(0.5, tf.mean(tf.squaredDifference(logits, targets))));

/** Softmax cross-entropy against (soft) targets, mean over the batch; logSoftmax keeps it finite for large logits. */
export const xentLoss: LossFn = (logits, targets) =>
  tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as tf.Scalar);

export function lossFn(kind: LossKind): LossFn {
  return kind === 'mse' ? mseLoss : xentLoss;
}

/** Fraction of rows where argmax(logits) == argmax(targets). */
export function accuracy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(targets, 1)), 'float32')));
}
