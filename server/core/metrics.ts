import { z } from 'zod';
import { CurvatureSummarySchema } from './curvature-summary';
import { JsonNumberSchema } from './json-number';
import { OutcomeSchema } from './outcome';
import { RunConfigSchema } from './run-config';

/**
 * The engine's record of a training run: one `MetricRow` per update, and one `RunResult` when the run ends. Every
 * number goes through `JsonNumberSchema`, so NaN and ±Infinity are stored as data ("NaN", "Infinity", "-Infinity")
 * and parse back to numbers. Validate in-memory values with `parseRecord` (zod rejects raw NaN/Inf numbers), write with
 * `stringifyRecord` (both in json-number.ts), read with `XxxSchema.parse(JSON.parse(text))`.
 */

export const METRIC_ROW_SCHEMA_VERSION = 1 as const;
export const RUN_RESULT_SCHEMA_VERSION = 1 as const;

const Num = JsonNumberSchema;
const Count = z.int().min(0);

/**
 * Curvature measurements a row may carry (the curvature hooks fill them through the training loop). All are taken at
 * θ_s on the step's own training batch, before update s (PAPER §4.1, §4.3).
 */
export const CurvatureFieldsSchema = z.object({
  /** λ^H: top Hessian eigenvalue of the train loss. */
  sharpness: Num.optional(),
  /** λ^{P⁻¹H}: top eigenvalue of the preconditioned Hessian (Adam; P of the update about to be taken). */
  precondSharpness: Num.optional(),
  /** Lanczos (or power) iterations used by the eigenvalue solver. */
  lanczosIters: Count.optional(),
  /** Residual ‖Hv − λv‖ of the returned eigenpair. */
  lanczosResidual: Num.optional(),
  /** η_t·λ_t / threshold (2 for SGD, 38 for Adam with λ^{P⁻¹H}; PAPER §5); > 1 is past the stability edge. */
  stabilityRatio: Num.optional(),
  /**
   * ReLU units whose sign flips between θ ± εv in the finite-difference HVP. For models differentiated through their
   * frozen ReLU gates (the FCN; worker/curvature/measure.ts) they are counted along the returned eigenvector and do
   * not affect the estimate; for other models they are flips left in the products used, a source of error (FACTS.md).
   */
  fdFlips: Count.optional(),
  /** λ^H averaged over several fresh batches (PAPER §4.3's periodic measurement). */
  sharpnessMean: Num.optional(),
});
export type CurvatureFields = z.infer<typeof CurvatureFieldsSchema>;

/**
 * One training step s (0-based update index). `loss`, `acc`, `gradNorm`, `paramNorm` and the curvature fields are
 * of θ_s on the step's minibatch, before the update; `lr` is the rate applied at update s (`lrAt(s)`); `updateNorm`
 * = ‖θ_{s+1} − θ_s‖ and the optimizer-state norms are after the update. `testLoss`/`testAcc`, when present, are of
 * θ_{s+1} (evaluated every `measure.evalEvery` updates and after the last). On a diverged step (non-finite loss) the
 * update is not taken, so `updateNorm` and the state norms are absent (or describe the state before it).
 *
 * `schemaVersion` defaults to 1 so that rows kept columnar inside a versioned chunk parse without repeating it.
 */
export const MetricRowSchema = z
  .object({
    schemaVersion: z.literal(METRIC_ROW_SCHEMA_VERSION).default(METRIC_ROW_SCHEMA_VERSION),
    step: Count,
    lr: Num,
    loss: Num,
    acc: Num,
    gradNorm: Num,
    updateNorm: Num.optional(),
    paramNorm: Num,
    /** ‖m‖ (Adam's first moment, SGD-M's momentum buffer). */
    mNorm: Num.optional(),
    /** ‖v‖ (Adam's second moment). */
    vNorm: Num.optional(),
    testLoss: Num.optional(),
    testAcc: Num.optional(),
  })
  .extend(CurvatureFieldsSchema.shape);
export type MetricRow = z.infer<typeof MetricRowSchema>;
export type MetricRowInput = z.input<typeof MetricRowSchema>;

/** Notable moments of a run: `warmup-end`, `diverged`, `eta-init`, `eta-change` (persistent catapult), `catapult`, … */
export const RunEventSchema = z.object({
  step: z.int().min(-1),
  kind: z.string().min(1).max(40),
  value: Num.optional(),
  note: z.string().max(400).optional(),
});
export type RunEvent = z.infer<typeof RunEventSchema>;

/**
 * The summary of one run. "final" values are of the last step taken (train: that step's minibatch, as PAPER §9.1's
 * failure check uses; test: the last evaluation); "best" values are over all finite values seen (lowest loss,
 * highest accuracy). A value never measured is null. Times are milliseconds.
 */
export const RunResultSchema = z.object({
  schemaVersion: z.literal(RUN_RESULT_SCHEMA_VERSION),
  outcome: OutcomeSchema,
  /** Message of an `error` outcome, null otherwise. */
  error: z.string().max(4000).nullable(),
  stepsPlanned: z.int().min(1),
  /** Updates applied (a diverged step's update is not applied). */
  stepsRun: Count,
  /** Step of the last row, −1 if there is none. */
  lastStep: z.int().min(-1),
  /** The first step whose train loss was NaN or ±Inf, and that value. */
  divergence: z.object({ step: Count, loss: Num }).nullable(),
  numClasses: z.int().min(2),
  finalTrainLoss: Num.nullable(),
  finalTrainAcc: Num.nullable(),
  finalTestLoss: Num.nullable(),
  finalTestAcc: Num.nullable(),
  bestTrainLoss: Num.nullable(),
  bestTrainAcc: Num.nullable(),
  bestTestLoss: Num.nullable(),
  bestTestAcc: Num.nullable(),
  /** Row step at which bestTestAcc was evaluated. */
  bestTestAccStep: z.int().min(0).nullable(),
  /** η_init the schedule used (0, a given value, or η_c). */
  etaInit: Num,
  /** Critical learning rate η_c when the loss-catapult search ran (PAPER §6.1). */
  etaC: Num.nullable(),
  /** λ0^H at init (mean over measure.lambda0Batches batches) when measured. */
  lambda0: Num.nullable(),
  backend: z.string().min(1),
  device: z.string(),
  paramCount: z.int().min(0),
  startedAt: z.int().min(0),
  finishedAt: z.int().min(0),
  /** Whole run, from config validation to the result. */
  wallTimeMs: z.number().min(0),
  /** Training loop only (updates, row measurements and evaluations). */
  trainTimeMs: z.number().min(0),
  /** stepsRun / training-loop seconds. */
  stepsPerSec: Num,
  events: z.array(RunEventSchema).default([]),
  /** λ0, the η_c search, persistent-catapult re-searches, catapult events and the regime label. */
  curvature: CurvatureSummarySchema.nullable().default(null),
  config: RunConfigSchema,
});
export type RunResult = z.infer<typeof RunResultSchema>;
export type RunResultInput = z.input<typeof RunResultSchema>;

/** The numeric fields of a row (step first, schemaVersion left out), for columnar storage. */
export function metricRowValues(row: MetricRow): { step: number } & Record<string, number> {
  const out: { step: number } & Record<string, number> = { step: row.step };
  for (const [k, v] of Object.entries(row)) {
    if (k !== 'schemaVersion' && typeof v === 'number') out[k] = v;
  }
  return out;
}
