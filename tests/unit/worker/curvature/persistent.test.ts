import { describe, expect, it } from 'vitest';
import type { CriticalSearchResult } from '../../../../worker/curvature/critical-lr';
import {
  PersistentCatapultController,
  type PersistentProbes,
  type PersistentStep,
} from '../../../../worker/curvature/persistent';
import type { Optimizer } from '../../../../worker/engine/types';

/**
 * Algorithm 3 (PAPER §6.2) on a scripted probe-loss sequence: the rule decides when to search and what to keep, so
 * it is checked step by step against the algorithm by hand. Each scripted search returns η_uppr = 4 × its start.
 */
function scripted(losses: number[]): {
  probes: PersistentProbes;
  searches: { step: number; loss: number; etaStart: number }[];
} {
  const searches: { step: number; loss: number; etaStart: number }[] = [];
  let i = 0;
  const probes: PersistentProbes = {
    lossAt: () => losses[i++] ?? NaN,
    searchAt: (s, loss, etaStart, etaTrgt, delta): CriticalSearchResult => {
      searches.push({ step: s.step, loss, etaStart });
      return {
        eta0: etaStart,
        delta,
        etaC: 4 * etaStart,
        etaLwr: 2 * etaStart,
        etaUppr: 4 * etaStart,
        loss0: loss,
        lossAtEtaC: loss,
        forwardPasses: 5,
        reachedTarget: 4 * etaStart >= etaTrgt,
        risesAtEta0: false,
        converged: true,
      };
    },
  };
  return { probes, searches };
}

// The scripted probes never touch θ or the optimizer, so an empty stand-in is enough here.
const step = (n: number): PersistentStep => ({ step: n, params: [], optimizer: {} as Optimizer });

describe('PersistentCatapultController (Algorithm 3)', () => {
  it('searches only when L(θ_t) < L(θ*), moves θ* there, sets η = η_uppr, and holds η_trgt once reached', () => {
    // θ* = θ₀ (loss 1.0). Step 1: 0.9 < 1.0 → search from 0.01 → η = 0.04, θ* loss 0.9. Step 2: 1.5 (catapult) → keep.
    // Step 3: 0.95 → keep (not below 0.9). Step 4: 0.8 → search from 0.04 → 0.16. Step 5: 0.7 → search → 0.64 ≥ 0.5
    // → capped at η_trgt = 0.5, done; later steps never probe.
    const { probes, searches } = scripted([1.0, 0.9, 1.5, 0.95, 0.8, 0.7]);
    const c = new PersistentCatapultController(probes, { eta0: 0.01, etaTrgt: 0.5, delta: 0.1 });
    const lrs = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => c.lrFor(step(n)));
    expect(lrs).toEqual([0.01, 0.04, 0.04, 0.04, 0.16, 0.5, 0.5, 0.5]);
    expect(searches).toEqual([
      { step: 1, loss: 0.9, etaStart: 0.01 },
      { step: 4, loss: 0.8, etaStart: 0.04 },
      { step: 5, loss: 0.7, etaStart: 0.16 },
    ]);
    const s = c.summary();
    expect(s.reachedTargetStep).toBe(5);
    expect(s.researches.map((r) => [r.step, r.refLoss, r.probeLoss, r.etaNew])).toEqual([
      [1, 1.0, 0.9, 0.04],
      [4, 0.9, 0.8, 0.16],
      [5, 0.8, 0.7, 0.5],
    ]);
    // 6 probe-loss passes (steps 0–5) + 3 searches × 5.
    expect(s.forwardPasses).toBe(6 + 15);
  });

  it('starts at η_trgt when η₀ ≥ η_trgt, and rejects bad options', () => {
    const { probes, searches } = scripted([]);
    const c = new PersistentCatapultController(probes, { eta0: 1, etaTrgt: 0.5, delta: 0.1 });
    expect(c.lrFor(step(0))).toBe(0.5);
    expect(searches).toEqual([]);
    expect(() => new PersistentCatapultController(probes, { eta0: 0, etaTrgt: 0.5, delta: 0.1 })).toThrow(RangeError);
  });
});
