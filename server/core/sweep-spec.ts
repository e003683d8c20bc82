import { z } from 'zod';
import {
  BackendNameSchema,
  DataSpecSchema,
  EtaInitSchema,
  LossKindSchema,
  MeasureSpecSchema,
  ModelSpecSchema,
  OptimizerSpecSchema,
  ParameterizationSchema,
} from './run-config';
import { StudyIdSchema } from './ids';

/**
 * A sweep: one model/data/optimizer setup trained over a grid of target learning rates η_trgt × warmup lengths
 * T_wrm × seeds (one run per cell). It reuses the sub-schemas of run-config.ts; grid.ts expands it into the
 * RunConfigs of its cells. Limits keep a typo from queueing a million runs.
 */

export const SWEEP_SPEC_SCHEMA_VERSION = 1 as const;

/** Limits of a sweep; exceeding one is a validation error naming the field and the limit. */
export const SWEEP_LIMITS = {
  maxEtaValues: 64,
  maxWarmupValues: 64,
  maxSeeds: 16,
  /** Cells = η values × T_wrm values × seeds. 16×16 heatmaps with 4 seeds fit. */
  maxCells: 1024,
  /** PAPER §2.2: the paper's budget is T = 10^5 steps. */
  maxSteps: 100_000,
  /** Sum of steps over all cells: a 16×16 heatmap at the paper's 10^5 steps (2.56·10^7) fits, two seeds of it don't. */
  maxTotalSteps: 30_000_000,
  /** Exponents x of 2^x in a powers-of-two η grid. */
  maxAbsExponent: 60,
} as const;

const ExponentSchema = z.number().min(-SWEEP_LIMITS.maxAbsExponent).max(SWEEP_LIMITS.maxAbsExponent);

/**
 * The η_trgt grid: explicit values, or powers of two η = base·2^x for x = fromExp, fromExp+stepExp, …, ≤ toExp,
 * either absolute (Adam: base 1e-5, PAPER §2.4) or in units of 1/λ0 (SGD: η = base·2^x/λ0^H, PAPER §2.4 and §9.7),
 * which makes the sweep start with a calibration job that measures λ0 once.
 */
export const EtaGridSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('explicit'),
    values: z
      .array(z.number().positive().max(1e6))
      .min(1)
      .max(SWEEP_LIMITS.maxEtaValues)
      .refine((v) => new Set(v).size === v.length, 'values must be distinct'),
  }),
  z
    .object({
      kind: z.literal('pow2'),
      unit: z.enum(['absolute', 'inv-lambda0']),
      base: z.number().positive().max(1e6).default(1),
      fromExp: ExponentSchema,
      toExp: ExponentSchema,
      stepExp: z.number().positive().max(8).default(1),
    })
    .refine((g) => g.toExp >= g.fromExp, { message: 'toExp must be ≥ fromExp', path: ['toExp'] })
    .refine((g) => Math.floor((g.toExp - g.fromExp) / g.stepExp + 1e-9) + 1 <= SWEEP_LIMITS.maxEtaValues, {
      message: `at most ${SWEEP_LIMITS.maxEtaValues} η values ((toExp − fromExp)/stepExp + 1)`,
      path: ['toExp'],
    }),
]);
export type EtaGrid = z.infer<typeof EtaGridSchema>;

/** Slugs of paper presets and of a sweep's role inside its study: lower-case letters, digits and dashes. */
export const SlugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes (at most 40)');

/** How big a paper preset runs: the paper's own settings (GPU fleets), or scaled to finish on a 2-core CPU. */
export const StudySizeSchema = z.enum(['cpu', 'paper']);
export type StudySize = z.infer<typeof StudySizeSchema>;

/**
 * Membership of a sweep in a study: the sweeps one paper preset launches together, which its claim checks
 * read side by side (e.g. Adam next to GI-Adam). `role` names the sweep inside the preset.
 */
export const StudyRefSchema = z.object({
  id: StudyIdSchema,
  preset: SlugSchema,
  size: StudySizeSchema,
  role: SlugSchema,
});
export type StudyRef = z.infer<typeof StudyRefSchema>;

export const SweepSpecSchema = z
  .object({
    schemaVersion: z.literal(SWEEP_SPEC_SCHEMA_VERSION).default(SWEEP_SPEC_SCHEMA_VERSION),
    title: z.string().trim().min(1).max(120),
    author: z.string().trim().min(1).max(80),
    model: ModelSpecSchema.default({ kind: 'fcn', depth: 4, width: 512 }),
    parameterization: ParameterizationSchema.default('sp'),
    loss: LossKindSchema.default('mse'),
    data: DataSpecSchema.prefault({}),
    optimizer: OptimizerSpecSchema.prefault({}),
    /** Minibatch size; 0 = full batch. */
    batchSize: z.int().min(0).max(65_536).default(128),
    steps: z.int().min(1).max(SWEEP_LIMITS.maxSteps).default(1000),
    /** Post-warmup schedule (PAPER §2.2). */
    after: z.enum(['constant', 'cosine']).default('constant'),
    etaGrid: EtaGridSchema,
    /** T_wrm values (1 = constant LR), each ≤ steps. */
    warmupGrid: z
      .array(z.int().min(1).max(SWEEP_LIMITS.maxSteps))
      .min(1)
      .max(SWEEP_LIMITS.maxWarmupValues)
      .refine((v) => new Set(v).size === v.length, 'warmup values must be distinct'),
    etaInit: EtaInitSchema.default({ mode: 'zero' }),
    /** Init seeds, one cell per seed; the data-order seed is `dataSeed` when given, else the init seed. */
    seeds: z
      .array(z.int().min(0).max(1_000_000))
      .min(1)
      .max(SWEEP_LIMITS.maxSeeds)
      .refine((v) => new Set(v).size === v.length, 'seeds must be distinct')
      .default([1]),
    dataSeed: z.int().min(0).optional(),
    /** Measurement cadence: eval every E steps, sharpness every k steps, λ0 batches (PAPER §9.3). */
    measure: MeasureSpecSchema.prefault({}),
    backend: BackendNameSchema.default('auto'),
    /** Set when the sweep was launched as part of a paper preset's study. */
    study: StudyRefSchema.optional(),
  })
  .superRefine((s, ctx) => {
    s.warmupGrid.forEach((w, i) => {
      if (w > s.steps)
        ctx.addIssue({ code: 'custom', path: ['warmupGrid', i], message: `T_wrm ${w} exceeds steps ${s.steps}` });
    });
    const cells = cellCount(s);
    if (cells > SWEEP_LIMITS.maxCells) {
      ctx.addIssue({
        code: 'custom',
        path: ['etaGrid'],
        message: `grid has ${cells} cells; at most ${SWEEP_LIMITS.maxCells}`,
      });
    } else if (cells * s.steps > SWEEP_LIMITS.maxTotalSteps) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps'],
        message: `${cells} cells × ${s.steps} steps = ${cells * s.steps}; at most ${SWEEP_LIMITS.maxTotalSteps} in all`,
      });
    }
  });
export type SweepSpec = z.infer<typeof SweepSpecSchema>;
export type SweepSpecInput = z.input<typeof SweepSpecSchema>;

/** Number of η values of a grid. */
export function etaGridSize(grid: EtaGrid): number {
  if (grid.kind === 'explicit') return grid.values.length;
  // 1e-9 absorbs float error in (toExp − fromExp)/stepExp for steps like 0.1.
  return Math.floor((grid.toExp - grid.fromExp) / grid.stepExp + 1e-9) + 1;
}

/**
 * True when the η grid is in units of 1/λ0 (η_trgt = base·2^x/λ0, PAPER §2.4), so the sweep needs its λ0 calibration
 * before any cell trains and its axis reads η_trgt·λ0.
 */
export function isRelativeGrid(spec: Pick<SweepSpec, 'etaGrid'>): boolean {
  return spec.etaGrid.kind === 'pow2' && spec.etaGrid.unit === 'inv-lambda0';
}

/** Number of cells of a sweep: η values × T_wrm values × seeds (the calibration job not counted). */
export function cellCount(spec: Pick<SweepSpec, 'etaGrid' | 'warmupGrid' | 'seeds'>): number {
  return etaGridSize(spec.etaGrid) * spec.warmupGrid.length * spec.seeds.length;
}
