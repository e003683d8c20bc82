import { type Outcome } from '../outcome';
import { type SweepSpec } from '../sweep-spec';
import { formatEta } from './format';
import { type FindingsCell, type FindingTable } from './model';

/**
 * The trainability boundary of one T_wrm row, as the paper draws it (PAPER §9.1: "the η sweep for a given T_wrm stops
 * at the first divergence or failure"): scanning η upward, the last η at which every seed trained before the first η
 * at which a seed diverged or failed.
 */
export interface RowBoundary {
  warmupSteps: number;
  /** Last η (grid units) before the first untrainable one at which every seed trained; null when the first η fails. */
  largestTrained: number | null;
  /** The grid exponent of `largestTrained` (null for explicit grids or when nothing trained). */
  largestTrainedExp: number | null;
  /** The first η (ascending) where a seed diverged or failed; null when none did. */
  firstUntrainable: { etaInUnits: number; etaExp: number | null; outcome: Outcome } | null;
  /** No η of the grid is untrainable and the largest trained: the true boundary is beyond the grid. */
  censored: boolean;
  /** η values above the first untrainable one where every seed still trained (a noisy edge; not the boundary). */
  trainedAbove: number;
  trained: number;
  finished: number;
  total: number;
}

/**
 * Boundary per T_wrm row (ascending), over the cells with `outcome` known; error and cancelled cells decide nothing
 * (the scan passes over them).
 */
export function rowBoundaries(cells: readonly FindingsCell[]): RowBoundary[] {
  const etas = [...new Set(cells.map((c) => c.etaInUnits))].sort((a, b) => a - b);
  const warmups = [...new Set(cells.map((c) => c.warmupSteps))].sort((a, b) => a - b);
  return warmups.map((w) =>
    rowBoundary(
      w,
      cells.filter((c) => c.warmupSteps === w),
      etas,
    ),
  );
}

/** The boundary of one row's cells, scanning `etas` (every η of the grid, ascending). */
function rowBoundary(warmupSteps: number, row: readonly FindingsCell[], etas: readonly number[]): RowBoundary {
  const byEta = new Map<number, FindingsCell[]>();
  for (const c of row) byEta.set(c.etaInUnits, [...(byEta.get(c.etaInUnits) ?? []), c]);
  let largestTrained: FindingsCell | null = null;
  let firstUntrainable: RowBoundary['firstUntrainable'] = null;
  let trained = 0;
  let trainedAbove = 0;
  for (const eta of etas) {
    const group = byEta.get(eta) ?? [];
    const allTrained = group.length > 0 && group.every((c) => c.outcome === 'trained');
    if (allTrained) trained++;
    if (firstUntrainable !== null) {
      if (allTrained) trainedAbove++;
      continue;
    }
    const bad = group.find((c) => c.outcome === 'diverged' || c.outcome === 'failed');
    if (bad?.outcome) firstUntrainable = { etaInUnits: eta, etaExp: bad.etaExp, outcome: bad.outcome };
    else if (allTrained) largestTrained = group[0] ?? null;
  }
  const maxEta = etas[etas.length - 1];
  return {
    warmupSteps,
    largestTrained: largestTrained?.etaInUnits ?? null,
    largestTrainedExp: largestTrained?.etaExp ?? null,
    firstUntrainable,
    censored: firstUntrainable === null && largestTrained !== null && largestTrained.etaInUnits === maxEta,
    trainedAbove,
    trained,
    finished: row.filter((c) => c.outcome !== null).length,
    total: row.length,
  };
}

/** A row's largest trainable η, as its tables and summaries write it. */
export function boundaryText(spec: SweepSpec, b: RowBoundary): string {
  if (b.largestTrained === null) return 'none trains';
  return `${formatEta(spec, b.largestTrained, b.largestTrainedExp)}${b.censored ? ' (grid edge)' : ''}`;
}

/** A row's first untrainable η with the outcome there, '—' when none. */
export function untrainableText(spec: SweepSpec, b: RowBoundary): string {
  const u = b.firstUntrainable;
  return u ? `${formatEta(spec, u.etaInUnits, u.etaExp)} (${u.outcome})` : '—';
}

/** Comparable value of a boundary: nothing trained = −∞. */
export function boundaryValue(b: RowBoundary): number {
  return b.largestTrained ?? -Infinity;
}

/** The boundary of every T_wrm row of a sweep, as a table. */
export function boundaryTable(spec: SweepSpec, rows: readonly RowBoundary[]): FindingTable {
  return {
    columns: [
      'T_wrm',
      'largest trainable η_trgt',
      'first untrainable η_trgt',
      'trained above it',
      'trained / finished / cells',
    ],
    rows: rows.map((b) => [
      b.warmupSteps,
      boundaryText(spec, b),
      untrainableText(spec, b),
      b.trainedAbove,
      `${b.trained} / ${b.finished} / ${b.total}`,
    ]),
  };
}
