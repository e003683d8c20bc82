import { z } from 'zod';

/**
 * JSON cannot hold NaN or ±Infinity, but a diverged step is data (DESIGN.md), so stored numbers use the strings
 * "NaN", "Infinity" and "-Infinity" for them. `JsonNumberSchema` parses either form to a JS number;
 * `toJsonNumber` is its inverse for writing.
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
