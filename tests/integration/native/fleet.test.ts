import { describe, expect, it } from 'vitest';
import { gridCells } from '../../../server/core/grid';
import { loadAddon } from '../../../worker/native/addon';
import { exitWithin, localStores, smallSweep, startWorker } from '../daemon/helpers';

/**
 * The fleet's default: a sweep launched without naming a backend ('auto') is trained by a worker process on
 * atlas-native wherever the addon is built, and on wasm where it is not; every cell's result records which.
 */

const loaded = loadAddon();
const expected = loaded.ok ? 'atlas-native' : 'wasm';
const freshStore = localStores('atlas-native-fleet-');

describe('a local sweep with the default backend', () => {
  it(`trains every cell on ${expected}`, async () => {
    const { dir, store } = await freshStore();
    const sweep = await store.createSweep(
      smallSweep({
        title: 'native default',
        data: { name: 'synthetic-gmm', synthetic: { inputDim: 6, classes: 3, trainSize: 64, testSize: 32 } },
        steps: 12,
        etaGrid: { kind: 'explicit', values: [0.05, 0.1] },
        warmupGrid: [4],
        seeds: [1],
        measure: { evalEvery: 6 },
      }),
    );
    expect(sweep.spec.backend).toBe('auto');
    const worker = startWorker(dir, [
      '--concurrency',
      '1',
      '--worker-id',
      'native-default',
      '--exit-when-idle',
      '--poll-ms',
      '100',
    ]);
    const code = await exitWithin(worker, 100_000);
    expect(code, worker.output()).toBe(0);
    const cells = gridCells(sweep.spec);
    expect(cells).toHaveLength(2);
    for (const c of cells) {
      const result = await store.getCellResult(sweep.id, c.cellId);
      expect(result?.outcome, worker.output()).not.toBe('error');
      expect(result?.run?.backend, worker.output()).toBe(expected);
    }
  });
});
