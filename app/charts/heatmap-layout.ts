import { interpolateViridis } from 'd3';
import {
  boundaryPolylines,
  formatEtaInUnits,
  formatLog2Tick,
  formatNumber,
  type HeatmapCellState,
  type HeatmapGrid,
  type HeatmapGridCell,
} from '../../server/core/heatmap';
import { roundPx as r } from './chart-common';
import {
  chooseLegendTicks,
  makeColorScale,
  viridisStops,
  type ColorScale,
  type ColorScaleKind,
} from './heatmap-legend';

/**
 * Heatmap layout as a pure function: an aggregated grid (server/core/heatmap.ts) → pixels, colours, ticks,
 * legend and boundary path, as plain data. d3 is used for scales and colour math only; `HeatmapSvg` maps the
 * result to SVG elements, on the server or in the browser. Axes are log₂ in the sense of the paper's figures:
 * one equal band per grid value, in increasing order, labelled by its exponent (grids are powers of two, so
 * equal bands are equal log₂ steps). Keyboard focus over the laid-out cells is in heatmap-keyboard.ts.
 */

export type { ColorScaleKind } from './heatmap-legend';

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

export interface HeatmapLegend {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Gradient stops, offset in [0, 1]; empty when no cell has a finite value. */
  stops: { offset: number; color: string }[];
  ticks: { x: number; label: string }[];
  title: string;
  swatches: LegendSwatch[];
}

export interface HeatmapLayout {
  width: number;
  height: number;
  plot: PlotBox;
  cells: LaidOutCell[];
  xTicks: Tick[];
  yTicks: Tick[];
  xAxisLabel: { x: number; y: number; text: string };
  yAxisLabel: { x: number; y: number; text: string };
  legend: HeatmapLegend;
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

/** The legend's marked states, in the order of their swatches. */
const SWATCH_STATES: readonly HeatmapCellState[] = ['diverged', 'failed', 'error', 'running', 'queued'];

interface PlotBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The plot box and its bands: one column per η value, one row per T_wrm value, row 0 at the bottom. */
interface Bands {
  plot: PlotBox;
  /** Band width and height in px. */
  bw: number;
  bh: number;
  /** Left edge of column `col`; bottom edge of row `rowFromBottom` (its top is `yAt(row + 1)`). */
  xAt: (col: number) => number;
  yAt: (rowFromBottom: number) => number;
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

function layoutBands(grid: HeatmapGrid, width: number, height: number): Bands {
  const m = HEATMAP_MARGIN;
  const plot = {
    x: m.left,
    y: m.top,
    width: Math.max(0, width - m.left - m.right),
    height: Math.max(0, height - m.top - m.bottom),
  };
  const nCols = grid.etaColumns.length;
  const nRows = grid.warmups.length;
  const bw = nCols > 0 ? plot.width / nCols : 0;
  const bh = nRows > 0 ? plot.height / nRows : 0;
  // Row 0 (shortest warmup) at the bottom, as in the paper's figures.
  return {
    plot,
    bw,
    bh,
    xAt: (col) => plot.x + col * bw,
    yAt: (rowFromBottom) => plot.y + plot.height - rowFromBottom * bh,
  };
}

/** Tooltip of a grid cell: η, T_wrm, the metric's value, and the seeds' states. */
function cellTitle(c: HeatmapGridCell, metricLabel: string): string {
  const seeds = c.cellIds.length;
  const stateText = Object.entries(c.counts)
    .map(([s, k]) => (seeds > 1 ? `${k} ${s}` : s))
    .join(', ');
  const seedsText = seeds > 1 ? ` (${seeds} seeds)` : '';
  return `η = ${formatEtaInUnits(c)} · T_wrm = ${c.warmupSteps} · ${metricLabel} = ${formatNumber(c.value)} · ${stateText}${seedsText}`;
}

function layoutCells(grid: HeatmapGrid, b: Bands, color: ColorScale | null, metricLabel: string): LaidOutCell[] {
  const colorOf = (v: number): string | null =>
    color && Number.isFinite(v) ? interpolateViridis(color.scale(v)) : null;
  const pad = Math.min(0.5, b.bw / 4, b.bh / 4);
  const cells: LaidOutCell[] = [];
  for (const c of grid.cells) {
    if (!c) continue;
    cells.push({
      key: `${c.col}:${c.row}`,
      col: c.col,
      row: c.row,
      x: r(b.xAt(c.col) + pad),
      y: r(b.yAt(c.row + 1) + pad),
      width: r(Math.max(0, b.bw - 2 * pad)),
      height: r(Math.max(0, b.bh - 2 * pad)),
      state: c.state,
      value: c.value,
      paint: paintFor(c.state, colorOf(c.value)),
      className: `cell cell--${c.state}`,
      title: cellTitle(c, metricLabel),
      cellId: c.cellIds[0] ?? '',
      cellIds: c.cellIds,
    });
  }
  return cells;
}

/** Keep every k-th tick so labels never overlap: at most one per `minGap` px of bands `band` px wide. */
function thinTicks(ticks: Tick[], minGap: number, band: number): Tick[] {
  const every = band > 0 ? Math.max(1, Math.ceil(minGap / band)) : 1;
  return ticks.filter((_, i) => i % every === 0);
}

/** Axis ticks (η columns labelled from their exponents, T_wrm rows on log₂) and the axis titles. */
function layoutAxes(
  grid: HeatmapGrid,
  b: Bands,
  labels: Pick<HeatmapLayoutInput, 'xLabel' | 'yLabel'>,
): Pick<HeatmapLayout, 'xTicks' | 'yTicks' | 'xAxisLabel' | 'yAxisLabel'> {
  const xTicks = grid.etaColumns.map((e, i) => ({ at: r(b.xAt(i) + b.bw / 2), label: formatEtaInUnits(e) }));
  const yTicks = grid.warmups.map((w, i) => ({ at: r(b.yAt(i) - b.bh / 2), label: formatLog2Tick(w) }));
  const { plot } = b;
  return {
    // At most one label per ~28 px horizontally, ~14 px vertically.
    xTicks: thinTicks(xTicks, 28, b.bw),
    yTicks: thinTicks(yTicks, 14, b.bh),
    xAxisLabel: { x: r(plot.x + plot.width / 2), y: r(plot.y + plot.height + 34), text: labels.xLabel },
    yAxisLabel: { x: r(16), y: r(plot.y + plot.height / 2), text: labels.yLabel },
  };
}

/** The divergence/failure frontier (server/core/heatmap.ts boundaryPolylines) as SVG path data in px. */
function boundaryPaths(grid: HeatmapGrid, b: Bands): string[] {
  return boundaryPolylines(grid).map((line) =>
    line.map((p, i) => `${i === 0 ? 'M' : 'L'}${r(b.xAt(p.x))},${r(b.yAt(p.y))}`).join(''),
  );
}

/** The legend under the plot: viridis gradient with nice-value ticks, its title, and a swatch per marked state. */
function layoutLegend(b: Bands, color: ColorScale | null, metricLabel: string, width: number): HeatmapLegend {
  const { plot } = b;
  const legendY = plot.y + plot.height + 44;
  const legendW = Math.min(plot.width, 300);
  return {
    x: r(plot.x),
    y: r(legendY),
    width: r(legendW),
    height: 10,
    stops: color ? viridisStops() : [],
    // Nice values of the metric (d3 ticks), thinned until their labels fit the legend without touching.
    ticks: color ? chooseLegendTicks(color.scale, color.kind, plot.x, legendW, width) : [],
    title: `${metricLabel}${color?.kind === 'log' ? ' (log scale)' : ''}`,
    // Swatches on their own row under the gradient, 76 px apart.
    swatches: SWATCH_STATES.map((state, i) => ({
      state,
      label: STATE_LABELS[state],
      paint: paintFor(state, null),
      x: r(plot.x + i * 76),
      y: r(legendY + 28),
    })),
  };
}

/** Lay out a heatmap grid in a `width × height` box: cells, log₂ ticks, viridis legend, boundary path. */
export function layoutHeatmap(input: HeatmapLayoutInput): HeatmapLayout {
  const { grid, width, height } = input;
  const bands = layoutBands(grid, width, height);
  const color = makeColorScale(grid.extent, input.colorScale ?? 'linear');
  const { plot } = bands;
  return {
    width,
    height,
    plot: { x: r(plot.x), y: r(plot.y), width: r(plot.width), height: r(plot.height) },
    cells: layoutCells(grid, bands, color, input.metricLabel),
    ...layoutAxes(grid, bands, input),
    legend: layoutLegend(bands, color, input.metricLabel, width),
    boundary: boundaryPaths(grid, bands),
  };
}
