import { describe, expect, it } from 'vitest';
import { downsampleSeries } from '../../../../server/core/downsample';

function range(n: number, f: (i: number) => number): number[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

describe('downsampleSeries', () => {
  it('returns short series unchanged', () => {
    const s = { steps: [0, 1, 2], values: [3, NaN, 1] };
    expect(downsampleSeries(s, { maxPoints: 10 })).toEqual(s);
  });

  it("keeps the min and max of every bucket: a ramp keeps each bucket's two ends", () => {
    // 102 points, budget 12: first + last + 5 buckets of 20 interior points (1…100) → each bucket's ends.
    const n = 102;
    const out = downsampleSeries({ steps: range(n, (i) => i), values: range(n, (i) => i) }, { maxPoints: 12 });
    expect(out.steps).toEqual([0, 1, 20, 21, 40, 41, 60, 61, 80, 81, 100, 101]);
    expect(out.values).toEqual(out.steps);
  });

  it('never loses a spike, a NaN or the forced steps of a 100k-step series, and stays within 2,000 points', () => {
    const n = 100_000;
    const steps = range(n, (i) => i);
    const values = range(n, (i) => 1 + 0.1 * Math.sin(i / 50));
    values[31_337] = 40; // a catapult spike
    values[99_000] = NaN; // diverged
    values[99_001] = Infinity;
    const out = downsampleSeries({ steps, values }, { maxPoints: 2000, keepSteps: [1023, 5000, 99_000, 123_456] });
    expect(out.steps.length).toBeLessThanOrEqual(2000);
    expect(out.steps.length).toBeGreaterThan(1990);
    expect(out.steps[0]).toBe(0);
    expect(out.steps[out.steps.length - 1]).toBe(n - 1);
    for (const s of [1023, 5000, 99_000, 31_337]) expect(out.steps).toContain(s);
    expect(out.steps).not.toContain(123_456); // not in the series, so not invented
    expect(Math.max(...out.values.filter(Number.isFinite))).toBe(40);
    // Global min of 1 + 0.1·sin is 0.9 within float error; the bucket minima must reach it.
    expect(Math.min(...out.values.filter(Number.isFinite))).toBeCloseTo(0.9, 6);
    // Steps stay strictly increasing (values aligned with them).
    for (let i = 1; i < out.steps.length; i++) expect(out.steps[i]).toBeGreaterThan(out.steps[i - 1] ?? Infinity);
    expect(out.values[out.steps.indexOf(31_337)]).toBe(40);
  });

  it('spreads forced steps evenly when there are more of them than half the budget', () => {
    const n = 1000;
    const keepSteps = range(500, (i) => 2 * i);
    const out = downsampleSeries(
      { steps: range(n, (i) => i), values: range(n, () => 1) },
      { maxPoints: 20, keepSteps },
    );
    expect(out.steps.length).toBeLessThanOrEqual(20);
    expect(out.steps[0]).toBe(0);
    expect(out.steps[out.steps.length - 1]).toBe(999);
  });
});
