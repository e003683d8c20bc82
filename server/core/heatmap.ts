/**
 * Heatmap aggregation: a sweep's cells (one per η_trgt × T_wrm × seed) → a grid of values per metric, with each
 * grid cell's display state, the divergence/failure frontier, and log₂ tick labels. Pure data → data; the chart
 * layout (pixels, colours) lives in app/charts and consumes this.
 */

/** What a heatmap cell shows: a finished outcome, or that it is still waiting or training. */
export type HeatmapCellState = 'queued' | 'running' | 'trained' | 'diverged' | 'failed' | 'error' | 'cancelled';

/**
 * η_trgt in the grid's units (multiples of 1/λ0 when the grid is relative, absolute otherwise), with its exponent x
 * when the grid is base·2^x (null for explicit grids), as grid expansion (grid.ts) gives them.
 */
export interface EtaInUnits {
  etaInUnits: number;
  etaExp: number | null;
}

/** One cell of a sweep as the heatmap needs it: its grid coordinates, state and summary numbers. */
export interface HeatmapInputCell extends EtaInUnits {
  cellId: string;
  warmupSteps: number;
  seed: number;
  state: HeatmapCellState;
  /** Metric name → value; NaN/±Inf are data (a diverged run's loss), a missing key means "not measured". */
  values: Readonly<Record<string, number | undefined>>;
}

/** One rectangle of the grid: the seeds at (η, T_wrm) merged. */
export interface HeatmapGridCell extends EtaInUnits {
  col: number;
  row: number;
  warmupSteps: number;
  state: HeatmapCellState;
  /** The metric's value: mean over the seeds that have a finite value, NaN when none has. */
  value: number;
  /** Per-seed cell ids, in seed order (the first is what a click opens). */
  cellIds: string[];
  /** How many seeds are in each state, for the tooltip. */
  counts: Partial<Record<HeatmapCellState, number>>;
}

export interface HeatmapGrid {
  metric: string;
  /** Sorted ascending distinct η values (columns, left → right). */
  etaColumns: EtaInUnits[];
  /** Sorted ascending distinct T_wrm values (rows, bottom → top). */
  warmups: number[];
  /** Row-major: cells[row * etaColumns.length + col]; null where the sweep has no cell at that coordinate. */
  cells: (HeatmapGridCell | null)[];
  /** Finite extent of `value` over cells that have one, or null when no cell has a finite value. */
  extent: [number, number] | null;
}

/** Precedence when seeds disagree: anything unfinished shows as such, then the worst finished outcome. */
const STATE_PRECEDENCE: readonly HeatmapCellState[] = [
  'running',
  'queued',
  'diverged',
  'failed',
  'error',
  'cancelled',
  'trained',
];

function mergeStates(states: readonly HeatmapCellState[]): HeatmapCellState {
  for (const s of STATE_PRECEDENCE) if (states.includes(s)) return s;
  return 'queued';
}

function sortedDistinct(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** The distinct η values of the cells, ascending, each with the exponent its first cell carries. */
function etaColumnsOf(cells: readonly EtaInUnits[]): EtaInUnits[] {
  const byValue = new Map<number, EtaInUnits>();
  for (const c of cells)
    if (!byValue.has(c.etaInUnits)) byValue.set(c.etaInUnits, { etaInUnits: c.etaInUnits, etaExp: c.etaExp });
  return [...byValue.values()].sort((a, b) => a.etaInUnits - b.etaInUnits);
}

/** Merge a sweep's cells into a grid of one metric: distinct η columns × distinct T_wrm rows, seeds averaged. */
export function aggregateHeatmap(cells: readonly HeatmapInputCell[], metric: string): HeatmapGrid {
  const etaColumns = etaColumnsOf(cells);
  const nCols = etaColumns.length;
  const warmups = sortedDistinct(cells.map((c) => c.warmupSteps));
  const colOf = new Map(etaColumns.map((e, i) => [e.etaInUnits, i]));
  const rowOf = new Map(warmups.map((w, i) => [w, i]));
  const groups = new Map<number, HeatmapInputCell[]>();
  for (const c of cells) {
    const col = colOf.get(c.etaInUnits);
    const row = rowOf.get(c.warmupSteps);
    if (col === undefined || row === undefined) continue;
    const idx = row * nCols + col;
    const g = groups.get(idx);
    if (g) g.push(c);
    else groups.set(idx, [c]);
  }
  const out: (HeatmapGridCell | null)[] = new Array<HeatmapGridCell | null>(nCols * warmups.length).fill(null);
  let lo = Infinity;
  let hi = -Infinity;
  for (const [idx, group] of groups) {
    group.sort((a, b) => a.seed - b.seed);
    const finite = group.map((c) => c.values[metric]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    const value = finite.length > 0 ? finite.reduce((s, v) => s + v, 0) / finite.length : NaN;
    const counts: Partial<Record<HeatmapCellState, number>> = {};
    for (const c of group) counts[c.state] = (counts[c.state] ?? 0) + 1;
    const first = group[0];
    if (!first) continue;
    const col = idx % nCols;
    const row = Math.floor(idx / nCols);
    out[idx] = {
      col,
      row,
      etaInUnits: first.etaInUnits,
      etaExp: first.etaExp,
      warmupSteps: first.warmupSteps,
      state: mergeStates(group.map((c) => c.state)),
      value,
      cellIds: group.map((c) => c.cellId),
      counts,
    };
    if (Number.isFinite(value)) {
      lo = Math.min(lo, value);
      hi = Math.max(hi, value);
    }
  }
  return {
    metric,
    etaColumns,
    warmups,
    cells: out,
    extent: lo <= hi ? [lo, hi] : null,
  };
}

/** Which finished outcomes count as "past the boundary". */
export type BoundaryKind = 'diverged' | 'unsuccessful';

function isPast(cell: HeatmapGridCell | null, kind: BoundaryKind): boolean {
  if (!cell) return false;
  return cell.state === 'diverged' || (kind === 'unsuccessful' && cell.state === 'failed');
}

/**
 * The frontier per row: the first column from which every cell to the right (to the grid's edge) is past the
 * boundary (diverged, or diverged or failed), or null when the row's rightmost cell trains. PAPER P1 predicts
 * the frontier moves right as T_wrm grows.
 */
export function boundaryColumns(grid: HeatmapGrid, kind: BoundaryKind = 'unsuccessful'): (number | null)[] {
  const n = grid.etaColumns.length;
  return grid.warmups.map((_, row) => {
    let first: number | null = null;
    for (let col = n - 1; col >= 0; col--) {
      if (isPast(grid.cells[row * n + col] ?? null, kind)) first = col;
      else break;
    }
    return first;
  });
}

/** A point in grid units: x in columns from the left edge, y in rows from the bottom edge. */
export interface GridPoint {
  x: number;
  y: number;
}

/**
 * The frontier as polylines in grid units (vertical segments at column edges, joined by horizontal steps
 * between adjacent rows); a row without a frontier breaks the line.
 */
export function boundaryPolylines(grid: HeatmapGrid, kind: BoundaryKind = 'unsuccessful'): GridPoint[][] {
  const cols = boundaryColumns(grid, kind);
  const lines: GridPoint[][] = [];
  let current: GridPoint[] | null = null;
  cols.forEach((c, row) => {
    if (c === null) {
      current = null;
      return;
    }
    if (!current) {
      current = [];
      lines.push(current);
    }
    current.push({ x: c, y: row }, { x: c, y: row + 1 });
  });
  return lines.map(dedupePoints);
}

/** Drop repeated points and the middle of collinear runs, so a straight stretch is one segment. */
function dedupePoints(points: GridPoint[]): GridPoint[] {
  const out: GridPoint[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (last && last.x === p.x && last.y === p.y) continue;
    const prev = out[out.length - 2];
    if (prev && last && ((prev.x === last.x && last.x === p.x) || (prev.y === last.y && last.y === p.y)))
      out[out.length - 1] = p;
    else out.push(p);
  }
  return out;
}

/** log₂ of a grid value rounded to 1e-9, so that values written as 2^k/λ0 products compare exactly. */
export function log2Exponent(v: number): number {
  return Math.round(Math.log2(v) * 1e9) / 1e9;
}

/**
 * Tick label for a grid value on a log₂ axis: "2^k" (k possibly a half or other short fraction) when the value
 * is a power of two, the number with 2 significant digits otherwise (e.g. Adam's 2^x·1e-5 grid).
 */
export function formatLog2Tick(v: number): string {
  if (!(v > 0) || !Number.isFinite(v)) return String(v);
  return formatLog2Exponent(log2Exponent(v)) ?? formatNumber(v);
}

/**
 * Label of η in the grid's units: "2^k" from the exponent the grid carries when the value is exactly 2^k (a
 * powers-of-two grid with base 1), else the value's log₂ tick label (explicit grids, and base ≠ 1 grids such as
 * Adam's 1e-5·2^x, whose labels are numbers).
 */
export function formatEtaInUnits(eta: EtaInUnits): string {
  const k = eta.etaExp;
  if (k === null || 2 ** k !== eta.etaInUnits) return formatLog2Tick(eta.etaInUnits);
  return formatLog2Exponent(k) ?? formatNumber(eta.etaInUnits);
}

/** "2^k" for an exponent that is a multiple of ½ ("1" for k = 0), null for any other exponent. */
function formatLog2Exponent(k: number): string | null {
  const k2 = Math.round(k * 2) / 2;
  if (Math.abs(k - k2) >= 1e-9) return null;
  return k2 === 0 ? '1' : `2^${k2}`;
}

/** Short human number: 3 significant digits, exponent form outside [1e-3, 1e5), "NaN"/"∞" for non-finite. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

/**
 * The state and values of a cell at step `s`, from its progress history (log-spaced points `{step, ...values}`):
 * the last point at or before s. A cell that diverged at or before s is diverged; a finished cell shows its final
 * state from its last recorded point on; before that (or while it runs) it is running, coloured by its value at s.
 */
export function cellAtStep(
  history: readonly {
    step: number;
    values: Readonly<Record<string, number | undefined>>;
  }[],
  s: number,
  now: { state: HeatmapCellState; divergedAtStep?: number | null },
): {
  state: HeatmapCellState;
  values: Readonly<Record<string, number | undefined>>;
} {
  let at: (typeof history)[number] | undefined;
  for (const h of history) {
    if (h.step <= s) at = h;
    else break;
  }
  if (now.divergedAtStep != null && now.divergedAtStep <= s) {
    return { state: 'diverged', values: at?.values ?? {} };
  }
  if (!at) return { state: now.state === 'queued' ? 'queued' : 'running', values: {} };
  const last = history[history.length - 1];
  // Before its last recorded point a cell was still training at step s, whatever it became later.
  if (at === last && now.state !== 'queued' && now.state !== 'running') return { state: now.state, values: at.values };
  return { state: 'running', values: at.values };
}

/** A metric the heatmap can colour by: the key in a cell's values, how to show it, and its usual colour scale. */
export interface HeatmapMetric {
  key: string;
  label: string;
  /** Log colour scale by default (losses, sharpness, learning rates). */
  log: boolean;
  /** Available from the progress histories, so the step slider can redraw it at any step. */
  overTime: boolean;
}

/** The metrics of the Sweep page's selector, in order (RunResult summary names, PAPER §2.3 T_save/T_reach). */
export const HEATMAP_METRICS: readonly HeatmapMetric[] = [
  { key: 'finalTrainLoss', label: 'final train loss', log: true, overTime: true },
  { key: 'bestTrainLoss', label: 'best train loss', log: true, overTime: false },
  { key: 'finalTestLoss', label: 'final test loss', log: true, overTime: false },
  { key: 'bestTestLoss', label: 'best test loss', log: true, overTime: false },
  { key: 'finalTestAcc', label: 'final test accuracy', log: false, overTime: false },
  { key: 'bestTestAcc', label: 'best test accuracy', log: false, overTime: false },
  { key: 'finalTrainAcc', label: 'final train accuracy', log: false, overTime: false },
  { key: 'maxSharpness', label: 'max λ^H', log: true, overTime: true },
  { key: 'etaC', label: 'η_c', log: true, overTime: false },
  { key: 'tSave', label: 'T_save', log: false, overTime: false },
  { key: 'tReach', label: 'T_reach', log: false, overTime: false },
];

/** The catalogue entry of a metric key, or undefined for an unknown key. */
export function heatmapMetric(key: string): HeatmapMetric | undefined {
  return HEATMAP_METRICS.find((m) => m.key === key);
}
