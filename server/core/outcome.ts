import { z } from 'zod';

/**
 * How a run ended (PAPER §5 "Run outcome", §9.1): `diverged` = the train loss became NaN or ±Inf (the run stops at
 * that step); `failed` = it finished with final train accuracy < 1.5/K; `trained` otherwise; `cancelled` = stopped on
 * request; `error` = the engine threw.
 */
export const OutcomeSchema = z
  .enum(['trained', 'diverged', 'failed', 'cancelled', 'error'])
  .describe('trained; diverged (NaN/Inf loss); failed (final train acc < 1.5/K, PAPER §9.1); cancelled; error');
export type Outcome = z.infer<typeof OutcomeSchema>;

/** The training-failure factor of PAPER §9.1: a run failed when its final train accuracy is below 1.5 × chance. */
export const FAILURE_CHANCE_MULTIPLE = 1.5;

/** True when a loss value means divergence (NaN or ±Infinity), which stops the run at once. */
export function isDivergentLoss(loss: number): boolean {
  return !Number.isFinite(loss);
}

/** Train accuracy below which a finished run is a training failure: 1.5/K for K classes (15% for CIFAR-10). */
export function failureAccuracyThreshold(numClasses: number): number {
  if (!Number.isInteger(numClasses) || numClasses < 2)
    throw new RangeError(`numClasses must be an integer ≥ 2, got ${numClasses}`);
  return FAILURE_CHANCE_MULTIPLE / numClasses;
}

/**
 * Whether a run that finished its steps failed to train: final train accuracy < 1.5/K (a NaN accuracy counts as
 * failed).
 */
export function isTrainingFailure(finalTrainAccuracy: number, numClasses: number): boolean {
  return !(finalTrainAccuracy >= failureAccuracyThreshold(numClasses));
}

export interface OutcomeEvidence {
  /** The engine threw (anything other than a cancellation). */
  errored: boolean;
  /** The run was stopped on request before its last step. */
  cancelled: boolean;
  /** Some step's train loss was NaN or ±Inf. */
  diverged: boolean;
  /** Train accuracy of the last step taken (PAPER §9.1: the last minibatch, as the authors' code checks). */
  finalTrainAccuracy: number;
  numClasses: number;
}

/**
 * Classifies a run (PAPER §5, §9.1). Precedence: error, then diverged (a divergence is a result even if a cancel
 * arrived in the same step), then cancelled, then failed (accuracy < 1.5/K), else trained.
 */
export function classifyOutcome(e: OutcomeEvidence): Outcome {
  if (e.errored) return 'error';
  if (e.diverged) return 'diverged';
  if (e.cancelled) return 'cancelled';
  return isTrainingFailure(e.finalTrainAccuracy, e.numClasses) ? 'failed' : 'trained';
}
