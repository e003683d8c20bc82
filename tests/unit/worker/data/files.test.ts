import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSpecSchema } from '../../../../server/core/run-config';
import { CIFAR_RECORD } from '../../../../worker/data/cifar10';
import type { Dataset } from '../../../../worker/data/dataset';
import { loadData } from '../../../../worker/data/load';
import { FASHION_MNIST_DEFAULT_DIR } from '../../../../worker/data/mnist';

/** idx ubyte file: 0,0,0x08,ndims, big-endian uint32 dims, data. */
function idx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** Per-example mean and population variance. */
function exampleStats(ds: Dataset, i: number): { mean: number; variance: number } {
  const d = ds.x.length / ds.size;
  const v = ds.x.subarray(i * d, (i + 1) * d);
  const mean = v.reduce((a, b) => a + b, 0) / d;
  return { mean, variance: v.reduce((a, b) => a + (b - mean) ** 2, 0) / d };
}

function labelsOf(ds: Dataset): number[] {
  const out: number[] = [];
  for (let i = 0; i < ds.size; i++) {
    const row = Array.from(ds.y.subarray(i * ds.numClasses, (i + 1) * ds.numClasses));
    expect(row.filter((v) => v === 1)).toHaveLength(1);
    expect(row.reduce((a, b) => a + b, 0)).toBe(1);
    out.push(row.indexOf(1));
  }
  return out;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'atlas-data-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('idx files (MNIST format)', () => {
  // 5 training images 2×3 with pixel p of image i = 10·i + p·(i+1); image 0 = [0, 1, 2, 3, 4, 5].
  const train = new Uint8Array(5 * 6).map((_, j) => 10 * Math.floor(j / 6) + (j % 6) * (Math.floor(j / 6) + 1));
  const trainLabels = new Uint8Array([3, 0, 9, 1, 3]);
  const test = new Uint8Array(2 * 6).map((_, j) => (j * 37) % 256);
  const testLabels = new Uint8Array([7, 2]);

  async function writeMnist(sub: string, gz: boolean): Promise<string> {
    const d = path.join(dir, sub);
    await mkdir(d, { recursive: true });
    const w = (name: string, b: Buffer) => writeFile(path.join(d, gz ? `${name}.gz` : name), gz ? gzipSync(b) : b);
    await w('train-images-idx3-ubyte', idx([5, 2, 3], train));
    await w('train-labels-idx1-ubyte', idx([5], trainLabels));
    await w('t10k-images-idx3-ubyte', idx([2, 2, 3], test));
    await w('t10k-labels-idx1-ubyte', idx([2], testLabels));
    return d;
  }

  it('loads gzipped files: shapes, one-hot labels, per-sample standardization', async () => {
    const d = await writeMnist('gz', true);
    const { train: tr, test: te } = await loadData(DataSpecSchema.parse({ name: 'mnist', dir: d }));
    expect(tr.inputShape).toEqual([2, 3, 1]);
    expect(tr.size).toBe(5);
    expect(te.size).toBe(2);
    expect(labelsOf(tr)).toEqual([3, 0, 9, 1, 3]);
    expect(labelsOf(te)).toEqual([7, 2]);
    // image 0 = 0..5: mean 2.5, population variance 35/12 → (p − 2.5)/√(35/12)
    const s = Math.sqrt(35 / 12);
    Array.from(tr.x.subarray(0, 6)).forEach((v, p) => expect(v).toBeCloseTo((p - 2.5) / s, 5));
    for (let i = 0; i < tr.size; i++) {
      const st = exampleStats(tr, i);
      expect(Math.abs(st.mean)).toBeLessThan(1e-6);
      expect(st.variance).toBeCloseTo(1, 5);
    }
  });

  it('reads uncompressed files the same, takes first-N subsets, and applies μP input scaling', async () => {
    const d = await writeMnist('plain', false);
    const full = await loadData(DataSpecSchema.parse({ name: 'mnist', dir: d }));
    const sub = await loadData(DataSpecSchema.parse({ name: 'mnist', dir: d, trainSubset: 3, testSubset: 1 }));
    expect(sub.train.size).toBe(3);
    expect(sub.test.size).toBe(1);
    expect(sub.train.x).toEqual(full.train.x.subarray(0, 18));
    expect(labelsOf(sub.train)).toEqual([3, 0, 9]);
    const mup = await loadData(DataSpecSchema.parse({ name: 'mnist', dir: d, mupInputScaling: true }));
    mup.train.x.forEach((v, i) => expect(v).toBeCloseTo((full.train.x[i] as number) / Math.sqrt(6), 6));
  });

  it('names the file on a bad magic number, truncation or absence', async () => {
    const d = path.join(dir, 'bad');
    await writeMnist('bad', true);
    await writeFile(path.join(d, 'train-images-idx3-ubyte.gz'), gzipSync(idx([5, 6], train)));
    await expect(loadData(DataSpecSchema.parse({ name: 'mnist', dir: d }))).rejects.toThrow(
      /train-images-idx3-ubyte\.gz: bad idx magic number 0x00000802, expected 0x00000803/,
    );
    await writeFile(path.join(d, 'train-images-idx3-ubyte.gz'), gzipSync(idx([5, 2, 3], train.subarray(0, 20))));
    await expect(loadData(DataSpecSchema.parse({ name: 'mnist', dir: d }))).rejects.toThrow(
      /train-images-idx3-ubyte\.gz: truncated/,
    );
    await writeFile(path.join(d, 'train-images-idx3-ubyte.gz'), Buffer.from('not gzip at all'));
    await expect(loadData(DataSpecSchema.parse({ name: 'mnist', dir: d }))).rejects.toThrow(
      /train-images-idx3-ubyte\.gz: cannot read/,
    );
    await expect(loadData(DataSpecSchema.parse({ name: 'mnist', dir: path.join(dir, 'nowhere') }))).rejects.toThrow(
      /nowhere\/t(rain|10k)-(images|labels)-idx[13]-ubyte\.gz: not found/,
    );
    await expect(loadData(DataSpecSchema.parse({ name: 'mnist' }))).rejects.toThrow(/data\.dir: required for mnist/);
  });
});

describe('CIFAR-10 binary batches', () => {
  // record r of a file: label, then planes R, G, B of 32×32; value of channel c at pixel p = (r·7 + c·50 + p) mod 256
  function records(labels: number[]): Buffer {
    const b = Buffer.alloc(labels.length * CIFAR_RECORD);
    labels.forEach((label, r) => {
      b[r * CIFAR_RECORD] = label;
      for (let c = 0; c < 3; c++)
        for (let p = 0; p < 1024; p++) b[r * CIFAR_RECORD + 1 + c * 1024 + p] = (r * 7 + c * 50 + p) % 256;
    });
    return b;
  }

  it('converts CHW records to standardized HWC images with one-hot labels', async () => {
    const d = path.join(dir, 'cifar', 'cifar-10-batches-bin');
    await mkdir(d, { recursive: true });
    await writeFile(path.join(d, 'data_batch_1.bin'), records([6, 9, 0]));
    await writeFile(path.join(d, 'test_batch.bin'), records([3, 8]));
    // the parent directory works too (the tarball's layout)
    const { train, test } = await loadData(
      DataSpecSchema.parse({ name: 'cifar10', dir: path.join(dir, 'cifar'), trainSubset: 3 }),
    );
    expect(train.inputShape).toEqual([32, 32, 3]);
    expect(labelsOf(train)).toEqual([6, 9, 0]);
    expect(labelsOf(test)).toEqual([3, 8]);
    // Undo the standardization of record 1 with its own statistics, then check HWC positions.
    const raw: number[] = [];
    for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) raw.push((7 + c * 50 + p) % 256);
    const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
    const std = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / raw.length);
    const img = train.x.subarray(3072, 6144);
    for (const [h, w, c] of [
      [0, 0, 0],
      [0, 0, 2],
      [5, 17, 1],
      [31, 31, 2],
    ] as const) {
      const p = h * 32 + w;
      expect(img[(h * 32 + w) * 3 + c]).toBeCloseTo((((7 + c * 50 + p) % 256) - mean) / std, 5);
    }
    const st = exampleStats(train, 2);
    expect(Math.abs(st.mean)).toBeLessThan(1e-6);
    expect(st.variance).toBeCloseTo(1, 5);
  });

  it('reads only the batches a subset needs, and names a missing or malformed file', async () => {
    const d = path.join(dir, 'cifar2');
    await mkdir(d, { recursive: true });
    await writeFile(path.join(d, 'data_batch_1.bin'), records([1, 2]));
    await writeFile(path.join(d, 'test_batch.bin'), records([3]));
    const sub = await loadData(DataSpecSchema.parse({ name: 'cifar10', dir: d, trainSubset: 2 }));
    expect(sub.train.size).toBe(2);
    await expect(loadData(DataSpecSchema.parse({ name: 'cifar10', dir: d }))).rejects.toThrow(
      /cifar2\/data_batch_2\.bin: not found/,
    );
    await writeFile(path.join(d, 'test_batch.bin'), records([3]).subarray(0, 3000));
    await expect(loadData(DataSpecSchema.parse({ name: 'cifar10', dir: d, trainSubset: 1 }))).rejects.toThrow(
      /test_batch\.bin: size 3000 bytes is not a positive multiple of the 3073-byte/,
    );
  });
});

describe('Fashion-MNIST from the Debian package', () => {
  // scripts/setup.mjs installs dataset-fashion-mnist before `npm test`; its absence is a setup failure, not a skip.
  it('first 100 training and 20 test examples: known labels, standardized', async () => {
    expect(existsSync(path.join(FASHION_MNIST_DEFAULT_DIR, 'train-images-idx3-ubyte.gz'))).toBe(true);
    const { train, test } = await loadData(
      DataSpecSchema.parse({ name: 'fashion-mnist', trainSubset: 100, testSubset: 20 }),
    );
    expect(train.size).toBe(100);
    expect(train.inputShape).toEqual([28, 28, 1]);
    // The first labels of the published files (train: ankle boot, T-shirt, T-shirt, dress, ...).
    expect(labelsOf(train).slice(0, 20)).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9, 5, 5, 7, 9, 1, 0, 6, 4]);
    expect(labelsOf(test).slice(0, 10)).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    for (let i = 0; i < train.size; i++) {
      const st = exampleStats(train, i);
      expect(Math.abs(st.mean)).toBeLessThan(1e-5);
      expect(Math.abs(st.variance - 1)).toBeLessThan(1e-4);
    }
  });
});
