import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { DataSplits } from './dataset';
import { DataFileError } from './errors';
import { imagesToDataset } from './preprocess';

/**
 * CIFAR-10 binary version (https://www.cs.toronto.edu/~kriz/cifar.html): data_batch_1..5.bin and test_batch.bin,
 * each a sequence of records of 1 label byte + 3072 pixel bytes (1024 R, 1024 G, 1024 B, each 32×32 row-major),
 * i.e. CHW. Converted to HWC [32, 32, 3] here.
 */

export const CIFAR_RECORD = 1 + 3072;
const SIDE = 32;
const PLANE = SIDE * SIDE;
const TRAIN_FILES = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
];
const TEST_FILES = ['test_batch.bin'];

/** The directory holding the batches: `dir` itself or its `cifar-10-batches-bin` subdirectory (as the tarball unpacks). */
function batchesDir(dir: string): string {
  const sub = path.join(dir, 'cifar-10-batches-bin');
  return existsSync(path.join(dir, 'test_batch.bin')) || !existsSync(sub) ? dir : sub;
}

interface Raw {
  count: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** Reads records from `files` in order until `limit` records (all when undefined); reads only the bytes needed. */
async function readRecords(dir: string, files: readonly string[], limit: number | undefined): Promise<Raw> {
  const parts: Array<{ file: string; bytes: Buffer; records: number }> = [];
  let total = 0;
  for (const name of files) {
    if (limit !== undefined && total >= limit) break;
    const file = path.join(dir, name);
    let handle;
    try {
      handle = await open(file, 'r');
    } catch {
      throw new DataFileError(
        file,
        'not found (CIFAR-10 binary version expected: data_batch_1..5.bin, test_batch.bin)',
      );
    }
    try {
      const { size } = await handle.stat();
      if (size === 0 || size % CIFAR_RECORD !== 0) {
        throw new DataFileError(
          file,
          `size ${size} bytes is not a positive multiple of the ${CIFAR_RECORD}-byte CIFAR-10 record`,
        );
      }
      const records = Math.min(size / CIFAR_RECORD, limit === undefined ? Number.POSITIVE_INFINITY : limit - total);
      const bytes = Buffer.alloc(records * CIFAR_RECORD);
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
      if (bytesRead !== bytes.length)
        throw new DataFileError(file, `short read: ${bytesRead} of ${bytes.length} bytes`);
      parts.push({ file, bytes, records });
      total += records;
    } finally {
      await handle.close();
    }
  }
  const pixels = new Uint8Array(total * 3 * PLANE);
  const labels = new Uint8Array(total);
  let i = 0;
  for (const part of parts) {
    for (let r = 0; r < part.records; r++, i++) {
      const o = r * CIFAR_RECORD;
      const label = part.bytes[o] as number;
      if (label > 9) throw new DataFileError(part.file, `record ${r} has label ${label}, expected 0..9`);
      labels[i] = label;
      const dst = i * 3 * PLANE;
      // CHW → HWC
      for (let c = 0; c < 3; c++) {
        const src = o + 1 + c * PLANE;
        for (let p = 0; p < PLANE; p++) pixels[dst + p * 3 + c] = part.bytes[src + p] as number;
      }
    }
  }
  return { count: total, pixels, labels };
}

export interface CifarLoadOptions {
  dir: string;
  trainSubset?: number;
  testSubset?: number;
  mupInputScaling: boolean;
}

export async function loadCifar10(opts: CifarLoadOptions): Promise<DataSplits> {
  const dir = batchesDir(opts.dir);
  const [train, test] = await Promise.all([
    readRecords(dir, TRAIN_FILES, opts.trainSubset),
    readRecords(dir, TEST_FILES, opts.testSubset),
  ]);
  const make = (split: 'train' | 'test', raw: Raw) =>
    imagesToDataset(
      { name: `cifar10/${split}`, inputShape: [SIDE, SIDE, 3], numClasses: 10, ...raw },
      opts.mupInputScaling,
    );
  return { train: make('train', train), test: make('test', test) };
}
