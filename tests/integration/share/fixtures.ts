/**
 * Sweeps for the sharing tests, written the way a worker writes them — claims through JobLeases, rows, progress and
 * results through CellWriter, done markers through JobLeases.complete — into any BlobStore. Each sweep's cells get
 * a planned fate, so a test can make a finished, a running or a divergence-heavy sweep.
 */
import { gridCells, type CellCoord } from '../../../server/core/grid';
import { type SweepId } from '../../../server/core/ids';
import { type MetricRow } from '../../../server/core/metrics';
import { type SweepSpecInput } from '../../../server/core/sweep-spec';
import { type BlobStore } from '../../../server/store/blob-store';
import { CellWriter } from '../../../server/store/cell-writer';
import { JobLeases } from '../../../server/store/job-leases';
import { SweepStore } from '../../../server/store/sweep-store';

export type Fate = 'trained' | 'diverged' | 'failed' | 'running' | 'queued';

export const SHARE_LAMBDA0 = 40;
const WORKER = 'share-fixture';

/** A small SGD sweep: η = 2^0…2^(n−1) /λ0 against the given warmups, 200 steps. */
export function shareSpec(title: string, etas: number, warmups: number[]): SweepSpecInput {
  return {
    title,
    author: 'share-tests',
    model: { kind: 'fcn', depth: 3, width: 64 },
    parameterization: 'sp',
    loss: 'mse',
    data: { name: 'fashion-mnist', trainSubset: 512 },
    optimizer: { kind: 'sgd' },
    batchSize: 64,
    steps: 200,
    etaGrid: { kind: 'pow2', unit: 'inv-lambda0', base: 1, fromExp: 0, toExp: etas - 1, stepExp: 1 },
    warmupGrid: warmups,
    seeds: [1],
    measure: { evalEvery: 20, sharpnessEvery: 10, lambda0: true, lambda0Batches: 4 },
  };
}

/** P1 shape: large η with short warmup diverges; the largest η at the longest warmup fails. */
export function p1Fate(c: CellCoord, etas: number, longest: number): Fate {
  if (c.etaIndex === etas - 1) return c.warmupSteps === longest ? 'failed' : 'diverged';
  if (c.etaIndex === etas - 2 && c.warmupSteps === 1) return 'diverged';
  return 'trained';
}

/** The step at which a diverged fixture cell's loss becomes NaN. */
export function divergenceStep(c: CellCoord): number {
  return 3 + c.etaIndex + Math.min(20, c.warmupSteps);
}

function rowsOf(c: CellCoord, fate: Fate, lastStep: number): MetricRow[] {
  const rows: MetricRow[] = [];
  const divAt = fate === 'diverged' ? divergenceStep(c) : Infinity;
  for (let s = 0; s <= lastStep; s++) {
    // Final losses differ across the grid (larger η and longer warmup end lower), so the colours do too.
    const floor = 0.4 / (1 + c.etaIndex + Math.log2(c.warmupSteps) / 2);
    const loss = s >= divAt ? NaN : fate === 'failed' ? 2.3 : floor + 0.45 * Math.exp(-s / (10 + 5 * c.etaIndex));
    const row: MetricRow = {
      schemaVersion: 1,
      step: s,
      lr: 0.01,
      loss,
      acc: fate === 'failed' ? 0.1 : Math.min(0.95, 0.1 + s / 60),
      gradNorm: 1 / (1 + s),
      paramNorm: 10,
    };
    if (s % 10 === 0) row.sharpness = SHARE_LAMBDA0 * (1 - 0.3 * Math.min(1, s / 40));
    rows.push(row);
  }
  return rows;
}

/** Seed a sweep whose cells end as `fate(coord)` says; `now` is the store's clock for every record. */
export async function seedShareSweep(
  blob: BlobStore,
  o: { spec: SweepSpecInput; fate: (c: CellCoord) => Fate; now: number },
): Promise<SweepId> {
  const store = new SweepStore(blob, () => o.now);
  const record = await store.createSweep(o.spec, { now: o.now });
  const leases = new JobLeases(store, { leaseMs: 86_400_000 });
  const calib = await leases.claim(record.id, 'calibration', 1, WORKER);
  if (!calib) throw new Error('calibration claim lost');
  await store.putCalibration({
    schemaVersion: 1,
    sweepId: record.id,
    lambda0: SHARE_LAMBDA0,
    batches: 4,
    seed: 1,
    measuredAt: o.now,
    workerId: WORKER,
    epoch: 1,
  });
  await leases.complete(calib, { outcome: 'trained', lastStep: -1, summary: {} });
  const steps = record.spec.steps;
  for (const c of gridCells(record.spec)) {
    const fate = o.fate(c);
    if (fate === 'queued') continue;
    const lease = await leases.claim(record.id, c.cellId, 1, WORKER);
    if (!lease) throw new Error(`claim lost for ${c.cellId}`);
    const lastStep = fate === 'diverged' ? divergenceStep(c) : fate === 'running' ? Math.floor(steps / 2) : steps - 1;
    const rows = rowsOf(c, fate, lastStep);
    const writer = new CellWriter(store, {
      sweepId: record.id,
      cellId: c.cellId,
      epoch: 1,
      workerId: WORKER,
      totalSteps: steps,
      chunkRows: 32,
    });
    for (const r of rows) await writer.add(r);
    if (fate === 'running') {
      await writer.flush();
      await writer.writeProgress();
      continue;
    }
    const finite = rows.map((r) => r.loss).filter(Number.isFinite);
    const last = rows[rows.length - 1];
    const summary: Record<string, number> = {
      finalTrainLoss: last?.loss ?? NaN,
      bestTrainLoss: Math.min(...finite),
      finalTrainAcc: last?.acc ?? NaN,
      finalTestAcc: fate === 'trained' ? 0.5 + 0.1 * c.etaIndex : 0.1,
    };
    const outcome = fate === 'diverged' ? 'diverged' : fate === 'failed' ? 'failed' : 'trained';
    const result = await writer.finish({ outcome, summary });
    await leases.complete(lease, { outcome, lastStep: result.lastStep, summary: result.summary });
  }
  return record.id;
}

/** Finished (every cell has a result): 4 η × 3 T_wrm, P1-shaped. */
export function seedFinished(blob: BlobStore, now: number): Promise<SweepId> {
  return seedShareSweep(blob, {
    spec: shareSpec('Share fixture: finished', 4, [1, 16, 128]),
    fate: (c) => p1Fate(c, 4, 128),
    now,
  });
}

/** Running: the finished sweep's grid with two cells training and one queued. */
export function seedRunning(blob: BlobStore, now: number): Promise<SweepId> {
  return seedShareSweep(blob, {
    spec: shareSpec('Share fixture: running', 4, [1, 16, 128]),
    fate: (c) =>
      c.warmupSteps === 128 && c.etaIndex <= 1
        ? 'running'
        : c.warmupSteps === 128 && c.etaIndex === 2
          ? 'queued'
          : p1Fate(c, 4, 128),
    now,
  });
}

/** Divergence-heavy: 5 η × 4 T_wrm where everything from η index 1 diverges unless the warmup is long. */
export function seedDivergedHeavy(blob: BlobStore, now: number): Promise<SweepId> {
  return seedShareSweep(blob, {
    spec: shareSpec('Share fixture: diverged-heavy', 5, [1, 4, 16, 64]),
    fate: (c) =>
      c.etaIndex === 0 || (c.etaIndex === 1 && c.warmupSteps >= 16) || (c.etaIndex === 2 && c.warmupSteps === 64)
        ? 'trained'
        : 'diverged',
    now,
  });
}

/** 16 η × 16 T_wrm (256 cells), finished, P1-shaped: the divergence frontier moves right as T_wrm grows. */
export function seedLarge(blob: BlobStore, now: number): Promise<SweepId> {
  const warmups = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 160, 192];
  return seedShareSweep(blob, {
    spec: shareSpec('Share fixture: 16 × 16', 16, warmups),
    fate: (c) =>
      c.etaIndex > 6 + warmups.indexOf(c.warmupSteps) / 2
        ? 'diverged'
        : c.etaIndex === 6 + Math.floor(warmups.indexOf(c.warmupSteps) / 2)
          ? 'failed'
          : 'trained',
    now,
  });
}
