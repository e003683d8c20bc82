import { describe, expect, it } from 'vitest';
import { gridCells } from '../../../server/core/grid';
import { cellCount } from '../../../server/core/sweep-spec';
import { listAll } from '../../../server/store/blob-store';
import { keys } from '../../../server/store/keys';
import { exitWithin, localStores, smallSweep, startWorker } from './helpers';

const freshStore = localStores('atlas-fleet-');

describe('worker fleet on one local store', () => {
  it('three worker processes train a 12-cell λ0-relative sweep: calibration first, every cell ends exactly once with steps 0…T−1', async () => {
    const { dir, store } = await freshStore();
    const steps = 24;
    const sweep = await store.createSweep(
      smallSweep({
        title: 'fleet',
        steps,
        etaGrid: { kind: 'pow2', unit: 'inv-lambda0', fromExp: -2, toExp: 0 },
        warmupGrid: [1, 8],
        seeds: [1, 2],
        measure: { evalEvery: 12, lambda0Batches: 2 },
        backend: 'cpu',
      }),
    );
    expect(cellCount(sweep.spec)).toBe(12);

    const workers = ['a', 'b', 'c'].map((id) =>
      startWorker(dir, [
        '--concurrency',
        '1',
        '--worker-id',
        `fleet-${id}`,
        '--exit-when-idle',
        '--poll-ms',
        '100',
        '--chunk-rows',
        '7',
      ]),
    );
    const codes = await Promise.all(workers.map((w) => exitWithin(w, 100_000)));
    const logs = workers.map((w) => w.output()).join('\n');
    expect(codes, logs).toEqual([0, 0, 0]);

    // Every job ended exactly once: one "end" line per job over all workers, one result object each, all at epoch 1.
    const ends = logs.split('\n').filter((l) => / end sw/.test(l));
    expect(ends, logs).toHaveLength(13); // 12 cells + the calibration job
    const results = (await listAll(store.blob, keys.sweepPrefix(sweep.id))).filter((b) =>
      b.key.endsWith('/result.json'),
    );
    expect(results).toHaveLength(13);

    const status = await store.getSweepStatus(sweep.id);
    expect(status.calibrationState, logs).toBe('done');
    const lambda0 = status.calibration?.lambda0 ?? NaN;
    expect(lambda0).toBeGreaterThan(0);
    expect(status.counts.done, logs).toBe(12);
    for (const cell of status.cells) {
      expect(cell.epoch).toBe(1);
      if (cell.done?.outcome === 'error') {
        const result = await store.getCellResult(sweep.id, cell.cellId);
        expect.fail(`${cell.cellId} ended in error: ${result?.error ?? '?'}\n${logs}`);
      }
      // η_trgt = 2^x / λ0 for x = −2, −1, 0.
      expect(cell.etaTrgt).toBeCloseTo(2 ** (cell.etaExp ?? NaN) / lambda0, 12);
      const series = await store.readCellSeries(sweep.id, cell.cellId);
      expect(series.problems).toEqual([]);
      const last = cell.done?.lastStep ?? -1;
      expect(series.rows.map((r) => r.step)).toEqual(Array.from({ length: last + 1 }, (_, i) => i));
      if (cell.done?.outcome !== 'diverged') expect(last).toBe(steps - 1);
      // The rows were trained with this cell's schedule: the LR of the last warmup step is η_trgt.
      const w = cell.warmupSteps;
      expect(series.rows[w - 1]?.lr).toBeCloseTo(cell.etaTrgt ?? NaN, 6);
    }
    // λ0 was written before any cell was claimed.
    const calibration = status.calibration;
    for (const c of gridCells(sweep.spec)) {
      const claim = await store.getClaim(sweep.id, c.cellId, 1);
      expect(claim?.value.claimedAt).toBeGreaterThanOrEqual(calibration?.measuredAt ?? Infinity);
    }
    expect(await store.listActiveSweepIds()).toEqual([]);
  });
});
