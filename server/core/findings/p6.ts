import { lambda0Of } from './cell';
import { fmt } from './format';
import { eachSweep, header, waitFor, type ClaimCheck, type ClaimText, type Finding, type FindingsSweep } from './model';
import { countLabels, hasSharpness, regimeTable } from './regime';

/** P6: SP (sharpness reduction): λ^H at the end of warmup is below λ0; regime label per run. */

const P6_TEXT: ClaimText = {
  prediction:
    'Large initialisations (SP) are in the sharpness-reduction regime: λ^H falls during warmup even when the run is ' +
    'stable, and catapults come later and smaller as T_wrm grows (PAPER P6, §5 C2).',
  criterion:
    'Every SP run with warmup (T_wrm > 1) that trained: λ^H at its last measurement before the end of warmup is ' +
    'below λ0 (the run’s own λ0, else the sweep’s calibration, else its first λ^H). Diverged runs are listed but ' +
    'not counted.',
};

/** P6 for an SP sweep of an SGD-family optimizer that measures λ^H; null when it does not apply. */
export function checkP6(sweep: FindingsSweep): Finding | null {
  if (sweep.spec.parameterization !== 'sp' || !hasSharpness(sweep)) return null;
  const base = header('P6', 'P6: SP runs reduce sharpness during warmup', [sweep.sweepId], P6_TEXT);
  const wait = waitFor([sweep]);
  if (wait) return { ...base, ...wait };
  const table = regimeTable(sweep);
  const judged = sweep.cells.filter(
    (c) => c.outcome === 'trained' && c.warmupSteps > 1 && c.landmarks?.sharpness?.warmupEnd,
  );
  if (judged.length === 0) {
    return {
      ...base,
      status: 'not-applicable',
      summary: 'No SP run with warmup trained with λ^H measured during warmup.',
      table,
    };
  }
  const ratios = judged.map((c) => {
    const end = c.landmarks?.sharpness?.warmupEnd?.value ?? NaN;
    const l0 = lambda0Of(sweep, c) ?? NaN;
    return { c, ratio: end / l0 };
  });
  const above = ratios.filter((r) => !(r.ratio < 1));
  const labels = countLabels(judged);
  const range = `${fmt(Math.min(...ratios.map((r) => r.ratio)))}–${fmt(Math.max(...ratios.map((r) => r.ratio)))}`;
  // P6's other half (later catapults with longer warmups) is reported, not judged.
  const timing = [...judged]
    .filter((c) => c.firstCatapultStep !== null)
    .sort((a, b) => a.warmupSteps - b.warmupSteps)
    .map((c) => `${c.firstCatapultStep ?? ''} (T_wrm ${c.warmupSteps})`);
  const timingText = timing.length > 0 ? ` First catapult at step ${timing.join(', ')}.` : '';
  const aboveText = above.map((r) => `T_wrm ${r.c.warmupSteps}: ratio ${fmt(r.ratio)}`).join(', ');
  const verdict =
    above.length === 0
      ? `In all ${judged.length} SP warmup runs that trained, λ^H at the end of warmup is below λ0 (ratio ${range}).`
      : `In ${above.length} of ${judged.length} SP warmup runs λ^H at the end of warmup is not below λ0 ` +
        `(${aboveText}).`;
  const summary = `${verdict} Regimes: ${labels}.${timingText}`;
  return { ...base, status: above.length === 0 ? 'pass' : 'fail', summary, table };
}

export const p6Check: ClaimCheck<'P6'> = { claim: 'P6', text: P6_TEXT, findings: eachSweep(checkP6) };
