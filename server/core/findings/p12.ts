import { checkP12Boundary, P12_BOUNDARY_TEXT } from './p12-boundary';
import { checkP12Lambda0 } from './p12-lambda0';
import { checkP12Spike } from './p12-spike';
import { sameGrid, type ClaimCheck, type Finding, type FindingsSweep } from './model';

/**
 * P12: GI-Adam against Adam, for each Adam sweep of a study and the GI-Adam sweep on its grid and parameterization:
 * the boundary at T_wrm = 1 is right of Adam's, λ0^{P⁻¹H} is √(1−β2) of Adam's, and Adam's initial loss spike is gone.
 */
export function checkP12(sweeps: readonly FindingsSweep[]): Finding[] {
  const out: Finding[] = [];
  for (const adam of sweeps.filter((s) => s.spec.optimizer.kind === 'adam')) {
    const gi = sweeps.find(
      (s) =>
        s.spec.optimizer.kind === 'gi-adam' &&
        sameGrid(s.spec, adam.spec) &&
        s.spec.parameterization === adam.spec.parameterization,
    );
    if (gi === undefined) continue;
    const ids = [adam.sweepId, gi.sweepId];
    for (const f of [checkP12Boundary(adam, gi, ids), checkP12Lambda0(adam, gi, ids), checkP12Spike(adam, gi, ids)])
      if (f !== null) out.push(f);
  }
  return out;
}

export const p12Check: ClaimCheck<'P12'> = { claim: 'P12', text: P12_BOUNDARY_TEXT, findings: checkP12 };
