import { interpolateViridis, scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3';
import {
  boundaryPolylines,
  formatLog2Tick,
  formatNumber,
  type HeatmapCellState,
  type HeatmapGrid,
} from '../../server/core/heatmap';

/**
 * Heatmap layout as a pure function: an aggregated grid (server/core/heatmap.ts) → pixels, colours, ticks,
 * legend and boundary path, as plain data. d3 is used for scales and colour math only; `HeatmapSvg` maps the
 * result to SVG elements, on the server or in the browser. Axes are log₂ in the sense of the paper's figures:
 * one equal band per grid value, in increasing order, labelled by its exponent (grids are powers of two, so
 * equal bands are equal log₂ steps).
 */

export type ColorScaleKind = 'linear' | 'log';

export interface HeatmapLayoutInput {
  grid: HeatmapGrid;
  /** Outer size of the SVG in px. */
  width: number;
  height: number;
  /** Colour scale of the metric (log needs a positive extent; it falls back to linear otherwise). */
  colorScale?: ColorScaleKind;
  xLabel: string;
  yLabel: string;
  metricLabel: string;
}

/** How a cell is painted: a viridis fill, or a marked style that is not a colour of the scale. */
export type CellPaint =
  { kind: 'value'; fill: string } | { kind: 'pattern'; pattern: 'diverged' | 'failed' | 'error' } | { kind: 'empty' };

export interface LaidOutCell {
  key: string;
  col: number;
  row: number;
  x: number;
  y: number;
  width: number;
  height: number;
  state: HeatmapCellState;
  value: number;
  paint: CellPaint;
  /** CSS classes: `cell cell--<state>`. */
  className: string;
  /** Tooltip text (and accessible label). */
  title: string;
  /** The cell id a click opens (first seed). */
  cellId: string;
  cellIds: string[];
}

export interface Tick {
  /** Position along its axis in px (centre of the band). */
  at: number;
  label: string;
}

export interface LegendSwatch {
  state: HeatmapCellState;
  label: string;
  paint: CellPaint;
  x: number;
  y: number;
}

export interface HeatmapLayout {
  width: number;
  height: number;
  plot: { x: number; y: number; width: number; height: number };
  cells: LaidOutCell[];
  xTicks: Tick[];
  yTicks: Tick[];
  xAxisLabel: { x: number; y: number; text: string };
  yAxisLabel: { x: number; y: number; text: string };
  legend: {
    x: number;
    y: number;
    width: number;
    height: number;
    /** Gradient stops, offset in [0, 1]; empty when no cell has a finite value. */
    stops: { offset: number; color: string }[];
    ticks: { x: number; label: string }[];
    title: string;
    swatches: LegendSwatch[];
  };
  /** SVG path data of the divergence/failure frontier, one per unbroken stretch. */
  boundary: string[];
}

export const HEATMAP_MARGIN = {
  top: 10,
  right: 16,
  bottom: 96,
  left: 64,
} as const;
/** Neutral fill for a cell whose value is not (yet) a finite number. */
export const NO_VALUE_FILL = '#e5e5e5';

const STATE_LABELS: Record<HeatmapCellState, string> = {
  trained: 'trained',
  diverged: 'diverged',
  failed: 'failed',
  error: 'error',
  cancelled: 'cancelled',
  running: 'running',
  queued: 'queued',
};

/** Round to 0.01 px so layouts compare and snapshot stably. */
function r(v: number): number {
  return Math.round(v * 100) / 100;
}

function makeColorScale(
  extent: [number, number] | null,
  kind: ColorScaleKind,
): {
  scale: ScaleContinuousNumeric<number, number>;
  kind: ColorScaleKind;
} | null {
  if (!extent) return null;
  let [lo, hi] = extent;
  const useLog = kind === 'log' && lo > 0;
  if (lo === hi) {
    // A single value still gets a colour (the middle of the scale) and a usable legend.
    lo = useLog ? lo / 2 : lo - 0.5;
    hi = useLog ? hi * 2 : hi + 0.5;
  }
  const scale = useLog
    ? scaleLog().domain([lo, hi]).range([0, 1]).clamp(true)
    : scaleLinear().domain([lo, hi]).range([0, 1]).clamp(true);
  return { scale, kind: useLog ? 'log' : 'linear' };
}

function paintFor(state: HeatmapCellState, color: string | null): CellPaint {
  switch (state) {
    case 'diverged':
      return { kind: 'pattern', pattern: 'diverged' };
    case 'failed':
      return { kind: 'pattern', pattern: 'failed' };
    case 'error':
    case 'cancelled':
      return { kind: 'pattern', pattern: 'error' };
    case 'queued':
      return { kind: 'empty' };
    case 'running':
    case 'trained':
      return color ? { kind: 'value', fill: color } : { kind: 'value', fill: NO_VALUE_FILL };
  }
}

/** Legend tick labels are drawn at 10 px. */
export const LEGEND_TICK_FONT_PX = 10;
/** Least free space between two neighbouring legend tick labels, in px. */
export const LEGEND_TICK_MIN_GAP = 6;

/**
 * Estimated width in px of a legend tick label: 0.64 em per character, the advance of a digit in DejaVu Sans (the
 * PNG's font) and more than in the browsers' system-ui fonts, so an estimate that fits here fits there too.
 */
export function estimateLabelWidth(label: string, fontPx = LEGEND_TICK_FONT_PX): number {
  return [...label].length * 0.64 * fontPx;
}

/** True when no two labels, centred at their x, come closer than LEGEND_TICK_MIN_GAP and all lie in [0, maxX]. */
export function labelsFit(ticks: readonly { x: number; label: string }[], maxX = Infinity): boolean {
  const sorted = [...ticks].sort((a, b) => a.x - b.x);
  for (let i = 0; i < sorted.length; i++) {
    const t = sorted[i];
    if (!t) continue;
    const w = estimateLabelWidth(t.label);
    if (t.x - w / 2 < 0 || t.x + w / 2 > maxX) return false;
    const prev = sorted[i - 1];
    if (prev && t.x - prev.x < (estimateLabelWidth(prev.label) + w) / 2 + LEGEND_TICK_MIN_GAP) return false;
  }
  return true;
}

/** At most this many legend ticks, however wide the legend. */
export const LEGEND_MAX_TICKS = 6;

/** A nice tick value's label: formatNumber without the trailing zeros of its exponent form (1e-6, not 1.00e-6). */
function tickLabel(v: number): string {
  return formatNumber(v).replace(/\.?0+e/, 'e');
}

/** The leading digit of a positive number in base 10 (1 for 0.1, 2 for 200, 5 for 0.05). */
function mantissa(v: number): number {
  return Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9));
}

/**
 * Legend ticks of a colour scale whose gradient spans `[x0, x0 + length]`: the densest set of nice values (d3's
 * ticks; for a log scale 1–9 × 10^k, then 1, 2, 5 × 10^k, then powers of ten, then every 2nd, 3rd … of those) whose
 * labels fit the legend without overlapping, preferring two or more ticks; one tick when nothing else fits.
 */
export function chooseLegendTicks(
  scale: ScaleContinuousNumeric<number, number>,
  kind: ColorScaleKind,
  x0: number,
  length: number,
  maxX = Infinity,
): { x: number; label: string }[] {
  const candidates: number[][] = [];
  if (kind === 'log') {
    const all = scale.ticks(10);
    const m1 = all.filter((v) => mantissa(v) === 1);
    candidates.push(
      all,
      all.filter((v) => [1, 2, 5].includes(mantissa(v))),
      m1,
    );
    const base = m1.length >= 2 ? m1 : all;
    for (let k = 2; k <= base.length; k++) candidates.push(base.filter((_, i) => i % k === 0));
  } else {
    for (const n of [7, 5, 4, 3, 2]) candidates.push(scale.ticks(n));
    const base = scale.ticks(5);
    for (let k = 2; k <= base.length; k++) candidates.push(base.filter((_, i) => i % k === 0));
  }
  const toTicks = (values: number[]) => values.map((v) => ({ x: r(x0 + scale(v) * length), label: tickLabel(v) }));
  const fitting = candidates
    .filter((values) => values.length > 0 && values.length <= LEGEND_MAX_TICKS)
    .map(toTicks)
    .filter((t) => labelsFit(t, maxX));
  return fitting.find((t) => t.length >= 2) ?? fitting[0]?.slice(0, 1) ?? [];
}

/** Lay out a heatmap grid in a `width × height` box: cells, log₂ ticks, viridis legend, boundary path. */
export function layoutHeatmap(input: HeatmapLayoutInput): HeatmapLayout {
  const { grid, width, height } = input;
  const m = HEATMAP_MARGIN;
  const plot = {
    x: m.left,
    y: m.top,
    width: Math.max(0, width - m.left - m.right),
    height: Math.max(0, height - m.top - m.bottom),
  };
  const nCols = grid.etas.length;
  const nRows = grid.warmups.length;
  const bw = nCols > 0 ? plot.width / nCols : 0;
  const bh = nRows > 0 ? plot.height / nRows : 0;
  // Row 0 (shortest warmup) at the bottom, as in the paper's figures.
  const xAt = (col: number) => plot.x + col * bw;
  const yAt = (rowFromBottom: number) => plot.y + plot.height - rowFromBottom * bh;

  const color = makeColorScale(grid.extent, input.colorScale ?? 'linear');
  const colorOf = (v: number): string | null =>
    color && Number.isFinite(v) ? interpolateViridis(color.scale(v)) : null;

  const cells: LaidOutCell[] = [];
  for (const c of grid.cells) {
    if (!c) continue;
    const seeds = c.cellIds.length;
    const stateText = Object.entries(c.counts)
      .map(([s, k]) => (seeds > 1 ? `${k} ${s}` : s))
      .join(', ');
    const title = `η = ${formatLog2Tick(c.eta)} · T_wrm = ${c.warmupSteps} · ${input.metricLabel} = ${formatNumber(c.value)} · ${stateText}${seeds > 1 ? ` (${seeds} seeds)` : ''}`;
    const pad = Math.min(0.5, bw / 4, bh / 4);
    cells.push({
      key: `${c.col}:${c.row}`,
      col: c.col,
      row: c.row,
      x: r(xAt(c.col) + pad),
      y: r(yAt(c.row + 1) + pad),
      width: r(Math.max(0, bw - 2 * pad)),
      height: r(Math.max(0, bh - 2 * pad)),
      state: c.state,
      value: c.value,
      paint: paintFor(c.state, colorOf(c.value)),
      className: `cell cell--${c.state}`,
      title,
      cellId: c.cellIds[0] ?? '',
      cellIds: c.cellIds,
    });
  }

  const xTicks = grid.etas.map((e, i) => ({
    at: r(xAt(i) + bw / 2),
    label: formatLog2Tick(e),
  }));
  const yTicks = grid.warmups.map((w, i) => ({
    at: r(yAt(i) - bh / 2),
    label: formatLog2Tick(w),
  }));
  // Thin out labels so they never overlap: at most one per ~28 px horizontally, ~14 px vertically.
  const thin = (ticks: Tick[], minGap: number, band: number) => {
    const every = band > 0 ? Math.max(1, Math.ceil(minGap / band)) : 1;
    return ticks.filter((_, i) => i % every === 0);
  };

  const boundary = boundaryPolylines(grid).map((line) =>
    line.map((p, i) => `${i === 0 ? 'M' : 'L'}${r(xAt(p.x))},${r(yAt(p.y))}`).join(''),
  );

  const legendY = plot.y + plot.height + 44;
  const legendW = Math.min(plot.width, 300);
  const stops = color
    ? Array.from({ length: 11 }, (_, i) => ({
        offset: i / 10,
        color: interpolateViridis(i / 10),
      }))
    : [];
  // Nice values of the metric (d3 ticks), thinned until their labels fit the legend without touching.
  const legendTicks = color ? chooseLegendTicks(color.scale, color.kind, plot.x, legendW, width) : [];
  const swatchStates: HeatmapCellState[] = ['diverged', 'failed', 'error', 'running', 'queued'];
  // Swatches on their own row under the gradient, 76 px apart.
  const swatches = swatchStates.map((state, i) => ({
    state,
    label: STATE_LABELS[state],
    paint: paintFor(state, null),
    x: r(plot.x + i * 76),
    y: r(legendY + 28),
  }));

  return {
    width,
    height,
    plot: {
      x: r(plot.x),
      y: r(plot.y),
      width: r(plot.width),
      height: r(plot.height),
    },
    cells,
    xTicks: thin(xTicks, 28, bw),
    yTicks: thin(yTicks, 14, bh),
    xAxisLabel: {
      x: r(plot.x + plot.width / 2),
      y: r(plot.y + plot.height + 34),
      text: input.xLabel,
    },
    yAxisLabel: {
      x: r(16),
      y: r(plot.y + plot.height / 2),
      text: input.yLabel,
    },
    legend: {
      x: r(plot.x),
      y: r(legendY),
      width: r(legendW),
      height: 10,
      stops,
      ticks: legendTicks,
      title: `${input.metricLabel}${color?.kind === 'log' ? ' (log scale)' : ''}`,
      swatches,
    },
    boundary,
  };
}

/** Move keyboard focus across laid-out cells: arrow keys step to the nearest existing cell in that direction. */
export function moveFocus(
  cells: readonly Pick<LaidOutCell, 'col' | 'row' | 'key'>[],
  from: { col: number; row: number } | null,
  key: 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown',
): { col: number; row: number } | null {
  if (cells.length === 0) return null;
  if (!from) {
    const first = [...cells].sort((a, b) => b.row - a.row || a.col - b.col)[0];
    return first ? { col: first.col, row: first.row } : null;
  }
  const [dc, dr] = {
    ArrowLeft: [-1, 0],
    ArrowRight: [1, 0],
    ArrowUp: [0, 1],
    ArrowDown: [0, -1],
  }[key] as [number, number];
  let best: { col: number; row: number; d: number } | null = null;
  for (const c of cells) {
    const along = dc !== 0 ? (c.col - from.col) * dc : (c.row - from.row) * dr;
    if (along <= 0) continue;
    const across = dc !== 0 ? Math.abs(c.row - from.row) : Math.abs(c.col - from.col);
    const d = along + 4 * across;
    if (!best || d < best.d) best = { col: c.col, row: c.row, d };
  }
  return best ? { col: best.col, row: best.row } : from;
}
