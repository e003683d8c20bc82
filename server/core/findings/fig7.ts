import { boundaryText, boundaryValue, rowBoundaries, untrainableText } from './boundary';
import { fmt, median } from './format';
import { eachSweep, header, waitFor } from './model';
import type { ClaimCheck, ClaimText, Finding, FindingsSweep, FindingTable } from './model';

/** Fig 7: persistent catapult warmup trains larger η_trgt than linear warmup. */

const FIG7_TEXT: ClaimText = {
  prediction:
    'Persistent catapult warmup (PAPER §6.2, Algorithm 3) trains larger η_trgt than linear warmup (PAPER Fig 7).',
  criterion:
    'Largest trainable η_trgt of the persistent-catapult sweep against each linear-warmup row of a sibling sweep on ' +
    'the same η grid. Pass: larger than the T_wrm = 1 row’s and at least the largest of the warmup rows’.',
};

/** Fig 7 for a persistent-catapult sweep against a linear-warmup sibling on its η grid; null when it does not apply. */
export function checkFig7(sweep: FindingsSweep, siblings: readonly FindingsSweep[]): Finding | null {
  if (sweep.spec.etaInit.mode !== 'persistent') return null;
  const linear = siblings.find(
    (s) => s.spec.etaInit.mode === 'zero' && JSON.stringify(s.spec.etaGrid) === JSON.stringify(sweep.spec.etaGrid),
  );
  const ids = linear ? [sweep.sweepId, linear.sweepId] : [sweep.sweepId];
  const base = header('Fig7', 'Fig 7: persistent catapult warmup vs linear warmup', ids, FIG7_TEXT);
  if (linear === undefined)
    return {
      ...base,
      status: 'not-applicable',
      summary: 'No linear-warmup sweep on the same η grid to compare with.',
      table: null,
    };
  const wait = waitFor([sweep, linear]);
  if (wait) return { ...base, ...wait };
  const p = rowBoundaries(sweep.cells.map((c) => ({ ...c, warmupSteps: 0 })))[0];
  const rows = rowBoundaries(linear.cells);
  if (p === undefined) return null;
  const reached = sweep.cells
    .filter((c) => c.outcome === 'trained')
    .map((c) => c.persistentReachedStep)
    .filter((s): s is number => s !== null);
  const table: FindingTable = {
    columns: ['warmup', 'largest trainable η_trgt', 'first untrainable η_trgt'],
    rows: [
      [
        `persistent catapult (median step at η_trgt: ${fmt(median(reached))})`,
        boundaryText(sweep.spec, p),
        untrainableText(sweep.spec, p),
      ],
      ...rows.map((r) => [
        `linear, T_wrm = ${r.warmupSteps}`,
        boundaryText(linear.spec, r),
        untrainableText(linear.spec, r),
      ]),
    ],
  };
  const constant = rows.find((r) => r.warmupSteps === 1);
  const warm = rows.filter((r) => r.warmupSteps > 1);
  const bestWarm = warm.length ? Math.max(...warm.map(boundaryValue)) : -Infinity;
  const beatsConstant = constant === undefined || boundaryValue(p) > boundaryValue(constant);
  const pass = beatsConstant && boundaryValue(p) >= bestWarm;
  const linearText = rows.map((r) => `T_wrm ${r.warmupSteps}: ${boundaryText(linear.spec, r)}`).join(', ');
  const summary = `Largest trainable η_trgt: persistent ${boundaryText(sweep.spec, p)}; linear ${linearText}.`;
  return { ...base, status: pass ? 'pass' : 'fail', summary, table };
}

export const fig7Check: ClaimCheck<'Fig7'> = { claim: 'Fig7', text: FIG7_TEXT, findings: eachSweep(checkFig7) };
