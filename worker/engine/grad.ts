import * as tf from '@tensorflow/tfjs';
import type { LossKind } from '../../server/core/run-config';
import { type Dataset, sliceBatch } from '../data/dataset';
import { accuracy, lossFn } from './loss';
import type { Batch, LossAndGrads, Model } from './types';

/**
 * Loss, batch accuracy and the gradient with respect to every parameter tensor, from one forward and one backward
 * pass. All returned tensors are owned by the caller; nothing else stays allocated.
 */
export function lossAndGrads(
  model: Model,
  params: readonly tf.Tensor[],
  batch: Batch,
  lossKind: LossKind,
): LossAndGrads {
  const loss = lossFn(lossKind);
  return tf.tidy(() => {
    const seen: { logits?: tf.Tensor2D } = {};
    const f = (...ps: tf.Tensor[]): tf.Scalar => {
      const out = model.apply(ps, batch.x);
      seen.logits = tf.keep(out);
      return loss(out, batch.y);
    };
    const { value, grads } = tf.valueAndGrads(f)([...params]);
    const kept = seen.logits;
    if (kept === undefined) throw new Error('model.apply was not called');
    const acc = accuracy(kept, batch.y);
    // tf.keep exempted the logits from every scope, so they are released by hand.
    kept.dispose();
    return { loss: value, accuracy: acc, grads };
  });
}

export interface Evaluation {
  loss: number;
  accuracy: number;
}

/**
 * Loss and accuracy over a whole split, in batches of `batchSize` (default 1000). Both are example-weighted means,
 * which equals the paper's mean of per-batch means when the batch size divides the split.
 */
export async function evaluate(
  model: Model,
  params: readonly tf.Tensor[],
  data: Dataset,
  lossKind: LossKind,
  batchSize = 1000,
): Promise<Evaluation> {
  const loss = lossFn(lossKind);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < data.size; start += batchSize) {
    const end = Math.min(data.size, start + batchSize);
    const batch = sliceBatch(data, start, end);
    const [l, a] = tf.tidy(() => {
      const logits = model.apply(params, batch.x);
      return [loss(logits, batch.y), accuracy(logits, batch.y)];
    });
    const [lv, av] = await Promise.all([l.data(), a.data()]);
    lossSum += (lv[0] ?? NaN) * (end - start);
    correct += (av[0] ?? NaN) * (end - start);
    tf.dispose([l, a, batch.x, batch.y]);
  }
  return { loss: lossSum / data.size, accuracy: correct / data.size };
}
