'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { formatLog2Tick, formatNumber, HEATMAP_METRICS } from '../../../server/core/heatmap';
import { shareTitle } from '../../../server/core/share';
import { type SweepView } from '../../../server/api/routers/sweeps';
import { type Finding } from '../../../server/core/findings';
import { FindingsList } from '../../components/findings-list';
import { statusCounts } from '../../lib/studies-view';
import { moveFocus, type LaidOutCell } from '../../charts/heatmap-layout';
import { HeatmapSvg } from '../../charts/heatmap-svg';
import { COMPARE_COLORS } from '../../charts/palette';
import { ShareBox } from '../../components/share/share-box';
import { selectCell, serializeViewState, type SweepViewState } from '../../lib/view-state';
import { layoutSharedHeatmap, shareSubtitle, viewMetric } from '../../share/heatmap-data';

const W = 720;
const H = 490;
const LIVE_REFRESH_MS = 5000;

export interface ShareViewerProps {
  data: SweepView;
  /** The claim checks that involve this sweep (server/core/findings.ts). */
  findings: readonly Finding[];
  initialView: SweepViewState;
  origin: string;
}

/**
 * The read-only viewer of a shared view. Rendered on the server with the sender's view (so it reads without
 * JavaScript: heatmap, selected cells, metric links); with JavaScript, clicks select cells and switch metrics in
 * place, the URL follows, and a running sweep refreshes every few seconds.
 */
export function ShareViewer({ data, findings, initialView, origin }: ShareViewerProps) {
  const router = useRouter();
  const sweepId = data.sweep.id;
  const [view, setView] = useState(initialView);
  const live = data.state !== 'done' && data.state !== 'cancelled';
  const hrefOf = (v: SweepViewState) => {
    const q = serializeViewState(v);
    return q ? `/s/${sweepId}?${q}` : `/s/${sweepId}`;
  };
  const update = (patch: Partial<SweepViewState>) => {
    const next = { ...view, ...patch };
    setView(next);
    window.history.replaceState(null, '', hrefOf(next));
  };
  useEffect(() => {
    if (!live) return;
    const t = window.setInterval(() => router.refresh(), LIVE_REFRESH_MS);
    return () => window.clearInterval(t);
  }, [live, router]);

  const metric = viewMetric(view);
  const title = shareTitle(data.sweep.spec, metric.key);
  const subtitle = shareSubtitle(data, view);
  const layout = useMemo(() => layoutSharedHeatmap(data, view, { width: W, height: H }), [data, view]);
  const onLink = (patch: Partial<SweepViewState>) => (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return; // let the browser open a new tab
    e.preventDefault();
    update(patch);
  };
  const [focus, setFocus] = useState<{ col: number; row: number } | null>(null);
  const focusedKey = focus ? `${focus.col}:${focus.row}` : null;
  const onCellClick = (c: LaidOutCell, e: MouseEvent<SVGRectElement>) => {
    setFocus({ col: c.col, row: c.row });
    update({ cells: selectCell(view.cells, c.cellId, e.shiftKey || e.metaKey || e.ctrlKey) });
  };
  // Keyboard as on the Sweep page: arrows move, Enter selects, Shift+Enter compares, Escape clears.
  const onKeyDown = (e: KeyboardEvent<SVGSVGElement>) => {
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      setFocus(moveFocus(layout.cells, focus, e.key));
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      const c = layout.cells.find((x) => x.key === focusedKey);
      if (c) update({ cells: selectCell(view.cells, c.cellId, e.shiftKey) });
    } else if (e.key === 'Escape') {
      update({ cells: [] });
    }
  };
  const scales: { key: SweepViewState['scale']; label: string }[] = [
    { key: null, label: `auto (${metric.log ? 'log' : 'linear'})` },
    { key: 'linear', label: 'linear' },
    { key: 'log', label: 'log' },
  ];

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
          {subtitle}
          {live ? ' · live: refreshes every 5 s' : ''}
        </p>
      </header>
      <nav aria-label="metric" className="toolbar" style={{ flexWrap: 'wrap' }}>
        <span className="muted">Metric:</span>
        {HEATMAP_METRICS.map((m) =>
          m.key === metric.key ? (
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
      <div className="panel" style={{ overflowX: 'auto' }}>
        <HeatmapSvg
          layout={layout}
          idPrefix="sv"
          selectedIds={view.cells}
          focusedKey={focusedKey}
          title={`${title}. Click a cell to select it, Shift+click to compare; arrow keys move, Enter selects.`}
          onCellClick={onCellClick}
          onKeyDown={onKeyDown}
          onFocus={() => {
            if (!focus) setFocus(moveFocus(layout.cells, null, 'ArrowRight'));
          }}
        />
      </div>
      <SelectedCells data={data} view={view} />
      {findings.length > 0 && (
        <section className="panel findings" aria-labelledby="share-findings-heading" data-testid="share-findings">
          <h2 id="share-findings-heading" style={{ margin: 0 }}>
            Findings{' '}
            <span className="muted" style={{ fontSize: 13, fontWeight: 'normal' }}>
              {statusCounts(findings)}
            </span>
          </h2>
          <FindingsList findings={findings} />
        </section>
      )}
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

function SelectedCells({ data, view }: { data: SweepView; view: SweepViewState }) {
  const relative = data.sweep.spec.etaGrid.kind === 'pow2' && data.sweep.spec.etaGrid.unit === 'inv-lambda0';
  if (view.cells.length === 0)
    return <p className="muted">No cell selected. Click a cell to select it; Shift+click to compare up to four.</p>;
  return (
    <table
      className="selected-cells"
      aria-label="selected cells"
      cellPadding={4}
      style={{ borderCollapse: 'collapse', margin: '8px 0', fontSize: 13, textAlign: 'left' }}
    >
      <thead>
        <tr>
          <th>#</th>
          <th>cell</th>
          <th>{relative ? 'η_trgt · λ0' : 'η_trgt'}</th>
          <th>η_trgt</th>
          <th>T_wrm</th>
          <th>state</th>
          <th>final train loss</th>
          <th>best train loss</th>
          <th>final test acc.</th>
          <th>diverged at step</th>
        </tr>
      </thead>
      <tbody>
        {view.cells.map((id, i) => {
          const c = data.cells.find((x) => x.cellId === id);
          const v = (k: string) => {
            const x = c?.values[k];
            return x === undefined ? '—' : formatNumber(x);
          };
          return (
            <tr key={id} data-testid="selected-cell" data-cell-id={id}>
              <td>
                <span
                  style={{
                    display: 'inline-block',
                    width: 10,
                    height: 10,
                    background: COMPARE_COLORS[i % COMPARE_COLORS.length],
                    marginRight: 4,
                  }}
                />
                {i + 1}
              </td>
              <td>
                <code>{id}</code>
              </td>
              {c ? (
                <>
                  <td>{formatLog2Tick(c.etaInUnits)}</td>
                  <td>{c.etaTrgt === null ? 'pending λ0' : formatNumber(c.etaTrgt)}</td>
                  <td>{c.warmupSteps}</td>
                  <td data-testid="selected-cell-state">{c.state}</td>
                  <td>{v('finalTrainLoss')}</td>
                  <td>{v('bestTrainLoss')}</td>
                  <td>{v('finalTestAcc')}</td>
                  <td>{c.divergedAtStep ?? '—'}</td>
                </>
              ) : (
                <td colSpan={8} className="muted">
                  not a cell of this sweep
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
