import type { Batch } from '../engine/types';
import { type Dataset, gatherBatch, sliceBatch } from './dataset';
import { Rng } from './prng';

/**
 * Minibatches over a dataset in a seeded order that is reshuffled every epoch (a fresh permutation per epoch, from
 * an independent stream of `seed`, so epoch e's order does not depend on how far earlier epochs were read). The last
 * batch of an epoch is partial when the batch size does not divide the dataset (PAPER §9.4: the authors' NumPy
 * loop keeps it). batchSize 0 (or ≥ the dataset size) is full batch: the whole set in order, every step.
 */
export class BatchStream {
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  private order: Int32Array | null = null;
  private epochIndex = 0;
  private position = 0;

  constructor(
    private readonly data: Dataset,
    batchSize: number,
    private readonly seed: number,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 0)
      throw new RangeError(`batchSize: must be an integer ≥ 0, got ${batchSize}`);
    if (data.size === 0) throw new RangeError(`${data.name} is empty`);
    this.batchSize = batchSize === 0 || batchSize >= data.size ? data.size : batchSize;
    this.stepsPerEpoch = Math.ceil(data.size / this.batchSize);
  }

  get fullBatch(): boolean {
    return this.batchSize === this.data.size;
  }

  /** Epochs started so far (0 before the first batch). */
  get epoch(): number {
    return this.epochIndex;
  }

  /** The dataset indices of the next batch, advancing the stream. */
  nextIndices(): Int32Array {
    if (this.order === null || this.position >= this.data.size) {
      this.epochIndex += 1;
      this.position = 0;
      this.order = this.fullBatch ? null : new Rng(this.seed, 0x5eed0000 + this.epochIndex).permutation(this.data.size);
      if (this.order === null) {
        this.position = this.data.size;
        const all = new Int32Array(this.data.size);
        for (let i = 0; i < all.length; i++) all[i] = i;
        return all;
      }
    }
    const end = Math.min(this.data.size, this.position + this.batchSize);
    const idx = this.order.subarray(this.position, end);
    this.position = end;
    return idx;
  }

  /** The next batch as tensors [B, ...inputShape] and [B, K]; the caller disposes them. */
  next(): Batch {
    if (this.fullBatch) {
      this.nextIndices();
      return sliceBatch(this.data, 0, this.data.size);
    }
    return gatherBatch(this.data, this.nextIndices());
  }
}
