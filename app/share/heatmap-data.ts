import {
  aggregateHeatmap,
  cellAtStep,
  formatNumber,
  HEATMAP_METRICS,
  heatmapMetric,
  type HeatmapGrid,
  type HeatmapInputCell,
  type HeatmapMetric,
} from '../../server/core/heatmap';
import { toJsonNumber } from '../../server/core/json-number';
import { type SweepView } from '../../server/api/routers/sweeps';
import { layoutHeatmap, type HeatmapLayout } from '../charts/heatmap-layout';
import { serializeViewState, type SweepViewState } from '../lib/view-state';

/**
 * Shared views, pure: a sweep (the `sweeps.byId` view) and a view state (the Sweep page's URL state) →
 * the heatmap layout, with the same inputs, labels and colour-scale choice as the interactive Sweep page, so the
 * SVG in a pull request shows what the sender saw. No DOM, no store: usable on the server and in the browser.
 */

/** The metric a view colours by (the catalogue's first when the URL names an unknown one). */
export function viewMetric(view: Pick<SweepViewState, 'metric'>): HeatmapMetric {
  return heatmapMetric(view.metric) ?? (HEATMAP_METRICS[0] as HeatmapMetric);
}

/** Heatmap input cells of a sweep, at the step slider's step when the view has one (from the progress histories). */
export function heatmapInputs(data: Pick<SweepView, 'cells'>, step: number | null): HeatmapInputCell[] {
  return data.cells.map((c) => {
    const base = { cellId: c.cellId, eta: c.etaInUnits, warmupSteps: c.warmupSteps, seed: c.seed };
    if (step === null) return { ...base, state: c.state, values: c.values };
    const h = c.history;
    const points = h
      ? h.step.map((s, i) => ({ step: s, values: { finalTrainLoss: h.loss[i], maxSharpness: h.sharpness[i] } }))
      : [];
    const at = cellAtStep(points, step, { state: c.state, divergedAtStep: c.divergedAtStep });
    return { ...base, state: at.state, values: at.values };
  });
}

/** True when the η axis is in units of 1/λ0. */
export function isRelativeGrid(data: Pick<SweepView, 'sweep'>): boolean {
  const g = data.sweep.spec.etaGrid;
  return g.kind === 'pow2' && g.unit === 'inv-lambda0';
}

/** The legend title of a view (the metric, or what is drawn at a step). */
export function viewMetricLabel(view: Pick<SweepViewState, 'metric' | 'step'>): string {
  const metric = viewMetric(view);
  if (view.step === null) return metric.label;
  return `${metric.key === 'maxSharpness' ? 'λ^H' : 'train loss'} at step ${view.step}`;
}

/** The aggregated grid of a view (what the heatmap draws, before pixels). */
export function sharedGrid(data: Pick<SweepView, 'cells'>, view: Pick<SweepViewState, 'metric' | 'step'>): HeatmapGrid {
  const metric = viewMetric(view);
  // A step only redraws metrics the histories carry (as the Sweep page's step slider does).
  return aggregateHeatmap(heatmapInputs(data, metric.overTime ? view.step : null), metric.key);
}

/** The grid of a view as JSON-safe data (NaN and ±Infinity as strings, as the store keeps them). */
export function sharedGridJson(data: Pick<SweepView, 'cells' | 'sweep' | 'state' | 'lambda0'>, view: SweepViewState) {
  const grid = sharedGrid(data, view);
  const metric = viewMetric(view);
  return {
    sweepId: data.sweep.id,
    state: data.state,
    metric: metric.key,
    metricLabel: viewMetricLabel({ metric: metric.key, step: metric.overTime ? view.step : null }),
    step: metric.overTime ? view.step : null,
    etaUnit: isRelativeGrid(data) ? ('inv-lambda0' as const) : ('absolute' as const),
    lambda0: data.lambda0,
    etas: grid.etas,
    warmups: grid.warmups,
    extent: grid.extent,
    cells: grid.cells.flatMap((c) =>
      c === null
        ? []
        : [
            {
              col: c.col,
              row: c.row,
              eta: c.eta,
              warmupSteps: c.warmupSteps,
              state: c.state,
              value: toJsonNumber(c.value),
              cellIds: c.cellIds,
            },
          ],
    ),
  };
}

/** Lay out the heatmap of a view in a `width × height` box. */
export function layoutSharedHeatmap(
  data: Pick<SweepView, 'cells' | 'sweep'>,
  view: Pick<SweepViewState, 'metric' | 'scale' | 'step'>,
  size: { width: number; height: number },
): HeatmapLayout {
  const metric = viewMetric(view);
  const step = metric.overTime ? view.step : null;
  const grid = sharedGrid(data, view);
  const relative = isRelativeGrid(data);
  return layoutHeatmap({
    grid,
    width: size.width,
    height: size.height,
    colorScale: view.scale ?? (metric.log ? 'log' : 'linear'),
    xLabel: relative ? 'η_trgt · λ0  (log₂)' : 'η_trgt  (log₂)',
    yLabel: 'T_wrm  (log₂)',
    metricLabel: viewMetricLabel({ metric: metric.key, step }),
  });
}

/**
 * The query of a view's images: metric first and always present (a readable, stable `heatmap.svg?metric=…` URL),
 * then the scale, cells and step the picture depends on. `logx` (cell charts only) is left out.
 */
export function imageQuery(view: SweepViewState): string {
  const rest = new URLSearchParams(serializeViewState({ ...view, logx: false }));
  rest.delete('metric');
  const tail = rest.toString();
  return `metric=${encodeURIComponent(view.metric)}${tail ? `&${tail}` : ''}`;
}

/** Paths of a view's resources on this site: the viewer (short link when given), the SVG, the PNG, the OG card, the data. */
export function sharePaths(
  sweepId: string,
  view: SweepViewState,
  shortId?: string,
): { viewer: string; svg: string; png: string; og: string; json: string } {
  const id = encodeURIComponent(sweepId);
  const q = serializeViewState(view);
  const iq = imageQuery(view);
  return {
    viewer: shortId !== undefined ? `/s/${shortId}` : q ? `/s/${id}?${q}` : `/s/${id}`,
    svg: `/api/sweeps/${id}/heatmap.svg?${iq}`,
    png: `/api/sweeps/${id}/heatmap.png?${iq}`,
    og: `/api/sweeps/${id}/og.png?${iq}`,
    json: `/api/sweeps/${id}/heatmap.json?${iq}`,
  };
}

export type SharedSweep = Pick<SweepView, 'sweep' | 'cells' | 'state' | 'counts' | 'lambda0'>;

/** Second title line: sweep title, state, progress, λ0 (or "absolute η"), and the step when one is shown. */
export function shareSubtitle(data: SharedSweep, view: Pick<SweepViewState, 'step'>): string {
  const done = data.counts.done;
  const total = data.cells.length;
  const parts = [data.sweep.spec.title, data.state, `${done}/${total} cells finished`];
  if (isRelativeGrid(data)) parts.push(`λ0 = ${data.lambda0 === null ? 'pending' : formatNumber(data.lambda0)}`);
  else parts.push('absolute η');
  if (view.step !== null) parts.push(`step ${view.step}`);
  return parts.join(' · ');
}
