'use client';

import { useQueries, useQuery } from '@tanstack/react-query';
import { formatNumber } from '../../../server/core/heatmap';
import type { CellDetail, CellMarkers, SeriesOutput } from '../../../server/api/routers/cells';
import { layoutLineChart, runMarkers, stepDomain, type MarkerInput } from '../../charts/line-chart-layout';
import { LineChartSvg } from '../../charts/line-chart-svg';
import { CATAPULT_COLOR, COMPARE_COLORS, WARMUP_END_COLOR } from '../../charts/palette';
import { ErrorBox } from '../../components/error-box';
import { useTRPC } from '../../trpc';
import { cellCharts, cellLabel, type CellChart, type CellInfo } from './cell-charts';

const CHART_W = 306;
const CHART_H = 128;
const LIVE_MS = 3000;

interface CellPanelProps {
  sweepId: string;
  cellIds: readonly string[];
  cells: readonly CellInfo[];
  logx: boolean;
  onLogx: (logx: boolean) => void;
  /** Drop a cell from the comparison (a keyboard-reachable alternative to Shift+click / Shift+Enter on the heatmap). */
  onRemove?: (cellId: string) => void;
  live: boolean;
}

export function CellPanel(props: CellPanelProps) {
  const { sweepId, cellIds, logx } = props;
  const trpc = useTRPC();
  const primary = cellIds[0];
  const detail = useQuery({
    ...trpc.cells.byId.queryOptions({ sweepId, cellId: primary ?? '' }),
    enabled: primary !== undefined,
    refetchInterval: props.live ? LIVE_MS : false,
    placeholderData: (prev) => prev,
  });
  const series = useQueries({
    queries: cellIds.map((cellId) => ({
      ...trpc.cells.series.queryOptions({ sweepId, cellId }),
      refetchInterval: props.live ? LIVE_MS : false,
      placeholderData: <T,>(prev: T) => prev,
    })),
  });

  if (primary === undefined) return <NoCellSelected />;

  const info = new Map(props.cells.map((c) => [c.cellId, c]));
  const d = detail.data;
  const seriesData = series.map((q) => q.data);
  const primarySeries = seriesData[0];
  const mk = primarySeries?.markers ?? d?.markers;
  const err = detail.error ?? series.find((s) => s.error)?.error;

  return (
    <section className="panel" aria-label="cell">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 style={{ margin: 0 }}>{cellIds.length > 1 ? `Comparing ${cellIds.length} cells` : 'Cell'}</h2>
        <label className="row" style={{ gap: 4 }}>
          <input type="checkbox" checked={logx} onChange={(e) => props.onLogx(e.target.checked)} aria-label="log-x" />
          log x
        </label>
      </div>
      <CompareLegend cellIds={cellIds} info={info} onRemove={props.onRemove} />
      {err && <ErrorBox title="Could not load the cell" message={err.message} />}
      {d && <CellSummary detail={d} markers={mk} />}
      <RegimeLine regime={primarySeries?.regime} />
      <CellChartGrid
        charts={cellCharts(cellIds, seriesData, info, d?.thresholds)}
        markers={runMarkers(mk)}
        logx={logx}
        // One step range for every chart: 0 (or 1 on log x) to the last step of any compared cell.
        xDomain={stepDomain(
          seriesData.flatMap((q) => Object.values(q?.series ?? {})),
          logx,
        )}
      />
      <p className="muted" style={{ fontSize: 12, margin: '6px 0 0' }}>
        Markers: <span style={{ color: WARMUP_END_COLOR }}>╌ warmup end</span> ·{' '}
        <span style={{ color: CATAPULT_COLOR }}>┊ catapult</span> · <span>│ divergence</span> · dashed curves: stability
        threshold c/η(t) · × non-finite loss
      </p>
    </section>
  );
}

function NoCellSelected() {
  return (
    <section className="panel" aria-label="cell">
      <h2 style={{ marginTop: 0 }}>Cell</h2>
      <p className="muted">
        Select a cell on the heatmap (click, or arrow keys then Enter) to see its curves: train loss, test metrics,
        learning rate, and sharpness against its stability threshold. Shift+click adds up to four cells to compare.
      </p>
    </section>
  );
}

/** The compared cells in their colours, each with a remove button while two or more are compared. */
function CompareLegend(props: {
  cellIds: readonly string[];
  info: ReadonlyMap<string, CellInfo>;
  onRemove: CellPanelProps['onRemove'];
}) {
  const { cellIds, info, onRemove } = props;
  return (
    <ul className="cell-legend" style={{ listStyle: 'none', padding: 0, margin: '6px 0' }}>
      {cellIds.map((cellId, i) => {
        const c = info.get(cellId);
        return (
          <li key={cellId} data-testid="selected-cell" style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
            <span
              aria-hidden
              style={{
                width: 12,
                height: 12,
                background: COMPARE_COLORS[i % COMPARE_COLORS.length],
                display: 'inline-block',
                borderRadius: 2,
              }}
            />
            <strong>{i + 1}.</strong> {cellLabel(c, cellId)} · {c?.state ?? '…'} · step {c?.step ?? '–'}
            {onRemove && cellIds.length > 1 && (
              <button
                type="button"
                className="compare-remove"
                aria-label={`Remove cell ${i + 1} from the comparison`}
                onClick={() => onRemove(cellId)}
                style={{ padding: '0 6px', marginLeft: 'auto' }}
              >
                ×
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** The primary cell's outcome line: outcome, key numbers, η_c, backend, error, divergence step. */
function CellSummary({ detail: d, markers: mk }: { detail: CellDetail; markers: CellMarkers | undefined }) {
  return (
    <p style={{ margin: '4px 0', fontSize: 13 }} data-testid="cell-summary">
      {d.result ? (
        <>
          Outcome <strong>{d.result.outcome}</strong> at step {d.result.lastStep}
          {d.result.summary.finalTrainLoss !== undefined && (
            <> · final train loss {formatNumber(d.result.summary.finalTrainLoss)}</>
          )}
          {d.result.summary.bestTestAcc !== undefined && (
            <> · best test acc {formatNumber(d.result.summary.bestTestAcc)}</>
          )}
          {d.run?.etaC != null && <> · η_c {formatNumber(d.run.etaC)}</>}
          {d.run && <> · {d.run.backend}</>}
          {d.result.error && <> · error: {d.result.error}</>}
        </>
      ) : (
        <>No result yet ({d.cell.state}).</>
      )}
      {mk?.divergence != null && <> · diverged at step {mk.divergence}</>}
    </p>
  );
}

function CellChartGrid(props: {
  charts: CellChart[];
  markers: MarkerInput[];
  logx: boolean;
  xDomain: [number, number];
}) {
  return (
    <div className="charts">
      {props.charts.map((c) => {
        const layout = layoutLineChart({
          width: CHART_W,
          height: CHART_H,
          series: c.lines,
          xLog: props.logx,
          yLog: c.yLog,
          markers: props.markers,
          yFromDataOnly: c.fromData ?? false,
          xDomain: props.xDomain,
        });
        return (
          <figure key={c.title} style={{ margin: 0 }}>
            <figcaption className="chart-title">{c.title}</figcaption>
            <LineChartSvg layout={layout} title={c.title} />
          </figure>
        );
      })}
    </div>
  );
}

const REGIME_NAMES: Record<string, string> = {
  C1: '(natural progressive sharpening)',
  C2: '(natural sharpness reduction)',
  C3: '(constant sharpness)',
  unknown: '(too few λ points before the first catapult)',
};

function RegimeLine({ regime }: { regime: SeriesOutput['regime'] | undefined }) {
  return (
    <p className="regime" data-testid="regime" style={{ margin: '4px 0 8px' }}>
      {regime ? (
        <>
          Regime <strong>{regime.regime}</strong> {REGIME_NAMES[regime.regime]}: {regimeEvidence(regime)}
        </>
      ) : (
        <span className="muted">Regime: needs λ measurements (set “sharpness every k steps”).</span>
      )}
    </p>
  );
}

function regimeEvidence(r: {
  persistentCycle: boolean | null;
  evidence: {
    logChange: number | null;
    logChangeThreshold: number;
    fitFromStep: number | null;
    fitToStep: number | null;
    catapultCount: number;
    firstCrossingStep: number | null;
    nearThresholdFraction: number | null;
  };
}): string {
  const e = r.evidence;
  const parts: string[] = [];
  if (e.logChange !== null)
    parts.push(
      `ln λ changed by ${formatNumber(e.logChange)} over steps ${e.fitFromStep}–${e.fitToStep} (threshold ±${formatNumber(e.logChangeThreshold)})`,
    );
  parts.push(`${e.catapultCount} catapult${e.catapultCount === 1 ? '' : 's'}`);
  if (e.firstCrossingStep !== null) parts.push(`first η·λ/c ≥ 1 at step ${e.firstCrossingStep}`);
  if (r.persistentCycle !== null)
    parts.push(
      `persistent cycle: ${r.persistentCycle ? 'yes' : 'no'} (${formatNumber((e.nearThresholdFraction ?? 0) * 100)}% of post-crossing warmup steps near the edge)`,
    );
  return parts.join(' · ');
}
