import { type PlacedCell } from '../../../server/core/grid';
import { formatEtaInUnits, formatNumber } from '../../../server/core/heatmap';
import type { CellDetail, SeriesOutput } from '../../../server/api/routers/cells';
import { thresholdLine, type LineSeriesInput } from '../../charts/line-chart-layout';
import { COMPARE_COLORS } from '../../charts/palette';

/**
 * What the cell panel charts, pure: for the compared cells (in compare order, each in its compare colour) the train
 * and test curves, the learning rate, and λ^H (and λ^{P⁻¹H} for Adam) against their stability thresholds c/η(t).
 */

/** What the panel shows of a cell besides its charts. */
export interface CellInfo extends PlacedCell {
  state: string;
  step: number;
}

type SeriesKey = 'loss' | 'testLoss' | 'testAcc' | 'lr' | 'sharpness' | 'precondSharpness';

export interface CellChart {
  title: string;
  lines: LineSeriesInput[];
  yLog: boolean;
  fromData?: boolean;
}

/** Label of a cell: `η 2^5 (0.0123), T_wrm 16` (the absolute η_trgt in brackets when it differs), or the fallback. */
export function cellLabel(c: CellInfo | undefined, fallback: string): string {
  if (!c) return fallback;
  const abs = c.etaTrgt !== null && c.etaTrgt !== c.etaInUnits ? ` (${formatNumber(c.etaTrgt)})` : '';
  return `η ${formatEtaInUnits(c)}${abs}, T_wrm ${c.warmupSteps}${c.seed !== 1 ? `, seed ${c.seed}` : ''}`;
}

/** The panel's charts for `cellIds` with their series (same order; undefined while loading). */
export function cellCharts(
  cellIds: readonly string[],
  series: readonly (SeriesOutput | undefined)[],
  info: ReadonlyMap<string, CellInfo>,
  thr: CellDetail['thresholds'] | undefined,
): CellChart[] {
  const colorOf = (i: number) => COMPARE_COLORS[i % COMPARE_COLORS.length];
  const labelOf = (cellId: string) => cellLabel(info.get(cellId), cellId);
  const linesOf = (key: SeriesKey, extra?: (cellIndex: number) => LineSeriesInput[]): LineSeriesInput[] =>
    cellIds.flatMap((cellId, i) => {
      const s = series[i]?.series[key];
      const own: LineSeriesInput[] = s
        ? [
            {
              key: `${cellId}-${key}`,
              label: `${labelOf(cellId)} ${key}`,
              color: colorOf(i) ?? '#000',
              steps: s.steps,
              values: s.values,
            },
          ]
        : [];
      return [...own, ...(extra ? extra(i) : [])];
    });
  const thresholdLines = (constant: number | null | undefined, name: string) => (i: number) => {
    const cellId = cellIds[i] ?? '';
    const line = { key: `${cellId}-thr`, label: `${name} (${labelOf(cellId)})`, color: colorOf(i) ?? '#555' };
    return thresholdLine(series[i]?.series.lr, constant, line);
  };
  const sharpC = thr ? formatNumber(thr.sharpness) : '2';
  const charts: CellChart[] = [
    { title: 'Train loss', lines: linesOf('loss'), yLog: true },
    { title: 'Test loss', lines: linesOf('testLoss'), yLog: true },
    { title: 'Test accuracy', lines: linesOf('testAcc'), yLog: false },
    { title: 'Learning rate η(t)', lines: linesOf('lr'), yLog: false },
    {
      title: `λ^H and ${sharpC}/η(t)`,
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
  return charts;
}
