import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataSpecSchema } from '../../../../server/core/run-config';
import { BatchStream } from '../../../../worker/data/batches';
import type { Dataset } from '../../../../worker/data/dataset';
import { loadData } from '../../../../worker/data/load';
import { Rng } from '../../../../worker/data/prng';
import { initBackend } from '../../../../worker/engine/backend';

beforeAll(async () => {
  await initBackend('cpu');
});

/** Dataset whose example i has every input equal to i, so a batch's x reveals its indices. */
function indexed(n: number): Dataset {
  return {
    name: 'indexed',
    inputShape: [2],
    numClasses: 2,
    size: n,
    x: new Float32Array(2 * n).map((_, j) => Math.floor(j / 2)),
    y: new Float32Array(2 * n).map((_, j) => (j % 2 === Math.floor(j / 2) % 2 ? 1 : 0)),
  };
}

function epochOrders(stream: BatchStream, epochs: number): { sizes: number[]; orders: number[][] } {
  const sizes: number[] = [];
  const orders: number[][] = [];
  for (let e = 0; e < epochs; e++) {
    const order: number[] = [];
    for (let s = 0; s < stream.stepsPerEpoch; s++) {
      const idx = Array.from(stream.nextIndices());
      sizes.push(idx.length);
      order.push(...idx);
    }
    orders.push(order);
  }
  return { sizes, orders };
}

describe('BatchStream', () => {
  it('each epoch is a permutation, reshuffled every epoch; the last batch is partial', () => {
    const stream = new BatchStream(indexed(10), 4, 1);
    expect(stream.stepsPerEpoch).toBe(3);
    const { sizes, orders } = epochOrders(stream, 3);
    expect(sizes).toEqual([4, 4, 2, 4, 4, 2, 4, 4, 2]);
    for (const o of orders) expect([...o].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(orders[0]).not.toEqual(orders[1]);
    expect(orders[1]).not.toEqual(orders[2]);
    expect(stream.epoch).toBe(3);
  });

  it('is deterministic in the seed and differs across seeds', () => {
    const a = epochOrders(new BatchStream(indexed(50), 8, 7), 2).orders;
    const b = epochOrders(new BatchStream(indexed(50), 8, 7), 2).orders;
    const c = epochOrders(new BatchStream(indexed(50), 8, 8), 2).orders;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('batch tensors carry the examples and targets of the drawn indices', () => {
    const ds = indexed(10);
    const stream = new BatchStream(ds, 3, 5);
    const reference = new BatchStream(ds, 3, 5);
    const idx = Array.from(reference.nextIndices());
    const batch = stream.next();
    expect(batch.x.shape).toEqual([3, 2]);
    expect(Array.from(batch.x.dataSync())).toEqual(idx.flatMap((i) => [i, i]));
    expect(Array.from(batch.y.dataSync())).toEqual(idx.flatMap((i) => (i % 2 === 0 ? [1, 0] : [0, 1])));
    tf.dispose([batch.x, batch.y]);
  });

  it('batchSize 0 is full batch, in order, every step', () => {
    const stream = new BatchStream(indexed(6), 0, 1);
    expect(stream.fullBatch).toBe(true);
    expect(stream.stepsPerEpoch).toBe(1);
    for (let s = 0; s < 2; s++) {
      const b = stream.next();
      expect(b.x.shape).toEqual([6, 2]);
      expect(Array.from(b.x.dataSync())).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
      tf.dispose([b.x, b.y]);
    }
  });
});

describe('synthetic data', () => {
  it('Gaussian mixture: one-hot classes, image-shaped when D is square, unit variance per coordinate, deterministic', async () => {
    const spec = DataSpecSchema.parse({
      name: 'synthetic-gmm',
      synthetic: { inputDim: 16, classes: 4, trainSize: 2000, testSize: 10, seed: 3 },
    });
    const a = await loadData(spec);
    const b = await loadData(spec);
    expect(a.train.x).toEqual(b.train.x);
    expect(a.test.y).toEqual(b.test.y);
    expect(a.train.inputShape).toEqual([4, 4, 1]);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < a.train.size; i++) {
      const row = Array.from(a.train.y.subarray(4 * i, 4 * i + 4));
      expect(row.reduce((s, v) => s + v, 0)).toBe(1);
      counts[row.indexOf(1)] = (counts[row.indexOf(1)] ?? 0) + 1;
    }
    // uniform classes: each count 500 ± 5 sd (sd = √(2000·¼·¾) ≈ 19)
    counts.forEach((c) => expect(Math.abs(c - 500)).toBeLessThan(95));
    // x = (μ_c + ε)/√2 with μ, ε ~ N(0, I): coordinate variance 1 over draws of the means; with only 4 means per
    // coordinate the realized variance is (mean of μ_c² over 4 classes + 1)/2 — check the noise half exactly-ish:
    // the within-class variance of each coordinate is ½ (sd of the estimate ≈ ½·√(2/500) ≈ 0.03).
    let within = 0;
    let n = 0;
    for (let c = 0; c < 4; c++) {
      const rows = [...Array(a.train.size).keys()].filter((i) => a.train.y[4 * i + c] === 1);
      for (let j = 0; j < 16; j++) {
        const vals = rows.map((i) => a.train.x[16 * i + j] as number);
        const m = vals.reduce((s, v) => s + v, 0) / vals.length;
        within += vals.reduce((s, v) => s + (v - m) ** 2, 0) / vals.length;
        n += 1;
      }
    }
    expect(within / n).toBeCloseTo(0.5, 1);
    const other = await loadData({ ...spec, synthetic: { ...spec.synthetic, seed: 4 } });
    expect(other.train.x).not.toEqual(a.train.x);
  });

  it('teacher–student: soft targets are probability vectors, flat shape when D is not square, subsets are prefixes', async () => {
    const spec = DataSpecSchema.parse({
      name: 'synthetic-teacher',
      synthetic: { inputDim: 10, classes: 3, trainSize: 64, testSize: 8, seed: 1 },
    });
    const d = await loadData(spec);
    expect(d.train.inputShape).toEqual([10]);
    for (let i = 0; i < d.train.size; i++) {
      const row = Array.from(d.train.y.subarray(3 * i, 3 * i + 3));
      expect(row.every((v) => v > 0 && v < 1)).toBe(true);
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    }
    const sub = await loadData({ ...spec, trainSubset: 5 });
    expect(sub.train.size).toBe(5);
    expect(sub.train.y).toEqual(d.train.y.subarray(0, 15));
    // inputs are N(0,1) draws: the mean square over 640 values is 1 ± 0.17 (3 sd)
    expect(d.train.x.reduce((s, v) => s + v * v, 0) / d.train.x.length).toBeGreaterThan(0.83);
    expect(d.train.x.reduce((s, v) => s + v * v, 0) / d.train.x.length).toBeLessThan(1.17);
  });

  it('the PRNG is deterministic and its normals have unit variance', () => {
    const r = new Rng(42);
    const xs = Array.from({ length: 100_000 }, () => r.normal());
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
    // sd of the mean 0.003, of the variance ≈ √(2/1e5) = 0.0045
    expect(Math.abs(m)).toBeLessThan(0.015);
    expect(Math.abs(v - 1)).toBeLessThan(0.02);
    expect(new Rng(42).nextU32()).toBe(new Rng(42).nextU32());
    expect(new Rng(42).nextU32()).not.toBe(new Rng(43).nextU32());
  });
});
