import type { DataSpec } from '../../server/core/run-config';
import type { DataSplits } from '../data/dataset';
import { loadData } from '../data/load';

/**
 * The splits of the last data spec loaded, kept for the next run in the same process: a worker process trains cell
 * after cell on the same data, and loading Fashion-MNIST (60k images, gunzip + standardization) takes seconds.
 * One entry only, so memory holds at most the data of the current run. Loading is deterministic and the splits are
 * never written to after loading (batches copy into tensors), so sharing them between runs is safe.
 */
let last: { key: string; data: Promise<DataSplits> } | null = null;

/** The train/test splits of `spec`, from the one-entry cache when the previous run used the same spec. */
export function loadRunData(spec: DataSpec): Promise<DataSplits> {
  const key = JSON.stringify(spec);
  if (last?.key === key) return last.data;
  const data = loadData(spec);
  const entry = { key, data };
  last = entry;
  // A failed load is not cached: the next run tries again.
  data.catch(() => {
    if (last === entry) last = null;
  });
  return data;
}
