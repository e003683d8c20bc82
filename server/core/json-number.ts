import { z } from 'zod';

/**
 * JSON cannot hold NaN or ±Infinity, but a diverged step is data (DESIGN.md), so stored numbers use the strings
 * "NaN", "Infinity" and "-Infinity" for them. `JsonNumberSchema` parses either form to a JS number;
 * `toJsonNumber` is its inverse for writing, `stringifyRecord` writes a whole record with it.
 */
export const JsonNumberSchema = z
  .union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])])
  .transform((v) => (typeof v === 'number' ? v : Number(v)));

/** A stored number as written: finite numbers as they are, non-finite ones as their string names. */
export type JsonNumber = z.input<typeof JsonNumberSchema>;

/** Encode a number for JSON storage without losing NaN or ±Infinity. */
export function toJsonNumber(n: number): JsonNumber {
  if (Number.isFinite(n)) return n;
  if (Number.isNaN(n)) return 'NaN';
  return n > 0 ? 'Infinity' : '-Infinity';
}

/** A deep copy of `value` in which every non-finite number is replaced by its JSON-number string. */
export function encodeJsonNumbers(value: unknown): unknown {
  if (typeof value === 'number') return toJsonNumber(value);
  if (Array.isArray(value)) return value.map(encodeJsonNumbers);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeJsonNumbers(v)]));
  }
  return value;
}

/**
 * Validates an in-memory record that may hold NaN/±Infinity numbers (zod's `z.number()` rejects those, so they are
 * encoded first) and returns the parsed value, numbers restored.
 */
export function parseRecord<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  return schema.parse(encodeJsonNumbers(value));
}

/**
 * JSON text of a record with NaN/±Infinity kept as their JSON-number strings (plain JSON.stringify would write null):
 * the one writer of stored JSON. A replacer rather than `encodeJsonNumbers`, so a 100k-row chunk is not copied first.
 */
export function stringifyRecord(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' ? toJsonNumber(v) : v));
}
