import { type z } from 'zod';

/**
 * Domain errors as types, so every layer matches them with `instanceof` and the API maps the bases to tRPC codes once
 * (server/api/errors.ts): NotFoundError → NOT_FOUND, InvalidRecordError → BAD_REQUEST. A CorruptRecordError is the
 * store's own fault and stays an internal error.
 */

/** One line per problem, each naming the field path and what is allowed: `schedule.etaTrgt: Too small: expected number to be >0`. */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      return `${path}: ${issue.message}`;
    })
    .join('\n');
}

/** A record the caller asked for does not exist (or its id is malformed): the base of every "not found". */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** No sweep with this id. */
export class SweepNotFoundError extends NotFoundError {
  override name = 'SweepNotFoundError';
  constructor(readonly sweepId: string) {
    super(`sweep not found: ${sweepId}`);
  }
}

/** No cell (nor job) with this id in the sweep's grid. */
export class CellNotFoundError extends NotFoundError {
  override name = 'CellNotFoundError';
  constructor(
    readonly sweepId: string,
    readonly cellId: string,
  ) {
    super(`cell ${cellId} not found in sweep ${sweepId}`);
  }
}

/** A record that fails its schema: the base of the corrupt (stored) and invalid (to be written) cases. */
export class RecordError extends Error {
  override name = 'RecordError';
}

/** A stored object that does not parse (truncated JSON, wrong shape): names the key and what is wrong. */
export class CorruptRecordError extends RecordError {
  override name = 'CorruptRecordError';
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(`corrupt record ${key}: ${detail}`);
  }
}

/** Invalid input to a write (e.g. a SweepSpec out of limits): the message names each field. */
export class InvalidRecordError extends RecordError {
  override name = 'InvalidRecordError';
}
