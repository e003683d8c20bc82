import { eachSweep, header, waitFor, type ClaimCheck, type ClaimText, type Finding, type FindingsSweep } from './model';
import { countLabels, hasSharpness, regimeTable } from './regime';

/** P7: μP (progressive sharpening): warmup runs are labelled C1; regime label per run. */

const P7_TEXT: ClaimText = {
  prediction:
    'Flat initialisations (μP) are in the progressive-sharpening regime: λ^H rises until η_t·λ^H reaches 2, then the ' +
    'run stays on the edge (η_t ≈ 2/λ^H) for the rest of warmup (PAPER P7, §5 C1).',
  criterion:
    'Regime labels (PAPER §5 [I]: slope of ln λ^H before the first catapult, where η·λ < 2) of the μP runs with ' +
    'warmup that trained. Pass: more than half are C1.',
};

/** P7 for a μP sweep of an SGD-family optimizer that measures λ^H; null when it does not apply. */
export function checkP7(sweep: FindingsSweep): Finding | null {
  if (sweep.spec.parameterization !== 'mup' || !hasSharpness(sweep)) return null;
  const base = header('P7', 'P7: μP runs sharpen progressively', [sweep.sweepId], P7_TEXT);
  const wait = waitFor([sweep]);
  if (wait) return { ...base, ...wait };
  const table = regimeTable(sweep);
  const judged = sweep.cells.filter(
    (c) => c.outcome === 'trained' && c.warmupSteps > 1 && c.regime !== null && c.regime !== 'unknown',
  );
  if (judged.length === 0)
    return { ...base, status: 'not-applicable', summary: 'No μP run with warmup trained with a regime label.', table };
  const c1 = judged.filter((c) => c.regime === 'C1');
  const cycles = c1.filter((c) => c.persistentCycle === true).length;
  const pass = c1.length * 2 > judged.length;
  const summary =
    `${c1.length} of ${judged.length} μP warmup runs are labelled C1 (${cycles} with a persistent cycle at the ` +
    `edge); all labels: ${countLabels(judged)}.`;
  return { ...base, status: pass ? 'pass' : 'fail', summary, table };
}

export const p7Check: ClaimCheck<'P7'> = { claim: 'P7', text: P7_TEXT, findings: eachSweep(checkP7) };
