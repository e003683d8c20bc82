'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import {
  aggregateHeatmap,
  cellAtStep,
  formatNumber,
  HEATMAP_METRICS,
  heatmapMetric,
  type HeatmapInputCell,
} from '../../../server/core/heatmap';
import { logSpacedSteps } from '../../../server/core/progress-history';
import { layoutHeatmap, moveFocus, type LaidOutCell } from '../../charts/heatmap-layout';
import { HeatmapSvg } from '../../charts/heatmap-svg';
import { CopyLinkButton } from '../../components/copy-link';
import { CopyMarkdownButton } from '../../components/share/copy-markdown-button';
import { ErrorBox } from '../../components/error-box';
import { LaunchTokenField } from '../../components/launch-token';
import { ProgressBar, StateBadge } from '../../components/status';
import { formatTime } from '../../lib/format-time';
import { parseViewState, selectCell, serializeViewState, type SweepViewState } from '../../lib/view-state';
import { useTRPC } from '../../trpc';
import type { SweepView as SweepViewData } from '../../../server/api/routers/sweeps';
import { CellPanel } from './cell-panel';
import { FindingsPanel } from './findings-panel';

const HEATMAP_W = 520;
const HEATMAP_H = 420;
const LIVE_MS = 2000;

type SweepData = SweepViewData;

function useSweepQuery(id: string, histories: boolean, initial: SweepViewData | null) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.sweeps.byId.queryOptions({ id, histories }),
    // The server component's prefetch (without histories) seeds the first render.
    initialData: !histories && initial ? initial : undefined,
    // Live while anything can still change; the previous data stays on screen while refetching (no layout shift).
    refetchInterval: (q) =>
      q.state.data && q.state.data.state !== 'done' && q.state.data.state !== 'cancelled' ? LIVE_MS : false,
    placeholderData: (prev) => prev,
  });
}

/** Heatmap input cells from the sweep, at the slider's step when one is set. */
function heatmapInputs(data: SweepData, step: number | null): HeatmapInputCell[] {
  return data.cells.map((c) => {
    if (step === null)
      return {
        cellId: c.cellId,
        eta: c.etaInUnits,
        warmupSteps: c.warmupSteps,
        seed: c.seed,
        state: c.state,
        values: c.values,
      };
    const h = c.history;
    const points = h
      ? h.step.map((s, i) => ({ step: s, values: { finalTrainLoss: h.loss[i], maxSharpness: h.sharpness[i] } }))
      : [];
    const at = cellAtStep(points, step, { state: c.state, divergedAtStep: c.divergedAtStep });
    return {
      cellId: c.cellId,
      eta: c.etaInUnits,
      warmupSteps: c.warmupSteps,
      seed: c.seed,
      state: at.state,
      values: at.values,
    };
  });
}

export function SweepView({ id, initial }: { id: string; initial: SweepViewData | null }) {
  const pathname = usePathname();
  const params = useSearchParams();
  // View state lives in React state for immediate feedback and is mirrored into the URL (the shareable truth); a URL
  // changed from outside (back/forward, a pasted link) is read back in.
  const search = params.toString();
  const [view, setViewState] = useState<SweepViewState>(() => parseViewState(new URLSearchParams(search)));
  useEffect(() => {
    setViewState((cur) => {
      const fromUrl = parseViewState(new URLSearchParams(search));
      return serializeViewState(fromUrl) === serializeViewState(cur) ? cur : fromUrl;
    });
  }, [search]);
  const setView = useCallback(
    (patch: Partial<SweepViewState>) => {
      const next = { ...view, ...patch };
      setViewState(next);
      const qs = serializeViewState(next);
      // The native History API updates the URL without a server round trip (view state is client-only).
      window.history.replaceState(null, '', qs ? `${pathname}?${qs}` : pathname);
    },
    [view, pathname],
  );
  // Histories (the bulk of the payload) are fetched only while the step slider shows an earlier step.
  const q = useSweepQuery(id, view.step !== null, initial);
  const [focus, setFocus] = useState<{ col: number; row: number } | null>(null);
  const [hoverKey, setHoverKey] = useState<string | null>(null);

  const data = q.data;
  const metric = heatmapMetric(view.metric) ?? HEATMAP_METRICS[0];
  // The slider's positions: the log-spaced steps every cell's progress history records (server/core/progress-history).
  const lastStep = (data?.sweep.spec.steps ?? 1) - 1;
  const historySteps = useMemo(() => logSpacedSteps(lastStep), [lastStep]);

  const layout = useMemo(() => {
    if (!data || !metric) return null;
    const grid = aggregateHeatmap(heatmapInputs(data, view.step), metric.key);
    const relative = data.sweep.spec.etaGrid.kind === 'pow2' && data.sweep.spec.etaGrid.unit === 'inv-lambda0';
    return layoutHeatmap({
      grid,
      width: HEATMAP_W,
      height: HEATMAP_H,
      colorScale: view.scale ?? (metric.log ? 'log' : 'linear'),
      xLabel: relative ? 'η_trgt · λ0  (log₂)' : 'η_trgt  (log₂)',
      yLabel: 'T_wrm  (log₂)',
      metricLabel:
        view.step === null
          ? metric.label
          : `${metric.overTime && metric.key === 'maxSharpness' ? 'λ^H' : 'train loss'} at step ${view.step}`,
    });
  }, [data, metric, view.scale, view.step]);

  if (q.error) return <ErrorBox title="Could not load this sweep" message={q.error.message} />;
  if (!data || !layout || !metric) return <p className="muted">Loading sweep…</p>;

  const spec = data.sweep.spec;
  const focusedKey = focus ? `${focus.col}:${focus.row}` : null;
  const byKey = new Map(layout.cells.map((c) => [c.key, c]));
  const infoCell = (hoverKey ? byKey.get(hoverKey) : undefined) ?? (focusedKey ? byKey.get(focusedKey) : undefined);
  const done = data.counts.done;
  const total = data.cells.length;

  const onKeyDown = (e: KeyboardEvent<SVGSVGElement>) => {
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      setFocus(moveFocus(layout.cells, focus, e.key));
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      const c = focusedKey ? byKey.get(focusedKey) : undefined;
      if (c) setView({ cells: selectCell(view.cells, c.cellId, e.shiftKey) });
    } else if (e.key === 'Escape') {
      setView({ cells: [] });
    }
  };
  const onCellClick = (c: LaidOutCell, e: { shiftKey: boolean; metaKey: boolean; ctrlKey: boolean }) => {
    setFocus({ col: c.col, row: c.row });
    setView({ cells: selectCell(view.cells, c.cellId, e.shiftKey || e.metaKey || e.ctrlKey) });
  };
  const overTimeMetrics = HEATMAP_METRICS.filter((m) => view.step === null || m.overTime);
  const stepIndex =
    view.step === null
      ? historySteps.length
      : Math.max(
          0,
          historySteps.findIndex((s) => s >= (view.step ?? 0)),
        );

  return (
    <div>
      <SweepHeader data={data} />
      <div className="sweep-layout">
        <section className="panel" aria-label="heatmap">
          <div className="toolbar">
            <label>
              Metric
              <select aria-label="metric" value={metric.key} onChange={(e) => setView({ metric: e.target.value })}>
                {overTimeMetrics.map((m) => (
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
                onChange={(e) =>
                  setView({ scale: e.target.value === 'auto' ? null : (e.target.value as 'linear' | 'log') })
                }
              >
                <option value="auto">auto ({metric.log ? 'log' : 'linear'})</option>
                <option value="linear">linear</option>
                <option value="log">log</option>
              </select>
            </label>
            {/* Sharing: the heatmap as Markdown for a PR, linking to the read-only viewer of this view. */}
            <CopyMarkdownButton sweepId={id} spec={data.sweep.spec} view={view} />
          </div>
          <div
            onMouseLeave={() => setHoverKey(null)}
            onMouseOver={(e) => setHoverKey((e.target as Element).getAttribute('data-key'))}
          >
            <HeatmapSvg
              layout={layout}
              idPrefix="hm"
              title={`Heatmap of ${metric.label} over η_trgt and T_wrm; arrow keys move, Enter selects, Shift+Enter compares`}
              selectedIds={view.cells}
              focusedKey={focusedKey}
              onKeyDown={onKeyDown}
              onFocus={() => {
                if (!focus) setFocus(moveFocus(layout.cells, null, 'ArrowRight'));
              }}
              onCellClick={onCellClick}
            />
          </div>
          <p className="cell-info" aria-live="polite" style={{ minHeight: '2.8em', margin: '4px 0' }}>
            {infoCell ? (
              infoCell.title
            ) : (
              <span className="muted">Hover or focus a cell. Click to open it, Shift+click to compare (up to 4).</span>
            )}
          </p>
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
          <p className="muted" style={{ margin: 0, fontSize: 12 }}>
            {done}/{total} cells finished · red line: divergence/failure boundary ·{' '}
            {spec.etaGrid.kind === 'pow2' && spec.etaGrid.unit === 'inv-lambda0'
              ? `λ0 = ${data.lambda0 === null ? 'pending' : formatNumber(data.lambda0)}`
              : 'absolute η'}
          </p>
        </section>
        {/* The right column: the selected cells, then the claim checks that involve this sweep (visible on first load
            at 1280×800, when no cell is selected yet). */}
        <div className="side-column">
          <CellPanel
            sweepId={id}
            cellIds={view.cells}
            logx={view.logx}
            cells={data.cells}
            onLogx={(logx) => setView({ logx })}
            onRemove={(cellId) => setView({ cells: view.cells.filter((c) => c !== cellId) })}
            live={data.state !== 'done' && data.state !== 'cancelled'}
          />
          <FindingsPanel sweepId={id} live={data.state !== 'done' && data.state !== 'cancelled'} />
        </div>
      </div>
    </div>
  );
}

function SweepHeader({ data }: { data: SweepData }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cancel = useMutation(
    trpc.sweeps.cancel.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.sweeps.byId.queryKey({ id: data.sweep.id }) }),
    }),
  );
  const spec = data.sweep.spec;
  const m = spec.model;
  return (
    <header style={{ marginBottom: 10 }}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h1 style={{ margin: 0 }}>{spec.title}</h1>
        <div className="row">
          <CopyLinkButton />
          <StateBadge state={data.state} />
          <ProgressBar done={data.counts.done} total={data.cells.length} />
          {data.state !== 'done' && data.state !== 'cancelled' && (
            <button type="button" onClick={() => cancel.mutate({ id: data.sweep.id })} disabled={cancel.isPending}>
              Cancel sweep
            </button>
          )}
        </div>
      </div>
      <p className="muted" style={{ margin: '2px 0 0' }}>
        {spec.author} · {formatTime(data.sweep.createdAt)} · {m.kind.toUpperCase()}-{m.depth}-{m.width}{' '}
        {spec.parameterization === 'mup' ? 'μP' : 'SP'} · {spec.loss} · {spec.optimizer.kind} · batch{' '}
        {spec.batchSize || 'full'} · {spec.steps} steps · {spec.data.name}
        {spec.data.trainSubset ? ` (${spec.data.trainSubset})` : ''}
      </p>
      {cancel.error && <ErrorBox title="Cancel failed" message={cancel.error.message} />}
      {cancel.error?.data?.code === 'UNAUTHORIZED' && <LaunchTokenField />}
    </header>
  );
}
