import { z } from 'zod';
import { JsonNumberSchema } from './json-number';

/**
 * The stored record of a run's curvature measurements (PAPER §4.3, §5, §6), kept inside its RunResult: λ0, the η_c
 * search, persistent-catapult re-searches, catapult events, the regime label with its evidence, and λ landmarks.
 * Schemas only; the rules that compute them are in curvature.ts.
 */

export const CURVATURE_SCHEMA_VERSION = 1 as const;

const Num = JsonNumberSchema;
const Count = z.int().min(0);

export const CatapultEventSchema = z.object({
  /** First step whose loss rose by more than δ. */
  step: Count,
  /** Step of the highest loss of the rise. */
  peakStep: Count,
  lossBefore: Num,
  lossPeak: Num,
  /** Largest r measured over [step−1, step] (or the last one before). */
  ratio: Num,
  /** Largest λ measured over [step−1, peakStep], null if none. */
  lambdaBefore: Num.nullable(),
  /** Smallest λ measured over (peakStep, peakStep + window], null if none. */
  lambdaAfter: Num.nullable(),
  /** 1 − lambdaAfter/lambdaBefore. */
  lambdaDrop: Num.nullable(),
  /** The rise was followed by a λ drop of at least `minLambdaDrop` (the PAPER §5 definition of a catapult). */
  confirmed: z.boolean(),
});
export type CatapultEvent = z.infer<typeof CatapultEventSchema>;

export const RegimeSchema = z.enum(['C1', 'C2', 'C3', 'unknown']);
export type Regime = z.infer<typeof RegimeSchema>;

export const RegimeLabelSchema = z.object({
  /** C1 natural progressive sharpening, C2 natural sharpness reduction, C3 constant sharpness (PAPER §5). */
  regime: RegimeSchema,
  /** More than half of the post-crossing warmup steps had r in the band (C1's signature); null if not applicable. */
  persistentCycle: z.boolean().nullable(),
  evidence: z.object({
    /** Least-squares slope of ln λ per step over the fit window (null with fewer than 3 points). */
    slope: Num.nullable(),
    /** slope × (last − first fitted step): the fitted change of ln λ across the window. */
    logChange: Num.nullable(),
    /** |logChange| above which λ is rising (C1) or falling (C2). */
    logChangeThreshold: Num,
    fitPoints: Count,
    fitFromStep: Count.nullable(),
    fitToStep: Count.nullable(),
    firstCatapultStep: Count.nullable(),
    firstCrossingStep: Count.nullable(),
    catapultCount: Count,
    /** Measured steps from the first crossing to the end of warmup. */
    postCrossingPoints: Count,
    /** Of those, steps with band[0] < r < band[1]. */
    nearThresholdPoints: Count,
    nearThresholdFraction: Num.nullable(),
    band: z.tuple([Num, Num]),
  }),
});
export type RegimeLabel = z.infer<typeof RegimeLabelSchema>;

/** λ0 at init: the mean of λ_max over several batches (PAPER §2.4, §4.3). */
export const Lambda0MeasurementSchema = z.object({
  lambda0: Num,
  perBatch: z.array(Num),
  iterations: z.array(Count),
  converged: z.array(z.boolean()),
  /** Which eigenvalue: λ^H, or λ^{P⁻¹H} with the optimizer's first preconditioner. */
  quantity: z.enum(['sharpness', 'precondSharpness']),
});
export type Lambda0Measurement = z.infer<typeof Lambda0MeasurementSchema>;

/** The η_c search of PAPER §6.1 (Algorithms 1 and 2) and the savings it buys (§2.3). */
export const CriticalLrSearchSchema = z.object({
  eta0: Num,
  delta: Num,
  /** The returned η_c (= η_uppr of the binary search, or η_trgt when the loss never rose below it). */
  etaC: Num,
  etaLwr: Num,
  etaUppr: Num,
  /** L(θ₀) on the probe batch. */
  loss0: Num,
  /** L(Opt(η_c, θ₀)). */
  lossAtEtaC: Num,
  /** Forward passes of the probes (the gradient at θ₀ is the first training step's, not counted). */
  forwardPasses: Count,
  /** The loss did not rise up to η_trgt, so η_c was capped at η_trgt (the target is reached at step 1). */
  reachedTarget: z.boolean(),
  /** The loss already rose at η₀ (η_init = η₀). */
  risesAtEta0: z.boolean(),
  /** The binary search met its δ criterion within its iteration bound. */
  converged: z.boolean(),
  /** PAPER §2.3 for the run's T_wrm; null when not applicable (persistent re-searches). */
  tReach: Num.nullable(),
  tSave: Num.nullable(),
});
export type CriticalLrSearch = z.infer<typeof CriticalLrSearchSchema>;

/** One re-search of persistent catapult warmup (PAPER §6.2, Algorithm 3). */
export const CatapultResearchSchema = z.object({
  step: Count,
  /** L(θ_t) and L(θ*) on the fixed probe batch that triggered the search. */
  probeLoss: Num,
  refLoss: Num,
  etaLwr: Num,
  etaUppr: Num,
  /** The learning rate used from this step on (η_uppr, capped at η_trgt). */
  etaNew: Num,
  forwardPasses: Count,
});
export type CatapultResearch = z.infer<typeof CatapultResearchSchema>;

export const PersistentWarmupSchema = z.object({
  delta: Num,
  researches: z.array(CatapultResearchSchema),
  /** Step from which η_trgt is used, null if it was never reached. */
  reachedTargetStep: Count.nullable(),
  /** Forward passes spent by all probes (including the per-step L(θ_t) on the probe batch). */
  forwardPasses: Count,
});
export type PersistentWarmup = z.infer<typeof PersistentWarmupSchema>;

/** One measured λ: the step (before its update) and the value. */
export const LambdaLandmarkSchema = z.object({ step: Count, value: Num });
export type LambdaLandmark = z.infer<typeof LambdaLandmarkSchema>;

/** A run's measured λ of one kind at the moments the claim checks ask about (PAPER P6, P8, P12). */
export const LambdaTrackSchema = z.object({
  /** The first measurement (step 0 when λ is measured every k steps): λ at init on the first batch. */
  first: LambdaLandmarkSchema,
  /** The last measurement at or before the last warmup update; null without warmup. */
  warmupEnd: LambdaLandmarkSchema.nullable(),
  last: LambdaLandmarkSchema,
  /** Smallest and largest finite values measured. */
  min: LambdaLandmarkSchema,
  max: LambdaLandmarkSchema,
});
export type LambdaTrack = z.infer<typeof LambdaTrackSchema>;

export const LambdaLandmarksSchema = z.object({
  /** The last warmup update the `warmupEnd` landmarks refer to (null for T_wrm = 1). */
  warmupEndStep: Count.nullable(),
  /** λ^H; null when never measured finite. */
  sharpness: LambdaTrackSchema.nullable(),
  /** λ^{P⁻¹H} (Adam-family optimizers only). */
  precondSharpness: LambdaTrackSchema.nullable(),
});
export type LambdaLandmarks = z.infer<typeof LambdaLandmarksSchema>;

/** Everything curvature adds to a run's result. */
export const CurvatureSummarySchema = z.object({
  schemaVersion: z.literal(CURVATURE_SCHEMA_VERSION),
  /** Which λ the ratio and the detectors used, and the constant c of r = η·λ/c. */
  quantity: z.enum(['sharpness', 'precondSharpness']),
  thresholdConstant: Num,
  /** Steps on which λ was measured. */
  measuredSteps: Count,
  lambda0: Lambda0MeasurementSchema.nullable(),
  criticalLr: CriticalLrSearchSchema.nullable(),
  persistent: PersistentWarmupSchema.nullable(),
  catapults: z.array(CatapultEventSchema),
  regime: RegimeLabelSchema.nullable(),
  /** λ at init, at the end of warmup, at the end, min and max (results written by earlier versions have none). */
  landmarks: LambdaLandmarksSchema.nullable().default(null),
});
export type CurvatureSummary = z.infer<typeof CurvatureSummarySchema>;
