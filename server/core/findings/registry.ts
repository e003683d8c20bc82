import { fig7Check } from './fig7';
import { CLAIM_IDS, header, type ClaimCheck, type ClaimId, type Finding, type FindingsSweep } from './model';
import { p1Check } from './p1';
import { p12Check } from './p12';
import { p13Check } from './p13';
import { p6Check } from './p6';
import { p7Check } from './p7';

/**
 * The claim checks, one per claim of CLAIM_IDS (the type says when one is missing). A new check is a file that
 * exports its ClaimCheck, its id in CLAIM_IDS, and a line here.
 */
export const CLAIM_CHECKS: { readonly [C in ClaimId]: ClaimCheck<C> } = {
  P1: p1Check,
  P6: p6Check,
  P7: p7Check,
  P12: p12Check,
  P13: p13Check,
  Fig7: fig7Check,
};

/**
 * Every check that applies to a study's sweeps (or one sweep alone), in claim order. Claims a preset promises but the
 * data cannot decide appear as `not-applicable` (pass `claims`), so a study always shows what it was for.
 */
export function computeFindings(sweeps: readonly FindingsSweep[], claims: readonly ClaimId[] = []): Finding[] {
  return CLAIM_IDS.flatMap((id) => {
    const check: ClaimCheck = CLAIM_CHECKS[id];
    const found = check.findings(sweeps);
    if (found.length > 0 || !claims.includes(id)) return found;
    const ids = sweeps.map((s) => s.sweepId);
    return [
      {
        ...header(id, `${id}: no data to decide it`, ids, check.text),
        status: 'not-applicable' as const,
        summary: 'None of the study’s sweeps has the cells this check needs.',
        table: null,
      },
    ];
  });
}

/** The findings that used a given sweep. */
export function findingsOfSweep(findings: readonly Finding[], sweepId: string): Finding[] {
  return findings.filter((f) => f.sweepIds.includes(sweepId));
}
