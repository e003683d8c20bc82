import { isAdamKind } from '../curvature';
import { type CellCoord } from '../grid';
import { type RunResult } from '../metrics';
import { type Outcome } from '../outcome';
import { type SweepSpec } from '../sweep-spec';
import { type EarlyLoss, type FindingsCell, type FindingsSweep } from './model';

/** Building the checks' input from stored results, and the per-cell quantities several checks read. */

/** Steps after step 0 in which an initial loss spike is looked for (Adam's comes at step 1; PAPER P12, Fig 2). */
export const EARLY_STEPS = 10;

/** L₀ and the early peak of a run from its rows (step-ordered); null without a step-0 row or a later one. */
export function earlyLossOf(rows: readonly { step: number; loss: number }[]): EarlyLoss | null {
  const first = rows.find((r) => r.step === 0);
  if (first === undefined) return null;
  let peak: { loss: number; step: number } | null = null;
  for (const r of rows) {
    if (r.step < 1 || r.step > EARLY_STEPS) continue;
    // A non-finite loss is the largest possible peak.
    if (peak === null || !Number.isFinite(r.loss) || r.loss > peak.loss)
      peak = { loss: Number.isFinite(r.loss) ? r.loss : Infinity, step: r.step };
    if (!Number.isFinite(r.loss)) break;
  }
  return peak === null ? null : { loss0: first.loss, peak: peak.loss, peakStep: peak.step };
}

/** A cell of the checks from its grid coordinates and, once finished, its outcome and RunResult. */
export function findingsCell(
  coord: Pick<CellCoord, 'cellId' | 'etaInUnits' | 'etaExp' | 'warmupSteps' | 'seed'>,
  etaTrgt: number | null,
  outcome: Outcome | null,
  run: RunResult | null,
  rows: readonly { step: number; loss: number }[] | null = null,
): FindingsCell {
  const curv = run?.curvature ?? null;
  const regime = curv?.regime ?? null;
  const warmupEnd = run?.events.find((e) => e.kind === 'warmup-end') ?? null;
  return {
    cellId: coord.cellId,
    etaInUnits: coord.etaInUnits,
    etaExp: coord.etaExp,
    etaTrgt,
    warmupSteps: coord.warmupSteps,
    seed: coord.seed,
    outcome,
    finalTrainAcc: run?.finalTrainAcc ?? null,
    bestTestAcc: run?.bestTestAcc ?? null,
    lambda0: curv?.lambda0?.lambda0 ?? run?.lambda0 ?? null,
    lambda0Quantity: curv?.lambda0?.quantity ?? (run?.lambda0 != null ? 'sharpness' : null),
    etaC: run?.etaC ?? null,
    warmupEndEventStep: warmupEnd === null ? null : warmupEnd.step,
    divergenceStep: run?.divergence?.step ?? null,
    landmarks: curv?.landmarks ?? null,
    regime: regime?.regime ?? null,
    persistentCycle: regime?.persistentCycle ?? null,
    catapults: curv === null ? null : curv.catapults.length,
    firstCatapultStep: curv?.catapults[0]?.step ?? null,
    persistentReachedStep: curv?.persistent?.reachedTargetStep ?? null,
    earlyLoss: rows === null ? null : earlyLossOf(rows),
  };
}

/** Whether the claim checks need a cell's rows (its early losses): full-batch Adam-family runs at T_wrm = 1. */
export function needsEarlyLoss(spec: SweepSpec, warmupSteps: number): boolean {
  return spec.batchSize === 0 && isAdamKind(spec.optimizer.kind) && warmupSteps === 1;
}

/** λ0 of a run: its own measurement of λ^H, else the sweep's calibration, else its first measured λ^H. */
export function lambda0Of(sweep: FindingsSweep, c: FindingsCell): number | null {
  if (c.lambda0 !== null && c.lambda0Quantity === 'sharpness') return c.lambda0;
  return sweep.lambda0 ?? c.landmarks?.sharpness?.first.value ?? null;
}
