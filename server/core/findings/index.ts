/**
 * Claim checks: pure functions that decide, from a sweep's results (or a study's sweeps side by side),
 * whether a prediction of PAPER.md §1 held. Each finding says pass / fail / not applicable / pending, with the
 * criterion and the numbers it used; nothing is asserted without data: a check whose cells are not all finished is
 * `pending`, and one whose data cannot decide it is `not-applicable` with the reason.
 *
 *   P1    the largest trainable η_trgt is non-decreasing in T_wrm and larger at the longest T_wrm than at T_wrm = 1
 *   P6    SP (sharpness reduction): λ^H at the end of warmup is below λ0; regime label per run
 *   P7    μP (progressive sharpening): warmup runs are labelled C1; regime label per run
 *   P12   GI-Adam's boundary at T_wrm = 1 is right of Adam's; λ0^{P⁻¹H} ratio GI-Adam/Adam ≈ √(1−β2)
 *   P13   with η_init = η_c, T_reach = 1 when η_trgt ≤ η_c and T_reach < T_wrm otherwise
 *   Fig7  persistent catapult warmup trains larger η_trgt than linear warmup
 *
 * model.ts holds the shared types and the shape of a check, cell.ts builds cells from stored results, boundary.ts the
 * trainability boundary of a T_wrm row, format.ts the text of numbers; one file per claim; registry.ts runs them all.
 */

export { rowBoundaries, type RowBoundary } from './boundary';
export { EARLY_STEPS, earlyLossOf, findingsCell, needsEarlyLoss } from './cell';
export { formatEta } from './format';
export {
  CLAIM_IDS,
  type ClaimCheck,
  type ClaimId,
  type ClaimText,
  type EarlyLoss,
  type Finding,
  type FindingStatus,
  type FindingsCell,
  type FindingsSweep,
  type FindingTable,
} from './model';
export { checkFig7 } from './fig7';
export { checkP1 } from './p1';
export { checkP6 } from './p6';
export { checkP7 } from './p7';
export { checkP12 } from './p12';
export { SPIKE_DELTA } from './p12-spike';
export { checkP13 } from './p13';
export { CLAIM_CHECKS, computeFindings, findingsOfSweep } from './registry';
