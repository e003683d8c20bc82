import { type CellDetail, type SeriesOutput } from '../../server/api/routers/cells';
import { type SweepView } from '../../server/api/routers/sweeps';
import { formatEtaInUnits, formatNumber } from '../../server/core/heatmap';
import {
  layoutLineChart,
  runMarkers,
  stepDomain,
  thresholdLine,
  type LineSeriesInput,
} from '../../app/charts/line-chart-layout';
import { LineChartSvg } from '../../app/charts/line-chart-svg';
import { CATAPULT_COLOR, COMPARE_COLORS, THRESHOLD_COLOR, WARMUP_END_COLOR } from '../../app/charts/palette';
import { renderHeatmapDocument } from '../../app/share/heatmap-document';
import { DEFAULT_VIEW, type SweepViewState } from '../../app/lib/view-state';
import { svgMarkup } from '../../app/share/svg-markup';

/**
 * The report's pictures, drawn by the dashboard's own code: the heatmap is the standalone SVG of the share route
 * (`/api/sweeps/<id>/heatmap.svg`: renderHeatmapDocument over the `sweeps.byId` view, same colour scale and
 * boundary), and a cell's curves are the cell panel's line charts (layoutLineChart + LineChartSvg over the
 * `cells.series` output, threshold c/η(t) from `cells.byId`), serialised with svg-markup.ts.
 */

/** The font stack of the standalone SVG documents (as the share route's heatmap document). */
const FONT = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif";

/** The heatmap metric of a report: best test accuracy when the cells measured it, else the final train loss. */
export function reportHeatmapMetric(data: Pick<SweepView, 'cells'>): 'bestTestAcc' | 'finalTrainLoss' {
  return data.cells.some((c) => Number.isFinite(c.values.bestTestAcc)) ? 'bestTestAcc' : 'finalTrainLoss';
}

/** True when the report draws a heatmap of the sweep: at least 2 η values or 2 T_wrm values. */
export function wantsHeatmap(data: Pick<SweepView, 'cells'>): boolean {
  return (
    new Set(data.cells.map((c) => c.etaInUnits)).size >= 2 || new Set(data.cells.map((c) => c.warmupSteps)).size >= 2
  );
}

/** True for mechanism sweeps (λ measured at every step): the report draws each cell's curves. */
export function wantsCurves(data: Pick<SweepView, 'sweep'>): boolean {
  return data.sweep.spec.measure.sharpnessEvery === 1;
}

/** The heatmap SVG document of a sweep (as the SVG route serves it for `?metric=<metric>`). */
export function heatmapSvg(data: SweepView, metric = reportHeatmapMetric(data)): string {
  const view: SweepViewState = { ...DEFAULT_VIEW, cells: [], metric };
  return renderHeatmapDocument(data, view);
}

export const CURVES_WIDTH = 720;
const CHART_HEIGHT = 220;
const TITLE_BAND = 50;
const CAPTION = 20;
const FOOTER = 40;
export const CURVES_HEIGHT = TITLE_BAND + 2 * (CAPTION + CHART_HEIGHT) + FOOTER;

/** Label of a cell: `η 2^5 (0.0123), T_wrm 16`. */
export function cellLabel(
  c: { etaInUnits: number; etaExp: number | null; etaTrgt: number | null; warmupSteps: number; seed: number },
  relative: boolean,
): string {
  const eta = relative ? `η ${formatEtaInUnits(c)}/λ0` : `η ${formatNumber(c.etaInUnits)}`;
  const abs = relative && c.etaTrgt !== null ? ` (${formatNumber(c.etaTrgt)})` : '';
  return `${eta}${abs}, T_wrm ${c.warmupSteps}${c.seed !== 1 ? `, seed ${c.seed}` : ''}`;
}

interface CurvesInput {
  sweepTitle: string;
  label: string;
  detail: CellDetail;
  series: SeriesOutput;
}

/** The two charts of a cell's curves: train loss, and the stability eigenvalue against its threshold c/η(t). */
function curveCharts({
  detail,
  series,
}: CurvesInput): { title: string; lines: LineSeriesInput[]; fromData: boolean }[] {
  const precond = detail.thresholds.precond;
  const lambdaKey = precond !== null ? 'precondSharpness' : 'sharpness';
  const constant = precond ?? detail.thresholds.sharpness;
  const lambdaName = precond !== null ? 'λ^{P⁻¹H}' : 'λ^H';
  const thrName = `${formatNumber(constant)}/η(t)`;
  const color = COMPARE_COLORS[0];
  const line = (key: 'loss' | 'sharpness' | 'precondSharpness', label: string): LineSeriesInput[] => {
    const s = series.series[key];
    return s ? [{ key, label, color, steps: s.steps, values: s.values }] : [];
  };
  const threshold = thresholdLine(series.series.lr, constant, {
    key: 'threshold',
    label: thrName,
    color: THRESHOLD_COLOR,
  });
  return [
    { title: 'Train loss vs step', lines: line('loss', 'train loss'), fromData: false },
    {
      title: `${lambdaName} (solid) and the stability threshold ${thrName} (dashed) vs step`,
      lines: [...line(lambdaKey, lambdaName), ...threshold],
      fromData: true,
    },
  ];
}

/** The curves' second title line: the cell, its outcome, regime, catapults and backend. */
function curvesSubtitle({ label, detail, series }: CurvesInput): string {
  const r = detail.result;
  const n = series.markers.catapults.length;
  return [
    label,
    r ? `${r.outcome} at step ${r.lastStep}` : detail.cell.state,
    series.regime ? `regime ${series.regime.regime}` : null,
    n > 0 ? `${n} catapult${n === 1 ? '' : 's'}` : null,
    detail.run ? detail.run.backend : null,
  ]
    .filter((p) => p !== null)
    .join(' · ');
}

/**
 * A cell's curves as a standalone SVG: train loss vs step, and the stability eigenvalue vs step against its
 * threshold c/η(t) — λ^H against 2/η for SGD, λ^{P⁻¹H} against 38/η for Adam (the `cells.byId` thresholds, from
 * server/core/curvature.ts) — with the cell panel's markers (warmup end, catapults, divergence).
 */
export function curvesSvg(input: CurvesInput): string {
  const charts = curveCharts(input);
  const subtitle = curvesSubtitle(input);
  const markers = runMarkers(input.series.markers);
  const xDomain = stepDomain(Object.values(input.series.series), false);
  const W = CURVES_WIDTH;
  const H = CURVES_HEIGHT;
  const markup = svgMarkup(
    <svg xmlns="http://www.w3.org/2000/svg" width={W} height={H} viewBox={`0 0 ${W} ${H}`} fontFamily={FONT}>
      <title>{`${input.sweepTitle} — ${input.label}`}</title>
      <rect width={W} height={H} fill="#ffffff" />
      <text x={16} y={21} fontSize="15" fontWeight="700" fill="#111111">
        {input.sweepTitle}
      </text>
      <text x={16} y={40} fontSize="12" fill="#444444">
        {subtitle}
      </text>
      {charts.map((c, i) => {
        const top = TITLE_BAND + i * (CAPTION + CHART_HEIGHT);
        const layout = layoutLineChart({
          width: W,
          height: CHART_HEIGHT,
          series: c.lines,
          xLog: false,
          yLog: true,
          markers,
          yFromDataOnly: c.fromData,
          xDomain,
        });
        return (
          <g key={c.title} transform={`translate(0 ${top})`}>
            <text x={16} y={14} fontSize="12" fontWeight="700" fill="#111111">
              {c.title}
            </text>
            <g transform={`translate(0 ${CAPTION})`}>
              <LineChartSvg layout={layout} title={c.title} />
            </g>
          </g>
        );
      })}
      <text x={W / 2} y={H - FOOTER + 14} fontSize="11" textAnchor="middle" fill="#333333">
        step
      </text>
      <text x={16} y={H - 8} fontSize="11" fill="#333333">
        <tspan fill={WARMUP_END_COLOR}>╌ warmup end</tspan>
        <tspan> · </tspan>
        <tspan fill={CATAPULT_COLOR}>┊ catapult</tspan>
        <tspan> · │ divergence · × non-finite loss · log y</tspan>
      </text>
    </svg>,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${markup}\n`;
}
