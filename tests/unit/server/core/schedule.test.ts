import { describe, expect, it } from 'vitest';
import { lrAt, scheduleFor, warmupEndStep, warmupSavings, type LrSchedule } from '../../../../server/core/schedule';

const base: LrSchedule = {
  etaTrgt: 0.8,
  warmupSteps: 4,
  etaInit: 0,
  startsAtCritical: false,
  after: 'constant',
  totalSteps: 10,
};

describe('lrAt (PAPER §2)', () => {
  it('linear warmup from 0 uses (s+1)/T_wrm and reaches η_trgt at update T_wrm−1', () => {
    expect([0, 1, 2, 3, 4, 9].map((s) => lrAt(s, base))).toEqual([0.2, 0.4, 0.6000000000000001, 0.8, 0.8, 0.8]);
    expect(warmupEndStep(base)).toBe(3);
  });

  it('T_wrm = 1 is a constant learning rate from the first update', () => {
    const p = { ...base, warmupSteps: 1 };
    expect([0, 1, 5].map((s) => lrAt(s, p))).toEqual([0.8, 0.8, 0.8]);
  });

  it('warmup from a given η_init ramps (η_trgt − η_init)·(s+1)/T_wrm', () => {
    const p = { ...base, etaInit: 0.4 };
    expect(lrAt(0, p)).toBeCloseTo(0.5, 12);
    expect(lrAt(1, p)).toBeCloseTo(0.6, 12);
    expect(lrAt(3, p)).toBeCloseTo(0.8, 12);
  });

  it('warmup from η_c ramps η_trgt·(s+1)/T_wrm, capped (§2.3)', () => {
    const p = { ...base, etaInit: 0.3, startsAtCritical: true };
    // 0.3 + 0.8·1/4 = 0.5; 0.3 + 0.8·2/4 = 0.7; 0.3 + 0.8·3/4 = 0.9 → capped at 0.8.
    expect(lrAt(0, p)).toBeCloseTo(0.5, 12);
    expect(lrAt(1, p)).toBeCloseTo(0.7, 12);
    expect(lrAt(2, p)).toBe(0.8);
    expect(warmupEndStep(p)).toBe(2);
  });

  it('η_c ≥ η_trgt reaches the target at the first update', () => {
    expect(lrAt(0, { ...base, etaInit: 1.2, startsAtCritical: true })).toBe(0.8);
  });

  it('cosine decay follows T_cos = T − T_wrm + 1, c = s − T_wrm + 2, ending at η_trgt/10', () => {
    const p: LrSchedule = { ...base, after: 'cosine' };
    // T = 10, T_wrm = 4: T_cos = 7. s = 4 → c = 2 → 0.08 + 0.72·½(1+cos(2π/7)).
    expect(lrAt(4, p)).toBeCloseTo(0.08 + 0.72 * 0.5 * (1 + Math.cos((2 * Math.PI) / 7)), 12);
    expect(lrAt(9, p)).toBeCloseTo(0.08, 12);
    expect(lrAt(3, p)).toBe(0.8);
  });
});

describe('warmupSavings (PAPER §2.3)', () => {
  it('computes T_reach and T_save', () => {
    expect(warmupSavings({ etaC: 0.25, etaTrgt: 1, warmupSteps: 1024, forwardPasses: 10 })).toEqual({
      tReach: 768,
      tSave: 251,
    });
  });
  it('η_c above the target reaches it at once', () => {
    expect(warmupSavings({ etaC: 2, etaTrgt: 1, warmupSteps: 64, forwardPasses: 10 })).toEqual({
      tReach: 1,
      tSave: 59,
    });
  });
});

describe('scheduleFor: a run config → its schedule', () => {
  const config = (etaInit: Parameters<typeof scheduleFor>[0]['schedule']['etaInit']) => ({
    steps: 10,
    schedule: { etaTrgt: 0.8, warmupSteps: 4, etaInit, after: 'constant' as const },
  });
  it('warmup from 0, from a given value, and from the searched η_c (the §2.3 ramp)', () => {
    expect(scheduleFor(config({ mode: 'zero' }))).toEqual(base);
    expect(scheduleFor(config({ mode: 'value', value: 0.4 }))).toEqual({ ...base, etaInit: 0.4 });
    const critical = scheduleFor(config({ mode: 'critical', eta0: 1e-4 }), 0.2);
    expect(critical).toEqual({ ...base, etaInit: 0.2, startsAtCritical: true });
    // η_c + η_trgt·(s+1)/T_wrm, capped at η_trgt: 0.4, 0.6, 0.8 (PAPER §2.3).
    expect([0, 1, 2].map((s) => lrAt(s, critical))).toEqual([0.4, 0.6000000000000001, 0.8]);
  });
});
