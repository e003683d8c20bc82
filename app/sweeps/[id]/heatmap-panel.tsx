'use client';

import { useMemo, useState } from 'react';
import { HEATMAP_METRICS, type HeatmapMetric } from '../../../server/core/heatmap';
import { logSpacedSteps } from '../../../server/core/progress-history';
import type { SweepView } from '../../../server/api/routers/sweeps';
import { HeatmapSvg } from '../../charts/heatmap-svg';
import { useHeatmapFocus } from '../../charts/use-heatmap-focus';
import { CopyMarkdownButton } from '../../components/share/copy-markdown-button';
import { etaUnitNote, heatmapModel } from '../../lib/heatmap-model';
import { layoutHeatmap } from '../../charts/heatmap-layout';
import { selectCell, type SweepViewState } from '../../lib/view-state';

const HEATMAP_W = 520;
const HEATMAP_H = 420;

interface PanelProps {
  id: string;
  data: SweepView;
  view: SweepViewState;
  setView: (patch: Partial<SweepViewState>) => void;
}

/**
 * The Sweep page's heatmap panel: metric and colour-scale selectors, the heatmap (hover or keyboard focus shows a
 * cell's tooltip below it; click, Enter or Shift+Enter select), the step slider, and a line on the η unit.
 */
export function HeatmapPanel({ id, data, view, setView }: PanelProps) {
  const model = useMemo(() => heatmapModel(data, view), [data, view]);
  const layout = useMemo(() => layoutHeatmap({ ...model, width: HEATMAP_W, height: HEATMAP_H }), [model]);
  const heatmap = useHeatmapFocus(layout.cells, {
    select: (cellId, add) => setView({ cells: selectCell(view.cells, cellId, add) }),
    clear: () => setView({ cells: [] }),
  });
  const [hoverKey, setHoverKey] = useState<string | null>(null);
  const byKey = new Map(layout.cells.map((c) => [c.key, c]));
  const focused = heatmap.focusedKey;
  const infoCell = (hoverKey ? byKey.get(hoverKey) : undefined) ?? (focused ? byKey.get(focused) : undefined);
  const metric = model.metric;
  return (
    <section className="panel" aria-label="heatmap">
      <HeatmapToolbar id={id} data={data} view={view} setView={setView} metric={metric} />
      <div
        onMouseLeave={() => setHoverKey(null)}
        onMouseOver={(e) => setHoverKey((e.target as Element).getAttribute('data-key'))}
      >
        <HeatmapSvg
          layout={layout}
          idPrefix="hm"
          title={`Heatmap of ${metric.label} over η_trgt and T_wrm; arrow keys move, Enter selects, Shift+Enter compares`}
          selectedIds={view.cells}
          {...heatmap}
        />
      </div>
      <p className="cell-info" aria-live="polite" style={{ minHeight: '2.8em', margin: '4px 0' }}>
        {infoCell ? (
          infoCell.title
        ) : (
          <span className="muted">Hover or focus a cell. Click to open it, Shift+click to compare (up to 4).</span>
        )}
      </p>
      <StepSlider lastStep={data.sweep.spec.steps - 1} view={view} setView={setView} metric={metric} />
      <p className="muted" style={{ margin: 0, fontSize: 12 }}>
        {data.counts.done}/{data.cells.length} cells finished · red line: divergence/failure boundary ·{' '}
        {etaUnitNote(data)}
      </p>
    </section>
  );
}

function HeatmapToolbar({ id, data, view, setView, metric }: PanelProps & { metric: HeatmapMetric }) {
  // At a step, only the metrics the progress histories carry can be drawn.
  const metrics = HEATMAP_METRICS.filter((m) => view.step === null || m.overTime);
  return (
    <div className="toolbar">
      <label>
        Metric
        <select aria-label="metric" value={metric.key} onChange={(e) => setView({ metric: e.target.value })}>
          {metrics.map((m) => (
            <option key={m.key} value={m.key}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Colour
        <select
          aria-label="colour scale"
          value={view.scale ?? 'auto'}
          onChange={(e) => setView({ scale: e.target.value === 'auto' ? null : (e.target.value as 'linear' | 'log') })}
        >
          <option value="auto">auto ({metric.log ? 'log' : 'linear'})</option>
          <option value="linear">linear</option>
          <option value="log">log</option>
        </select>
      </label>
      {/* Sharing: the heatmap as Markdown for a PR, linking to the read-only viewer of this view. */}
      <CopyMarkdownButton sweepId={id} spec={data.sweep.spec} view={view} />
    </div>
  );
}

/** The step slider: the log-spaced steps every cell's progress history records, then "final". */
function StepSlider(props: Omit<PanelProps, 'id' | 'data'> & { lastStep: number; metric: HeatmapMetric }) {
  const { view, setView, metric } = props;
  const historySteps = useMemo(() => logSpacedSteps(props.lastStep), [props.lastStep]);
  const stepIndex =
    view.step === null
      ? historySteps.length
      : Math.max(
          0,
          historySteps.findIndex((s) => s >= (view.step ?? 0)),
        );
  return (
    <div className="toolbar">
      <label style={{ flex: 1 }}>
        Step
        <input
          type="range"
          aria-label="step"
          min={0}
          max={historySteps.length}
          value={stepIndex}
          disabled={historySteps.length === 0}
          onChange={(e) => {
            const i = Number(e.target.value);
            const s = i >= historySteps.length ? null : (historySteps[i] ?? null);
            setView({ step: s, metric: s !== null && !metric.overTime ? 'finalTrainLoss' : view.metric });
          }}
          style={{ flex: 1 }}
        />
        <output aria-label="step shown" style={{ minWidth: 70 }}>
          {view.step === null ? 'final' : `step ${view.step}`}
        </output>
      </label>
    </div>
  );
}
