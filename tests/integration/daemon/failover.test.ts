import { describe, expect, it } from 'vitest';
import { type SweepSpecInput } from '../../../server/core/sweep-spec';
import { listAll } from '../../../server/store/blob-store';
import { keys } from '../../../server/store/keys';
import { exitWithin, localStores, smallSweep, startWorker, waitFor } from './helpers';

const freshStore = localStores('atlas-failover-');

/** Long enough per cell (hundreds of steps) that a worker can be stopped in the middle of one. */
const spec = (steps: number, etas: number[]): SweepSpecInput =>
  smallSweep({
    title: 'failover',
    steps,
    etaGrid: { kind: 'explicit', values: etas },
    warmupGrid: [4],
    measure: { evalEvery: 0 },
    backend: 'cpu',
  });

const fast = [
  '--concurrency',
  '1',
  '--poll-ms',
  '100',
  '--chunk-rows',
  '20',
  '--lease-ms',
  '1500',
  '--heartbeat-ms',
  '300',
];

describe('worker failover', () => {
  it('kill -9 mid-cell: the cell is re-claimed at epoch 2 after the lease and no chunk of epoch 1 is ever read', async () => {
    const { dir, store } = await freshStore();
    const steps = 1500; // seconds of training on the cpu backend, so the kill lands mid-cell
    const sweep = await store.createSweep(spec(steps, [0.05]));
    const cellId = 'e00-w000004-s1';
    const a = startWorker(dir, [...fast, '--worker-id', 'doomed']);
    // Wait until worker a has written a chunk of epoch 1 (it is mid-cell), then kill it without warning.
    await waitFor(
      'a chunk of epoch 1',
      60_000,
      async () => (await listAll(store.blob, keys.chunkPrefix(sweep.id, cellId, 1))).length > 0,
      a.output,
    );
    a.proc.kill('SIGKILL');
    await exitWithin(a, 10_000);
    // Its training process notices the lost IPC channel and exits: epoch 1 stops growing.
    await new Promise((r) => setTimeout(r, 1000));
    const deadChunks = (await listAll(store.blob, keys.chunkPrefix(sweep.id, cellId, 1))).length;
    const deadRows = deadChunks * 20;
    expect(deadChunks).toBeGreaterThan(0);
    expect(deadRows).toBeLessThan(steps); // it really was mid-cell

    const b = startWorker(dir, [...fast, '--worker-id', 'rescuer', '--exit-when-idle']);
    expect(await exitWithin(b, 90_000), b.output()).toBe(0);
    expect(b.output()).toMatch(/start sw\S+\/e00-w000004-s1 epoch 2/);
    expect((await listAll(store.blob, keys.chunkPrefix(sweep.id, cellId, 1))).length).toBe(deadChunks);

    const status = await store.getSweepStatus(sweep.id);
    expect(status.cells[0]).toMatchObject({ state: 'done', epoch: 2 });
    const series = await store.readCellSeries(sweep.id, cellId);
    expect(series.epoch).toBe(2);
    expect(series.problems).toEqual([]);
    // Exactly one row per step 0…T−1: the epoch-1 rows (which also start at 0) are not mixed in.
    expect(series.rows.map((r) => r.step)).toEqual(Array.from({ length: steps }, (_, i) => i));
    const result = await store.getCellResult(sweep.id, cellId);
    expect(result).toMatchObject({ epoch: 2, workerId: 'rescuer', lastStep: steps - 1 });
  });

  it('SIGTERM: the running cell flushes its chunk and gives its claim up; cancel then stops the sweep for good', async () => {
    const { dir, store } = await freshStore();
    const sweep = await store.createSweep(spec(3000, [0.05, 0.1]));
    const cellId = 'e00-w000004-s1';
    const a = startWorker(dir, [...fast, '--worker-id', 'graceful']);
    await waitFor(
      'a chunk of epoch 1',
      60_000,
      async () => (await listAll(store.blob, keys.chunkPrefix(sweep.id, cellId, 1))).length > 0,
      a.output,
    );
    a.proc.kill('SIGTERM');
    expect(await exitWithin(a, 30_000), a.output()).toBe(0);
    expect(a.output()).toMatch(/released sw\S+\/e00-w000004-s1 epoch 1 at step \d+ \(shutdown\)/);
    const claim = await store.getClaim(sweep.id, cellId, 1);
    expect(claim?.value.state).toBe('released');
    // The last rows were flushed: the progress object's step is the last row of the last chunk.
    const progress = (await store.getSweepStatus(sweep.id)).cells[0]?.progress;
    const series = await store.readCellSeries(sweep.id, cellId);
    expect(series.rows.length).toBeGreaterThan(0);
    expect(progress?.step).toBe(series.rows[series.rows.length - 1]?.step);
    expect(progress?.rows).toBe(series.rows.length);
    expect((await store.getSweepStatus(sweep.id)).cells[0]?.state).toBe('stalled');

    await store.cancelSweep(sweep.id, 'test');
    const b = startWorker(dir, [...fast, '--worker-id', 'late', '--exit-when-idle']);
    expect(await exitWithin(b, 30_000), b.output()).toBe(0);
    expect(b.output()).not.toMatch(/ start /);
    const status = await store.getSweepStatus(sweep.id);
    expect(status.cells.map((c) => c.state)).toEqual(['cancelled', 'cancelled']);
  });

  it('cancel reaches a running cell at its next chunk boundary: result "cancelled", the worker moves on', async () => {
    const { dir, store } = await freshStore();
    const sweep = await store.createSweep(spec(5000, [0.05]));
    const cellId = 'e00-w000004-s1';
    const a = startWorker(dir, [...fast, '--worker-id', 'cancelled', '--exit-when-idle']);
    await waitFor(
      'a chunk of epoch 1',
      60_000,
      async () => (await listAll(store.blob, keys.chunkPrefix(sweep.id, cellId, 1))).length > 0,
      a.output,
    );
    await store.cancelSweep(sweep.id);
    expect(await exitWithin(a, 30_000), a.output()).toBe(0);
    const status = await store.getSweepStatus(sweep.id);
    expect(status.cells[0]?.state).toBe('done');
    expect(status.cells[0]?.done?.outcome).toBe('cancelled');
    const series = await store.readCellSeries(sweep.id, cellId);
    const last = status.cells[0]?.done?.lastStep ?? -1;
    expect(last).toBeLessThan(4999);
    expect(series.rows.map((r) => r.step)).toEqual(Array.from({ length: last + 1 }, (_, i) => i));
  });

  it('a training process that dies mid-cell ends its cell as an error (no endless retries); the worker carries on', async () => {
    const { dir, store } = await freshStore();
    const sweep = await store.createSweep(spec(1500, [0.05, 0.1]));
    const cellId = 'e00-w000004-s1';
    const a = startWorker(dir, [...fast, '--worker-id', 'survivor', '--exit-when-idle']);
    await waitFor(
      'a chunk of epoch 1',
      60_000,
      async () => (await listAll(store.blob, keys.chunkPrefix(sweep.id, cellId, 1))).length > 0,
      a.output,
    );
    const pid = /start sw\S+\/e00-w000004-s1 epoch 1 \(pid (\d+)\)/.exec(a.output())?.[1];
    expect(pid, a.output()).toBeDefined();
    process.kill(Number(pid), 'SIGKILL');
    expect(await exitWithin(a, 60_000), a.output()).toBe(0);
    expect(a.output()).toMatch(/end sw\S+\/e00-w000004-s1 epoch 1: error \(training process exited with SIGKILL\)/);
    const status = await store.getSweepStatus(sweep.id);
    expect(status.cells.map((c) => c.done?.outcome)).toEqual([
      'error',
      expect.stringMatching(/^(trained|failed|diverged)$/),
    ]);
    expect((await store.getCellResult(sweep.id, cellId))?.error).toBe('training process exited with SIGKILL');
  });
});
