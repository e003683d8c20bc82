import { describe, expect, it } from 'vitest';
import { formatTime } from '../../../app/lib/format-time';
import { estimateCompute, forwardMacs, formatDuration } from '../../../app/lib/compute-estimate';
import { DEFAULT_VIEW, parseViewState, selectCell, serializeViewState } from '../../../app/lib/view-state';
import { SweepSpecSchema } from '../../../server/core/sweep-spec';
import { PRESETS } from '../../../server/api/presets';

describe('view state in the URL', () => {
  it('round-trips every field and leaves defaults out', () => {
    const state = {
      metric: 'bestTestAcc',
      scale: 'linear' as const,
      cells: ['e01-w000016-s1', 'e02-w000001-s1'],
      step: 120,
      logx: true,
    };
    const qs = serializeViewState(state);
    expect(qs).toBe('metric=bestTestAcc&scale=linear&cells=e01-w000016-s1%2Ce02-w000001-s1&step=120&logx=1');
    expect(parseViewState(new URLSearchParams(qs))).toEqual(state);
    expect(serializeViewState(DEFAULT_VIEW)).toBe('');
  });

  it('ignores what does not parse, field by field', () => {
    const s = parseViewState(new URLSearchParams('metric=bogus&scale=cubic&cells=a,<x>,a,b,c,d,e&step=-3&logx=yes'));
    expect(s).toEqual({ ...DEFAULT_VIEW, cells: ['a', 'b', 'c', 'd'] });
  });

  it('selects one cell, or toggles up to four for comparison (oldest dropped)', () => {
    expect(selectCell(['a', 'b'], 'c', false)).toEqual(['c']);
    expect(selectCell(['a', 'b'], 'b', true)).toEqual(['a']);
    expect(selectCell(['a', 'b', 'c', 'd'], 'e', true)).toEqual(['b', 'c', 'd', 'e']);
  });
});

describe('compute estimate', () => {
  const demo = SweepSpecSchema.parse(PRESETS[0]?.spec);

  it('counts FCN multiply-adds by hand: 784·128 + 128·128 + 128·10 for FCN-3-128', () => {
    expect(forwardMacs(demo)).toBe(784 * 128 + 128 * 128 + 128 * 10);
  });

  it('scales with cells, steps, batch and the sharpness cadence', () => {
    const e = estimateCompute(demo, 2);
    expect(e.cells).toBe(24);
    expect(e.totalSteps).toBe(24 * 400);
    // 6·MACs·batch per step, × (1 + 40/25) for λ^H every 25 steps.
    const expected = (24 * 400 * 6 * forwardMacs(demo) * 128 * (1 + 40 / 25)) / 1e9;
    expect(e.gflop).toBeCloseTo(expected, 9);
    expect(e.seconds).toBeCloseTo(expected / 60, 9);
  });

  it('formats durations by magnitude', () => {
    expect([30, 600, 7200, 400_000].map(formatDuration)).toEqual(['30 s', '10 min', '2.0 h', '4.6 days']);
  });
});

describe('formatTime', () => {
  it('prints UTC minutes, identical on server and client', () => {
    expect(formatTime(Date.UTC(2026, 10, 28, 15, 48, 36))).toBe('2026-11-28 15:48 UTC');
  });
});
