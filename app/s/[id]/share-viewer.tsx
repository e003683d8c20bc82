'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo, useState, type MouseEvent } from 'react';
import { HEATMAP_METRICS } from '../../../server/core/heatmap';
import { shareTitle } from '../../../server/core/share';
import { type SweepView } from '../../../server/api/routers/sweeps';
import { type Finding } from '../../../server/core/findings';
import { FindingsList } from '../../components/findings-list';
import { statusCounts } from '../../lib/studies-view';
import { HeatmapSvg } from '../../charts/heatmap-svg';
import { useHeatmapFocus } from '../../charts/use-heatmap-focus';
import { ShareBox } from '../../components/share/share-box';
import { layoutViewHeatmap, viewMetric } from '../../lib/heatmap-model';
import { selectCell, serializeViewState, type SweepViewState } from '../../lib/view-state';
import { shareSubtitle } from '../../share/heatmap-data';
import { useTRPC } from '../../trpc';
import { SelectedCells } from './selected-cells';

const W = 720;
const H = 490;
const LIVE_REFRESH_MS = 5000;

export interface ShareViewerProps {
  data: SweepView;
  /** The claim checks that involve this sweep (server/core/findings/). */
  findings: readonly Finding[];
  initialView: SweepViewState;
  origin: string;
}

const isLive = (d: SweepView) => d.state !== 'done' && d.state !== 'cancelled';

/**
 * The sweep and its findings, refreshed every few seconds while the sweep runs. Polled through the API rather than
 * by re-rendering the page: the URL's path can change under the viewer (a short link becomes `/s/<sweepId>?…` once
 * the view changes), and a page refresh at another path would remount the viewer and drop keyboard focus.
 */
function useLiveShare(
  initialData: SweepView,
  initialFindings: readonly Finding[],
  initialView: SweepViewState,
  view: SweepViewState,
): { data: SweepView; findings: readonly Finding[] } {
  const trpc = useTRPC();
  const sweepId = initialData.sweep.id;
  const histories = view.step !== null;
  const liveAtLoad = isLive(initialData);
  const sweep = useQuery({
    ...trpc.sweeps.byId.queryOptions({ id: sweepId, histories }),
    // The server rendered this variant already; a different one (the step changed) is fetched.
    initialData: histories === (initialView.step !== null) ? initialData : undefined,
    placeholderData: (prev) => prev,
    staleTime: LIVE_REFRESH_MS,
    refetchInterval: (q) => (isLive(q.state.data ?? initialData) ? LIVE_REFRESH_MS : false),
    enabled: liveAtLoad || histories !== (initialView.step !== null),
  });
  const found = useQuery({
    ...trpc.studies.sweepFindings.queryOptions({ sweepId }),
    staleTime: LIVE_REFRESH_MS,
    refetchInterval: liveAtLoad ? LIVE_REFRESH_MS : false,
    enabled: liveAtLoad,
  });
  return { data: sweep.data ?? initialData, findings: found.data?.findings ?? initialFindings };
}

/** Links that change the view: a plain href (so the page works without JavaScript), handled in place with it. */
interface ViewLinks {
  view: SweepViewState;
  hrefOf: (v: SweepViewState) => string;
  onLink: (patch: Partial<SweepViewState>) => (e: MouseEvent<HTMLAnchorElement>) => void;
}

/**
 * The read-only viewer of a shared view. Rendered on the server with the sender's view (so it reads without
 * JavaScript: heatmap, selected cells, metric links); with JavaScript, clicks select cells and switch metrics in
 * place, the URL follows, and a running sweep refreshes every few seconds.
 */
export function ShareViewer({ data: initialData, findings: initialFindings, initialView, origin }: ShareViewerProps) {
  const sweepId = initialData.sweep.id;
  const [view, setView] = useState(initialView);
  const { data, findings } = useLiveShare(initialData, initialFindings, initialView, view);
  const live = isLive(data);
  const hrefOf = (v: SweepViewState) => {
    const q = serializeViewState(v);
    return q ? `/s/${sweepId}?${q}` : `/s/${sweepId}`;
  };
  const update = (patch: Partial<SweepViewState>) => {
    const next = { ...view, ...patch };
    setView(next);
    window.history.replaceState(null, '', hrefOf(next));
  };
  const links: ViewLinks = {
    view,
    hrefOf,
    onLink: (patch) => (e) => {
      if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return; // let the browser open a new tab
      e.preventDefault();
      update(patch);
    },
  };
  const metric = viewMetric(view);
  const title = shareTitle(data.sweep.spec, metric.key);
  const layout = useMemo(() => layoutViewHeatmap(data, view, { width: W, height: H }), [data, view]);
  // Keyboard and clicks as on the Sweep page: arrows move, Enter selects, Shift+Enter compares, Escape clears.
  const heatmap = useHeatmapFocus(layout.cells, {
    select: (cellId, add) => update({ cells: selectCell(view.cells, cellId, add) }),
    clear: () => update({ cells: [] }),
  });

  return (
    <article
      className="share-viewer"
      data-testid="share-viewer"
      data-metric={metric.key}
      data-selected={view.cells.join(',')}
    >
      <header style={{ marginBottom: 8 }}>
        <h1 style={{ margin: '0 0 4px', fontSize: 20 }}>{title}</h1>
        <p className="muted" style={{ margin: 0 }}>
          {shareSubtitle(data, view)}
          {live ? ' · live: refreshes every 5 s' : ''}
        </p>
      </header>
      <MetricNav links={links} current={metric.key} />
      <ScaleNav links={links} autoLog={metric.log} />
      <div className="panel" style={{ overflowX: 'auto' }}>
        <HeatmapSvg
          layout={layout}
          idPrefix="sv"
          selectedIds={view.cells}
          title={`${title}. Click a cell to select it, Shift+click to compare; arrow keys move, Enter selects.`}
          {...heatmap}
        />
      </div>
      <SelectedCells data={data} view={view} />
      <ShareFindings findings={findings} />
      <ShareBox sweepId={sweepId} view={view} title={title} origin={origin} />
      <p className="muted" style={{ fontSize: 12 }}>
        <a href={`/sweeps/${sweepId}${serializeViewState(view) ? `?${serializeViewState(view)}` : ''}`}>
          Open in the dashboard
        </a>{' '}
        for step charts of each cell.
      </p>
    </article>
  );
}

function MetricNav({ links, current }: { links: ViewLinks; current: string }) {
  const { view, hrefOf, onLink } = links;
  return (
    <nav aria-label="metric" className="toolbar" style={{ flexWrap: 'wrap' }}>
      <span className="muted">Metric:</span>
      {HEATMAP_METRICS.map((m) =>
        m.key === current ? (
          <strong key={m.key} aria-current="true" data-testid="current-metric">
            {m.label}
          </strong>
        ) : (
          <a key={m.key} href={hrefOf({ ...view, metric: m.key })} onClick={onLink({ metric: m.key })}>
            {m.label}
          </a>
        ),
      )}
    </nav>
  );
}

function ScaleNav({ links, autoLog }: { links: ViewLinks; autoLog: boolean }) {
  const { view, hrefOf, onLink } = links;
  const scales: { key: SweepViewState['scale']; label: string }[] = [
    { key: null, label: `auto (${autoLog ? 'log' : 'linear'})` },
    { key: 'linear', label: 'linear' },
    { key: 'log', label: 'log' },
  ];
  return (
    <nav aria-label="colour scale" className="toolbar">
      <span className="muted">Colour:</span>
      {scales.map((s) =>
        s.key === view.scale ? (
          <strong key={s.label}>{s.label}</strong>
        ) : (
          <a key={s.label} href={hrefOf({ ...view, scale: s.key })} onClick={onLink({ scale: s.key })}>
            {s.label}
          </a>
        ),
      )}
      {view.step !== null && (
        <span>
          · at step {view.step} (
          <a href={hrefOf({ ...view, step: null })} onClick={onLink({ step: null })}>
            show final
          </a>
          )
        </span>
      )}
    </nav>
  );
}

function ShareFindings({ findings }: { findings: readonly Finding[] }) {
  if (findings.length === 0) return null;
  return (
    <section className="panel findings" aria-labelledby="share-findings-heading" data-testid="share-findings">
      <h2 id="share-findings-heading" style={{ margin: 0 }}>
        Findings{' '}
        <span className="muted" style={{ fontSize: 13, fontWeight: 'normal' }}>
          {statusCounts(findings)}
        </span>
      </h2>
      <FindingsList findings={findings} />
    </section>
  );
}
