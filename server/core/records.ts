import { z } from 'zod';
import { RegimeLabelSchema } from './curvature';
import { CellIdSchema, StudyIdSchema, SweepIdSchema, WorkerIdSchema } from './ids';
import { JsonNumberSchema, toJsonNumber, type JsonNumber } from './json-number';
import { METRIC_ROW_SCHEMA_VERSION, RunResultSchema, type MetricRow } from './metrics';
import { OutcomeSchema } from './outcome';
import { SlugSchema, StudySizeSchema, SweepSpecSchema } from './sweep-spec';

/**
 * Schemas of the records the store keeps for sweeps (DESIGN.md "Stored records"). Each carries `schemaVersion`;
 * the store validates before every write and parses on every read. Times are ms since the epoch (integers).
 */

const TimeMsSchema = z.int().min(0);
const EpochSchema = z.int().min(1).max(999_999);

export const SweepRecordSchema = z.object({
  schemaVersion: z.literal(1),
  id: SweepIdSchema,
  createdAt: TimeMsSchema,
  spec: SweepSpecSchema,
  /** Number of cells (not counting the calibration job). */
  cellCount: z.int().min(1),
});
export type SweepRecord = z.infer<typeof SweepRecordSchema>;

/**
 * A study: the sweeps one paper preset launched together, by role. Written once, after its sweeps (each of
 * which names the study in `spec.study`), so the claim checks can read them side by side.
 */
export const StudyRecordSchema = z.object({
  schemaVersion: z.literal(1),
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
});
export type StudyRecord = z.infer<typeof StudyRecordSchema>;

/** A small entry per sweep under the index prefix, so listing sweeps never reads specs. */
export const SweepIndexEntrySchema = z.object({
  schemaVersion: z.literal(1),
  id: SweepIdSchema,
  createdAt: TimeMsSchema,
  title: z.string(),
  author: z.string(),
  cellCount: z.int().min(1),
  /** Unit of the η axis: absolute values, or multiples of 1/λ0. */
  etaUnit: z.enum(['absolute', 'inv-lambda0']),
});
export type SweepIndexEntry = z.infer<typeof SweepIndexEntrySchema>;

export const CancelRecordSchema = z.object({
  schemaVersion: z.literal(1),
  sweepId: SweepIdSchema,
  cancelledAt: TimeMsSchema,
  by: z.string().max(80).optional(),
});
export type CancelRecord = z.infer<typeof CancelRecordSchema>;

/** λ0^H of a sweep whose η grid is in units of 1/λ0 (PAPER §2.4), written before any cell trains. */
export const CalibrationRecordSchema = z.object({
  schemaVersion: z.literal(1),
  sweepId: SweepIdSchema,
  lambda0: z.number().positive().finite(),
  /** Batches averaged (PAPER §2.4: 10). */
  batches: z.int().min(1),
  seed: z.int().min(0),
  measuredAt: TimeMsSchema,
  workerId: WorkerIdSchema,
  epoch: EpochSchema,
});
export type CalibrationRecord = z.infer<typeof CalibrationRecordSchema>;

/**
 * `claim-<epoch>`: created once (create-if-absent: one winner per epoch), then renewed by its owner (if-match) on
 * every heartbeat. `released` gives the job up at once (graceful shutdown); `done` follows the result.
 */
export const ClaimRecordSchema = z.object({
  schemaVersion: z.literal(1),
  sweepId: SweepIdSchema,
  jobId: CellIdSchema,
  epoch: EpochSchema,
  workerId: WorkerIdSchema,
  claimedAt: TimeMsSchema,
  heartbeatAt: TimeMsSchema,
  leaseExpiresAt: TimeMsSchema,
  state: z.enum(['running', 'released', 'done']),
});
export type ClaimRecord = z.infer<typeof ClaimRecordSchema>;

/**
 * `done`: created once (create-if-absent) by the owner of the epoch whose result ends the job. Readers take the
 * result of this epoch; a job with a done marker is never claimed again.
 */
export const DoneMarkerSchema = z.object({
  schemaVersion: z.literal(1),
  sweepId: SweepIdSchema,
  jobId: CellIdSchema,
  epoch: EpochSchema,
  outcome: OutcomeSchema,
  finishedAt: TimeMsSchema,
  /** Last step trained, −1 if none. */
  lastStep: z.int().min(-1),
  /** The result's summary numbers, copied so a heatmap needs one read per finished cell. */
  summary: z.record(z.string(), JsonNumberSchema),
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

/** Overwritten every few seconds while a cell trains; the last one stays. */
export const ProgressRecordSchema = z.object({
  schemaVersion: z.literal(1),
  sweepId: SweepIdSchema,
  cellId: CellIdSchema,
  epoch: EpochSchema,
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
});
export type ProgressRecord = z.infer<typeof ProgressRecordSchema>;
export type ProgressRecordInput = z.input<typeof ProgressRecordSchema>;

/** A stored chunk value: a number, a non-finite number's string name, or null (not measured at that step). */
function parseChunkValue(v: unknown): number | null | undefined {
  if (v === null) return null;
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return undefined;
}

/**
 * The rows of a chunk: arrays of `JsonNumber | null`, checked and decoded in one loop over the values. (A zod
 * union per value cost ~5 µs: half a second for the 100k rows of one long cell; docs/BENCHMARKS.md.) The
 * same checks as `z.array(z.array(z.union([JsonNumberSchema, z.null()]))).min(1)`, with the same output.
 */
// z.custom types the input for writers; the transform is the check (z.custom without a predicate accepts anything).
const ChunkRowsSchema = z.custom<(JsonNumber | null)[][]>().transform((rows: unknown, ctx): (number | null)[][] => {
  if (!Array.isArray(rows)) {
    ctx.issues.push({ code: 'custom', message: 'rows must be an array', input: rows });
    return z.NEVER;
  }
  if (rows.length < 1) {
    ctx.issues.push({ code: 'custom', message: 'rows must not be empty', input: rows });
    return z.NEVER;
  }
  const out: (number | null)[][] = new Array<(number | null)[]>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r: unknown = rows[i];
    if (!Array.isArray(r)) {
      ctx.issues.push({ code: 'custom', path: [i], message: 'row must be an array', input: r });
      return z.NEVER;
    }
    const o: (number | null)[] = new Array<number | null>(r.length);
    for (let j = 0; j < r.length; j++) {
      const v = parseChunkValue(r[j]);
      if (v === undefined) {
        ctx.issues.push({
          code: 'custom',
          path: [i, j],
          message: 'expected a number, "NaN", "Infinity", "-Infinity" or null',
          input: r[j],
        });
        return z.NEVER;
      }
      o[j] = v;
    }
    out[i] = o;
  }
  return out;
});

/**
 * One append-only chunk of step-level rows, columnar: the column names once, then one array per row; `null` is a
 * metric not measured at that step, "NaN"/"Infinity"/"-Infinity" are data. `step` is always column 0 and the
 * steps of a chunk are consecutive from `firstStep` when every step has a row.
 */
export const MetricChunkSchema = z
  .object({
    schemaVersion: z.literal(1),
    sweepId: SweepIdSchema,
    cellId: CellIdSchema,
    epoch: EpochSchema,
    seq: z.int().min(0),
    columns: z.array(z.string().min(1)).min(1),
    rows: ChunkRowsSchema,
  })
  .superRefine((c, ctx) => {
    if (c.columns[0] !== 'step')
      ctx.addIssue({ code: 'custom', path: ['columns', 0], message: 'column 0 must be "step"' });
    if (new Set(c.columns).size !== c.columns.length)
      ctx.addIssue({ code: 'custom', path: ['columns'], message: 'duplicate column' });
    c.rows.forEach((r, i) => {
      if (r.length !== c.columns.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['rows', i],
          message: `row has ${r.length} values for ${c.columns.length} columns`,
        });
      } else if (typeof r[0] !== 'number' || !Number.isInteger(r[0]) || r[0] < 0) {
        ctx.addIssue({ code: 'custom', path: ['rows', i, 0], message: 'step must be an integer ≥ 0' });
      }
    });
  });
export type MetricChunk = z.infer<typeof MetricChunkSchema>;
export type MetricChunkInput = z.input<typeof MetricChunkSchema>;

/** A step row as the store moves it: `step` plus named numbers (missing = not measured at that step). */
export type StepValues = { step: number } & Record<string, number>;

/**
 * Metric values are stored with 9 significant digits: every float32 (what the engine computes in) survives exactly
 * (9 digits round-trip any float32), and the JSON is about half the length of a double's 17 digits.
 */
export const STORED_SIGNIFICANT_DIGITS = 9;

/** A number rounded to the stored precision (non-finite values unchanged). */
export function toStoredPrecision(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(STORED_SIGNIFICANT_DIGITS)) : v;
}

/** Encode rows columnar (column order: step, then first appearance), NaN/±Inf as strings, 9 significant digits. */
export function encodeChunkRows(rows: readonly StepValues[]): { columns: string[]; rows: (JsonNumber | null)[][] } {
  const columns = ['step'];
  const index = new Map<string, number>([['step', 0]]);
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (!index.has(k)) {
        index.set(k, columns.length);
        columns.push(k);
      }
    }
  }
  const out = rows.map((r) => {
    const arr: (JsonNumber | null)[] = new Array<JsonNumber | null>(columns.length).fill(null);
    for (const [k, v] of Object.entries(r))
      arr[index.get(k) ?? 0] = k === 'step' ? v : toJsonNumber(toStoredPrecision(v));
    return arr;
  });
  return { columns, rows: out };
}

/** Decode a parsed chunk back to rows (null cells are omitted). */
export function decodeChunkRows(chunk: Pick<MetricChunk, 'columns' | 'rows'>): StepValues[] {
  return chunk.rows.map((r) => {
    const row: Record<string, number> = {};
    chunk.columns.forEach((c, i) => {
      const v = r[i];
      if (v !== null && v !== undefined) row[c] = v;
    });
    return row as StepValues;
  });
}

/**
 * How each MetricRow field is checked in a chunk column (MetricRowSchema: `Count` = integer ≥ 0, `Num` = any number
 * including NaN/±Inf); `required` fields must have a value in every row. `satisfies` keeps this table and the
 * MetricRow type in step: a field added to one and not the other does not compile.
 */
const METRIC_ROW_FIELDS = {
  step: { kind: 'count', required: true },
  lr: { kind: 'number', required: true },
  loss: { kind: 'number', required: true },
  acc: { kind: 'number', required: true },
  gradNorm: { kind: 'number', required: true },
  updateNorm: { kind: 'number', required: false },
  paramNorm: { kind: 'number', required: true },
  mNorm: { kind: 'number', required: false },
  vNorm: { kind: 'number', required: false },
  testLoss: { kind: 'number', required: false },
  testAcc: { kind: 'number', required: false },
  sharpness: { kind: 'number', required: false },
  precondSharpness: { kind: 'number', required: false },
  lanczosIters: { kind: 'count', required: false },
  lanczosResidual: { kind: 'number', required: false },
  stabilityRatio: { kind: 'number', required: false },
  fdFlips: { kind: 'count', required: false },
  sharpnessMean: { kind: 'number', required: false },
} as const satisfies Record<Exclude<keyof MetricRow, 'schemaVersion'>, { kind: 'count' | 'number'; required: boolean }>;

type MetricRowField = keyof typeof METRIC_ROW_FIELDS;
const isMetricRowField = (c: string): c is MetricRowField => Object.hasOwn(METRIC_ROW_FIELDS, c);

/**
 * The MetricRows of a parsed chunk, checked column by column with the rules of MetricRowSchema (required fields
 * present in every row, counts integers ≥ 0, NaN/±Inf kept as data, columns MetricRow does not know left out), without
 * building and parsing one object per row. Throws an Error naming the row and column of the first bad value.
 */
export function decodeMetricRows(chunk: Pick<MetricChunk, 'columns' | 'rows'>): MetricRow[] {
  const cols: { index: number; name: MetricRowField; kind: 'count' | 'number'; required: boolean }[] = [];
  chunk.columns.forEach((c, index) => {
    if (isMetricRowField(c)) cols.push({ index, name: c, ...METRIC_ROW_FIELDS[c] });
  });
  for (const [name, f] of Object.entries(METRIC_ROW_FIELDS)) {
    if (f.required && !chunk.columns.includes(name))
      throw new Error(`metric rows: required column "${name}" is missing`);
  }
  const out: MetricRow[] = new Array<MetricRow>(chunk.rows.length);
  for (let i = 0; i < chunk.rows.length; i++) {
    const r = chunk.rows[i] ?? [];
    const row: Record<string, number> = {};
    for (const c of cols) {
      const v = r[c.index];
      if (v === null || v === undefined) {
        if (c.required) throw new Error(`metric rows: row ${i} has no value for required column "${c.name}"`);
        continue;
      }
      if (c.kind === 'count' && !(Number.isInteger(v) && v >= 0))
        throw new Error(`metric rows: row ${i} column "${c.name}" must be an integer ≥ 0, got ${v}`);
      row[c.name] = v;
    }
    // Every required field was checked present above, so the row has MetricRow's shape.
    out[i] = { schemaVersion: METRIC_ROW_SCHEMA_VERSION, ...row } as MetricRow;
  }
  return out;
}

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

/**
 * `series.json` under a finished cell's epoch: its chart series, each downsampled from all its rows to at most
 * `maxPoints` points (min/max buckets of server/core/downsample.ts, keeping first/last, warmup end, catapults and the
 * divergence step), with the markers and regime computed from the same rows. Written once when the cell finishes, so
 * the dashboard reads one small object instead of every chunk; a cell without it (running, or finished before it
 * existed) is served from its chunks.
 */
export const CellSeriesRecordSchema = z.object({
  schemaVersion: z.literal(1),
  sweepId: SweepIdSchema,
  cellId: CellIdSchema,
  epoch: EpochSchema,
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
});
export type CellSeriesRecord = z.infer<typeof CellSeriesRecordSchema>;
export type CellSeriesRecordInput = z.input<typeof CellSeriesRecordSchema>;

/**
 * The record that ends a job (cell or calibration). `summary` holds the final and best numbers a heatmap needs
 * (see `summarizeRunResult`); `run` is the engine's full RunResult when the engine got to return one.
 */
export const CellResultRecordSchema = z.object({
  schemaVersion: z.literal(1),
  sweepId: SweepIdSchema,
  cellId: CellIdSchema,
  epoch: EpochSchema,
  workerId: WorkerIdSchema,
  finishedAt: TimeMsSchema,
  outcome: OutcomeSchema,
  /** Last step trained (0-based), −1 if none. */
  lastStep: z.int().min(-1),
  summary: z.record(z.string(), JsonNumberSchema),
  /** Message of an `error` outcome. */
  error: z.string().max(4000).optional(),
  run: RunResultSchema.optional(),
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
