/**
 * Dashboard benchmark (docs/BENCHMARKS.md): a 16×16 fixture sweep (every cell finished, with a log-spaced
 * progress history) and one 100,000-step cell, in a temporary local store. Measures, in-process through the tRPC
 * caller (server time, no HTTP): sweeps.byId for the 16×16 sweep and cells.series for the 100k-step cell (cold, then
 * warm) finished (served from the series.json its writer stores) and the same rows in a running cell (computed from
 * the chunks), and the points per series. With `--dir D --browser URL` (an app started with ATLAS_DATA_DIR=D and served at
 * URL) it also times, in Debian's chromium, navigation to the 16×16 sweep until all 256 cells are drawn and the
 * heatmap takes keyboard focus.
 *   npx tsx tests/e2e/bench-dashboard.ts [--keep] [--dir D --browser URL]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCaller } from '../../server/api/root';
import { createContextInner } from '../../server/api/trpc';
import { gridCells } from '../../server/core/grid';
import { metricRowValues, type MetricRow } from '../../server/core/metrics';
import { encodeJsonNumbers } from '../../server/core/json-number';
import { logSpacedSteps } from '../../server/core/progress-history';
import { type CellId, type SweepId } from '../../server/core/ids';
import {
  CellResultRecordSchema,
  ClaimRecordSchema,
  type CellResultRecord,
  DoneMarkerSchema,
  ProgressRecordSchema,
} from '../../server/core/records';
import { encodeChunkRows, MetricChunkSchema } from '../../server/core/metric-chunk';
import { type SweepSpecInput } from '../../server/core/sweep-spec';
import { writeCellSeries } from '../../server/store/cell-series';
import { FsBlobStore } from '../../server/store/fs-blob-store';
import { keys } from '../../server/store/keys';
import { SweepStore } from '../../server/store/sweep-store';

const N = 16;
const LONG_STEPS = 100_000;
const CHUNK = 500;

const spec: SweepSpecInput = {
  title: 'Bench: 16×16',
  author: 'bench',
  model: { kind: 'fcn', depth: 3, width: 64 },
  data: { name: 'synthetic-gmm' },
  steps: 75_000,
  etaGrid: { kind: 'pow2', unit: 'absolute', base: 1e-3, fromExp: 0, toExp: N - 1 },
  warmupGrid: Array.from({ length: N }, (_, i) => 2 ** i),
  seeds: [1],
  measure: { evalEvery: 1000, sharpnessEvery: 100 },
};

function row(s: number, eta: number): MetricRow {
  const r: MetricRow = {
    schemaVersion: 1,
    step: s,
    lr: eta,
    loss: 0.05 + Math.exp(-s / 5000) + 0.01 * Math.sin(s),
    acc: 0.9,
    gradNorm: 1,
    paramNorm: 10,
  };
  if (s % 100 === 0) r.sharpness = 30 + 5 * Math.cos(s / 1000);
  if (s % 1000 === 999) {
    r.testLoss = r.loss * 1.1;
    r.testAcc = 0.85;
  }
  return r;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const browserUrl = opt('--browser');
  const keep = argv.includes('--keep') || opt('--dir') !== undefined;
  const dir = opt('--dir') ?? (await mkdtemp(path.join(os.tmpdir(), 'atlas-bench-')));
  const blob = new FsBlobStore(dir);
  const now = Date.now();
  const store = new SweepStore(blob, () => now);
  const sweep = await store.createSweep(spec, { now });
  await store.deactivateSweep(sweep.id);
  const cells = gridCells(sweep.spec);
  const hist = logSpacedSteps(LONG_STEPS - 1);
  let t = performance.now();
  for (const c of cells) {
    const diverged = c.etaIndex > 8 + Math.log2(c.warmupSteps) / 2;
    const last = diverged ? 100 + c.etaIndex : LONG_STEPS - 1;
    const hs = hist.filter((s) => s <= last);
    await store.write(keys.claim(sweep.id, c.cellId, 1), ClaimRecordSchema, {
      schemaVersion: 1,
      sweepId: sweep.id,
      jobId: c.cellId,
      epoch: 1,
      workerId: 'bench',
      claimedAt: now,
      heartbeatAt: now,
      leaseExpiresAt: now,
      state: 'done',
    });
    await store.write(
      keys.progress(sweep.id, c.cellId, 1),
      ProgressRecordSchema,
      encodeJsonNumbers({
        schemaVersion: 1,
        sweepId: sweep.id,
        cellId: c.cellId,
        epoch: 1,
        workerId: 'bench',
        updatedAt: now,
        step: last,
        totalSteps: LONG_STEPS,
        latest: { loss: diverged ? NaN : 0.06 },
        history: {
          step: hs,
          loss: hs.map((s) => (diverged && s === last ? NaN : 1 / (1 + s))),
          sharpness: hs.map(() => 30),
        },
        chunks: 0,
        rows: last + 1,
      }) as never,
    );
    const summary = encodeJsonNumbers({
      finalTrainLoss: diverged ? NaN : 0.05 + c.etaIndex / 100,
      bestTestAcc: 0.8,
    }) as Record<string, number>;
    await store.write(keys.done(sweep.id, c.cellId), DoneMarkerSchema, {
      schemaVersion: 1,
      sweepId: sweep.id,
      jobId: c.cellId,
      epoch: 1,
      outcome: diverged ? 'diverged' : 'trained',
      finishedAt: now,
      lastStep: last,
      summary,
    });
  }
  const seedCells = performance.now() - t;
  // One 100k-step cell with all its rows, in a sweep of its own (a 16×16 sweep of 100k steps exceeds the spec's total-steps limit).
  const longSweep = await store.createSweep(
    {
      ...spec,
      title: 'Bench: 100k steps',
      steps: LONG_STEPS,
      etaGrid: { kind: 'explicit', values: [0.01] },
      warmupGrid: [1024],
    },
    { now: now + 1 },
  );
  await store.deactivateSweep(longSweep.id);
  const long = gridCells(longSweep.spec)[0];
  if (!long) throw new Error('no cells');
  t = performance.now();
  const writeLongChunks = async (sweepId: SweepId, cellId: CellId): Promise<void> => {
    for (let seq = 0; seq * CHUNK < LONG_STEPS; seq++) {
      const rows: MetricRow[] = [];
      for (let s = seq * CHUNK; s < Math.min(LONG_STEPS, (seq + 1) * CHUNK); s++) rows.push(row(s, long.etaInUnits));
      await store.write(keys.chunk(sweepId, cellId, 1, seq), MetricChunkSchema, {
        schemaVersion: 1,
        sweepId,
        cellId,
        epoch: 1,
        seq,
        ...encodeChunkRows(rows.map(metricRowValues)),
      });
    }
  };
  await writeLongChunks(longSweep.id, long.cellId);
  await store.write(keys.claim(longSweep.id, long.cellId, 1), ClaimRecordSchema, {
    schemaVersion: 1,
    sweepId: longSweep.id,
    jobId: long.cellId,
    epoch: 1,
    workerId: 'bench',
    claimedAt: now,
    heartbeatAt: now,
    leaseExpiresAt: now,
    state: 'done',
  });
  const longResult: CellResultRecord = {
    schemaVersion: 1,
    sweepId: longSweep.id,
    cellId: long.cellId,
    epoch: 1,
    workerId: 'bench',
    finishedAt: now,
    outcome: 'trained',
    lastStep: LONG_STEPS - 1,
    summary: {},
  };
  await store.write(keys.result(longSweep.id, long.cellId, 1), CellResultRecordSchema, longResult);
  const seedRows = performance.now() - t;
  // What CellWriter.finish does after the result: the downsampled series, once (series.json).
  t = performance.now();
  const stored = await writeCellSeries(store, longResult);
  const writeSeries = performance.now() - t;
  if (!stored) throw new Error('series.json was not written');
  const seriesBytes = (await blob.head(keys.series(longSweep.id, long.cellId, 1)))?.size ?? 0;
  await store.write(keys.done(longSweep.id, long.cellId), DoneMarkerSchema, {
    schemaVersion: 1,
    sweepId: longSweep.id,
    jobId: long.cellId,
    epoch: 1,
    outcome: 'trained',
    finishedAt: now,
    lastStep: LONG_STEPS - 1,
    summary: {},
  });
  // The same 100k rows in a cell that is still running (lease live, no result): its series come from the chunks.
  const runSweep = await store.createSweep(
    {
      ...spec,
      title: 'Bench: 100k steps, running',
      steps: LONG_STEPS,
      etaGrid: { kind: 'explicit', values: [0.01] },
      warmupGrid: [1024],
    },
    { now: now + 2 },
  );
  await store.deactivateSweep(runSweep.id);
  await writeLongChunks(runSweep.id, long.cellId);
  await store.write(keys.claim(runSweep.id, long.cellId, 1), ClaimRecordSchema, {
    schemaVersion: 1,
    sweepId: runSweep.id,
    jobId: long.cellId,
    epoch: 1,
    workerId: 'bench',
    claimedAt: now,
    heartbeatAt: now,
    leaseExpiresAt: now + 3_600_000,
    state: 'running',
  });

  const caller = createCaller(createContextInner({ blob, now: () => now }));
  const time = async <T>(f: () => Promise<T>): Promise<[number, T]> => {
    const t0 = performance.now();
    const v = await f();
    return [performance.now() - t0, v];
  };
  const [byIdCold, view] = await time(() => caller.sweeps.byId({ id: sweep.id }));
  const [byIdWarm] = await time(() => caller.sweeps.byId({ id: sweep.id }));
  const [seriesCold, series] = await time(() => caller.cells.series({ sweepId: longSweep.id, cellId: long.cellId }));
  const [seriesWarm] = await time(() => caller.cells.series({ sweepId: longSweep.id, cellId: long.cellId }));
  const [chunksCold, running] = await time(() => caller.cells.series({ sweepId: runSweep.id, cellId: long.cellId }));
  const [chunksWarm] = await time(() => caller.cells.series({ sweepId: runSweep.id, cellId: long.cellId }));
  if (JSON.stringify(running.series) !== JSON.stringify(series.series))
    throw new Error('stored and chunk-computed series differ');
  const points = Object.fromEntries(Object.entries(series.series).map(([k, v]) => [k, v.steps.length]));
  const out = {
    store: dir,
    sweepId: sweep.id,
    cells: view.cells.length,
    seedMs: { cells: Math.round(seedCells), rows: Math.round(seedRows) },
    byIdMs: { cold: Math.round(byIdCold), warm: Math.round(byIdWarm) },
    byIdPayloadKB: Math.round(JSON.stringify(view).length / 1024),
    seedMsSeriesJson: Math.round(writeSeries),
    seriesJsonKB: Math.round(seriesBytes / 1024),
    /** Finished cell: read from its series.json. */
    seriesMs: { cold: Math.round(seriesCold), warm: Math.round(seriesWarm) },
    /** Running cell (same rows): computed from its 200 chunks. */
    seriesFromChunksMs: { cold: Math.round(chunksCold), warm: Math.round(chunksWarm) },
    seriesRows: series.rowCount,
    pointsPerSeries: points,
  };
  const browser = browserUrl ? await timeInBrowser(`${browserUrl}/sweeps/${sweep.id}`) : null;
  console.log(JSON.stringify({ ...out, browser }, null, 2));
  if (!keep) await rm(dir, { recursive: true, force: true });
}

await main();

/** Navigation → all 256 cells drawn and the heatmap focused, in Debian's chromium; three runs (the first warms the server). */
async function timeInBrowser(url: string): Promise<{ runsMs: number[] }> {
  const { chromium } = await import('playwright-core');
  const b = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const runsMs: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const page = await b.newPage({ viewport: { width: 1280, height: 800 } });
      const t0 = performance.now();
      await page.goto(url);
      await page
        .locator('svg.heatmap rect.cell')
        .nth(N * N - 1)
        .waitFor();
      await page.locator('svg.heatmap').focus();
      await page.keyboard.press('ArrowRight');
      await page.locator('rect.cell--focused').waitFor();
      runsMs.push(Math.round(performance.now() - t0));
      await page.close();
    }
  } finally {
    await b.close();
  }
  return { runsMs };
}
