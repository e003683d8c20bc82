import { z } from 'zod';

/**
 * Identifiers of stored things. Sweep ids sort by time, NEWEST FIRST in plain lexicographic order (blob listings are
 * lexicographic), and carry a random part so a share link cannot be guessed:
 *   `sw` + base36(MAX_TIME − createdAtMs), 9 chars + `-` + 10 random base32 chars  →  e.g. `sw1ygr2pqbz-k3m9x0d2aq`.
 * Cell ids are stable functions of the grid position (see grid.ts).
 */

/** Largest representable creation time, ms since epoch (36^9 − 1 ≈ year 5170). */
const MAX_TIME_MS = 36 ** 9 - 1;
const TIME_CHARS = 9;
const RANDOM_CHARS = 10;
const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';

export const SweepIdSchema = z
  .string()
  .regex(/^sw[0-9a-z]{9}-[0-9a-hjkmnp-tv-z]{10}$/, 'a sweep id like sw1ygr2pqbz-k3m9x0d2aq');
export type SweepId = z.infer<typeof SweepIdSchema>;

/** Cell ids: `e<η index, 2+ digits>-w<T_wrm, 6 digits>-s<seed>`, or `calibration` for the λ0 job. */
export const CellIdSchema = z.string().regex(/^(e\d{2,}-w\d{6,}-s\d+|calibration)$/, 'a cell id like e03-w000064-s1');
export type CellId = z.infer<typeof CellIdSchema>;

export const WorkerIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,80}$/, 'letters, digits and . _ : - (at most 80)');

/**
 * Study ids (a group of sweeps launched together from one paper preset) have the sweep id's shape with the
 * prefix `st`, so they also sort newest first and cannot be guessed.
 */
export const StudyIdSchema = z
  .string()
  .regex(/^st[0-9a-z]{9}-[0-9a-hjkmnp-tv-z]{10}$/, 'a study id like st1ygr2pqbz-k3m9x0d2aq');
export type StudyId = z.infer<typeof StudyIdSchema>;

/** Make a study id for a creation time (see `makeSweepId`). */
export function makeStudyId(createdAtMs: number, random: Uint8Array = randomBytes(RANDOM_CHARS)): StudyId {
  return `st${makeSweepId(createdAtMs, random).slice(2)}`;
}

/** Make a sweep id for a creation time; `random` supplies ≥ 10 random bytes (defaults to Web Crypto). */
export function makeSweepId(createdAtMs: number, random: Uint8Array = randomBytes(RANDOM_CHARS)): SweepId {
  if (!Number.isInteger(createdAtMs) || createdAtMs < 0 || createdAtMs > MAX_TIME_MS) {
    throw new RangeError(`createdAtMs must be an integer in [0, ${MAX_TIME_MS}], got ${createdAtMs}`);
  }
  if (random.length < RANDOM_CHARS) throw new RangeError(`need ${RANDOM_CHARS} random bytes, got ${random.length}`);
  const time = (MAX_TIME_MS - createdAtMs).toString(36).padStart(TIME_CHARS, '0');
  let tail = '';
  for (let i = 0; i < RANDOM_CHARS; i++) tail += BASE32[(random[i] ?? 0) % 32];
  return `sw${time}-${tail}`;
}

/** The creation time encoded in a sweep id (ms since epoch). */
export function sweepIdTime(id: SweepId): number {
  return MAX_TIME_MS - parseInt(id.slice(2, 2 + TIME_CHARS), 36);
}

/** Stable id of the cell at η index `etaIndex`, warmup length `warmupSteps`, seed `seed`. */
export function makeCellId(etaIndex: number, warmupSteps: number, seed: number): CellId {
  return `e${String(etaIndex).padStart(2, '0')}-w${String(warmupSteps).padStart(6, '0')}-s${seed}`;
}

/** The id of the λ0 calibration job of a sweep (claimed like a cell). */
export const CALIBRATION_JOB_ID = 'calibration' as const;

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
}
