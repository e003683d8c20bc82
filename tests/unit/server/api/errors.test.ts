import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LaunchUnauthorizedError, toTRPCError } from '../../../../server/api/errors';
import {
  CellNotFoundError,
  CorruptRecordError,
  InvalidRecordError,
  NotFoundError,
  SweepNotFoundError,
} from '../../../../server/core/errors';
import { BlobExistsError, BlobPreconditionFailedError } from '../../../../server/store/blob-store';
import { StudyNotFoundError } from '../../../../server/store/studies';

describe('toTRPCError', () => {
  it('maps each base class once: every NotFoundError to NOT_FOUND, invalid input to BAD_REQUEST', () => {
    const code = (e: unknown) => toTRPCError(e)?.code ?? null;
    expect(code(new SweepNotFoundError('sw1'))).toBe('NOT_FOUND');
    expect(code(new CellNotFoundError('sw1', 'e00-w000001-s1'))).toBe('NOT_FOUND');
    expect(code(new StudyNotFoundError('st1'))).toBe('NOT_FOUND');
    expect(code(new NotFoundError('no such thing'))).toBe('NOT_FOUND');
    expect(code(new InvalidRecordError('steps: Too big'))).toBe('BAD_REQUEST');
    expect(code(z.object({ a: z.number() }).safeParse({}).error)).toBe('BAD_REQUEST');
    expect(code(new LaunchUnauthorizedError('token'))).toBe('UNAUTHORIZED');
    expect(code(new BlobExistsError('exists', 'k'))).toBe('CONFLICT');
    expect(code(new BlobPreconditionFailedError('changed', 'k'))).toBe('CONFLICT');
  });

  it('leaves a corrupt stored record, unknown errors and TRPCErrors alone (they stay as thrown)', () => {
    expect(toTRPCError(new CorruptRecordError('k', 'bad'))).toBeNull();
    expect(toTRPCError(new Error('boom'))).toBeNull();
    expect(toTRPCError(new TRPCError({ code: 'FORBIDDEN' }))).toBeNull();
  });

  it('keeps the message of the error it maps', () => {
    expect(toTRPCError(new CellNotFoundError('sw1', 'e09-w000016-s1'))?.message).toBe(
      'cell e09-w000016-s1 not found in sweep sw1',
    );
  });
});
