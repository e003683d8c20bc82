import { z } from 'zod';
import { toJsonNumber, type JsonNumber } from './json-number';
import { METRIC_ROW_SCHEMA_VERSION, type MetricRow } from './metrics';
import { cellEpochFields } from './records';
import { versioned } from './versioned';

/**
 * A cell's step rows as the store keeps them: append-only chunks, columnar (`MetricChunkSchema`), with their codec:
 * encoding rows to columns at the stored precision, decoding them back, and checking decoded columns against
 * MetricRow's rules without building one zod parse per row (docs/BENCHMARKS.md).
 */

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

export const METRIC_CHUNK_SCHEMA_VERSION = 1 as const;

/**
 * One append-only chunk of step-level rows, columnar: the column names once, then one array per row; `null` is a
 * metric not measured at that step, "NaN"/"Infinity"/"-Infinity" are data. `step` is always column 0 and the
 * steps of a chunk are consecutive from `firstStep` when every step has a row.
 */
export const MetricChunkSchema = versioned({
  name: 'MetricChunk',
  version: METRIC_CHUNK_SCHEMA_VERSION,
  schema: z
    .object({
      schemaVersion: z.literal(METRIC_CHUNK_SCHEMA_VERSION),
      ...cellEpochFields,
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
    }),
  migrations: {},
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
