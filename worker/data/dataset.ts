import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../engine/types';

/** A preprocessed split held in memory as flat Float32Arrays; tensors are made per batch. */
export interface Dataset {
  /** e.g. "fashion-mnist/train". */
  readonly name: string;
  /** Shape of one example, e.g. [28, 28, 1] (HWC) or [16]. */
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  readonly size: number;
  /** size × prod(inputShape) values, example-major. */
  readonly x: Float32Array;
  /** size × numClasses targets: one-hot for labelled data, soft for the teacher–student task. */
  readonly y: Float32Array;
}

export interface DataSplits {
  train: Dataset;
  test: Dataset;
}

export function exampleSize(ds: Pick<Dataset, 'inputShape'>): number {
  return ds.inputShape.reduce((a, b) => a * b, 1);
}

/** Examples [start, end) as a batch (no copy on the JS side). The caller disposes the tensors. */
export function sliceBatch(ds: Dataset, start: number, end: number): Batch {
  const d = exampleSize(ds);
  const n = end - start;
  if (start < 0 || end > ds.size || n <= 0)
    throw new RangeError(`batch [${start}, ${end}) outside ${ds.name} of size ${ds.size}`);
  return {
    x: tf.tensor(ds.x.subarray(start * d, end * d), [n, ...ds.inputShape]),
    y: tf.tensor2d(ds.y.subarray(start * ds.numClasses, end * ds.numClasses), [n, ds.numClasses]),
  };
}

/** The examples at `indices` as a batch. The caller disposes the tensors. */
export function gatherBatch(ds: Dataset, indices: ArrayLike<number>): Batch {
  const d = exampleSize(ds);
  const k = ds.numClasses;
  const n = indices.length;
  const x = new Float32Array(n * d);
  const y = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const j = indices[i] as number;
    x.set(ds.x.subarray(j * d, (j + 1) * d), i * d);
    y.set(ds.y.subarray(j * k, (j + 1) * k), i * k);
  }
  return { x: tf.tensor(x, [n, ...ds.inputShape]), y: tf.tensor2d(y, [n, k]) };
}
