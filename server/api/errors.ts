import { TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { formatZodError, InvalidRecordError, NotFoundError } from '../core/errors';
import { BlobExistsError, BlobPreconditionFailedError } from '../store/blob-store';

/** Launch or cancel without the launch token (or, with no token configured, from a non-loopback address). */
export class LaunchUnauthorizedError extends Error {
  override name = 'LaunchUnauthorizedError';
}

/**
 * The one place domain errors become tRPC codes, by their base classes (server/core/errors.ts): every NotFoundError
 * (sweep, cell, study, …) is NOT_FOUND, an InvalidRecordError BAD_REQUEST. Unknown errors (a CorruptRecordError
 * among them: the store's fault, not the caller's) return null and stay INTERNAL_SERVER_ERROR (their message is not
 * rewritten, nothing is swallowed).
 */
export function toTRPCError(error: unknown): TRPCError | null {
  if (error instanceof TRPCError) return null;
  if (error instanceof ZodError)
    return new TRPCError({ code: 'BAD_REQUEST', message: formatZodError(error), cause: error });
  if (error instanceof LaunchUnauthorizedError)
    return new TRPCError({ code: 'UNAUTHORIZED', message: error.message, cause: error });
  if (error instanceof InvalidRecordError)
    return new TRPCError({ code: 'BAD_REQUEST', message: error.message, cause: error });
  if (error instanceof NotFoundError) return new TRPCError({ code: 'NOT_FOUND', message: error.message, cause: error });
  if (error instanceof BlobExistsError || error instanceof BlobPreconditionFailedError)
    return new TRPCError({ code: 'CONFLICT', message: error.message, cause: error });
  return null;
}
