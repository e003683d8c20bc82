import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../../worker/data/prng';
import { standardizePerSample } from '../../../../worker/data/preprocess';
import { initBackend } from '../../../../worker/engine/backend';
import { TRUNCATED_NORMAL_STD, truncatedNormal } from '../../../../worker/models/init';
import { createModel } from '../../../../worker/models/registry';

beforeAll(async () => {
  await initBackend('wasm');
});

function moments(a: ArrayLike<number>): { mean: number; variance: number; maxAbs: number } {
  let s = 0;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i] as number;
    maxAbs = Math.max(maxAbs, Math.abs(a[i] as number));
  }
  const mean = s / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += ((a[i] as number) - mean) ** 2;
  return { mean, variance: v / a.length, maxAbs };
}

describe('truncated normal rescaled to the exact variance (PAPER §3.2)', () => {
  it('the rescaling constant is the std of N(0,1) truncated to ±2', () => {
    // Var = 1 − 2·2·φ(2)/(Φ(2) − Φ(−2)) with φ(2) = 0.0539909665, Φ(2) − Φ(−2) = 0.9544997361
    expect(TRUNCATED_NORMAL_STD).toBeCloseTo(Math.sqrt(1 - (4 * 0.0539909665) / 0.9544997361), 9);
  });

  it('has the target variance, zero mean and support ±2σ/0.8796', () => {
    const n = 200_000;
    const target = 0.37;
    const m = moments(truncatedNormal(new Rng(7), n, target));
    // Sampling error: sd of the sample variance ≈ √(Var(z²)/n)·target with Var(z²) ≈ 1.5 for this law → 0.27% of
    // target; 1% is ~3.7 standard errors. The mean's sd is √(target/n) ≈ 0.0014; 0.006 is ~4.4 of them.
    expect(Math.abs(m.variance / target - 1)).toBeLessThan(0.01);
    expect(Math.abs(m.mean)).toBeLessThan(0.006);
    expect(m.maxAbs).toBeLessThanOrEqual((2 * Math.sqrt(target)) / TRUNCATED_NORMAL_STD + 1e-6);
    expect(m.maxAbs).toBeGreaterThan(0.99 * ((2 * Math.sqrt(target)) / TRUNCATED_NORMAL_STD));
  });

  it('is deterministic in the seed', () => {
    expect(truncatedNormal(new Rng(3), 10, 1)).toEqual(truncatedNormal(new Rng(3), 10, 1));
    expect(truncatedNormal(new Rng(3), 10, 1)).not.toEqual(truncatedNormal(new Rng(4), 10, 1));
  });
});

describe('SP and μP at init', () => {
  const inputDim = 64;
  const width = 256;
  const shape = { inputShape: [inputDim], numClasses: 10 };
  const spec = { kind: 'fcn' as const, depth: 3, width };
  const sp = createModel(spec, 'sp', shape);
  const mup = createModel(spec, 'mup', shape);

  it('kernel variances: SP σ²/fan_in everywhere; μP hidden σ²/fan_out, readout 1/fan_in; biases 0', async () => {
    const ps = sp.init(11);
    const pm = mup.init(11);
    const v = async (t: tf.Tensor | undefined) => moments(await (t as tf.Tensor).data()).variance;
    // Each kernel has ≥ 2,560 entries: relative sd of the sample variance ≤ √(1.5/2560) ≈ 2.4%; 10% is > 4 sd.
    expect(Math.abs((await v(ps[0])) / (2 / inputDim) - 1)).toBeLessThan(0.1);
    expect(Math.abs((await v(ps[2])) / (2 / width) - 1)).toBeLessThan(0.1);
    expect(Math.abs((await v(ps[4])) / (1 / width) - 1)).toBeLessThan(0.1);
    expect(Math.abs((await v(pm[0])) / (2 / width) - 1)).toBeLessThan(0.1);
    expect(Math.abs((await v(pm[2])) / (2 / width) - 1)).toBeLessThan(0.1);
    expect(Math.abs((await v(pm[4])) / (1 / width) - 1)).toBeLessThan(0.1);
    expect(Array.from(await (ps[1] as tf.Tensor).data()).every((b) => b === 0)).toBe(true);
    tf.dispose([...ps, ...pm]);
  });

  it('output second moment: SP E[f²] = |x|²/d = 1, μP = 1/width, and f_μP = f_SP/√width for the same seed', async () => {
    // With ReLU, σ² = 2 and zero biases, E[relu(z)²] = q/2 makes E|h_l|²/n = |x|²/d exactly at any width, and
    // the σ² = 1 readout gives E[f²] = |x|²/d. Per-sample standardization makes |x|²/d = 1.
    const rng = new Rng(99);
    const n = 64;
    const raw = new Float32Array(n * inputDim).map(() => rng.normal() + 0.3);
    const x = tf.tensor2d(standardizePerSample(raw, n, inputDim), [n, inputDim]);
    const seeds = 60;
    let spSum = 0;
    let mupSum = 0;
    let count = 0;
    let maxRatioErr = 0;
    for (let s = 0; s < seeds; s++) {
      const ps = sp.init(s);
      const pm = mup.init(s);
      const fs = await sp.apply(ps, x).data();
      const fm = await mup.apply(pm, x).data();
      for (let i = 0; i < fs.length; i++) {
        const a = fs[i] as number;
        const b = fm[i] as number;
        spSum += a * a;
        mupSum += b * b;
        maxRatioErr = Math.max(maxRatioErr, Math.abs(b * Math.sqrt(width) - a) / (Math.abs(a) + 1e-3));
      }
      count += fs.length;
      tf.dispose([...ps, ...pm]);
    }
    x.dispose();
    // 60 inits × 10 outputs are independent given the hidden layers; the 64 inputs per init are correlated, so the
    // effective sample is ~600–2000 values of f² (relative sd of E[f²]'s estimate ≈ √(2/600) ≈ 6%, plus the
    // finite-width fluctuation of |h|²/n across inits). 20% is about 3 sd.
    expect(Math.abs(spSum / count - 1)).toBeLessThan(0.2);
    expect(Math.abs((mupSum / count) * width - 1)).toBeLessThan(0.2);
    // Same draws, only rescaled: μP's hidden layers equal SP's exactly, and its readout adds 1/√width. float32.
    expect(maxRatioErr).toBeLessThan(1e-4);
  });
});
