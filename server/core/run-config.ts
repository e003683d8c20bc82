import { z } from 'zod';

/**
 * The configuration of one training run (one cell of a sweep, or a one-off CLI run). Every field the engine reads
 * is here with its default and its allowed range, so a bad config is rejected before any work with a message that
 * names the field (see `formatZodError`). Sweep specs (sweep-spec.ts) reuse these sub-schemas.
 */

export const RUN_CONFIG_SCHEMA_VERSION = 1 as const;

export const ParameterizationSchema = z.enum(['sp', 'mup']).describe('SP or μP, exactly as PAPER.md §3.2');
export type Parameterization = z.infer<typeof ParameterizationSchema>;

export const LossKindSchema = z.enum(['mse', 'xent']).describe('mse = 0.5·mean over batch×classes; xent = softmax CE');
export type LossKind = z.infer<typeof LossKindSchema>;

/** FCN-d-n: d layers in all (d−1 hidden Dense+ReLU, then a linear readout); d = 1 is a linear model. */
export const FcnModelSchema = z.object({
  kind: z.literal('fcn'),
  depth: z.int().min(1).max(16).default(4),
  width: z.int().min(1).max(8192).default(512),
});

/**
 * Myrtle-style CNN: `depth` ∈ {5, 7, 10} conv-3×3 layers in three stages of widths w, 2w, 4w with 2×2 max-pooling
 * between stages, global average pooling, then a dense readout.
 */
export const CnnModelSchema = z.object({
  kind: z.literal('cnn'),
  depth: z.union([z.literal(5), z.literal(7), z.literal(10)]).default(5),
  width: z.int().min(1).max(1024).default(32),
});

/** Open registry: WRN and the Transformer LM join this union in a later issue. */
export const ModelSpecSchema = z.discriminatedUnion('kind', [FcnModelSchema, CnnModelSchema]);
export type ModelSpec = z.infer<typeof ModelSpecSchema>;

export const DatasetNameSchema = z.enum(['fashion-mnist', 'mnist', 'cifar10', 'synthetic-teacher', 'synthetic-gmm']);
export type DatasetName = z.infer<typeof DatasetNameSchema>;

export const DataSpecSchema = z.object({
  name: DatasetNameSchema.default('fashion-mnist'),
  /** Directory of the files (fashion-mnist: /usr/share/datasets/fashion-mnist by default; mnist, cifar10: required). */
  dir: z.string().min(1).optional(),
  /** Use the first N training examples (PAPER §3.1: "first 5000"). */
  trainSubset: z.int().min(1).optional(),
  /** Use the first N test examples. */
  testSubset: z.int().min(1).optional(),
  /** Divide inputs by √(input dim) (the authors' μP FCN script does; PAPER §3.1). */
  mupInputScaling: z.boolean().default(false),
  /** Synthetic data only: sizes of the generated problem. */
  synthetic: z
    .object({
      inputDim: z.int().min(1).max(4096).default(16),
      classes: z.int().min(2).max(100).default(4),
      trainSize: z.int().min(1).max(100_000).default(512),
      testSize: z.int().min(1).max(100_000).default(256),
      seed: z.int().min(0).default(0),
    })
    .prefault({}),
});
export type DataSpec = z.infer<typeof DataSpecSchema>;

export const OptimizerKindSchema = z.enum(['sgd', 'sgd-momentum', 'adam', 'gi-adam', 'ri-adam']);
export type OptimizerKind = z.infer<typeof OptimizerKindSchema>;

/** Hyperparameters default to PAPER §3.5: β = 0.9 (no Nesterov), β1 0.9, β2 0.999, ε 1e-8, no weight decay. */
export const OptimizerSpecSchema = z.object({
  kind: OptimizerKindSchema.default('sgd'),
  momentum: z.number().min(0).max(0.999).default(0.9).describe('SGD-M β (used by sgd-momentum only)'),
  beta1: z.number().min(0).max(0.9999).default(0.9),
  beta2: z.number().min(0).max(0.99999).default(0.999),
  eps: z.number().positive().max(1).default(1e-8),
});
export type OptimizerSpec = z.infer<typeof OptimizerSpecSchema>;

/**
 * Where warmup starts: 0 (PAPER §2.1), a given value, the critical η_c found by the loss-catapult search
 * (PAPER §6.1, schedule §2.3), or persistent catapult warmup (PAPER §6.2, Algorithm 3).
 */
export const EtaInitSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('zero') }),
  z.object({ mode: z.literal('value'), value: z.number().positive() }),
  z.object({
    mode: z.literal('critical'),
    /** Start of the exponential search (PAPER default 1e-4). */
    eta0: z.number().positive().default(1e-4),
    /** Binary-search tolerance; default 0.1 for SGD and 0.01 for Adam when omitted. */
    delta: z.number().positive().max(1).optional(),
  }),
  z.object({
    mode: z.literal('persistent'),
    eta0: z.number().positive().default(1e-4),
    delta: z.number().positive().max(1).optional(),
  }),
]);
export type EtaInit = z.infer<typeof EtaInitSchema>;

export const ScheduleSpecSchema = z.object({
  etaTrgt: z.number().positive().max(1e6),
  /** T_wrm ≥ 1; 1 means a constant learning rate (PAPER §2.1). */
  warmupSteps: z.int().min(1).default(1),
  etaInit: EtaInitSchema.default({ mode: 'zero' }),
  /** After warmup: constant (default) or cosine decay to η_trgt/10 (PAPER §2.2). */
  after: z.enum(['constant', 'cosine']).default('constant'),
});
export type ScheduleSpec = z.infer<typeof ScheduleSpecSchema>;

export const MeasureSpecSchema = z.object({
  /** Test loss/accuracy every E steps (and at the last step); 0 = only at the end. */
  evalEvery: z.int().min(0).default(100),
  /** λ^H (and λ^{P⁻¹H} for Adam) every k steps on the current batch; 0 = never. */
  sharpnessEvery: z.int().min(0).default(0),
  /** Measure λ0 (mean over `lambda0Batches` batches at init) before training. */
  lambda0: z.boolean().default(false),
  lambda0Batches: z.int().min(1).max(100).default(10),
});
export type MeasureSpec = z.infer<typeof MeasureSpecSchema>;

export const BackendNameSchema = z.enum(['auto', 'tfjs-node-gpu', 'tfjs-node', 'atlas-native', 'wasm', 'cpu']);
export type BackendName = z.infer<typeof BackendNameSchema>;

export const RunConfigSchema = z.object({
  schemaVersion: z.literal(RUN_CONFIG_SCHEMA_VERSION).default(RUN_CONFIG_SCHEMA_VERSION),
  model: ModelSpecSchema.default({ kind: 'fcn', depth: 4, width: 512 }),
  parameterization: ParameterizationSchema.default('sp'),
  loss: LossKindSchema.default('mse'),
  data: DataSpecSchema.prefault({}),
  optimizer: OptimizerSpecSchema.prefault({}),
  schedule: ScheduleSpecSchema,
  steps: z.int().min(1).max(1_000_000).default(1000),
  /** Minibatch size; 0 means full batch (GD). */
  batchSize: z.int().min(0).max(65_536).default(128),
  /** Init seed and data-order seed (PAPER §9.4 uses 1 and 1). */
  seed: z.int().min(0).default(1),
  dataSeed: z.int().min(0).optional(),
  measure: MeasureSpecSchema.prefault({}),
  backend: BackendNameSchema.default('auto'),
});
export type RunConfig = z.infer<typeof RunConfigSchema>;
export type RunConfigInput = z.input<typeof RunConfigSchema>;
