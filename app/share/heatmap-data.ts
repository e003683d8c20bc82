import { toJsonNumber } from '../../server/core/json-number';
import { isRelativeGrid } from '../../server/core/sweep-spec';
import { type SweepView } from '../../server/api/routers/sweeps';
import { etaUnitNote, heatmapModel } from '../lib/heatmap-model';
import { serializeViewState, type SweepViewState } from '../lib/view-state';

/**
 * Shared views, pure: the URLs of a view's resources, its subtitle, and the JSON behind its picture. The picture
 * itself comes from the one heatmap pipeline (app/lib/heatmap-model.ts), as on the Sweep page.
 */

/** The grid of a view as JSON-safe data (NaN and ±Infinity as strings, as the store keeps them). */
export function sharedGridJson(data: Pick<SweepView, 'cells' | 'sweep' | 'state' | 'lambda0'>, view: SweepViewState) {
  const { metric, step, metricLabel, grid } = heatmapModel(data, view);
  return {
    sweepId: data.sweep.id,
    state: data.state,
    metric: metric.key,
    metricLabel,
    step,
    etaUnit: isRelativeGrid(data.sweep.spec) ? ('inv-lambda0' as const) : ('absolute' as const),
    lambda0: data.lambda0,
    // The published field names (`etas`, `eta`) predate `etaInUnits` and are kept for the JSON's readers.
    etas: grid.etaColumns.map((e) => e.etaInUnits),
    warmups: grid.warmups,
    extent: grid.extent,
    cells: grid.cells.flatMap((c) =>
      c === null
        ? []
        : [
            {
              col: c.col,
              row: c.row,
              eta: c.etaInUnits,
              warmupSteps: c.warmupSteps,
              state: c.state,
              value: toJsonNumber(c.value),
              cellIds: c.cellIds,
            },
          ],
    ),
  };
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
  const parts = [data.sweep.spec.title, data.state, `${done}/${total} cells finished`, etaUnitNote(data)];
  if (view.step !== null) parts.push(`step ${view.step}`);
  return parts.join(' · ');
}
