import { describe, expect, it } from 'vitest';
import { stabilityConstant, stabilityConstantAt } from '../../../../server/core/curvature';

const sgdm = { kind: 'sgd-momentum' as const, momentum: 0.9, beta1: 0.9 };

/** |x_T| / |x_0| of heavy ball (m_t = a·x_t + β·m_{t−1}, x_{t+1} = x_t − m_t, a = ηλ) from rest, on a 1-D quadratic. */
function growth(a: number, beta: number, steps: number): number {
  let x = 1;
  let m = 0;
  for (let t = 0; t < steps; t++) {
    m = a * x + beta * m;
    x -= m;
  }
  return Math.abs(x);
}

describe('SGD-M stability constant by momentum-buffer age (PAPER §4.4: 2/η near init, (2+2β)/η later)', () => {
  it('is 2 on the first update (empty buffer) and 2+2β once the buffer is full, monotone in between', () => {
    expect(stabilityConstantAt(sgdm, 0)).toBe(2);
    expect(stabilityConstantAt(sgdm, 1)).toBeCloseTo(2 + 1.8 * 0.1, 12);
    expect(stabilityConstantAt(sgdm, 10)).toBeCloseTo(2 + 1.8 * (1 - 0.9 ** 10), 12); // 3.172
    // Within 1% of 3.8 after 44 updates (1.8·0.9^44 = 0.017 < 0.038).
    expect(Math.abs(stabilityConstantAt(sgdm, 44) - 3.8) / 3.8).toBeLessThan(0.01);
    expect(stabilityConstantAt(sgdm, 10_000)).toBeCloseTo(stabilityConstant(sgdm, 'late'), 12);
    for (let t = 1; t < 100; t++) expect(stabilityConstantAt(sgdm, t)).toBeGreaterThan(stabilityConstantAt(sgdm, t - 1));
  });

  it('the two ends are the real edges of heavy ball: 1 step from rest overshoots past 2; 2000 steps diverge past 2+2β', () => {
    const c0 = stabilityConstantAt(sgdm, 0);
    expect(growth(c0 * 0.99, 0.9, 1)).toBeLessThan(1);
    expect(growth(c0 * 1.01, 0.9, 1)).toBeGreaterThan(1);
    const late = stabilityConstantAt(sgdm, 10_000);
    expect(growth(late * 0.99, 0.9, 2000)).toBeLessThan(1e-3);
    expect(growth(late * 1.01, 0.9, 2000)).toBeGreaterThan(1e3);
    // And between them: at ηλ = 3 (past 2, below 2+2β) the first step overshoots, yet the run converges.
    expect(growth(3, 0.9, 1)).toBeGreaterThan(1);
    expect(growth(3, 0.9, 2000)).toBeLessThan(1e-3);
  });

  it('leaves SGD at 2 and the Adam family at its late constant; rejects a negative or fractional step count', () => {
    expect(stabilityConstantAt({ ...sgdm, kind: 'sgd' }, 0)).toBe(2);
    expect(stabilityConstantAt({ ...sgdm, kind: 'sgd' }, 50)).toBe(2);
    expect(stabilityConstantAt({ ...sgdm, kind: 'adam' }, 3)).toBeCloseTo(38, 12);
    expect(stabilityConstantAt({ ...sgdm, momentum: 0 }, 5)).toBe(2);
    expect(() => stabilityConstantAt(sgdm, -1)).toThrow(/updatesTaken/);
    expect(() => stabilityConstantAt(sgdm, 1.5)).toThrow(/updatesTaken/);
  });
});
