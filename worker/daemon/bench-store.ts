import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cellCoord, cellRunConfig, gridCells } from '../../server/core/grid';
import type { CellId, SweepId } from '../../server/core/ids';
import { METRIC_ROW_SCHEMA_VERSION, type MetricRow } from '../../server/core/metrics';
import type { SweepRecord } from '../../server/core/records';
import { CellWriter } from '../../server/store/cell-writer';
import { FsBlobStore } from '../../server/store/fs-blob-store';
import { JobLeases } from '../../server/store/job-leases';
import { SweepStore } from '../../server/store/sweep-store';
import { trainRun } from '../engine/train';

/**
 * Benchmarks of the local store (docs/BENCHMARKS.md): `npx tsx worker/daemon/bench-store.ts`.
 *  1. bytes per stored row and raw write throughput of CellWriter (no training), for rows shaped like real ones;
 *  2. rows/s of one training run with its rows written to the local store, against the same run with rows dropped;
 *  3. the live sweep view (getSweepStatus) of a 16×16 sweep, first read and repeated read.
 */

const N_RAW = 20_000;
const TRAIN_STEPS = 3000;

function realisticRow(step: number): MetricRow {
  const row: MetricRow = {
    schemaVersion: METRIC_ROW_SCHEMA_VERSION,
    step,
    lr: 0.0123456 * Math.min(1, (step + 1) / 1024),
    loss: 2.302585 * Math.exp(-step / 5000) + 0.01 * Math.sin(step),
    acc: Math.min(1, 0.1 + step / 20000),
    gradNorm: 1.2345678 + 0.1 * Math.cos(step),
    updateNorm: 0.0123456 * Math.abs(Math.sin(step)),
    paramNorm: 25.123456 + step * 1e-4,
  };
  if (step % 10 === 0) row.sharpness = 40 + Math.sin(step / 100);
  if (step % 100 === 99) {
    row.testLoss = 0.5 + Math.exp(-step / 4000);
    row.testAcc = 0.8 + step / 1e6;
  }
  return row;
}

/** 1. Raw writer throughput and bytes per row (no training). */
async function benchRawWriter(store: SweepStore, leases: JobLeases, sweep: SweepRecord): Promise<void> {
  const l1 = await leases.claimNext(sweep.id, sweep.spec, 'bench');
  if (!l1) throw new Error('no claim');
  const w1 = new CellWriter(store, {
    sweepId: sweep.id,
    cellId: l1.jobId,
    epoch: 1,
    workerId: 'bench',
    totalSteps: N_RAW,
    chunkRows: 500,
  });
  let t = performance.now();
  for (let s = 0; s < N_RAW; s++) await w1.add(realisticRow(s));
  await w1.finish({ outcome: 'trained' });
  const rawMs = performance.now() - t;
  const series = await store.readCellSeries(sweep.id, l1.jobId);
  if (series.rows.length !== N_RAW) throw new Error(`read back ${series.rows.length} rows`);
  t = performance.now();
  await store.readCellSeries(sweep.id, l1.jobId);
  const readMs = performance.now() - t;
  console.log(
    `raw writer: ${N_RAW} rows in ${rawMs.toFixed(0)} ms = ${((N_RAW / rawMs) * 1000).toFixed(0)} rows/s; ` +
      `${w1.stats.chunks} chunks of 500 rows; ${w1.bytesPerRow.toFixed(1)} B/row; read back ${((N_RAW / readMs) * 1000).toFixed(0)} rows/s`,
  );
}

/** 2. Training with and without the store. */
async function benchTraining(store: SweepStore, leases: JobLeases, sweep: SweepRecord): Promise<void> {
  const l2 = await leases.claimNext(sweep.id, sweep.spec, 'bench');
  if (!l2) throw new Error('no claim');
  const coord = cellCoord(sweep.spec, l2.jobId);
  if (!coord) throw new Error('no cell');
  const config = cellRunConfig(sweep.spec, coord);
  await trainRun({ ...config, steps: 200 }); // warm-up: backend init, kernels
  // Alternate the two variants and take medians: the machine is shared, so drift hits both alike.
  const bareMs: number[] = [];
  const storedMs: number[] = [];
  let backend = '';
  let last: CellWriter | null = null;
  for (let rep = 0; rep < 3; rep++) {
    let t = performance.now();
    backend = (await trainRun(config, { onRow: () => undefined })).backend;
    bareMs.push(performance.now() - t);
    const w2 = new CellWriter(store, {
      sweepId: sweep.id,
      cellId: l2.jobId,
      epoch: rep + 1,
      workerId: 'bench',
      totalSteps: TRAIN_STEPS,
    });
    t = performance.now();
    const stored = await trainRun(config, { onRow: (row) => w2.add(row) });
    await w2.finish({ outcome: stored.outcome, run: stored });
    storedMs.push(performance.now() - t);
    last = w2;
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1] ?? NaN;
  console.log(
    `training (${backend}, FCN 16-32-32-4, batch 32, ${TRAIN_STEPS} steps, median of 3 alternating): ` +
      `rows dropped ${((TRAIN_STEPS / med(bareMs)) * 1000).toFixed(0)} rows/s; rows stored ${((TRAIN_STEPS / med(storedMs)) * 1000).toFixed(0)} rows/s ` +
      `(${last?.stats.chunks ?? 0} chunks, ${last?.stats.progressWrites ?? 0} progress writes, ${(last?.bytesPerRow ?? 0).toFixed(1)} B/row); ` +
      `store overhead ${(((med(storedMs) - med(bareMs)) / med(bareMs)) * 100).toFixed(1)}% ` +
      `[dropped ${bareMs.map((x) => x.toFixed(0)).join('/')} ms, stored ${storedMs.map((x) => x.toFixed(0)).join('/')} ms]`,
  );
}

/** 3. The live sweep view at 16×16 cells: half done, half running with progress; cold and warm status reads. */
async function benchStatus(dir: string, store: SweepStore, leases: JobLeases): Promise<void> {
  const big = await store.createSweep({
    title: 'status 16x16',
    author: 'bench',
    steps: 100_000,
    etaGrid: { kind: 'pow2', unit: 'absolute', base: 1e-3, fromExp: 0, toExp: 15 },
    warmupGrid: Array.from({ length: 16 }, (_, i) => 2 ** i),
  });
  let n = 0;
  for (const c of gridCells(big.spec)) await writeStatusCell(store, leases, big.id, c.cellId, n++ % 2 === 0);
  const coldStore = new SweepStore(new FsBlobStore(dir)); // a new BlobStore: an empty cache
  let t = performance.now();
  const cold = await coldStore.getSweepStatus(big.id);
  const coldMs = performance.now() - t;
  t = performance.now();
  await coldStore.getSweepStatus(big.id);
  const warmMs = performance.now() - t;
  console.log(
    `status of a 16×16 sweep (${cold.counts.done} done, ${cold.counts.running} running, local store): ` +
      `first read ${coldMs.toFixed(0)} ms, repeated read ${warmMs.toFixed(0)} ms (unchanged records served by etag)`,
  );
}

/** One cell of the status sweep: 200 rows, then finished (`done`) or left running with its progress written. */
async function writeStatusCell(
  store: SweepStore,
  leases: JobLeases,
  sweepId: SweepId,
  cellId: CellId,
  done: boolean,
): Promise<void> {
  const lease = await leases.claim(sweepId, cellId, 1, 'bench');
  if (!lease) throw new Error('claim lost');
  const w = new CellWriter(store, {
    sweepId,
    cellId,
    epoch: 1,
    workerId: 'bench',
    totalSteps: 100_000,
    progressMs: 600_000,
  });
  for (let s = 0; s < 200; s++) await w.add(realisticRow(s));
  if (done) {
    await w.finish({ outcome: 'trained' });
    await leases.complete(lease, { outcome: 'trained', lastStep: 199, summary: { finalTrainLoss: 0.1 } });
  } else await w.writeProgress();
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'atlas-bench-store-'));
  try {
    const store = new SweepStore(new FsBlobStore(dir));
    const sweep = await store.createSweep({
      title: 'bench',
      author: 'bench',
      model: { kind: 'fcn', depth: 3, width: 32 },
      data: { name: 'synthetic-gmm', synthetic: { inputDim: 16, classes: 4, trainSize: 512, testSize: 128 } },
      batchSize: 32,
      steps: TRAIN_STEPS,
      etaGrid: { kind: 'explicit', values: [0.05, 0.1] },
      warmupGrid: [64],
      measure: { evalEvery: 100 },
      backend: 'auto',
    });
    const leases = new JobLeases(store, { leaseMs: 60_000 });
    await benchRawWriter(store, leases, sweep);
    await benchTraining(store, leases, sweep);
    await benchStatus(dir, store, leases);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
