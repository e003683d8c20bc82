import { boundaryText, boundaryValue, rowBoundaries } from './boundary';
import { octavesText } from './format';
import { header, waitFor, type ClaimText, type Finding, type FindingsSweep, type FindingTable } from './model';

/** P12, first part: GI-Adam's boundary at T_wrm = 1 is right of Adam's. */

export const P12_BOUNDARY_TEXT: ClaimText = {
  prediction:
    'GI-Adam (v₀ = g₀²) moves the failure boundary to larger η_trgt: without warmup it trains where Adam fails ' +
    '(PAPER P12, P9).',
  criterion:
    'Adam and GI-Adam sweeps on the same grid: the boundary at T_wrm = 1 (the last η_trgt that trains before the ' +
    'first failure, as for P1). Pass: GI-Adam’s is larger than Adam’s.',
};

/** GI-Adam's boundary at T_wrm = 1 against Adam's (sweeps with an η axis and T_wrm = 1); null if it does not apply. */
export function checkP12Boundary(adam: FindingsSweep, gi: FindingsSweep, ids: string[]): Finding | null {
  if (new Set(adam.cells.map((c) => c.etaInUnits)).size < 2 || !adam.spec.warmupGrid.includes(1)) return null;
  const base = header('P12', 'P12: GI-Adam trains larger η_trgt than Adam without warmup', ids, P12_BOUNDARY_TEXT);
  const wait = waitFor([adam, gi]);
  if (wait) return { ...base, ...wait };
  const a = rowBoundaries(adam.cells);
  const g = rowBoundaries(gi.cells);
  const a1 = a.find((r) => r.warmupSteps === 1);
  const g1 = g.find((r) => r.warmupSteps === 1);
  const table: FindingTable = {
    columns: ['T_wrm', 'Adam: largest trainable η_trgt', 'GI-Adam: largest trainable η_trgt'],
    rows: a.map((r) => {
      const other = g.find((x) => x.warmupSteps === r.warmupSteps);
      return [r.warmupSteps, boundaryText(adam.spec, r), other ? boundaryText(gi.spec, other) : '—'];
    }),
  };
  if (a1 === undefined || g1 === undefined)
    return { ...base, status: 'not-applicable', summary: 'One of the sweeps has no T_wrm = 1 cells.', table };
  if (a1.censored) {
    return {
      ...base,
      status: 'not-applicable',
      summary:
        `Adam trains every η_trgt of the grid at T_wrm = 1 (up to ${boundaryText(adam.spec, a1)}); ` +
        'extend the grid to find its boundary.',
      table,
    };
  }
  const pass = boundaryValue(g1) > boundaryValue(a1);
  const diff =
    a1.largestTrained !== null && g1.largestTrained !== null ? octavesText(a1.largestTrained, g1.largestTrained) : '';
  const notRight = ' GI-Adam’s boundary is not to the right.';
  const both = `${boundaryText(adam.spec, a1)} for Adam and ${boundaryText(gi.spec, g1)} for GI-Adam${diff}`;
  return {
    ...base,
    status: pass ? 'pass' : 'fail',
    summary: `At T_wrm = 1 the largest trainable η_trgt is ${both}.${pass ? '' : notRight}`,
    table,
  };
}
