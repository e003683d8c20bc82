import { z } from 'zod';
import { rawSharpnessConstant, stabilityConstant } from '../../core/curvature';
import { type RegimeLabel } from '../../core/curvature-summary';
import { type RunResult } from '../../core/metrics';
import { SERIES_COLUMNS, type CellResultRecord, type SeriesColumn, type SweepRecord } from '../../core/records';
import { CellIdSchema, SweepIdSchema } from '../../core/ids';
import { listAll } from '../../store/blob-store';
import { CellNotFoundError, CorruptRecordError } from '../../core/errors';
import { Lru } from '../../core/lru';
import {
  cellSchedule,
  computeCellSeries,
  markersOf,
  MAX_SERIES_POINTS,
  readStoredCellSeries,
  type CellMarkers,
  type SeriesOutput,
} from '../../store/cell-series';
import { keys } from '../../store/keys';
import { type SweepStore } from '../../store/sweep-store';
import { createTRPCRouter, publicProcedure } from '../trpc';
import { toCellView, type CellView } from '../views';

/** Series the cell panel draws (MetricRow columns), the points limit, and the output shapes (server/store/cell-series.ts). */
export { MAX_SERIES_POINTS, SERIES_COLUMNS };
export type { CellMarkers, RegimeLabel, SeriesColumn, SeriesOutput };

const CellRefSchema = z.object({ sweepId: z.string().max(100), cellId: z.string().max(100) });

export interface CellDetail {
  cell: CellView;
  optimizer: string;
  /**
   * Reference-line constants c of c/η(t) (PAPER §4.4): `sharpness` for λ^H (2 for SGD, 2+2β for SGD-M, 2+2β1 for
   * Adam), `precond` for λ^{P⁻¹H} (38 for Adam with β1 = 0.9; null for SGD-family).
   */
  thresholds: { sharpness: number; precond: number | null };
  result: {
    outcome: string;
    lastStep: number;
    finishedAt: number;
    summary: Record<string, number>;
    error?: string;
  } | null;
  run: Pick<
    RunResult,
    'etaInit' | 'etaC' | 'lambda0' | 'backend' | 'device' | 'stepsPerSec' | 'wallTimeMs' | 'events'
  > | null;
  markers: CellMarkers;
}

function thresholdsOf(optimizer: SweepRecord['spec']['optimizer']): CellDetail['thresholds'] {
  const adam = optimizer.kind === 'adam' || optimizer.kind === 'gi-adam' || optimizer.kind === 'ri-adam';
  return { sharpness: rawSharpnessConstant(optimizer), precond: adam ? stabilityConstant(optimizer, 'late') : null };
}

async function loadCell(
  ctx: { store: SweepStore },
  sweepId: string,
  cellId: string,
): Promise<{
  sweep: SweepRecord;
  lambda0: number | null;
  view: CellView;
  result: CellResultRecord | null;
  run: RunResult | null;
}> {
  const [status, result] = await Promise.all([
    ctx.store.getSweepStatus(sweepId),
    ctx.store.getCellResult(sweepId, cellId),
  ]);
  const summary = status.cells.find((c) => c.cellId === cellId);
  if (!summary) throw new CellNotFoundError(sweepId, cellId);
  return {
    sweep: status.sweep,
    lambda0: status.calibration?.lambda0 ?? null,
    view: toCellView(summary, { history: true }),
    result,
    run: result?.run ?? null,
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

/**
 * A finished cell's series at the default resolution come from its stored `series.json` (one small object); other
 * resolutions, running cells and cells finished without one are computed from the chunks. A corrupt `series.json`
 * is reported in `problems` and the chunks are read instead.
 */
async function seriesOf(
  store: SweepStore,
  input: { sweepId: string; cellId: string; maxPoints: number },
  result: CellResultRecord | null,
): Promise<SeriesOutput> {
  const problems: SeriesOutput['problems'] = [];
  if (result && input.maxPoints === MAX_SERIES_POINTS) {
    try {
      const stored = await readStoredCellSeries(store, result);
      if (stored) return stored;
    } catch (e) {
      if (!(e instanceof CorruptRecordError)) throw e;
      problems.push({ key: e.key, message: e.message });
    }
  }
  const out = await computeCellSeries(store, input, result);
  return problems.length > 0 ? { ...out, problems: [...problems, ...out.problems] } : out;
}

export const cellsRouter = createTRPCRouter({
  /** A cell's state, summary, result, markers and regime. */
  byId: publicProcedure.input(CellRefSchema).query(async ({ ctx, input }): Promise<CellDetail> => {
    const { sweep, lambda0, view, result, run } = await loadCell(ctx, input.sweepId, input.cellId);
    const schedule = cellSchedule(sweep.spec, input.cellId, run, lambda0);
    return {
      cell: view,
      optimizer: sweep.spec.optimizer.kind,
      thresholds: thresholdsOf(sweep.spec.optimizer),
      result: result
        ? {
            outcome: result.outcome,
            lastStep: result.lastStep,
            finishedAt: result.finishedAt,
            summary: result.summary,
            ...(result.error ? { error: result.error } : {}),
          }
        : null,
      run: run
        ? {
            etaInit: run.etaInit,
            etaC: run.etaC,
            lambda0: run.lambda0,
            backend: run.backend,
            device: run.device,
            stepsPerSec: run.stepsPerSec,
            wallTimeMs: run.wallTimeMs,
            events: run.events,
          }
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
      const out = await seriesOf(ctx.store, input, result);
      if (key) seriesCache.set(key, out);
      return out;
    }),
});
