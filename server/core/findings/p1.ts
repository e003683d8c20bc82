import { boundaryTable, boundaryText, boundaryValue, rowBoundaries, type RowBoundary } from './boundary';
import { octavesText } from './format';
import { eachSweep, header, waitFor, type ClaimCheck, type ClaimText, type Finding, type FindingsSweep } from './model';

/** P1: the largest trainable η_trgt is non-decreasing in T_wrm and larger at the longest T_wrm than at T_wrm = 1. */

const P1_TEXT: ClaimText = {
  prediction:
    'Warmup lets larger η_trgt train: the largest trainable η_trgt (the divergence or failure boundary) moves right ' +
    'as T_wrm grows (PAPER P1).',
  criterion:
    'Per T_wrm row, scanning η_trgt upward, the last η_trgt at which every seed trained before the first one where ' +
    'a seed diverged or failed (PAPER §9.1: the η sweep of a row stops there; a run that trains above it is counted ' +
    'but does not move the boundary). Pass: non-decreasing from row to row, and strictly larger at the longest ' +
    'T_wrm than at T_wrm = 1.',
};

/**
 * P1 for one sweep with linear warmups from 0 (or a fixed η_init), T_wrm = 1 among ≥ 2 warmups and ≥ 2 η values;
 * null when it does not apply.
 */
export function checkP1(sweep: FindingsSweep): Finding | null {
  const { spec } = sweep;
  const mode = spec.etaInit.mode;
  if (mode === 'critical' || mode === 'persistent') return null;
  const warmups = [...new Set(spec.warmupGrid)].sort((a, b) => a - b);
  if (warmups.length < 2 || warmups[0] !== 1) return null;
  // A boundary needs an η axis: single-η mechanism sweeps (Fig 1) are not heatmaps.
  if (new Set(sweep.cells.map((c) => c.etaInUnits)).size < 2) return null;
  const base = header('P1', 'P1: warmup moves the trainability boundary right', [sweep.sweepId], P1_TEXT);
  const wait = waitFor([sweep]);
  if (wait) return { ...base, ...wait };
  const rows = rowBoundaries(sweep.cells);
  const table = boundaryTable(spec, rows);
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first === undefined || last === undefined) return null;
  if (first.censored) {
    return {
      ...base,
      status: 'not-applicable',
      summary:
        `Every η_trgt of the grid trains already at T_wrm = 1 (up to ${boundaryText(spec, first)}): ` +
        'the grid does not reach the boundary, so it cannot move. Extend the η grid.',
      table,
    };
  }
  const drops = leftMoves(sweep, rows);
  const larger = boundaryValue(last) > boundaryValue(first);
  const moved =
    first.largestTrained !== null && last.largestTrained !== null
      ? octavesText(first.largestTrained, last.largestTrained)
      : '';
  const path = rows.map((b) => `T_wrm ${b.warmupSteps}: ${boundaryText(spec, b)}`).join('; ');
  const pass = drops.length === 0 && larger;
  let summary = `Largest trainable η_trgt — ${path}.`;
  if (pass) summary += ` The boundary moves right from T_wrm = 1 to ${last.warmupSteps}${moved} and never moves left.`;
  else if (!larger) summary += ` The boundary at T_wrm = ${last.warmupSteps} is not right of the one at T_wrm = 1.`;
  if (drops.length > 0) summary += ` It moves left at ${drops.join(', ')}.`;
  return { ...base, status: pass ? 'pass' : 'fail', summary, table };
}

/** Each step from one T_wrm row to the next where the boundary moves left, as text. */
function leftMoves(sweep: FindingsSweep, rows: readonly RowBoundary[]): string[] {
  const drops: string[] = [];
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1] as RowBoundary;
    const b = rows[i] as RowBoundary;
    if (boundaryValue(b) < boundaryValue(a)) {
      const from = boundaryText(sweep.spec, a);
      drops.push(`T_wrm ${a.warmupSteps} → ${b.warmupSteps}: ${from} → ${boundaryText(sweep.spec, b)}`);
    }
  }
  return drops;
}

export const p1Check: ClaimCheck<'P1'> = { claim: 'P1', text: P1_TEXT, findings: eachSweep(checkP1) };
