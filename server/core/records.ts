import { z } from 'zod';
import { RegimeLabelSchema } from './curvature-summary';
import { CellIdSchema, StudyIdSchema, SweepIdSchema, WorkerIdSchema } from './ids';
import { JsonNumberSchema } from './json-number';
import { RunResultSchema } from './metrics';
import { OutcomeSchema } from './outcome';
import { SlugSchema, StudySizeSchema, SweepSpecSchema } from './sweep-spec';
import { versioned } from './versioned';

/**
 * Schemas of the records the store keeps for sweeps (DESIGN.md "Stored records"), each declared with `versioned`:
 * its current `schemaVersion` (an exported constant) and the migrations that upgrade older stored versions. The store
 * validates before every write and upgrades and parses on every read. Times are ms since the epoch (integers). The
 * metric chunk (its rows' codec with it) is in metric-chunk.ts, the short link in share.ts.
 */

const TimeMsSchema = z.int().min(0);
const EpochSchema = z.int().min(1).max(999_999);

/** Where a record of one cell's (or the calibration job's) epoch belongs; its key says the same. */
export const cellEpochFields = { sweepId: SweepIdSchema, cellId: CellIdSchema, epoch: EpochSchema };

/** The same for the control records of a job (claims, done markers), which name it `jobId`. */
const jobEpochFields = { sweepId: SweepIdSchema, jobId: CellIdSchema, epoch: EpochSchema };

/** How a job ended, in its result record and copied into its done marker. */
const jobEndFields = {
  /** Last step trained (0-based), −1 if none. */
  lastStep: z.int().min(-1),
  /**
   * The final and best numbers a heatmap needs (see `summarizeRunResult`); the done marker copies the result's, so a
   * heatmap needs one read per finished cell.
   */
  summary: z.record(z.string(), JsonNumberSchema),
};

export const SWEEP_RECORD_SCHEMA_VERSION = 2 as const;

/** `spec.json`: a launched sweep, immutable. Its number of cells is `cellCount(spec)` (sweep-spec.ts). */
export const SweepRecordSchema = versioned({
  name: 'SweepRecord',
  version: SWEEP_RECORD_SCHEMA_VERSION,
  schema: z.object({
    schemaVersion: z.literal(SWEEP_RECORD_SCHEMA_VERSION),
    id: SweepIdSchema,
    createdAt: TimeMsSchema,
    spec: SweepSpecSchema,
  }),
  migrations: {
    /** v2 drops `cellCount` (cells, not counting the calibration job): it repeated cellCount(spec). */
    2: ({ cellCount: _cellCount, ...v1 }) => v1,
  },
});
export type SweepRecord = z.infer<typeof SweepRecordSchema>;

export const STUDY_RECORD_SCHEMA_VERSION = 1 as const;

/**
 * A study: the sweeps one paper preset launched together, by role. Written once, after its sweeps (each of
 * which names the study in `spec.study`), so the claim checks can read them side by side.
 */
export const StudyRecordSchema = versioned({
  name: 'StudyRecord',
  version: STUDY_RECORD_SCHEMA_VERSION,
  schema: z.object({
    schemaVersion: z.literal(STUDY_RECORD_SCHEMA_VERSION),
    id: StudyIdSchema,
    createdAt: TimeMsSchema,
    preset: SlugSchema,
    size: StudySizeSchema,
    title: z.string().min(1).max(200),
    author: z.string().trim().min(1).max(80),
    /** The preset's description as it was at launch (presets are code and may change later). */
    about: z
      .object({ figure: z.string().max(200), reproduces: z.string().max(4000), scaling: z.string().max(4000) })
      .optional(),
    sweeps: z
      .array(z.object({ role: SlugSchema, sweepId: SweepIdSchema }))
      .min(1)
      .max(16)
      .refine((v) => new Set(v.map((s) => s.role)).size === v.length, 'roles must be distinct'),
  }),
  migrations: {},
});
export type StudyRecord = z.infer<typeof StudyRecordSchema>;

export const SWEEP_INDEX_ENTRY_SCHEMA_VERSION = 1 as const;

/**
 * A small entry per sweep under the index prefix, so listing sweeps never reads specs (hence its own `cellCount`,
 * written from `cellCount(spec)` at launch).
 */
export const SweepIndexEntrySchema = versioned({
  name: 'SweepIndexEntry',
  version: SWEEP_INDEX_ENTRY_SCHEMA_VERSION,
  schema: z.object({
    schemaVersion: z.literal(SWEEP_INDEX_ENTRY_SCHEMA_VERSION),
    id: SweepIdSchema,
    createdAt: TimeMsSchema,
    title: z.string(),
    author: z.string(),
    cellCount: z.int().min(1),
    /** Unit of the η axis: absolute values, or multiples of 1/λ0. */
    etaUnit: z.enum(['absolute', 'inv-lambda0']),
  }),
  migrations: {},
});
export type SweepIndexEntry = z.infer<typeof SweepIndexEntrySchema>;

export const CANCEL_RECORD_SCHEMA_VERSION = 1 as const;

/** `cancel.json`: present = the sweep is cancelled. */
export const CancelRecordSchema = versioned({
  name: 'CancelRecord',
  version: CANCEL_RECORD_SCHEMA_VERSION,
  schema: z.object({
    schemaVersion: z.literal(CANCEL_RECORD_SCHEMA_VERSION),
    sweepId: SweepIdSchema,
    cancelledAt: TimeMsSchema,
    by: z.string().max(80).optional(),
  }),
  migrations: {},
});
export type CancelRecord = z.infer<typeof CancelRecordSchema>;

export const CALIBRATION_RECORD_SCHEMA_VERSION = 1 as const;

/** λ0^H of a sweep whose η grid is in units of 1/λ0 (PAPER §2.4), written before any cell trains. */
export const CalibrationRecordSchema = versioned({
  name: 'CalibrationRecord',
  version: CALIBRATION_RECORD_SCHEMA_VERSION,
  schema: z.object({
    schemaVersion: z.literal(CALIBRATION_RECORD_SCHEMA_VERSION),
    sweepId: SweepIdSchema,
    lambda0: z.number().positive().finite(),
    /** Batches averaged (PAPER §2.4: 10). */
    batches: z.int().min(1),
    seed: z.int().min(0),
    measuredAt: TimeMsSchema,
    workerId: WorkerIdSchema,
    epoch: EpochSchema,
  }),
  migrations: {},
});
export type CalibrationRecord = z.infer<typeof CalibrationRecordSchema>;

export const CLAIM_RECORD_SCHEMA_VERSION = 1 as const;

/**
 * `claim-<epoch>`: created once (create-if-absent: one winner per epoch), then renewed by its owner (if-match) on
 * every heartbeat. `released` gives the job up at once (graceful shutdown); `done` follows the result.
 */
export const ClaimRecordSchema = versioned({
  name: 'ClaimRecord',
  version: CLAIM_RECORD_SCHEMA_VERSION,
  schema: z.object({
    schemaVersion: z.literal(CLAIM_RECORD_SCHEMA_VERSION),
    ...jobEpochFields,
    workerId: WorkerIdSchema,
    claimedAt: TimeMsSchema,
    heartbeatAt: TimeMsSchema,
    leaseExpiresAt: TimeMsSchema,
    state: z.enum(['running', 'released', 'done']),
  }),
  migrations: {},
});
export type ClaimRecord = z.infer<typeof ClaimRecordSchema>;

export const DONE_MARKER_SCHEMA_VERSION = 1 as const;

/**
 * `done`: created once (create-if-absent) by the owner of the epoch whose result ends the job. Readers take the
 * result of this epoch; a job with a done marker is never claimed again.
 */
export const DoneMarkerSchema = versioned({
  name: 'DoneMarker',
  version: DONE_MARKER_SCHEMA_VERSION,
  schema: z.object({
    schemaVersion: z.literal(DONE_MARKER_SCHEMA_VERSION),
    ...jobEpochFields,
    outcome: OutcomeSchema,
    finishedAt: TimeMsSchema,
    ...jobEndFields,
  }),
  migrations: {},
});
export type DoneMarker = z.infer<typeof DoneMarkerSchema>;

/** Log-spaced history of a cell for heatmap-over-time: steps with the train loss and the latest λ^H there. */
export const ProgressHistorySchema = z
  .object({
    step: z.array(z.int().min(0)),
    loss: z.array(JsonNumberSchema),
    sharpness: z.array(JsonNumberSchema),
  })
  .refine(
    (h) => h.loss.length === h.step.length && h.sharpness.length === h.step.length,
    'history arrays must have equal lengths',
  );

export const PROGRESS_RECORD_SCHEMA_VERSION = 1 as const;

/** Overwritten every few seconds while a cell trains; the last one stays. */
export const ProgressRecordSchema = versioned({
  name: 'ProgressRecord',
  version: PROGRESS_RECORD_SCHEMA_VERSION,
  schema: z.object({
    schemaVersion: z.literal(PROGRESS_RECORD_SCHEMA_VERSION),
    ...cellEpochFields,
    workerId: WorkerIdSchema,
    updatedAt: TimeMsSchema,
    /** Last step with a row (0-based), or −1 before the first row. */
    step: z.int().min(-1),
    totalSteps: z.int().min(1),
    /** Latest value of every metric seen so far (NaN/±Inf kept). */
    latest: z.record(z.string(), JsonNumberSchema),
    history: ProgressHistorySchema,
    chunks: z.int().min(0),
    rows: z.int().min(0),
  }),
  migrations: {},
});
export type ProgressRecord = z.infer<typeof ProgressRecordSchema>;
export type ProgressRecordInput = z.input<typeof ProgressRecordSchema>;

/** Columns of a cell's chart series (MetricRow fields; `lr` may come from the schedule when rows lack it). */
export const SERIES_COLUMNS = [
  'loss',
  'acc',
  'lr',
  'testLoss',
  'testAcc',
  'sharpness',
  'precondSharpness',
  'stabilityRatio',
  'gradNorm',
] as const;
export type SeriesColumn = (typeof SERIES_COLUMNS)[number];

/** One downsampled series: steps ascending, values with NaN/±Inf kept as data. */
export const StoredSeriesSchema = z
  .object({ steps: z.array(z.int().min(0)), values: z.array(JsonNumberSchema) })
  .refine((s) => s.steps.length === s.values.length, 'steps and values must have equal lengths');

export const CELL_SERIES_RECORD_SCHEMA_VERSION = 1 as const;

/**
 * `series.json` under a finished cell's epoch: its chart series, each downsampled from all its rows to at most
 * `maxPoints` points (min/max buckets of server/core/downsample.ts, keeping first/last, warmup end, catapults and the
 * divergence step), with the markers and regime computed from the same rows. Written once when the cell finishes, so
 * the dashboard reads one small object instead of every chunk; a cell without it (running, or finished before it
 * existed) is served from its chunks.
 */
export const CellSeriesRecordSchema = versioned({
  name: 'CellSeriesRecord',
  version: CELL_SERIES_RECORD_SCHEMA_VERSION,
  schema: z.object({
    schemaVersion: z.literal(CELL_SERIES_RECORD_SCHEMA_VERSION),
    ...cellEpochFields,
    maxPoints: z.int().min(2),
    /** Rows the series were computed from. */
    rowCount: z.int().min(0),
    series: z.partialRecord(z.enum(SERIES_COLUMNS), StoredSeriesSchema),
    markers: z.object({
      warmupEnd: z.int().min(0).nullable(),
      divergence: z.int().min(0).nullable(),
      catapults: z.array(z.int().min(0)),
    }),
    regime: RegimeLabelSchema.nullable(),
  }),
  migrations: {},
});
export type CellSeriesRecord = z.infer<typeof CellSeriesRecordSchema>;
export type CellSeriesRecordInput = z.input<typeof CellSeriesRecordSchema>;

export const CELL_RESULT_RECORD_SCHEMA_VERSION = 1 as const;

/**
 * The record that ends a job (cell or calibration). `summary` holds the final and best numbers a heatmap needs
 * (see `summarizeRunResult`); `run` is the engine's full RunResult when the engine got to return one.
 */
export const CellResultRecordSchema = versioned({
  name: 'CellResultRecord',
  version: CELL_RESULT_RECORD_SCHEMA_VERSION,
  schema: z.object({
    schemaVersion: z.literal(CELL_RESULT_RECORD_SCHEMA_VERSION),
    ...cellEpochFields,
    workerId: WorkerIdSchema,
    finishedAt: TimeMsSchema,
    outcome: OutcomeSchema,
    ...jobEndFields,
    /** Message of an `error` outcome. */
    error: z.string().max(4000).optional(),
    run: RunResultSchema.optional(),
  }),
  migrations: {},
});
export type CellResultRecord = z.infer<typeof CellResultRecordSchema>;
export type CellResultRecordInput = z.input<typeof CellResultRecordSchema>;

/** The summary numbers of a RunResult kept in result and done records (null values are left out). */
export function summarizeRunResult(r: z.infer<typeof RunResultSchema>): Record<string, number> {
  const pick: Record<string, number | null> = {
    stepsRun: r.stepsRun,
    finalTrainLoss: r.finalTrainLoss,
    finalTrainAcc: r.finalTrainAcc,
    finalTestLoss: r.finalTestLoss,
    finalTestAcc: r.finalTestAcc,
    bestTrainLoss: r.bestTrainLoss,
    bestTestLoss: r.bestTestLoss,
    bestTestAcc: r.bestTestAcc,
    bestTestAccStep: r.bestTestAccStep,
    divergenceStep: r.divergence?.step ?? null,
    etaInit: r.etaInit,
    etaC: r.etaC,
    lambda0: r.lambda0,
    stepsPerSec: r.stepsPerSec,
    wallTimeMs: r.wallTimeMs,
  };
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(pick)) if (v !== null) out[k] = v;
  return out;
}
