import { z } from 'zod';
import { downsampleSeries, type Series } from '../../core/downsample';
import { cellRunConfig, gridCells } from '../../core/grid';
import {
  classifyRegime,
  curvaturePointsFromRows,
  detectCatapults,
  rawSharpnessConstant,
  stabilityConstant,
  stabilityRatio,
  type RegimeLabel,
} from '../../core/curvature';
import { type MetricRow, type RunEvent, type RunResult } from '../../core/metrics';
import { lrAt, warmupEndStep, type LrSchedule } from '../../core/schedule';
import { type CellResultRecord, type SweepRecord } from '../../core/records';
import { type SweepStore } from '../../store/sweep-store';
import { CellIdSchema, SweepIdSchema } from '../../core/ids';
import { listAll } from '../../store/blob-store';
import { keys } from '../../store/keys';
import { NotFoundError } from '../errors';
import { Lru } from '../lru';
import { createTRPCRouter, publicProcedure } from '../trpc';
import { toCellView, type CellView } from '../views';

/** Series the cell panel draws (MetricRow columns). */
export const SERIES_COLUMNS = ['loss', 'acc', 'lr', 'testLoss', 'testAcc', 'sharpness', 'precondSharpness', 'stabilityRatio', 'gradNorm'] as const;
export type SeriesColumn = (typeof SERIES_COLUMNS)[number];

/** Issue 5: at most 2,000 points per series. */
export const MAX_SERIES_POINTS = 2000;

const CellRefSchema = z.object({ sweepId: z.string().max(100), cellId: z.string().max(100) });

export interface CellMarkers {
  /** First update at η_trgt (PAPER §2.1), null for a constant LR (T_wrm = 1). */
  warmupEnd: number | null;
  /** First step with a NaN/±Inf train loss. */
  divergence: number | null;
  catapults: number[];
}

export interface CellDetail {
  cell: CellView;
  optimizer: string;
  /**
   * Reference-line constants c of c/η(t) (PAPER §4.4): `sharpness` for λ^H (2 for SGD, 2+2β for SGD-M, 2+2β1 for
   * Adam), `precond` for λ^{P⁻¹H} (38 for Adam with β1 = 0.9; null for SGD-family).
   */
  thresholds: { sharpness: number; precond: number | null };
  result: { outcome: string; lastStep: number; finishedAt: number; summary: Record<string, number>; error?: string } | null;
  run: Pick<RunResult, 'etaInit' | 'etaC' | 'lambda0' | 'backend' | 'device' | 'stepsPerSec' | 'wallTimeMs' | 'events'> | null;
  markers: CellMarkers;
}

function thresholdsOf(optimizer: SweepRecord['spec']['optimizer']): CellDetail['thresholds'] {
  const adam = optimizer.kind === 'adam' || optimizer.kind === 'gi-adam' || optimizer.kind === 'ri-adam';
  return { sharpness: rawSharpnessConstant(optimizer), precond: adam ? stabilityConstant(optimizer, 'late') : null };
}

function scheduleOf(sweep: SweepRecord, cellId: string, etaTrgt: number | null, run: RunResult | null): LrSchedule | null {
  if (etaTrgt === null) return null;
  const coord = gridCells(sweep.spec).find((c) => c.cellId === cellId);
  if (!coord) return null;
  return {
    etaTrgt,
    warmupSteps: coord.warmupSteps,
    etaInit: run?.etaInit ?? (sweep.spec.etaInit.mode === 'value' ? sweep.spec.etaInit.value : 0),
    startsAtCritical: sweep.spec.etaInit.mode === 'critical',
    after: sweep.spec.after,
    totalSteps: sweep.spec.steps,
  };
}

function markersOf(schedule: LrSchedule | null, events: readonly RunEvent[], rows: readonly MetricRow[] | null, divergedAt: number | null): CellMarkers {
  const fromEvents = (kind: string) => events.filter((e) => e.kind === kind).map((e) => e.step);
  const warmupEvent = fromEvents('warmup-end')[0];
  const warmupEnd = warmupEvent ?? (schedule && schedule.warmupSteps > 1 ? warmupEndStep(schedule) : null);
  let divergence = fromEvents('diverged')[0] ?? divergedAt;
  if (divergence === null && rows) divergence = rows.find((r) => !Number.isFinite(r.loss))?.step ?? null;
  return { warmupEnd, divergence, catapults: fromEvents('catapult') };
}

async function loadCell(
  ctx: { store: SweepStore },
  sweepId: string,
  cellId: string,
): Promise<{ sweep: SweepRecord; view: CellView; result: CellResultRecord | null; run: RunResult | null }> {
  const [status, result] = await Promise.all([ctx.store.getSweepStatus(sweepId), ctx.store.getCellResult(sweepId, cellId)]);
  const summary = status.cells.find((c) => c.cellId === cellId);
  if (!summary) throw new NotFoundError(`cell ${cellId} not found in sweep ${sweepId}`);
  return { sweep: status.sweep, view: toCellView(summary, { history: true }), result, run: result?.run ?? null };
}

/**
 * Catapults and the warmup regime from the rows (PAPER §5 rules, server/core/curvature): the stability ratio is
 * taken from the rows, or computed as η·λ/c where λ was measured. Null regime when λ was never measured.
 */
function curvatureOf(
  rows: readonly MetricRow[],
  optimizer: SweepRecord['spec']['optimizer'],
  warmupEnd: number | null,
): { regime: RegimeLabel | null; detected: number[] } {
  const c = stabilityConstant(optimizer, 'late');
  const points = curvaturePointsFromRows(rows, optimizer.kind).map((p) =>
    p.ratio === undefined && p.lambda !== undefined ? { ...p, ratio: stabilityRatio(p.lr, p.lambda, c) } : p,
  );
  if (!points.some((p) => p.lambda !== undefined)) return { regime: null, detected: [] };
  const events = detectCatapults(points);
  return {
    regime: classifyRegime(points, { warmupEndStep: warmupEnd, events }),
    detected: events.filter((e) => e.confirmed).map((e) => e.step),
  };
}

/** Downsampled series by cell state (at most 64 × ~9 series × 2,000 points ≈ 10 MB). */
const seriesCache = new Lru<string, SeriesOutput>(64);

/**
 * What a cell's series depends on: a finished cell never changes (its done marker fixes the epoch); a running one
 * changes only when a chunk is appended (chunks are written once), so the epoch, chunk count and last chunk's etag
 * identify its rows. Polling a running cell then re-reads its rows only when a chunk arrived. Null: do not cache.
 */
async function seriesCacheKey(
  store: SweepStore,
  input: { sweepId: string; cellId: string; maxPoints: number },
  result: CellResultRecord | null,
): Promise<string | null> {
  if (result) return `${input.sweepId}/${input.cellId}/e${result.epoch}/done/${input.maxPoints}`;
  const sweepId = SweepIdSchema.safeParse(input.sweepId);
  const cellId = CellIdSchema.safeParse(input.cellId);
  if (!sweepId.success || !cellId.success) return null;
  const epoch = await store.readableEpoch(sweepId.data, cellId.data);
  if (epoch === null) return null;
  const chunks = await listAll(store.blob, keys.chunkPrefix(sweepId.data, cellId.data, epoch));
  const last = chunks[chunks.length - 1];
  return `${input.sweepId}/${input.cellId}/e${epoch}/n${chunks.length}/${last?.etag ?? '-'}/${input.maxPoints}`;
}

export interface SeriesOutput {
  sweepId: string;
  cellId: string;
  epoch: number | null;
  rowCount: number;
  series: Partial<Record<SeriesColumn, Series>>;
  markers: CellMarkers;
  regime: RegimeLabel | null;
  problems: { key: string; message: string }[];
}

/** Read a cell's rows and reduce them to the chart series, markers and regime (see cells.series). */
async function computeSeries(
  store: SweepStore,
  input: { sweepId: string; cellId: string; maxPoints: number },
  result: CellResultRecord | null,
): Promise<SeriesOutput> {
  const [sweep, rowsRead] = await Promise.all([store.getSweep(input.sweepId), store.readCellSeries(input.sweepId, input.cellId)]);
  const run = result?.run ?? null;
  const coord = gridCells(sweep.spec).find((c) => c.cellId === input.cellId);
  let etaTrgt: number | null = null;
  if (coord) {
    try {
      etaTrgt = cellRunConfig(sweep.spec, coord, run?.lambda0 ?? (await store.getCalibration(sweep.id))?.lambda0).schedule.etaTrgt;
    } catch {
      etaTrgt = null; // λ0-relative grid not calibrated yet
    }
  }
  const schedule = scheduleOf(sweep, input.cellId, etaTrgt, run);
  const rows = rowsRead.rows;
  const markers = markersOf(schedule, run?.events ?? [], rows, result?.outcome === 'diverged' ? result.lastStep : null);
  const { regime, detected } = curvatureOf(rows, sweep.spec.optimizer, markers.warmupEnd);
  markers.catapults = [...new Set([...markers.catapults, ...detected])].sort((a, b) => a - b);
  const keep = [markers.warmupEnd, markers.divergence, ...markers.catapults].filter((s): s is number => s !== null);
  const series: Partial<Record<SeriesColumn, Series>> = {};
  for (const col of SERIES_COLUMNS) {
    const steps: number[] = [];
    const values: number[] = [];
    for (const r of rows) {
      const v = r[col];
      if (v === undefined) continue;
      steps.push(r.step);
      values.push(v);
    }
    if (steps.length > 0) series[col] = downsampleSeries({ steps, values }, { maxPoints: input.maxPoints, keepSteps: keep });
  }
  if (!series.lr && schedule && rows.length > 0) {
    const steps = rows.map((r) => r.step);
    series.lr = downsampleSeries({ steps, values: steps.map((s) => lrAt(s, schedule)) }, { maxPoints: input.maxPoints, keepSteps: keep });
  }
  return {
    sweepId: sweep.id,
    cellId: input.cellId,
    epoch: rowsRead.epoch,
    rowCount: rows.length,
    series,
    markers,
    regime,
    problems: rowsRead.problems,
  };
}

export const cellsRouter = createTRPCRouter({
  /** A cell's state, summary, result, markers and regime. */
  byId: publicProcedure.input(CellRefSchema).query(async ({ ctx, input }): Promise<CellDetail> => {
    const { sweep, view, result, run } = await loadCell(ctx, input.sweepId, input.cellId);
    const schedule = scheduleOf(sweep, input.cellId, view.etaTrgt, run);
    return {
      cell: view,
      optimizer: sweep.spec.optimizer.kind,
      thresholds: thresholdsOf(sweep.spec.optimizer),
      result: result
        ? { outcome: result.outcome, lastStep: result.lastStep, finishedAt: result.finishedAt, summary: result.summary, ...(result.error ? { error: result.error } : {}) }
        : null,
      run: run
        ? { etaInit: run.etaInit, etaC: run.etaC, lambda0: run.lambda0, backend: run.backend, device: run.device, stepsPerSec: run.stepsPerSec, wallTimeMs: run.wallTimeMs, events: run.events }
        : null,
      markers: markersOf(schedule, run?.events ?? [], null, view.divergedAtStep),
    };
  }),

  /**
   * The cell's step series, each downsampled server-side to ≤ maxPoints with min/max buckets that keep the first
   * and last step, warmup end, catapults and the divergence step; plus the LR schedule's own curve when rows lack it.
   */
  series: publicProcedure
    .input(CellRefSchema.extend({ maxPoints: z.int().min(10).max(MAX_SERIES_POINTS).default(MAX_SERIES_POINTS) }))
    .query(async ({ ctx, input }) => {
      const result = await ctx.store.getCellResult(input.sweepId, input.cellId);
      const key = await seriesCacheKey(ctx.store, input, result);
      const cached = key ? seriesCache.get(key) : undefined;
      if (cached) return cached;
      const out = await computeSeries(ctx.store, input, result);
      if (key) seriesCache.set(key, out);
      return out;
    }),
});
