import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DataSplits } from './dataset';
import { DataFileError } from './errors';
import { readIdx } from './idx';
import { imagesToDataset } from './preprocess';

/** MNIST and Fashion-MNIST from the four idx files (gzipped or not) in one directory: 28×28×1 images, 10 classes. */

export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

const FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/** `<dir>/<base>.gz` if present, else `<dir>/<base>`; the .gz name is reported when neither exists. */
function locate(dir: string, base: string): string {
  const gz = path.join(dir, `${base}.gz`);
  if (existsSync(gz)) return gz;
  const plain = path.join(dir, base);
  return existsSync(plain) ? plain : gz;
}

export interface IdxLoadOptions {
  name: string;
  dir: string;
  trainSubset?: number;
  testSubset?: number;
  mupInputScaling: boolean;
}

async function loadSplit(opts: IdxLoadOptions, split: 'train' | 'test', subset: number | undefined) {
  const imagesFile = locate(opts.dir, FILES[split].images);
  const labelsFile = locate(opts.dir, FILES[split].labels);
  const [images, labels] = await Promise.all([readIdx(imagesFile, 3, subset), readIdx(labelsFile, 1, subset)]);
  if (images.dims[0] !== labels.dims[0]) {
    throw new DataFileError(labelsFile, `has ${labels.dims[0]} labels but ${imagesFile} has ${images.dims[0]} images`);
  }
  const [, h, w] = images.dims;
  if (h === undefined || w === undefined) throw new DataFileError(imagesFile, 'missing image dimensions');
  return imagesToDataset(
    {
      name: `${opts.name}/${split}`,
      inputShape: [h, w, 1],
      numClasses: 10,
      count: images.items,
      pixels: images.data,
      labels: labels.data,
    },
    opts.mupInputScaling,
  );
}

/** Loads train and test splits, reading only the first trainSubset/testSubset examples of each file. */
export async function loadIdxDataset(opts: IdxLoadOptions): Promise<DataSplits> {
  const [train, test] = await Promise.all([
    loadSplit(opts, 'train', opts.trainSubset),
    loadSplit(opts, 'test', opts.testSubset),
  ]);
  return { train, test };
}
