import { describe, expect, it } from 'vitest';
import { makeCellId, makeSweepId, SweepIdSchema, sweepIdTime } from '../../../../server/core/ids';

describe('sweep ids', () => {
  it('encodes time inverted so that newer ids sort first, with a random tail', () => {
    const zeros = new Uint8Array(10);
    // 36^9 − 1 − 0 in base 36 is nine 'z's; bytes of 0 give the first base32 digit.
    expect(makeSweepId(0, zeros)).toBe('swzzzzzzzzz-0000000000');
    const t = Date.UTC(2026, 10, 28, 15, 30);
    const older = makeSweepId(t, zeros);
    const newer = makeSweepId(t + 1, zeros);
    expect([older, newer].sort()).toEqual([newer, older]);
    expect(sweepIdTime(older)).toBe(t);
    expect(SweepIdSchema.safeParse(older).success).toBe(true);
  });

  it('takes 10 random characters from a 32-letter alphabet without i, l, o, u', () => {
    const bytes = Uint8Array.from([0, 1, 9, 10, 17, 18, 20, 26, 31, 32]);
    expect(makeSweepId(0, bytes).split('-')[1]).toBe('019ahjmtz0'); // alphabet index: 0→0 1→1 9→9 10→a 17→h 18→j 20→m 26→t 31→z 32 mod 32→0;
    const a = makeSweepId(1000);
    const b = makeSweepId(1000);
    expect(a).not.toBe(b); // 50 random bits: a collision here would be a broken RNG
  });

  it('rejects times outside the encodable range', () => {
    expect(() => makeSweepId(-1)).toThrow(RangeError);
    expect(() => makeSweepId(36 ** 9)).toThrow(RangeError);
  });

  it('builds cell ids from grid coordinates', () => {
    expect(makeCellId(3, 64, 1)).toBe('e03-w000064-s1');
    expect(makeCellId(12, 100000, 7)).toBe('e12-w100000-s7');
  });
});
