import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller } from '../../../server/api/root';
import { createContextInner } from '../../../server/api/trpc';
import { downsampleSeries } from '../../../server/core/downsample';
import { gridCells } from '../../../server/core/grid';
import { type CellId, type SweepId } from '../../../server/core/ids';
import { type MetricRow } from '../../../server/core/metrics';
import { CellSeriesRecordSchema, DoneMarkerSchema } from '../../../server/core/records';
import { toStoredPrecision } from '../../../server/core/metric-chunk';
import { type SweepSpecInput } from '../../../server/core/sweep-spec';
import { listAll } from '../../../server/store/blob-store';
import { CellWriter } from '../../../server/store/cell-writer';
import { MAX_SERIES_POINTS } from '../../../server/store/cell-series';
import { FsBlobStore } from '../../../server/store/fs-blob-store';
import { keys } from '../../../server/store/keys';
import { SweepStore } from '../../../server/store/sweep-store';

/**
 * The stored series of a finished cell (series.json, written by CellWriter.finish) against the series computed
 * from all its rows, and the chunk path for cells without one (running, or a corrupt series.json).
 */

const STEPS = 6000;
const DIVERGED_AT = 5999;
const spec: SweepSpecInput = {
  title: 'series.json',
  author: 'tests',
  model: { kind: 'fcn', depth: 3, width: 64 },
  data: { name: 'synthetic-gmm' },
  steps: STEPS,
  etaGrid: { kind: 'explicit', values: [0.01, 0.02, 0.04] },
  warmupGrid: [1024],
  seeds: [1],
  measure: { evalEvery: 1000, sharpnessEvery: 100 },
};

/** A cell's rows: a noisy falling loss, a NaN gradient norm spike at step 2500 and a NaN loss at the divergence step. */
function row(s: number): MetricRow {
  const loss = s === DIVERGED_AT ? NaN : 0.05 + Math.exp(-s / 800) + 0.02 * Math.sin(s * 1.7);
  return {
    schemaVersion: 1,
    step: s,
    lr: 0.01 * Math.min(1, (s + 1) / 1024),
    loss,
    acc: 0.5 + s / (4 * STEPS),
    gradNorm: s === 2500 ? NaN : 1 + Math.cos(s / 30),
    paramNorm: 10,
  };
}
const rows = Array.from({ length: STEPS }, (_, s) => row(s));

let dir: string;
let store: SweepStore;
let sweepId: SweepId;
let finishedCell: CellId;
let runningCell: CellId;
let corruptCell: CellId;
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const caller = () => createCaller(createContextInner({ blob: store.blob, now: () => NOW }));

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'atlas-cell-series-'));
  store = new SweepStore(new FsBlobStore(dir), () => NOW);
  const sweep = await store.createSweep(spec, { now: NOW });
  sweepId = sweep.id;
  const [a, b, c] = gridCells(sweep.spec);
  if (!a || !b || !c) throw new Error('expected three cells');
  finishedCell = a.cellId;
  runningCell = b.cellId;
  corruptCell = c.cellId;
  // Each cell is claimed at epoch 1, as a worker does before it writes (readers follow the highest claim).
  const claim = (cellId: CellId, state: 'running' | 'done') =>
    store.blob.put(
      keys.claim(sweep.id, cellId, 1),
      JSON.stringify({
        schemaVersion: 1,
        sweepId: sweep.id,
        jobId: cellId,
        epoch: 1,
        workerId: 'w',
        claimedAt: NOW,
        heartbeatAt: NOW,
        leaseExpiresAt: NOW + 60_000,
        state,
      }),
    );
  // What the daemon writes after the result: the done marker that makes the cell finished for readers.
  const done = (cellId: CellId, outcome: 'trained' | 'diverged', lastStep: number) =>
    store.write(keys.done(sweep.id, cellId), DoneMarkerSchema, {
      schemaVersion: 1,
      sweepId: sweep.id,
      jobId: cellId,
      epoch: 1,
      outcome,
      finishedAt: NOW,
      lastStep,
      summary: {},
    });
  await claim(a.cellId, 'done');
  await claim(c.cellId, 'done');
  const w = new CellWriter(store, { sweepId: sweep.id, cellId: a.cellId, epoch: 1, workerId: 'w', totalSteps: STEPS });
  for (const r of rows) await w.add(r);
  await w.finish({ outcome: 'diverged' });
  await done(a.cellId, 'diverged', DIVERGED_AT);
  expect(w.stats.seriesError).toBeUndefined();
  expect(w.stats.seriesStored).toBe(true);
  // The running cell: the same rows up to step 2999, claimed with a live lease, no result.
  await claim(b.cellId, 'running');
  const r = new CellWriter(store, { sweepId: sweep.id, cellId: b.cellId, epoch: 1, workerId: 'w', totalSteps: STEPS });
  for (const x of rows.slice(0, 3000)) await r.add(x);
  await r.flush();
  // A finished cell of 300 rows whose series.json is then overwritten with truncated JSON.
  const cw = new CellWriter(store, { sweepId: sweep.id, cellId: c.cellId, epoch: 1, workerId: 'w', totalSteps: STEPS });
  for (const x of rows.slice(0, 300)) await cw.add(x);
  await cw.finish({ outcome: 'trained' });
  await done(c.cellId, 'trained', 299);
  await store.blob.put(keys.series(sweep.id, c.cellId, 1), '{"schemaVersion":1,"series":');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Downsample a column of the full rows as stored (9 significant digits), keeping the warmup end and the divergence step. */
function expected(col: 'loss' | 'gradNorm' | 'acc', upTo: number, keepSteps: number[]) {
  const sel = rows.slice(0, upTo);
  return downsampleSeries(
    { steps: sel.map((r) => r.step), values: sel.map((r) => toStoredPrecision(r[col])) },
    { maxPoints: MAX_SERIES_POINTS, keepSteps },
  );
}

describe('series.json of a finished cell', () => {
  it('equals downsampling all its rows, ≤ 2,000 points, keeping warmup end, divergence step and NaN', async () => {
    const got = await store.read(keys.series(sweepId, finishedCell, 1), CellSeriesRecordSchema);
    expect(got).not.toBeNull();
    const rec = got?.value;
    expect(rec?.rowCount).toBe(STEPS);
    expect(rec?.maxPoints).toBe(2000);
    // T_wrm = 1024 from η_init = 0: lr(1023) = η_trgt·1024/1024, the first update at η_trgt.
    expect(rec?.markers).toEqual({ warmupEnd: 1023, divergence: DIVERGED_AT, catapults: [] });
    const keep = [1023, DIVERGED_AT];
    for (const col of ['loss', 'gradNorm', 'acc'] as const) {
      const s = rec?.series[col];
      const want = expected(col, STEPS, keep);
      expect(s?.steps).toEqual(want.steps);
      expect(s?.values).toEqual(want.values);
      expect(s?.steps.length).toBeLessThanOrEqual(2000);
      expect(s?.steps.length).toBeGreaterThan(1900);
      expect(s?.steps[0]).toBe(0);
      expect(s?.steps).toContain(1023);
    }
    const loss = rec?.series.loss;
    expect(loss?.steps.at(-1)).toBe(DIVERGED_AT);
    expect(loss?.values.at(-1)).toBeNaN();
    const g = rec?.series.gradNorm;
    const at2500 = g?.steps.indexOf(2500) ?? -1;
    expect(at2500).toBeGreaterThan(0);
    expect(g?.values[at2500]).toBeNaN();
  });

  it('cells.series serves the stored record: it still answers with every series once the chunks are gone', async () => {
    const chunks = await listAll(store.blob, keys.chunkPrefix(sweepId, finishedCell, 1));
    expect(chunks).toHaveLength(12); // 6,000 rows in chunks of 500
    await store.blob.delete(chunks.map((c) => c.key));
    const s = await caller().cells.series({ sweepId, cellId: finishedCell });
    expect(s.problems).toEqual([]);
    expect(s.rowCount).toBe(STEPS);
    expect(s.epoch).toBe(1);
    expect(s.markers).toEqual({ warmupEnd: 1023, divergence: DIVERGED_AT, catapults: [] });
    const want = expected('loss', STEPS, [1023, DIVERGED_AT]);
    expect(s.series.loss?.steps).toEqual(want.steps);
    expect(s.series.loss?.values).toEqual(want.values);
    expect(s.series.lr?.steps.length).toBeLessThanOrEqual(2000);
    // Another resolution is computed from the chunks, which are gone now.
    expect((await caller().cells.series({ sweepId, cellId: finishedCell, maxPoints: 1000 })).rowCount).toBe(0);
  });
});

describe('cells without series.json', () => {
  it('a running cell is computed from its chunks (the rows so far)', async () => {
    const s = await caller().cells.series({ sweepId, cellId: runningCell });
    expect(await store.blob.head(keys.series(sweepId, runningCell, 1))).toBeNull();
    expect(s.rowCount).toBe(3000);
    expect(s.epoch).toBe(1);
    expect(s.markers.divergence).toBeNull();
    const want = expected('loss', 3000, [1023]);
    expect(s.series.loss?.steps).toEqual(want.steps);
    expect(s.series.loss?.values).toEqual(want.values);
    expect(s.series.loss?.steps.length).toBeLessThanOrEqual(2000);
    expect(s.series.loss?.steps.at(-1)).toBe(2999);
  });

  it('a corrupt series.json is reported and the chunks are read instead', async () => {
    const s = await caller().cells.series({ sweepId, cellId: corruptCell });
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0]?.key).toBe(keys.series(sweepId, corruptCell, 1));
    expect(s.rowCount).toBe(300);
    // 300 rows ≤ 2,000 points: every row is kept.
    expect(s.series.loss?.steps).toEqual(rows.slice(0, 300).map((r) => r.step));
  });
});
