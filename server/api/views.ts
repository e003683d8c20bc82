import { type HeatmapCellState } from '../core/heatmap';
import { type DoneMarker, type ProgressRecord } from '../core/records';
import { warmupSavings } from '../core/schedule';
import { type CellSummary, type ControlScan, type JobState } from '../store/sweep-status';

/**
 * What the API returns about cells and sweeps: the store's records reduced to what the pages draw. Pure mappings,
 * tested without a store.
 */

/** Overall state of a sweep for the Sweeps list and the Sweep page header. */
export type SweepState = 'queued' | 'calibrating' | 'running' | 'done' | 'cancelled';

export interface CellHistory {
  step: number[];
  loss: number[];
  sharpness: number[];
}

export interface CellView {
  cellId: string;
  etaIndex: number;
  /** η in the grid's units (1/λ0 multiples for relative grids). */
  etaInUnits: number;
  etaExp: number | null;
  /** Absolute η_trgt; null while a λ0-relative grid waits for calibration. */
  etaTrgt: number | null;
  warmupSteps: number;
  seed: number;
  jobState: JobState;
  state: HeatmapCellState;
  epoch: number | null;
  /** Last step with a row (−1 before the first), and the planned steps. */
  step: number;
  totalSteps: number | null;
  /** Heatmap metrics (HEATMAP_METRICS keys) and the latest raw values (`latest.<name>`). */
  values: Record<string, number>;
  divergedAtStep: number | null;
  history: CellHistory | null;
  updatedAt: number | null;
  problems: string[];
}

/** Forward passes of the η_c search counted in T_save (PAPER §2.3: "about 10"). */
export const ETA_C_FORWARD_PASSES = 10;

/** How a job's state and outcome show on the heatmap. */
export function heatmapState(job: JobState, outcome: DoneMarker['outcome'] | null): HeatmapCellState {
  switch (job) {
    case 'done':
      return outcome ?? 'trained';
    case 'running':
      return 'running';
    case 'stalled':
    case 'queued':
      return 'queued';
    case 'cancelled':
      return 'cancelled';
    case 'blocked':
      return 'error';
  }
}

function maxFinite(values: readonly number[]): number | undefined {
  let m = -Infinity;
  for (const v of values) if (Number.isFinite(v) && v > m) m = v;
  return m === -Infinity ? undefined : m;
}

/** Progress's latest row values under the summary names the heatmap uses, for a cell without a result yet. */
const LATEST_AS_SUMMARY: Record<string, string> = {
  loss: 'finalTrainLoss',
  acc: 'finalTrainAcc',
  testLoss: 'finalTestLoss',
  testAcc: 'finalTestAcc',
};

/** The heatmap values of a cell: its result's summary when finished, its latest progress while it runs, plus derived T_save/T_reach and max λ^H. */
export function cellValues(
  cell: Pick<CellSummary, 'etaTrgt' | 'warmupSteps'>,
  progress: ProgressRecord | null,
  result: Pick<DoneMarker, 'summary'> | null,
): Record<string, number> {
  const values: Record<string, number> = {};
  if (progress) {
    for (const [k, v] of Object.entries(progress.latest)) {
      values[`latest.${k}`] = v;
      const alias = LATEST_AS_SUMMARY[k];
      if (alias && !result) values[alias] = v;
    }
    const maxSharp = maxFinite(progress.history.sharpness);
    if (maxSharp !== undefined) values.maxSharpness = maxSharp;
  }
  if (result) for (const [k, v] of Object.entries(result.summary)) values[k] = v;
  const etaC = values.etaC;
  if (etaC !== undefined && Number.isFinite(etaC) && cell.etaTrgt !== null) {
    const s = warmupSavings({
      etaC,
      etaTrgt: cell.etaTrgt,
      warmupSteps: cell.warmupSteps,
      forwardPasses: ETA_C_FORWARD_PASSES,
    });
    values.tSave = s.tSave;
    values.tReach = s.tReach;
  }
  return values;
}

/** A cell summary (its done marker carries the result's outcome and summary numbers) as the pages see it. */
export function toCellView(cell: CellSummary, options: { history: boolean }): CellView {
  const result = cell.done;
  const outcome = result?.outcome ?? null;
  const p = cell.progress;
  return {
    cellId: cell.cellId,
    etaIndex: cell.etaIndex,
    etaInUnits: cell.etaInUnits,
    etaExp: cell.etaExp,
    etaTrgt: cell.etaTrgt,
    warmupSteps: cell.warmupSteps,
    seed: cell.seed,
    jobState: cell.state,
    state: heatmapState(cell.state, outcome),
    epoch: cell.epoch,
    step: result ? result.lastStep : (p?.step ?? -1),
    totalSteps: p?.totalSteps ?? null,
    values: cellValues(cell, p, result),
    divergedAtStep: outcome === 'diverged' && result ? result.lastStep : null,
    history:
      options.history && p ? { step: p.history.step, loss: p.history.loss, sharpness: p.history.sharpness } : null,
    updatedAt: p?.updatedAt ?? null,
    problems: cell.problems,
  };
}

export interface SweepCounts {
  total: number;
  done: number;
  running: number;
  queued: number;
}

/** State and counts of a sweep from a listing of its control prefix alone (no record reads): for the Sweeps list. */
export function sweepStateFromScan(
  scan: ControlScan,
  cellCount: number,
  relativeGrid: boolean,
): { state: SweepState; counts: SweepCounts } {
  let done = 0;
  let claimed = 0;
  for (const [jobId, job] of scan.jobs) {
    if (jobId === 'calibration') continue;
    if (job.done) done++;
    else if (job.epochs.length > 0) claimed++;
  }
  const counts = { total: cellCount, done, running: claimed, queued: Math.max(0, cellCount - done - claimed) };
  let state: SweepState;
  if (done >= cellCount) state = 'done';
  else if (scan.cancelled) state = 'cancelled';
  else if (relativeGrid && !scan.calibrated)
    state = scan.jobs.get('calibration')?.epochs.length ? 'calibrating' : 'queued';
  else state = done + claimed > 0 ? 'running' : 'queued';
  return { state, counts };
}
