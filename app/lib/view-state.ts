import { z } from 'zod';
import { HEATMAP_METRICS } from '../../server/core/heatmap';
import { MAX_COMPARE } from '../charts/palette';

/**
 * The Sweep page's view state, kept entirely in the URL: metric, colour scale, compared cells, the step
 * of the step slider, log-x of the cell charts. Parsing is lenient (a hand-edited link falls back to defaults
 * field by field); serialising leaves defaults out so links stay short.
 */
export const SweepViewStateSchema = z.object({
  metric: z.string().default('finalTrainLoss'),
  /** null: the metric's default (log for losses and sharpness). */
  scale: z.enum(['linear', 'log']).nullable().default(null),
  cells: z.array(z.string()).max(MAX_COMPARE).default([]),
  /** null: final values; a number: the heatmap at that step from the progress histories. */
  step: z.int().min(0).nullable().default(null),
  logx: z.boolean().default(false),
});
export type SweepViewState = z.infer<typeof SweepViewStateSchema>;

export const DEFAULT_VIEW: SweepViewState = SweepViewStateSchema.parse({});

/** Read the view state from URL search params, ignoring what does not parse. */
export function parseViewState(params: URLSearchParams): SweepViewState {
  const metric = params.get('metric');
  const scale = params.get('scale');
  const cells = params.get('cells');
  const step = params.get('step');
  const out: SweepViewState = { ...DEFAULT_VIEW, cells: [] };
  if (metric && HEATMAP_METRICS.some((m) => m.key === metric)) out.metric = metric;
  if (scale === 'linear' || scale === 'log') out.scale = scale;
  if (cells)
    out.cells = [...new Set(cells.split(',').filter((c) => /^[A-Za-z0-9_-]{1,64}$/.test(c)))].slice(0, MAX_COMPARE);
  if (step !== null && /^\d{1,9}$/.test(step)) out.step = Number(step);
  out.logx = params.get('logx') === '1';
  return out;
}

/** URL search string (without "?") of a view state; defaults are omitted. */
export function serializeViewState(state: SweepViewState): string {
  const p = new URLSearchParams();
  if (state.metric !== DEFAULT_VIEW.metric) p.set('metric', state.metric);
  if (state.scale !== null) p.set('scale', state.scale);
  if (state.cells.length > 0) p.set('cells', state.cells.join(','));
  if (state.step !== null) p.set('step', String(state.step));
  if (state.logx) p.set('logx', '1');
  return p.toString();
}

/** Select a cell: plain selection replaces the list; `add` toggles it in the compare list (at most 4, oldest dropped). */
export function selectCell(cells: readonly string[], cellId: string, add: boolean): string[] {
  if (!add) return [cellId];
  if (cells.includes(cellId)) return cells.filter((c) => c !== cellId);
  return [...cells, cellId].slice(-MAX_COMPARE);
}
