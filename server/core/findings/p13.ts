import { type Outcome } from '../outcome';
import { lambda0Of } from './cell';
import { fmt, formatEta } from './format';
import { eachSweep, header, sameGrid, waitFor } from './model';
import type { ClaimCheck, ClaimText, Finding, FindingsCell, FindingsSweep, FindingTable } from './model';

/** P13: with η_init = η_c, T_reach = 1 when η_trgt ≤ η_c and T_reach < T_wrm otherwise. */

const P13_TEXT: ClaimText = {
  prediction:
    'Starting warmup at η_init = η_c (forward-pass loss-catapult search) reaches η_trgt sooner: at step 1 when ' +
    'η_trgt ≤ η_c, and after T_reach = T_wrm·(1 − η_c/η_trgt) < T_wrm steps otherwise (PAPER P13, §2.3).',
  criterion:
    'Per finished run with η_init = η_c: T_reach = 1 + the step of its first update at η_trgt (its warmup-end ' +
    'event). Pass: T_reach = 1 for every run with η_trgt ≤ η_c, T_reach < T_wrm for every run with η_trgt > η_c. ' +
    'A run that diverged before its rate reached η_trgt has no T_reach: it is listed and counted apart ' +
    '(a trainability cost, compared with η_init = 0), not judged.',
};

/** One run from η_c, with what P13 reads of it. */
interface P13Row {
  c: FindingsCell;
  etaC: number;
  etaTrgt: number;
  /** 1 + the step of the first update at η_trgt, null when it never got there. */
  tReach: number | null;
  below: boolean;
  ok: boolean;
  /** Diverged before the schedule reached η_trgt: no T_reach to judge. */
  divergedFirst: boolean;
  l0: number | null;
}

/** What P13 needs of the study: the sweep from η_c and its twin from η_init = 0 (null without one). */
interface P13Sweeps {
  sweep: FindingsSweep;
  zero: FindingsSweep | null;
}

/** The outcome of a run's twin (same η, T_wrm and seed) in the sweep from η_init = 0, null without one. */
function zeroOutcome({ zero }: P13Sweeps, c: FindingsCell): Outcome | null {
  const twin = zero?.cells.find(
    (z) => z.etaInUnits === c.etaInUnits && z.warmupSteps === c.warmupSteps && z.seed === c.seed,
  );
  return twin?.outcome ?? null;
}

function p13Rows(sweep: FindingsSweep): P13Row[] {
  return sweep.cells
    .filter((c) => c.etaC !== null && c.etaTrgt !== null && c.outcome !== 'error' && c.outcome !== 'cancelled')
    .sort((a, b) => a.warmupSteps - b.warmupSteps || a.etaInUnits - b.etaInUnits)
    .map((c) => {
      const etaC = c.etaC as number;
      const etaTrgt = c.etaTrgt as number;
      const tReach = c.warmupEndEventStep === null ? null : c.warmupEndEventStep + 1;
      const below = etaTrgt <= etaC;
      const divergedFirst = tReach === null && c.divergenceStep !== null;
      const ok = tReach !== null && (below ? tReach === 1 : tReach < c.warmupSteps);
      return { c, etaC, etaTrgt, tReach, below, ok, divergedFirst, l0: lambda0Of(sweep, c) };
    });
}

function p13Table(s: P13Sweeps, rows: readonly P13Row[]): FindingTable {
  const withZero = s.zero !== null;
  return {
    columns: [
      'T_wrm',
      'η_trgt',
      'η_c',
      'η_c·λ0',
      'η_trgt ≤ η_c',
      'T_reach',
      'T_wrm·(1 − η_c/η_trgt)',
      'outcome',
      ...(withZero ? ['outcome from η_init = 0'] : []),
    ],
    rows: rows.map((r) => [
      r.c.warmupSteps,
      formatEta(s.sweep.spec, r.c.etaInUnits, r.c.etaExp),
      fmt(r.etaC),
      r.l0 === null ? '—' : fmt(r.etaC * r.l0),
      r.below ? 'yes' : 'no',
      r.divergedFirst ? `diverged at step ${r.c.divergenceStep ?? '?'}` : r.tReach,
      fmt(Math.max(1, r.c.warmupSteps * (1 - Math.min(1, r.etaC / r.etaTrgt)))),
      r.c.outcome ?? '—',
      ...(withZero ? [zeroOutcome(s, r.c) ?? '—'] : []),
    ]),
  };
}

/** " N diverged before reaching η_trgt (…)." for the runs that did, '' when none did. */
function divergedFirstText(s: P13Sweeps, early: readonly P13Row[]): string {
  if (early.length === 0) return '';
  const each = early.slice(0, 4).map((r) => {
    const where = `T_wrm ${r.c.warmupSteps}, η_trgt ${formatEta(s.sweep.spec, r.c.etaInUnits, r.c.etaExp)}`;
    const fromZero = s.zero ? `; from η_init = 0: ${zeroOutcome(s, r.c) ?? '—'}` : '';
    return `${where}, step ${r.c.divergenceStep ?? '?'}${fromZero}`;
  });
  return ` ${early.length} diverged before reaching η_trgt (${each.join('; ')}).`;
}

/** The range of η_c·λ0 and, with a sweep from η_init = 0, how many runs trained from each start. */
function contextText(s: P13Sweeps, rows: readonly P13Row[]): string {
  const etaCs = rows.map((r) => r.etaC * (r.l0 ?? NaN)).filter(Number.isFinite);
  const etaCText = etaCs.length ? ` η_c·λ0 ranges ${fmt(Math.min(...etaCs))}–${fmt(Math.max(...etaCs))}.` : '';
  if (s.zero === null) return etaCText;
  const trainedC = rows.filter((r) => r.c.outcome === 'trained').length;
  const trainedZ = rows.filter((r) => zeroOutcome(s, r.c) === 'trained').length;
  return `${etaCText} Trained: ${trainedC} of ${rows.length} from η_c, ${trainedZ} from 0.`;
}

/** P13 for a sweep from η_init = η_c, compared with a sibling from η_init = 0 on its grid when the study has one. */
export function checkP13(sweep: FindingsSweep, siblings: readonly FindingsSweep[] = []): Finding | null {
  if (sweep.spec.etaInit.mode !== 'critical') return null;
  const zero = siblings.find((s) => s.spec.etaInit.mode === 'zero' && sameGrid(s.spec, sweep.spec)) ?? null;
  const s: P13Sweeps = { sweep, zero };
  const ids = zero ? [sweep.sweepId, zero.sweepId] : [sweep.sweepId];
  const base = header('P13', 'P13: warmup from η_c reaches η_trgt sooner', ids, P13_TEXT);
  const wait = waitFor([sweep]);
  if (wait) return { ...base, ...wait };
  const rows = p13Rows(sweep);
  const table = p13Table(s, rows);
  if (rows.length === 0) return { ...base, status: 'not-applicable', summary: 'No run recorded an η_c search.', table };
  const judged = rows.filter((r) => !r.divergedFirst);
  const earlyText = divergedFirstText(
    s,
    rows.filter((r) => r.divergedFirst),
  );
  if (judged.length === 0)
    return {
      ...base,
      status: 'not-applicable',
      summary: `Every run diverged before reaching η_trgt.${earlyText}`,
      table,
    };
  const bad = judged.filter((r) => !r.ok);
  const nBelow = judged.filter((r) => r.below).length;
  const tail = `${earlyText}${contextText(s, rows)}`;
  const badText = bad
    .slice(0, 4)
    .map((r) => {
      const eta = formatEta(sweep.spec, r.c.etaInUnits, r.c.etaExp);
      return `T_wrm ${r.c.warmupSteps}, η_trgt ${eta}: T_reach ${r.tReach ?? 'never'}`;
    })
    .join('; ');
  const summary =
    bad.length === 0
      ? `${nBelow} runs with η_trgt ≤ η_c reached it at step 1; ${judged.length - nBelow} with η_trgt > η_c ` +
        `reached it in fewer than T_wrm steps.${tail}`
      : `${bad.length} of ${judged.length} runs did not: ${badText}.${tail}`;
  return { ...base, status: bad.length === 0 ? 'pass' : 'fail', summary, table };
}

export const p13Check: ClaimCheck<'P13'> = { claim: 'P13', text: P13_TEXT, findings: eachSweep(checkP13) };
