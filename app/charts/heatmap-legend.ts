import { interpolateViridis, scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3';
import { formatNumber } from '../../server/core/heatmap';
import { roundPx } from './chart-common';

/**
 * The heatmap's colour scale and the ticks of its legend: which nice values of the metric to label under the viridis
 * gradient so that no two labels touch, estimated from the label widths (pure; d3 for scales and ticks only).
 */

export type ColorScaleKind = 'linear' | 'log';

/** A metric's colour scale over a grid's extent, mapping values to [0, 1] (viridis position). */
export interface ColorScale {
  scale: ScaleContinuousNumeric<number, number>;
  kind: ColorScaleKind;
}

/** The colour scale of an extent: log when asked for and the extent is positive, linear otherwise; null without one. */
export function makeColorScale(extent: [number, number] | null, kind: ColorScaleKind): ColorScale | null {
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

/** The legend's gradient: 11 viridis stops, offsets in [0, 1]. */
export function viridisStops(): { offset: number; color: string }[] {
  return Array.from({ length: 11 }, (_, i) => ({ offset: i / 10, color: interpolateViridis(i / 10) }));
}

/** Legend tick labels are drawn at 10 px. */
export const LEGEND_TICK_FONT_PX = 10;
/** Least free space between two neighbouring legend tick labels, in px. */
export const LEGEND_TICK_MIN_GAP = 6;
/** At most this many legend ticks, however wide the legend. */
export const LEGEND_MAX_TICKS = 6;

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

/** A nice tick value's label: formatNumber without the trailing zeros of its exponent form (1e-6, not 1.00e-6). */
function tickLabel(v: number): string {
  return formatNumber(v).replace(/\.?0+e/, 'e');
}

/** The leading digit of a positive number in base 10 (1 for 0.1, 2 for 200, 5 for 0.05). */
function mantissa(v: number): number {
  return Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9));
}

/** Candidate tick sets, densest first (see chooseLegendTicks). */
function candidateTickSets(scale: ScaleContinuousNumeric<number, number>, kind: ColorScaleKind): number[][] {
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
  return candidates;
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
  const toTicks = (values: number[]) =>
    values.map((v) => ({ x: roundPx(x0 + scale(v) * length), label: tickLabel(v) }));
  const fitting = candidateTickSets(scale, kind)
    .filter((values) => values.length > 0 && values.length <= LEGEND_MAX_TICKS)
    .map(toTicks)
    .filter((t) => labelsFit(t, maxX));
  return fitting.find((t) => t.length >= 2) ?? fitting[0]?.slice(0, 1) ?? [];
}
