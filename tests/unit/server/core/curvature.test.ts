import { describe, expect, it } from 'vitest';
import {
  classifyRegime,
  criticalSavings,
  curvaturePointsFromRows,
  detectCatapults,
  rawSharpnessConstant,
  stabilityConstant,
  stabilityQuantity,
  stabilityRatio,
  thresholdAt,
  type CurvaturePoint,
} from '../../../../server/core/curvature';
import { CurvatureSummarySchema } from '../../../../server/core/curvature-summary';
import { parseRecord } from '../../../../server/core/json-number';
import { type MetricRow } from '../../../../server/core/metrics';

const sgd = { kind: 'sgd', momentum: 0.9, beta1: 0.9 } as const;
const sgdm = { kind: 'sgd-momentum', momentum: 0.9, beta1: 0.9 } as const;
const adam = { kind: 'adam', momentum: 0.9, beta1: 0.9 } as const;

describe('stability thresholds (PAPER §4.4)', () => {
  it('2 for SGD, 2+2β = 3.8 for SGD-M late, 38 for Adam late, 2 near init for all', () => {
    expect(stabilityConstant(sgd)).toBe(2);
    expect(stabilityConstant(sgdm)).toBeCloseTo(3.8, 12);
    expect(stabilityConstant(adam)).toBeCloseTo(38, 12);
    expect(stabilityConstant({ ...adam, kind: 'gi-adam' })).toBeCloseTo(38, 12);
    expect(stabilityConstant({ ...adam, beta1: 0.5 })).toBeCloseTo(6, 12);
    // Adam near init: 2/(1−β1) = 20 on λ^{P⁻¹H}, since the first update is η(1−β1)·P⁻¹g (see stabilityConstant).
    expect([sgd, sgdm, adam].map((o) => stabilityConstant(o, 'init'))).toEqual([2, 2, 20.000000000000004]);
    // Fig 2: raw λ^H of Adam at η = 0.001 is drawn against (2+2β1)/η ≈ 3800.
    expect(thresholdAt(0.001, rawSharpnessConstant(adam))).toBeCloseTo(3800, 9);
    expect(rawSharpnessConstant(sgd)).toBe(2);
  });

  it('r = η·λ/c, and the quantity is λ^{P⁻¹H} for the Adam family only', () => {
    expect(stabilityRatio(0.1, 30, 2)).toBeCloseTo(1.5, 12);
    expect(stabilityRatio(0.001, 19000, 38)).toBeCloseTo(0.5, 12);
    expect(thresholdAt(0.5, 2)).toBe(4);
    expect(stabilityQuantity('sgd')).toBe('sharpness');
    expect(stabilityQuantity('sgd-momentum')).toBe('sharpness');
    expect(stabilityQuantity('ri-adam')).toBe('precondSharpness');
  });
});

/** SP-like run (C2): λ falls as 100·e^{−0.01t}, the ramp η = 0.001(t+1) crosses 2/λ at t = 25, the loss jumps at
 * t = 26–27 and λ drops to 30 afterwards. */
function c2Run(): CurvaturePoint[] {
  const pts: CurvaturePoint[] = [];
  for (let t = 0; t < 100; t++) {
    const lr = 0.001 * (t + 1);
    const lambda = t <= 27 ? 100 * Math.exp(-0.01 * t) : 30;
    let loss = Math.exp(-0.005 * t);
    if (t === 26) loss *= 1.5;
    if (t === 27) loss *= 2;
    pts.push({ step: t, lr, loss, lambda, ratio: stabilityRatio(lr, lambda, 2) });
  }
  return pts;
}

describe('detectCatapults', () => {
  it('finds the one catapult of a C2 run, its peak, its r and the λ drop', () => {
    const pts = c2Run();
    // r_25 = 0.026·100e^{−0.25}/2 = 1.0124 > 1; r_24 = 0.025·100e^{−0.24}/2 = 0.983 < 1.
    expect(pts[25]?.ratio).toBeCloseTo(1.3 * Math.exp(-0.25), 12);
    const ev = detectCatapults(pts);
    expect(ev).toHaveLength(1);
    const e = ev[0];
    expect(e?.step).toBe(26);
    expect(e?.peakStep).toBe(27);
    expect(e?.confirmed).toBe(true);
    expect(e?.lossPeak).toBeCloseTo(2 * Math.exp(-0.135), 12);
    expect(e?.lambdaBefore).toBeCloseTo(100 * Math.exp(-0.25), 12);
    expect(e?.lambdaAfter).toBe(30);
    expect(e?.lambdaDrop).toBeCloseTo(1 - 30 / (100 * Math.exp(-0.25)), 12);
  });

  it('ignores loss rises while r < 1, and leaves a rise without a λ drop unconfirmed', () => {
    const stable = c2Run().map((p) => ({ ...p, ratio: (p.ratio ?? 0) * 0.5 }));
    expect(detectCatapults(stable)).toEqual([]);
    // λ keeps its pre-event value 100e^{−0.27} after the peak: a loss rise at r > 1 but no λ drop.
    const noDrop = c2Run().map((p) => (p.step > 27 ? { ...p, lambda: 100 * Math.exp(-0.27) } : p));
    const ev = detectCatapults(noDrop);
    expect(ev).toHaveLength(1);
    expect(ev[0]?.confirmed).toBe(false);
    // Before = max λ over steps 25..27 = 100e^{−0.25}; after = 100e^{−0.27}: a 2% drop, under the 10% bar.
    expect(ev[0]?.lambdaDrop).toBeCloseTo(1 - Math.exp(-0.02), 12);
  });

  it('uses the last measured r when λ is sampled every k steps, and skips non-finite losses', () => {
    const sparse = c2Run().map((p) => (p.step % 5 === 0 ? p : { step: p.step, lr: p.lr, loss: p.loss }));
    const ev = detectCatapults(sparse);
    expect(ev).toHaveLength(1);
    // r measured at step 25 (1.0124) carries to step 26.
    expect(ev[0]?.ratio).toBeCloseTo(1.3 * Math.exp(-0.25), 12);
    // λ after: first measured point after the peak is step 30 (λ = 30).
    expect(ev[0]?.lambdaAfter).toBe(30);
    const diverged = [...c2Run().slice(0, 26), { step: 26, lr: 0.027, loss: NaN, ratio: 2 }];
    expect(detectCatapults(diverged)).toEqual([]);
  });
});

describe('classifyRegime', () => {
  it('C2: λ falls before the first catapult; slope is exactly −0.01 per step; no persistent cycle', () => {
    const label = classifyRegime(c2Run(), { warmupEndStep: 99 });
    expect(label.regime).toBe('C2');
    expect(label.evidence.slope).toBeCloseTo(-0.01, 12);
    // Fit over steps 0..24 (r < 1, before the catapult at 26): ln λ changes by −0.24.
    expect(label.evidence.fitFromStep).toBe(0);
    expect(label.evidence.fitToStep).toBe(24);
    expect(label.evidence.logChange).toBeCloseTo(-0.24, 12);
    expect(label.evidence.firstCatapultStep).toBe(26);
    expect(label.evidence.firstCrossingStep).toBe(25);
    expect(label.evidence.catapultCount).toBe(1);
    // Post-crossing warmup steps 25..99 = 75; r ∈ (0.8, 1.2) at 25 (1.012), 26 (1.052), 27 (1.09) and, with λ = 30,
    // at t ≥ 53 (0.015(t+1) > 0.8 ⇔ t > 52.3) while t ≤ 78 (0.015(t+1) < 1.2 ⇔ t < 79): 3 + 26 = 29.
    expect(label.evidence.postCrossingPoints).toBe(75);
    expect(label.evidence.nearThresholdPoints).toBe(29);
    expect(label.persistentCycle).toBe(false);
  });

  it('C1 with a persistent cycle: λ rises, then hugs 2/η for the rest of warmup', () => {
    const pts: CurvaturePoint[] = [];
    for (let t = 0; t < 200; t++) {
      const lr = 0.01 * (t + 1);
      const natural = Math.exp(0.005 * t);
      const lambda = lr * natural < 2 ? natural : (2 / lr) * (1 + 0.1 * Math.abs(Math.sin(t)));
      pts.push({ step: t, lr, loss: 1 / (1 + 0.01 * t), lambda, ratio: stabilityRatio(lr, lambda, 2) });
    }
    const label = classifyRegime(pts, { warmupEndStep: 199 });
    expect(label.regime).toBe('C1');
    expect(label.evidence.slope).toBeCloseTo(0.005, 12);
    expect(label.evidence.catapultCount).toBe(0);
    // r = 1 + 0.1|sin t| after the crossing: always inside (0.8, 1.2).
    expect(label.evidence.nearThresholdFraction).toBe(1);
    expect(label.persistentCycle).toBe(true);
  });

  it('C3: flat λ; unknown with fewer than 3 fit points; no cycle verdict without warmup', () => {
    const flat = c2Run().map((p) => (p.step <= 27 ? { ...p, lambda: 80, ratio: stabilityRatio(p.lr, 80, 2) } : p));
    const label = classifyRegime(flat, { warmupEndStep: null });
    expect(label.regime).toBe('C3');
    expect(label.evidence.slope).toBeCloseTo(0, 12);
    expect(label.persistentCycle).toBeNull();
    const short = c2Run().slice(0, 2);
    expect(classifyRegime(short, { warmupEndStep: 1 }).regime).toBe('unknown');
  });

  it('skipSteps leaves a first-step spike (PAPER §5, WRN) out of the fit', () => {
    const pts = c2Run();
    const spiked = pts.map((p) => (p.step === 0 ? { ...p, lambda: 1e4 } : p));
    expect(classifyRegime(spiked, { warmupEndStep: 99, skipSteps: 1 }).evidence.slope).toBeCloseTo(-0.01, 12);
  });
});

describe('rows → points, savings, stored summary', () => {
  it('takes λ^{P⁻¹H} for Adam and λ^H for SGD from the rows', () => {
    const row: MetricRow = {
      schemaVersion: 1,
      step: 3,
      lr: 0.1,
      loss: 1,
      acc: 0.5,
      gradNorm: 1,
      paramNorm: 1,
      sharpness: 10,
      precondSharpness: 500,
      stabilityRatio: 1.2,
    };
    expect(curvaturePointsFromRows([row], 'sgd')[0]).toEqual({ step: 3, lr: 0.1, loss: 1, lambda: 10, ratio: 1.2 });
    expect(curvaturePointsFromRows([row], 'adam')[0]?.lambda).toBe(500);
  });

  it('T_reach and T_save of PAPER §2.3 for η_c = η_trgt/4, T_wrm = 1024, 10 passes', () => {
    expect(criticalSavings({ etaC: 0.25, forwardPasses: 10 }, 1, 1024)).toEqual({ tReach: 768, tSave: 251 });
  });

  it('a curvature summary round-trips through its schema with NaN kept as data', () => {
    const label = classifyRegime(c2Run(), { warmupEndStep: 99 });
    const summary = {
      schemaVersion: 1,
      quantity: 'sharpness',
      thresholdConstant: 2,
      measuredSteps: 100,
      lambda0: {
        lambda0: 100,
        perBatch: [99, 101],
        iterations: [12, 14],
        converged: [true, true],
        quantity: 'sharpness',
      },
      criticalLr: null,
      persistent: null,
      catapults: [{ ...detectCatapults(c2Run())[0], lossPeak: NaN }],
      regime: label,
    };
    const parsed = parseRecord(CurvatureSummarySchema, summary);
    expect(parsed.catapults[0]?.lossPeak).toBeNaN();
    expect(parsed.regime?.regime).toBe('C2');
    expect(() => parseRecord(CurvatureSummarySchema, { ...summary, schemaVersion: 2 })).toThrow();
  });
});
