import { scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3';
import { formatNumber } from '../../server/core/heatmap';
import { roundPx as r } from './chart-common';
import { CATAPULT_COLOR, DIVERGENCE_COLOR, WARMUP_END_COLOR } from './palette';

/**
 * Line-chart layout as a pure function (the cell panel's curves): series over steps → SVG path data, ticks and
 * vertical markers, as plain data. Non-finite values (a diverged step) break the line and are returned as marks
 * at the last finite value; log axes drop values ≤ 0 (and step 0 on a log x axis).
 */

export interface LineSeriesInput {
  key: string;
  label: string;
  color: string;
  steps: readonly number[];
  values: readonly number[];
  dashed?: boolean;
  /** Reference curves (thresholds) are drawn thinner. */
  reference?: boolean;
}

export type MarkerKind = 'warmup-end' | 'divergence' | 'catapult' | 'step';

export interface MarkerInput {
  step: number;
  kind: MarkerKind;
  color: string;
}

export interface LineChartInput {
  width: number;
  height: number;
  series: readonly LineSeriesInput[];
  xLog: boolean;
  yLog: boolean;
  markers?: readonly MarkerInput[];
  /** Fix the y domain to the non-reference series (so a 2/η curve shooting up at η→0 cannot squash the data). */
  yFromDataOnly?: boolean;
  /** Shared step range, so charts of one cell line up (defaults to the data's own range). */
  xDomain?: [number, number];
}

export interface LaidOutLine {
  key: string;
  label: string;
  color: string;
  dashed: boolean;
  reference: boolean;
  d: string;
  /** Where the series hit NaN/±Inf: x of that step, y of the last finite value (top of the plot if none). */
  breaks: { x: number; y: number; step: number }[];
}

export interface LineChartLayout {
  width: number;
  height: number;
  plot: { x: number; y: number; width: number; height: number };
  lines: LaidOutLine[];
  xTicks: { at: number; label: string }[];
  yTicks: { at: number; label: string }[];
  markers: { x: number; kind: MarkerKind; color: string; step: number }[];
  empty: boolean;
}

export const LINE_MARGIN = { top: 8, right: 10, bottom: 22, left: 46 } as const;

function okX(step: number, xLog: boolean): boolean {
  return Number.isFinite(step) && (!xLog || step > 0);
}

function okY(v: number, yLog: boolean): boolean {
  return Number.isFinite(v) && (!yLog || v > 0);
}

function extent(values: Iterable<number>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

function logTicks(scale: ScaleContinuousNumeric<number, number>, max: number): number[] {
  const all = scale.ticks();
  const decades = all.filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9);
  const pick = decades.length >= 2 ? decades : all;
  if (pick.length <= max) return pick;
  const every = Math.ceil(pick.length / max);
  return pick.filter((_, i) => i % every === 0);
}

type Domain = [number, number];

/** The step and value ranges the data spans (finite points; reference curves left out of y when asked). */
function dataExtents(input: LineChartInput): { xs: number[]; ys: number[] } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of input.series) {
    const useForY = !(input.yFromDataOnly && s.reference);
    for (let i = 0; i < s.steps.length; i++) {
      const step = s.steps[i] ?? NaN;
      const v = s.values[i] ?? NaN;
      if (!okX(step, input.xLog)) continue;
      if (!s.reference) xs.push(step);
      if (useForY && okY(v, input.yLog)) ys.push(v);
    }
  }
  return { xs, ys };
}

/** The axes' domains: the shared step range when given, else the data's, widened where the data is a single value. */
function chartDomains(input: LineChartInput): { xDom: Domain; yDom: Domain; empty: boolean } {
  const { xs, ys } = dataExtents(input);
  let xDom =
    input.xDomain && okX(input.xDomain[0], input.xLog)
      ? input.xDomain
      : input.xDomain && input.xLog
        ? ([1, Math.max(1, input.xDomain[1])] as Domain)
        : extent(xs);
  let yDom = extent(ys);
  const empty = xs.length === 0 || yDom === null;
  if (!xDom) xDom = input.xLog ? [1, 10] : [0, 1];
  if (!yDom) yDom = input.yLog ? [0.1, 1] : [0, 1];
  if (xDom[0] === xDom[1]) xDom = input.xLog ? [xDom[0], xDom[0] * 10] : [xDom[0], xDom[0] + 1];
  if (yDom[0] === yDom[1]) {
    // A constant series (e.g. the LR after warmup) sits at 80% of a range from 0, not in a ±0.5 band around itself.
    const v = yDom[0];
    yDom = input.yLog ? [v / 2, v * 2] : v > 0 ? [0, v * 1.25] : v < 0 ? [v * 1.25, 0] : [-1, 1];
  }
  return { xDom, yDom, empty };
}

/** One series as path data: the pen lifts at non-finite values (marked as breaks) and at values a log axis drops. */
function layoutLine(
  s: LineSeriesInput,
  xLog: boolean,
  yLog: boolean,
  x: (step: number) => number,
  yClamp: (v: number) => number,
  plotTop: number,
): LaidOutLine {
  let d = '';
  let pen = false;
  let lastY: number | null = null;
  const breaks: LaidOutLine['breaks'] = [];
  for (let i = 0; i < s.steps.length; i++) {
    const step = s.steps[i] ?? NaN;
    const v = s.values[i] ?? NaN;
    if (!okX(step, xLog)) continue;
    if (!Number.isFinite(v)) {
      if (!s.reference && (breaks.length === 0 || pen)) breaks.push({ x: r(x(step)), y: r(lastY ?? plotTop), step });
      pen = false;
      continue;
    }
    if (!okY(v, yLog)) {
      pen = false;
      continue;
    }
    const py = yClamp(v);
    d += `${pen ? 'L' : 'M'}${r(x(step))},${r(py)}`;
    pen = true;
    lastY = py;
  }
  return {
    key: s.key,
    label: s.label,
    color: s.color,
    dashed: s.dashed ?? false,
    reference: s.reference ?? false,
    d,
    breaks,
  };
}

/** Lay out line series in a `width × height` box with linear or log axes, NaN breaks and step markers. */
export function layoutLineChart(input: LineChartInput): LineChartLayout {
  const m = LINE_MARGIN;
  const plot = {
    x: m.left,
    y: m.top,
    width: Math.max(0, input.width - m.left - m.right),
    height: Math.max(0, input.height - m.top - m.bottom),
  };
  const { xDom, yDom, empty } = chartDomains(input);
  const x = (input.xLog ? scaleLog() : scaleLinear()).domain(xDom).range([plot.x, plot.x + plot.width]);
  const yBase = (input.yLog ? scaleLog() : scaleLinear()).domain(yDom).range([plot.y + plot.height, plot.y]);
  const y = input.yLog ? yBase : yBase.nice(5);
  const yClamp = (v: number) => Math.max(plot.y, Math.min(plot.y + plot.height, y(v)));
  const lines = input.series.map((s) => layoutLine(s, input.xLog, input.yLog, x, yClamp, plot.y));

  const xTickValues = input.xLog ? logTicks(x, 6) : x.ticks(5);
  const yTickValues = input.yLog ? logTicks(y, 5) : y.ticks(4);
  const [x0, x1] = xDom;
  const markers = (input.markers ?? [])
    .filter((mk) => okX(mk.step, input.xLog) && mk.step >= x0 && mk.step <= x1)
    .map((mk) => ({ x: r(x(mk.step)), kind: mk.kind, color: mk.color, step: mk.step }));
  return {
    width: input.width,
    height: input.height,
    plot,
    lines,
    xTicks: xTickValues.map((t) => ({ at: r(x(t)), label: formatNumber(t) })),
    yTicks: yTickValues.map((t) => ({ at: r(y(t)), label: formatNumber(t) })),
    markers,
    empty,
  };
}

/** The step markers of a run (the `cells.series` markers): warmup end, each catapult, divergence. */
export function runMarkers(
  mk: { warmupEnd?: number | null; catapults?: readonly number[]; divergence?: number | null } | undefined,
): MarkerInput[] {
  const markers: MarkerInput[] = [];
  if (mk?.warmupEnd != null) markers.push({ step: mk.warmupEnd, kind: 'warmup-end', color: WARMUP_END_COLOR });
  for (const s of mk?.catapults ?? []) markers.push({ step: s, kind: 'catapult', color: CATAPULT_COLOR });
  if (mk?.divergence != null) markers.push({ step: mk.divergence, kind: 'divergence', color: DIVERGENCE_COLOR });
  return markers;
}

/** One step range for charts drawn together: 0 (or 1 on log x) to the last step of any of the series. */
export function stepDomain(series: Iterable<{ steps: readonly number[] }>, xLog: boolean): [number, number] {
  let lastStep = 0;
  for (const s of series) lastStep = Math.max(lastStep, s.steps[s.steps.length - 1] ?? 0);
  return [xLog ? 1 : 0, Math.max(xLog ? 10 : 1, lastStep)];
}

/** The dashed reference line c/η(t) over an LR series (PAPER §4.4 stability threshold), or none without one. */
export function thresholdLine(
  lr: { steps: readonly number[]; values: readonly number[] } | undefined,
  constant: number | null | undefined,
  line: { key: string; label: string; color: string },
): LineSeriesInput[] {
  if (!lr || constant == null) return [];
  const curve = thresholdCurve(lr, constant);
  return [{ ...line, steps: curve.steps, values: curve.values, dashed: true, reference: true }];
}

/** The reference curve c/η(t) over the steps of an LR series (η = 0 gives no point). */
export function thresholdCurve(
  lr: { steps: readonly number[]; values: readonly number[] },
  constant: number,
): { steps: number[]; values: number[] } {
  const steps: number[] = [];
  const values: number[] = [];
  lr.steps.forEach((s, i) => {
    const eta = lr.values[i] ?? NaN;
    if (eta > 0 && Number.isFinite(eta)) {
      steps.push(s);
      values.push(constant / eta);
    }
  });
  return { steps, values };
}
