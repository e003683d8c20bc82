import { describe, expect, it } from 'vitest';
import { CorruptRecordError, SweepNotFoundError } from '../../../../server/core/errors';
import { nullIfCorrupt } from '../../../../server/store/record-store';

describe('nullIfCorrupt', () => {
  it('passes a value through, reads a corrupt record as null, and lets every other error through', async () => {
    expect(await nullIfCorrupt(Promise.resolve(3))).toBe(3);
    expect(await nullIfCorrupt(Promise.reject(new CorruptRecordError('k', 'bad')))).toBeNull();
    await expect(nullIfCorrupt(Promise.reject(new SweepNotFoundError('sw1')))).rejects.toBeInstanceOf(
      SweepNotFoundError,
    );
    await expect(nullIfCorrupt(Promise.reject(new Error('EIO')))).rejects.toThrow('EIO');
  });
});
