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
import { isRelativeGrid } from '../../server/core/sweep-spec';
import { type SweepView } from '../../server/api/routers/sweeps';
import { layoutHeatmap, type HeatmapLayout, type HeatmapLayoutInput } from '../charts/heatmap-layout';
import { type SweepViewState } from './view-state';

/**
 * The one heatmap pipeline, pure: a sweep (the `sweeps.byId` view) and a view state (the Sweep page's URL state) →
 * what the heatmap shows (metric, step, grid, axis and legend labels, colour scale) → its layout. The Sweep page, the
 * share viewer, the SVG/PNG/OG/JSON routes and the reproduction report all draw through here, so a shared picture
 * shows what the sender saw. No DOM, no store: usable on the server and in the browser.
 */

/** The metric a view colours by (the catalogue's first when the URL names an unknown one). */
export function viewMetric(view: Pick<SweepViewState, 'metric'>): HeatmapMetric {
  return heatmapMetric(view.metric) ?? (HEATMAP_METRICS[0] as HeatmapMetric);
}

/** The legend title of a view (the metric, or what is drawn at a step). */
export function viewMetricLabel(view: Pick<SweepViewState, 'metric' | 'step'>): string {
  const metric = viewMetric(view);
  if (view.step === null) return metric.label;
  return `${metric.key === 'maxSharpness' ? 'λ^H' : 'train loss'} at step ${view.step}`;
}

/** Heatmap input cells of a sweep, at `step` when given (from the progress histories). */
export function heatmapInputs(data: Pick<SweepView, 'cells'>, step: number | null): HeatmapInputCell[] {
  return data.cells.map((c) => {
    const base = {
      cellId: c.cellId,
      etaInUnits: c.etaInUnits,
      etaExp: c.etaExp,
      warmupSteps: c.warmupSteps,
      seed: c.seed,
    };
    if (step === null) return { ...base, state: c.state, values: c.values };
    const h = c.history;
    const points = h
      ? h.step.map((s, i) => ({ step: s, values: { finalTrainLoss: h.loss[i], maxSharpness: h.sharpness[i] } }))
      : [];
    const at = cellAtStep(points, step, { state: c.state, divergedAtStep: c.divergedAtStep });
    return { ...base, state: at.state, values: at.values };
  });
}

/** What a view's heatmap shows, before pixels: everything `layoutHeatmap` takes but the size. */
export interface HeatmapModel extends Omit<HeatmapLayoutInput, 'width' | 'height'> {
  metric: HeatmapMetric;
  /** The step drawn, or null for final values (a metric without histories ignores the view's step). */
  step: number | null;
  /** True when η is in units of 1/λ0. */
  relative: boolean;
}

/** The heatmap of a view: metric, step, aggregated grid, labels and colour scale. */
export function heatmapModel(
  data: Pick<SweepView, 'cells' | 'sweep'>,
  view: Pick<SweepViewState, 'metric' | 'scale' | 'step'>,
): HeatmapModel {
  const metric = viewMetric(view);
  // A step only redraws metrics the histories carry (the step slider offers only those).
  const step = metric.overTime ? view.step : null;
  const relative = isRelativeGrid(data.sweep.spec);
  const grid: HeatmapGrid = aggregateHeatmap(heatmapInputs(data, step), metric.key);
  return {
    metric,
    step,
    relative,
    grid,
    colorScale: view.scale ?? (metric.log ? 'log' : 'linear'),
    xLabel: relative ? 'η_trgt · λ0  (log₂)' : 'η_trgt  (log₂)',
    yLabel: 'T_wrm  (log₂)',
    metricLabel: viewMetricLabel({ metric: metric.key, step }),
  };
}

/** The heatmap of a view laid out in a `width × height` box. */
export function layoutViewHeatmap(
  data: Pick<SweepView, 'cells' | 'sweep'>,
  view: Pick<SweepViewState, 'metric' | 'scale' | 'step'>,
  size: { width: number; height: number },
): HeatmapLayout {
  return layoutHeatmap({ ...heatmapModel(data, view), ...size });
}

/** The unit of the η axis in words: λ0 (or "pending" before calibration) for a relative grid, else "absolute η". */
export function etaUnitNote(data: Pick<SweepView, 'sweep' | 'lambda0'>): string {
  if (!isRelativeGrid(data.sweep.spec)) return 'absolute η';
  return `λ0 = ${data.lambda0 === null ? 'pending' : formatNumber(data.lambda0)}`;
}
