/**
 * Fixture sweeps written through the store's typed writers, as a worker would leave them: claims, progress with
 * log-spaced history, metric chunks, results and done markers. Used by the router tests (tests/unit/server/api)
 * and by the Playwright harness (tests/e2e/serve.ts) to seed a temporary store.
 */
import { cellRunConfig, gridCells, type CellCoord } from '../../server/core/grid';
import { CALIBRATION_JOB_ID, type CellId, type SweepId } from '../../server/core/ids';
import { metricRowValues, type MetricRow, type RunEvent } from '../../server/core/metrics';
import { encodeJsonNumbers } from '../../server/core/json-number';
import { logSpacedSteps } from '../../server/core/progress-history';
import {
  CalibrationRecordSchema,
  CellResultRecordSchema,
  ClaimRecordSchema,
  DoneMarkerSchema,
  ProgressRecordSchema,
  summarizeRunResult,
} from '../../server/core/records';
import { encodeChunkRows, MetricChunkSchema } from '../../server/core/metric-chunk';
import { type Outcome } from '../../server/core/outcome';
import { RunResultSchema } from '../../server/core/metrics';
import { lrAt } from '../../server/core/schedule';
import { type SweepSpecInput } from '../../server/core/sweep-spec';
import { type BlobStore } from '../../server/store/blob-store';
import { keys } from '../../server/store/keys';
import { SweepStore } from '../../server/store/sweep-store';

export const FIXTURE_LAMBDA0 = 40;
const WORKER = 'fixture-worker';

/** 4 η (2^0…2^3 /λ0) × 3 T_wrm (1, 16, 128), 300 steps: shaped like PAPER P1 (the boundary moves right with T_wrm). */
export const FIXTURE_SPEC: SweepSpecInput = {
  title: 'Fixture: FCN SGD P1 shape',
  author: 'fixture',
  model: { kind: 'fcn', depth: 3, width: 64 },
  parameterization: 'sp',
  loss: 'mse',
  data: { name: 'fashion-mnist', trainSubset: 512 },
  optimizer: { kind: 'sgd' },
  batchSize: 64,
  steps: 300,
  etaGrid: { kind: 'pow2', unit: 'inv-lambda0', base: 1, fromExp: 0, toExp: 3, stepExp: 1 },
  warmupGrid: [1, 16, 128],
  seeds: [1],
  measure: { evalEvery: 100, sharpnessEvery: 10, lambda0: true, lambda0Batches: 4 },
};

/**
 * Planned fate of each cell by (η index, T_wrm): P1-shaped divergence at large η and short warmup, one failed, one
 * still running, one queued. Everything else trains.
 */
export function fixtureFate(etaIndex: number, warmupSteps: number): Outcome | 'running' | 'queued' {
  if (etaIndex === 3 && warmupSteps <= 16) return 'diverged';
  if (etaIndex === 2 && warmupSteps === 1) return 'diverged';
  if (etaIndex === 3 && warmupSteps === 128) return 'failed';
  if (etaIndex === 1 && warmupSteps === 128) return 'running';
  if (etaIndex === 0 && warmupSteps === 128) return 'queued';
  return 'trained';
}

/**
 * The fixture's fates with every cell finished (the running and the queued cell trained): largest trainable η is
 * 2^1/λ0 at T_wrm = 1 and 2^2/λ0 at T_wrm = 16 and 128, so PAPER P1's check passes.
 */
export function finishedFixtureFate(etaIndex: number, warmupSteps: number): Outcome {
  const fate = fixtureFate(etaIndex, warmupSteps);
  return fate === 'running' || fate === 'queued' ? 'trained' : fate;
}

/** The step at which a diverged fixture cell's loss becomes NaN. */
export function fixtureDivergenceStep(etaIndex: number, warmupSteps: number): number {
  return warmupSteps === 1 ? 5 + etaIndex : 20;
}

/** Rows of a fixture cell: a decaying loss with a catapult spike at step 12 for η index ≥ 1, NaN from the divergence step. */
export function fixtureRows(spec: SweepSpecInput, coord: CellCoord, lastStep: number, fate: string): MetricRow[] {
  const etaTrgt = coord.etaInUnits / FIXTURE_LAMBDA0;
  const sched = {
    etaTrgt,
    warmupSteps: coord.warmupSteps,
    etaInit: 0,
    startsAtCritical: false,
    after: 'constant' as const,
    totalSteps: spec.steps ?? 300,
  };
  const rows: MetricRow[] = [];
  const divAt = fate === 'diverged' ? fixtureDivergenceStep(coord.etaIndex, coord.warmupSteps) : Infinity;
  for (let s = 0; s <= lastStep; s++) {
    const base = fate === 'failed' ? 2.3 : 0.05 + 0.45 * Math.exp(-s / (40 + 10 * coord.etaIndex));
    let loss = s === 12 && coord.etaIndex >= 1 ? base * 3 : base;
    if (s >= divAt) loss = NaN;
    const row: MetricRow = {
      schemaVersion: 1,
      step: s,
      lr: lrAt(s, sched),
      loss,
      acc: fate === 'failed' ? 0.1 : Math.min(0.95, 0.1 + s / 300),
      gradNorm: 1 / (1 + s),
      paramNorm: 10,
    };
    // Every 10 steps, and once just before the step-12 spike so a catapult has a λ before it.
    if (s % 10 === 0 || s === 11)
      row.sharpness = FIXTURE_LAMBDA0 * (1 - 0.4 * Math.min(1, s / 100)) * (s > 12 && coord.etaIndex >= 1 ? 0.6 : 1);
    if ((s + 1) % 100 === 0) {
      row.testLoss = base * 1.1;
      row.testAcc = fate === 'failed' ? 0.1 : Math.min(0.9, 0.1 + s / 330);
    }
    rows.push(row);
  }
  return rows;
}

/** A plan of each cell's fate by (η index, T_wrm), as `fixtureFate`. */
export type FixtureFate = (etaIndex: number, warmupSteps: number) => Outcome | 'running' | 'queued';

async function writeCell(
  store: SweepStore,
  sweepId: SweepId,
  spec: SweepSpecInput,
  coord: CellCoord,
  now: number,
  fateOf: FixtureFate = fixtureFate,
): Promise<void> {
  const fate = fateOf(coord.etaIndex, coord.warmupSteps);
  if (fate === 'queued') return;
  const totalSteps = spec.steps ?? 300;
  const epoch = 1;
  const cellId: CellId = coord.cellId;
  const running = fate === 'running';
  const lastStep =
    fate === 'diverged' ? fixtureDivergenceStep(coord.etaIndex, coord.warmupSteps) : running ? 150 : totalSteps - 1;
  const rows = fixtureRows(spec, coord, lastStep, fate);
  await store.write(keys.claim(sweepId, cellId, epoch), ClaimRecordSchema, {
    schemaVersion: 1,
    sweepId,
    jobId: cellId,
    epoch,
    workerId: WORKER,
    claimedAt: now - 60_000,
    heartbeatAt: now,
    // A running fixture cell keeps a live lease for a day, so the store reports it as running.
    leaseExpiresAt: running ? now + 86_400_000 : now,
    state: running ? 'running' : 'done',
  });
  const chunkSize = 128;
  let seq = 0;
  for (let i = 0; i < rows.length; i += chunkSize, seq++) {
    const enc = encodeChunkRows(rows.slice(i, i + chunkSize).map(metricRowValues));
    await store.write(keys.chunk(sweepId, cellId, epoch, seq), MetricChunkSchema, {
      schemaVersion: 1,
      sweepId,
      cellId,
      epoch,
      seq,
      ...enc,
    });
  }
  const histSteps = logSpacedSteps(lastStep);
  let lastSharp = NaN;
  const history = { step: [] as number[], loss: [] as number[], sharpness: [] as number[] };
  for (const s of histSteps) {
    const r = rows[s];
    if (!r) continue;
    for (let k = s; k >= 0; k--) {
      const sh = rows[k]?.sharpness;
      if (sh !== undefined) {
        lastSharp = sh;
        break;
      }
    }
    history.step.push(s);
    history.loss.push(r.loss);
    history.sharpness.push(lastSharp);
  }
  const last = rows[rows.length - 1];
  const latest: Record<string, number> = { loss: last?.loss ?? NaN, acc: last?.acc ?? NaN, lr: last?.lr ?? NaN };
  const withTest = [...rows].reverse().find((r) => r.testLoss !== undefined);
  if (withTest?.testLoss !== undefined) latest.testLoss = withTest.testLoss;
  if (withTest?.testAcc !== undefined) latest.testAcc = withTest.testAcc;
  await store.write(
    keys.progress(sweepId, cellId, epoch),
    ProgressRecordSchema,
    encodeJsonNumbers({
      schemaVersion: 1,
      sweepId,
      cellId,
      epoch,
      workerId: WORKER,
      updatedAt: now,
      step: lastStep,
      totalSteps,
      latest,
      history,
      chunks: seq,
      rows: rows.length,
    }) as never,
  );
  if (running) return;
  const finite = rows.map((r) => r.loss).filter(Number.isFinite);
  const summary: Record<string, number> = {
    finalTrainLoss: last?.loss ?? NaN,
    bestTrainLoss: Math.min(...finite),
    finalTrainAcc: last?.acc ?? NaN,
    finalTestLoss: withTest?.testLoss ?? NaN,
    finalTestAcc: withTest?.testAcc ?? NaN,
    bestTestAcc: withTest?.testAcc ?? NaN,
  };
  const events: RunEvent[] = [];
  if (coord.warmupSteps > 1) events.push({ step: coord.warmupSteps - 1, kind: 'warmup-end' });
  // Only constant-LR cells record their catapult as an event, so the others exercise detection from rows.
  if (coord.warmupSteps === 1 && coord.etaIndex >= 1 && lastStep >= 12)
    events.push({ step: 12, kind: 'catapult', value: rows[12]?.loss ?? NaN });
  if (fate === 'diverged') events.push({ step: lastStep, kind: 'diverged', value: NaN });
  const config = cellRunConfig((await store.getSweep(sweepId)).spec, coord, FIXTURE_LAMBDA0);
  const run = {
    schemaVersion: 1,
    outcome: fate,
    error: null,
    stepsPlanned: totalSteps,
    stepsRun: fate === 'diverged' ? lastStep : totalSteps,
    lastStep,
    divergence: fate === 'diverged' ? { step: lastStep, loss: NaN } : null,
    numClasses: 10,
    finalTrainLoss: summary.finalTrainLoss,
    finalTrainAcc: summary.finalTrainAcc,
    finalTestLoss: summary.finalTestLoss,
    finalTestAcc: summary.finalTestAcc,
    bestTrainLoss: summary.bestTrainLoss,
    bestTrainAcc: null,
    bestTestLoss: null,
    bestTestAcc: summary.bestTestAcc,
    bestTestAccStep: null,
    etaInit: 0,
    etaC: null,
    lambda0: FIXTURE_LAMBDA0,
    backend: 'fixture',
    device: 'none',
    paramCount: 1000,
    startedAt: now - 60_000,
    finishedAt: now,
    wallTimeMs: 60_000,
    trainTimeMs: 50_000,
    stepsPerSec: 6,
    events,
    config,
  };
  const parsedRun = RunResultSchema.parse(encodeJsonNumbers(run));
  const stored = encodeJsonNumbers(summarizeRunResult(parsedRun)) as Record<
    string,
    number | 'NaN' | 'Infinity' | '-Infinity'
  >;
  await store.write(
    keys.result(sweepId, cellId, epoch),
    CellResultRecordSchema,
    encodeJsonNumbers({
      schemaVersion: 1,
      sweepId,
      cellId,
      epoch,
      workerId: WORKER,
      finishedAt: now,
      outcome: fate,
      lastStep,
      summary: stored,
      run: parsedRun,
    }) as never,
  );
  await store.write(
    keys.done(sweepId, cellId),
    DoneMarkerSchema,
    { schemaVersion: 1, sweepId, jobId: cellId, epoch, outcome: fate, finishedAt: now, lastStep, summary: stored },
    { ifAbsent: true },
  );
}

/**
 * Seed one P1-shaped fixture sweep (calibrated, λ0 = 40, not offered to workers) into `blob`; returns its id.
 * `fate` replaces `fixtureFate` (e.g. `finishedFixtureFate` for a sweep whose every cell has finished).
 */
export async function seedFixtureSweep(
  blob: BlobStore,
  options: { now?: number; spec?: SweepSpecInput; fate?: FixtureFate } = {},
): Promise<SweepId> {
  const now = options.now ?? Date.now();
  const store = new SweepStore(blob, () => now);
  const spec = options.spec ?? FIXTURE_SPEC;
  const record = await store.createSweep(spec, { now });
  await store.write(keys.calibration(record.id), CalibrationRecordSchema, {
    schemaVersion: 1,
    sweepId: record.id,
    lambda0: FIXTURE_LAMBDA0,
    batches: 4,
    seed: 1,
    measuredAt: now,
    workerId: WORKER,
    epoch: 1,
  });
  for (const coord of gridCells(record.spec)) await writeCell(store, record.id, spec, coord, now, options.fate);
  // Workers must leave the fixture alone (its queued cell stays queued): take it off the active list they poll.
  await store.deactivateSweep(record.id);
  return record.id;
}

export { CALIBRATION_JOB_ID };
