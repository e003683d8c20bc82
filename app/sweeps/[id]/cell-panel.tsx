'use client';

import { useQueries, useQuery } from '@tanstack/react-query';
import { formatLog2Tick, formatNumber } from '../../../server/core/heatmap';
import {
  layoutLineChart,
  thresholdCurve,
  type LineSeriesInput,
  type MarkerInput,
} from '../../charts/line-chart-layout';
import { LineChartSvg } from '../../charts/line-chart-svg';
import { CATAPULT_COLOR, COMPARE_COLORS, DIVERGENCE_COLOR, WARMUP_END_COLOR } from '../../charts/palette';
import { ErrorBox } from '../../components/error-box';
import { useTRPC } from '../../trpc';

const CHART_W = 306;
const CHART_H = 128;
const LIVE_MS = 3000;

interface CellInfo {
  cellId: string;
  etaInUnits: number;
  etaTrgt: number | null;
  warmupSteps: number;
  seed: number;
  state: string;
  step: number;
}

type SeriesKey = 'loss' | 'testLoss' | 'testAcc' | 'lr' | 'sharpness' | 'precondSharpness';

export function CellPanel(props: {
  sweepId: string;
  cellIds: readonly string[];
  cells: readonly CellInfo[];
  logx: boolean;
  onLogx: (logx: boolean) => void;
  /** Drop a cell from the comparison (a keyboard-reachable alternative to Shift+click / Shift+Enter on the heatmap). */
  onRemove?: (cellId: string) => void;
  live: boolean;
}) {
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

  if (primary === undefined) {
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

  const info = new Map(props.cells.map((c) => [c.cellId, c]));
  const d = detail.data;
  const primarySeries = series[0]?.data;
  const markers: MarkerInput[] = [];
  const mk = primarySeries?.markers ?? d?.markers;
  if (mk?.warmupEnd != null) markers.push({ step: mk.warmupEnd, kind: 'warmup-end', color: WARMUP_END_COLOR });
  for (const s of mk?.catapults ?? []) markers.push({ step: s, kind: 'catapult', color: CATAPULT_COLOR });
  if (mk?.divergence != null) markers.push({ step: mk.divergence, kind: 'divergence', color: DIVERGENCE_COLOR });

  const linesOf = (key: SeriesKey, extra?: (cellIndex: number) => LineSeriesInput[]): LineSeriesInput[] =>
    cellIds.flatMap((cellId, i) => {
      const s = series[i]?.data?.series[key];
      const color = COMPARE_COLORS[i % COMPARE_COLORS.length] ?? '#000';
      const own: LineSeriesInput[] = s
        ? [
            {
              key: `${cellId}-${key}`,
              label: `${cellLabel(info.get(cellId), cellId)} ${key}`,
              color,
              steps: s.steps,
              values: s.values,
            },
          ]
        : [];
      return [...own, ...(extra ? extra(i) : [])];
    });
  const thresholdLines =
    (constant: number | null | undefined, name: string) =>
    (i: number): LineSeriesInput[] => {
      const lr = series[i]?.data?.series.lr;
      if (!lr || constant == null) return [];
      const curve = thresholdCurve(lr, constant);
      const cellId = cellIds[i] ?? '';
      return [
        {
          key: `${cellId}-thr`,
          label: `${name} (${cellLabel(info.get(cellId), cellId)})`,
          color: COMPARE_COLORS[i % COMPARE_COLORS.length] ?? '#555',
          steps: curve.steps,
          values: curve.values,
          dashed: true,
          reference: true,
        },
      ];
    };

  const thr = d?.thresholds;
  const charts: { title: string; lines: LineSeriesInput[]; yLog: boolean; fromData?: boolean }[] = [
    { title: 'Train loss', lines: linesOf('loss'), yLog: true },
    { title: 'Test loss', lines: linesOf('testLoss'), yLog: true },
    { title: 'Test accuracy', lines: linesOf('testAcc'), yLog: false },
    { title: 'Learning rate η(t)', lines: linesOf('lr'), yLog: false },
    {
      title: `λ^H and ${thr ? formatNumber(thr.sharpness) : '2'}/η(t)`,
      lines: linesOf('sharpness', thresholdLines(thr?.sharpness, `${thr ? formatNumber(thr.sharpness) : 2}/η`)),
      yLog: true,
      fromData: true,
    },
  ];
  if (thr?.precond != null) {
    charts.push({
      title: `λ^{P⁻¹H} and ${formatNumber(thr.precond)}/η(t)`,
      lines: linesOf('precondSharpness', thresholdLines(thr.precond, `${formatNumber(thr.precond)}/η`)),
      yLog: true,
      fromData: true,
    });
  }
  const regime = primarySeries?.regime;
  // One step range for every chart: 0 (or 1 on log x) to the last step of any compared cell.
  let lastStep = 0;
  for (const q of series)
    for (const s of Object.values(q.data?.series ?? {}))
      lastStep = Math.max(lastStep, s.steps[s.steps.length - 1] ?? 0);
  const xDomain: [number, number] = [logx ? 1 : 0, Math.max(logx ? 10 : 1, lastStep)];
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
              {props.onRemove && cellIds.length > 1 && (
                <button
                  type="button"
                  className="compare-remove"
                  aria-label={`Remove cell ${i + 1} from the comparison`}
                  onClick={() => props.onRemove?.(cellId)}
                  style={{ padding: '0 6px', marginLeft: 'auto' }}
                >
                  ×
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {err && <ErrorBox title="Could not load the cell" message={err.message} />}
      {d && (
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
      )}
      <p className="regime" data-testid="regime" style={{ margin: '4px 0 8px' }}>
        {regime ? (
          <>
            Regime <strong>{regime.regime}</strong> {REGIME_NAMES[regime.regime]}: {regimeEvidence(regime)}
          </>
        ) : (
          <span className="muted">Regime: needs λ measurements (set “sharpness every k steps”).</span>
        )}
      </p>
      <div className="charts">
        {charts.map((c) => {
          const layout = layoutLineChart({
            width: CHART_W,
            height: CHART_H,
            series: c.lines,
            xLog: logx,
            yLog: c.yLog,
            markers,
            yFromDataOnly: c.fromData ?? false,
            xDomain,
          });
          return (
            <figure key={c.title} style={{ margin: 0 }}>
              <figcaption className="chart-title">{c.title}</figcaption>
              <LineChartSvg layout={layout} title={c.title} />
            </figure>
          );
        })}
      </div>
      <p className="muted" style={{ fontSize: 12, margin: '6px 0 0' }}>
        Markers: <span style={{ color: WARMUP_END_COLOR }}>╌ warmup end</span> ·{' '}
        <span style={{ color: CATAPULT_COLOR }}>┊ catapult</span> · <span>│ divergence</span> · dashed curves: stability
        threshold c/η(t) · × non-finite loss
      </p>
    </section>
  );
}

const REGIME_NAMES: Record<string, string> = {
  C1: '(natural progressive sharpening)',
  C2: '(natural sharpness reduction)',
  C3: '(constant sharpness)',
  unknown: '(too few λ points before the first catapult)',
};

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

function cellLabel(c: CellInfo | undefined, fallback: string): string {
  if (!c) return fallback;
  return `η ${formatLog2Tick(c.etaInUnits)}${c.etaTrgt !== null && c.etaTrgt !== c.etaInUnits ? ` (${formatNumber(c.etaTrgt)})` : ''}, T_wrm ${c.warmupSteps}${c.seed !== 1 ? `, seed ${c.seed}` : ''}`;
}
