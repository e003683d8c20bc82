import { fmt, median } from './format';
import { header, waitFor } from './model';
import type { ClaimText, Finding, FindingsCell, FindingsSweep, FindingTable } from './model';

/** P12, second part: λ0^{P⁻¹H} of GI-Adam over Adam's ≈ √(1−β2). */

const P12_LAMBDA0_TEXT: ClaimText = {
  prediction:
    'GI-Adam cuts the initial preconditioned sharpness λ0^{P⁻¹H} by a factor of about √(1−β2) ≈ 0.032 (PAPER P12).',
  criterion:
    'Median over runs of λ^{P⁻¹H} at step 0 (or the λ0^{P⁻¹H} measurement), GI-Adam / Adam. Pass: within a factor ' +
    'of 3 of √(1−β2). The factor is exact only for full-batch runs with |g| ≫ ε; minibatch runs use a different ' +
    'first batch for v₀, and coordinates with |g| ≲ ε keep Adam’s ε floor.',
};

/** λ0^{P⁻¹H} of a run: its λ0 measurement when that is preconditioned, else its first measured λ^{P⁻¹H}. */
function precondLambda0(c: FindingsCell): number | null {
  if (c.lambda0 !== null && c.lambda0Quantity === 'precondSharpness') return c.lambda0;
  return c.landmarks?.precondSharpness?.first.value ?? null;
}

/** λ0^{P⁻¹H} of GI-Adam over Adam's, against √(1−β2) (sweeps that measure it); null when it does not apply. */
export function checkP12Lambda0(adam: FindingsSweep, gi: FindingsSweep, ids: string[]): Finding | null {
  const adamL0 = adam.cells.map(precondLambda0).filter((v): v is number => v !== null);
  const giL0 = gi.cells.map(precondLambda0).filter((v): v is number => v !== null);
  if (adamL0.length === 0 && giL0.length === 0 && adam.spec.measure.sharpnessEvery === 0) return null;
  const base = header('P12', 'P12: GI-Adam lowers the initial λ^{P⁻¹H} by √(1−β2)', ids, P12_LAMBDA0_TEXT);
  const wait = waitFor([adam, gi]);
  if (wait) return { ...base, ...wait };
  const ma = median(adamL0);
  const mg = median(giL0);
  const expected = Math.sqrt(1 - gi.spec.optimizer.beta2);
  const range = (v: number[]) => [fmt(v.length ? Math.min(...v) : null), fmt(v.length ? Math.max(...v) : null)];
  const table: FindingTable = {
    columns: ['optimizer', 'runs', 'median λ0^{P⁻¹H}', 'min', 'max'],
    rows: [
      ['Adam', adamL0.length, fmt(ma), ...range(adamL0)],
      ['GI-Adam', giL0.length, fmt(mg), ...range(giL0)],
    ],
  };
  if (ma === null || mg === null || ma <= 0)
    return { ...base, status: 'not-applicable', summary: 'λ^{P⁻¹H} at init was not measured in both sweeps.', table };
  const ratio = mg / ma;
  const pass = ratio >= expected / 3 && ratio <= expected * 3;
  return {
    ...base,
    status: pass ? 'pass' : 'fail',
    summary:
      `λ0^{P⁻¹H}: Adam ${fmt(ma)}, GI-Adam ${fmt(mg)}; ` +
      `ratio ${fmt(ratio)} against √(1−β2) = ${fmt(expected)} (×${fmt(ratio / expected)}).`,
    table,
  };
}
