import {
  classifyRegime,
  curvaturePointsFromRows,
  detectCatapults,
  stabilityConstant,
  stabilityRatio,
} from '../core/curvature';
import { type RegimeLabel } from '../core/curvature-summary';
import { downsampleSeries, type Series } from '../core/downsample';
import { cellCoord, cellEtaTrgt } from '../core/grid';
import { type MetricRow, type RunEvent, type RunResult } from '../core/metrics';
import {
  CellSeriesRecordSchema,
  SERIES_COLUMNS,
  type CellResultRecord,
  type CellSeriesRecord,
  type SeriesColumn,
  type SweepRecord,
  CELL_SERIES_RECORD_SCHEMA_VERSION,
} from '../core/records';
import { lrAt, scheduleFor, warmupEndStep, type LrSchedule } from '../core/schedule';
import { isRelativeGrid, type SweepSpec } from '../core/sweep-spec';
import { keys } from './keys';
import { nullIfCorrupt } from './record-store';
import { type SweepStore } from './sweep-store';

/**
 * A cell's chart series (cells.series): every SERIES_COLUMNS column of its rows downsampled to ≤ maxPoints with the
 * min/max buckets of server/core/downsample.ts, plus markers and the warmup regime. Computed from the chunks
 * (`computeCellSeries`, any cell), or read from the `series.json` a finished cell's writer stores once
 * (`writeCellSeries` / `readStoredCellSeries`): one small object instead of ~100k rows for a long cell.
 */

/** At most 2,000 points per series (docs/BENCHMARKS.md); also the resolution `series.json` is stored at. */
export const MAX_SERIES_POINTS = 2000;

export interface CellMarkers {
  /** First update at η_trgt (PAPER §2.1), null for a constant LR (T_wrm = 1). */
  warmupEnd: number | null;
  /** First step with a NaN/±Inf train loss. */
  divergence: number | null;
  catapults: number[];
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

/**
 * A cell's LR schedule (PAPER §2): its run's own config when it has one (η_trgt as trained, η_init from the η_c its
 * search found), else the spec's at the cell's coordinates, with η_trgt from λ0 for a relative grid. Null for an id
 * that is no cell of the grid (the calibration job), and while a relative grid has no λ0.
 */
export function cellSchedule(
  spec: SweepSpec,
  cellId: string,
  run: Pick<RunResult, 'config' | 'etaC'> | null,
  lambda0: number | null | undefined,
): LrSchedule | null {
  const coord = cellCoord(spec, cellId);
  if (coord === null) return null;
  if (run) return scheduleFor(run.config, run.etaC);
  const etaTrgt = cellEtaTrgt(spec, coord, lambda0);
  if (etaTrgt === null) return null;
  const schedule = { etaTrgt, warmupSteps: coord.warmupSteps, etaInit: spec.etaInit, after: spec.after };
  return scheduleFor({ steps: spec.steps, schedule });
}

/**
 * The markers of a cell's charts: warmup end and catapults from the run's events (warmup end from the schedule when
 * no event says), divergence from the events, the result, or the first non-finite loss among the rows.
 */
export function markersOf(
  schedule: LrSchedule | null,
  events: readonly RunEvent[],
  rows: readonly MetricRow[] | null,
  divergedAt: number | null,
): CellMarkers {
  const fromEvents = (kind: string) => events.filter((e) => e.kind === kind).map((e) => e.step);
  const warmupEvent = fromEvents('warmup-end')[0];
  const warmupEnd = warmupEvent ?? (schedule && schedule.warmupSteps > 1 ? warmupEndStep(schedule) : null);
  let divergence = fromEvents('diverged')[0] ?? divergedAt;
  if (divergence === null && rows) divergence = rows.find((r) => !Number.isFinite(r.loss))?.step ?? null;
  return { warmupEnd, divergence, catapults: fromEvents('catapult') };
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

/** Read a cell's rows from its chunks and reduce them to the chart series, markers and regime. */
export async function computeCellSeries(
  store: SweepStore,
  input: { sweepId: string; cellId: string; maxPoints: number },
  result: CellResultRecord | null,
): Promise<SeriesOutput> {
  const [sweep, rowsRead] = await Promise.all([
    store.getSweep(input.sweepId),
    store.readCellSeries(input.sweepId, input.cellId),
  ]);
  const run = result?.run ?? null;
  // λ0 is read only when the schedule needs it: a cell without a run on a relative grid. A corrupt calibration
  // reads as none yet (no schedule), as on the heatmap.
  const lambda0 =
    run === null && isRelativeGrid(sweep.spec) ? (await nullIfCorrupt(store.getCalibration(sweep.id)))?.lambda0 : null;
  const schedule = cellSchedule(sweep.spec, input.cellId, run, lambda0);
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
    if (steps.length > 0)
      series[col] = downsampleSeries({ steps, values }, { maxPoints: input.maxPoints, keepSteps: keep });
  }
  if (!series.lr && schedule && rows.length > 0) {
    const steps = rows.map((r) => r.step);
    series.lr = downsampleSeries(
      { steps, values: steps.map((s) => lrAt(s, schedule)) },
      { maxPoints: input.maxPoints, keepSteps: keep },
    );
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

/**
 * Compute a finished cell's series at MAX_SERIES_POINTS from its chunks and store them as `series.json` under the
 * result's epoch. Returns the record written, or null when a chunk could not be read (nothing is stored then, so
 * readers keep reading the chunks and see the problem).
 */
export async function writeCellSeries(store: SweepStore, result: CellResultRecord): Promise<CellSeriesRecord | null> {
  const out = await computeCellSeries(
    store,
    { sweepId: result.sweepId, cellId: result.cellId, maxPoints: MAX_SERIES_POINTS },
    result,
  );
  if (out.problems.length > 0 || out.epoch !== result.epoch) return null;
  const record: CellSeriesRecord = {
    schemaVersion: CELL_SERIES_RECORD_SCHEMA_VERSION,
    sweepId: result.sweepId,
    cellId: result.cellId,
    epoch: result.epoch,
    maxPoints: MAX_SERIES_POINTS,
    rowCount: out.rowCount,
    series: out.series,
    markers: out.markers,
    regime: out.regime,
  };
  await store.write(keys.series(result.sweepId, result.cellId, result.epoch), CellSeriesRecordSchema, record);
  return record;
}

/** The stored series of a finished cell (validated by CellSeriesRecordSchema), or null when it has none. */
export async function readStoredCellSeries(store: SweepStore, result: CellResultRecord): Promise<SeriesOutput | null> {
  const got = await store.read(keys.series(result.sweepId, result.cellId, result.epoch), CellSeriesRecordSchema);
  if (got === null) return null;
  const r = got.value;
  if (r.sweepId !== result.sweepId || r.cellId !== result.cellId || r.epoch !== result.epoch) return null;
  return {
    sweepId: r.sweepId,
    cellId: r.cellId,
    epoch: r.epoch,
    rowCount: r.rowCount,
    series: r.series,
    markers: r.markers,
    regime: r.regime,
    problems: [],
  };
}
