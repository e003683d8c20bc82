import type { DataSpec } from '../../server/core/run-config';
import { loadCifar10 } from './cifar10';
import type { DataSplits } from './dataset';
import { FASHION_MNIST_DEFAULT_DIR, loadIdxDataset } from './mnist';
import { makeSynthetic } from './synthetic';

/** A data spec that cannot be served (e.g. a directory is required but missing); names the field. */
export class DataSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataSpecError';
  }
}

/** Loads (or generates) the train and test splits of `spec`, preprocessed, in memory. Deterministic. */
export async function loadData(spec: DataSpec): Promise<DataSplits> {
  const subsets = { trainSubset: spec.trainSubset, testSubset: spec.testSubset };
  switch (spec.name) {
    case 'fashion-mnist':
      return loadIdxDataset({
        name: 'fashion-mnist',
        dir: spec.dir ?? FASHION_MNIST_DEFAULT_DIR,
        ...subsets,
        mupInputScaling: spec.mupInputScaling,
      });
    case 'mnist':
      if (spec.dir === undefined)
        throw new DataSpecError('data.dir: required for mnist (a directory with the four idx files)');
      return loadIdxDataset({ name: 'mnist', dir: spec.dir, ...subsets, mupInputScaling: spec.mupInputScaling });
    case 'cifar10':
      if (spec.dir === undefined)
        throw new DataSpecError(
          'data.dir: required for cifar10 (a directory with data_batch_1..5.bin, test_batch.bin)',
        );
      return loadCifar10({ dir: spec.dir, ...subsets, mupInputScaling: spec.mupInputScaling });
    case 'synthetic-teacher':
    case 'synthetic-gmm': {
      const s = spec.synthetic;
      return makeSynthetic({
        kind: spec.name === 'synthetic-teacher' ? 'teacher' : 'gmm',
        inputDim: s.inputDim,
        classes: s.classes,
        trainSize: Math.min(s.trainSize, spec.trainSubset ?? s.trainSize),
        testSize: Math.min(s.testSize, spec.testSubset ?? s.testSize),
        seed: s.seed,
        mupInputScaling: spec.mupInputScaling,
      });
    }
  }
}
