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
    for (let t = 1; t < 100; t++)
      expect(stabilityConstantAt(sgdm, t)).toBeGreaterThan(stabilityConstantAt(sgdm, t - 1));
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

  it('leaves SGD at 2; rejects a negative or fractional step count', () => {
    expect(stabilityConstantAt({ ...sgdm, kind: 'sgd' }, 0)).toBe(2);
    expect(stabilityConstantAt({ ...sgdm, kind: 'sgd' }, 50)).toBe(2);
    expect(stabilityConstantAt({ ...sgdm, momentum: 0 }, 5)).toBe(2);
    expect(() => stabilityConstantAt(sgdm, -1)).toThrow(/updatesTaken/);
    expect(() => stabilityConstantAt(sgdm, 1.5)).toThrow(/updatesTaken/);
  });
});

/**
 * |x_T| / |x_0| of bias-corrected Adam momentum on a 1-D quadratic with √v̂+ε frozen at D (x = θ, curvature folded
 * into a = η·λ(D⁻¹H)): m_t = β1·m_{t−1} + (1−β1)·a·x_t, x_{t+1} = x_t − m_t/(1−β1^{t+1}).
 */
function adamGrowth(a: number, beta1: number, steps: number): number {
  let x = 1;
  let m = 0;
  for (let t = 0; t < steps; t++) {
    m = beta1 * m + (1 - beta1) * a * x;
    x -= m / (1 - beta1 ** (t + 1));
  }
  return Math.abs(x);
}

describe('Adam stability constant on λ^{P⁻¹H} by update count (P_t = (1−β1^t)(√v̂+ε))', () => {
  const adam = { kind: 'adam' as const, momentum: 0.9, beta1: 0.9 };

  it('is 2/(1−β1) = 20 on the first update and (2+2β1)/(1−β1) = 38 late, monotone in between', () => {
    expect(stabilityConstantAt(adam, 0)).toBeCloseTo(20, 12);
    expect(stabilityConstantAt(adam, 1)).toBeCloseTo((2 + 1.8 * 0.1) / 0.1, 12); // 21.8
    expect(stabilityConstantAt(adam, 10_000)).toBeCloseTo(38, 12);
    expect(stabilityConstant(adam, 'init')).toBeCloseTo(20, 12);
    expect(stabilityConstant(adam, 'late')).toBeCloseTo(38, 12);
    for (let t = 1; t < 100; t++)
      expect(stabilityConstantAt(adam, t)).toBeGreaterThan(stabilityConstantAt(adam, t - 1));
  });

  it('both ends are the real edges: the first update overshoots past 20; the late recurrence diverges past 38', () => {
    // λ^{P_t⁻¹H} = λ(D⁻¹H)/(1−β1^t), so η·λ^{P⁻¹H} = c at the update t (1-based) means a = c·(1−β1^t).
    const first = (c: number) => adamGrowth(c * (1 - 0.9), 0.9, 1);
    const c0 = stabilityConstantAt(adam, 0);
    expect(first(c0 * 0.99)).toBeLessThan(1);
    expect(first(c0 * 1.01)).toBeGreaterThan(1);
    // Late, the bias correction → 1 and a = η·λ^{P⁻¹H}.
    const late = stabilityConstantAt(adam, 10_000);
    expect(adamGrowth(late * 0.99, 0.9, 4000)).toBeLessThan(1e-3);
    expect(adamGrowth(late * 1.01, 0.9, 4000)).toBeGreaterThan(1e3);
  });
});
