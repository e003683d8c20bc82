import type { Dataset, DataSplits } from './dataset';
import { Rng } from './prng';
import { scaleInputs } from './preprocess';

/**
 * Synthetic problems for fast tests, deterministic in `seed`:
 * - teacher–student: x ~ N(0, I_D); a fixed random teacher g (D → 32 ReLU → K, He init) gives soft targets
 *   y = softmax(3·g(x)) (the factor 3 sharpens the targets so that accuracy is informative; usable with MSE and xent).
 * - Gaussian mixture: K class means μ_k ~ N(0, I_D), class c uniform, x = (μ_c + ε)/√2 with ε ~ N(0, I_D) (each
 *   coordinate has unit variance); one-hot targets.
 * Inputs already have zero mean and unit variance per coordinate, so no per-sample standardization is applied.
 * An example has shape [s, s, 1] when D = s² (so the CNN can train on it), else [D].
 */

export interface SyntheticOptions {
  kind: 'teacher' | 'gmm';
  inputDim: number;
  classes: number;
  trainSize: number;
  testSize: number;
  seed: number;
  mupInputScaling: boolean;
}

const TEACHER_HIDDEN = 32;
const TEACHER_SHARPNESS = 3;

function exampleShape(d: number): number[] {
  const s = Math.round(Math.sqrt(d));
  return s * s === d ? [s, s, 1] : [d];
}

function normals(rng: Rng, n: number, scale = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * scale;
  return out;
}

interface Generator {
  sample(rng: Rng, x: Float32Array, y: Float32Array): void;
}

function teacher(rng: Rng, d: number, k: number): Generator {
  const w1 = normals(rng, d * TEACHER_HIDDEN, Math.sqrt(2 / d));
  const w2 = normals(rng, TEACHER_HIDDEN * k, Math.sqrt(1 / TEACHER_HIDDEN));
  const h = new Float64Array(TEACHER_HIDDEN);
  const z = new Float64Array(k);
  return {
    sample(r, x, y) {
      for (let i = 0; i < d; i++) x[i] = r.normal();
      for (let j = 0; j < TEACHER_HIDDEN; j++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += (x[i] as number) * (w1[i * TEACHER_HIDDEN + j] as number);
        h[j] = Math.max(0, s);
      }
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < TEACHER_HIDDEN; j++) s += (h[j] as number) * (w2[j * k + c] as number);
        z[c] = TEACHER_SHARPNESS * s;
        max = Math.max(max, z[c] as number);
      }
      let sum = 0;
      for (let c = 0; c < k; c++) {
        z[c] = Math.exp((z[c] as number) - max);
        sum += z[c] as number;
      }
      for (let c = 0; c < k; c++) y[c] = (z[c] as number) / sum;
    },
  };
}

function gmm(rng: Rng, d: number, k: number): Generator {
  const means = normals(rng, k * d);
  return {
    sample(r, x, y) {
      const c = r.int(k);
      for (let i = 0; i < d; i++) x[i] = ((means[c * d + i] as number) + r.normal()) / Math.SQRT2;
      y.fill(0);
      y[c] = 1;
    },
  };
}

function generate(gen: Generator, rng: Rng, name: string, n: number, d: number, k: number, mup: boolean): Dataset {
  const x = new Float32Array(n * d);
  const y = new Float32Array(n * k);
  for (let i = 0; i < n; i++) gen.sample(rng, x.subarray(i * d, (i + 1) * d), y.subarray(i * k, (i + 1) * k));
  if (mup) scaleInputs(x, d);
  return { name, inputShape: exampleShape(d), numClasses: k, size: n, x, y };
}

/** Train and test splits drawn from the same teacher / mixture, from independent streams of `seed`. */
export function makeSynthetic(opts: SyntheticOptions): DataSplits {
  const d = opts.inputDim;
  const k = opts.classes;
  const gen = opts.kind === 'teacher' ? teacher(new Rng(opts.seed, 101), d, k) : gmm(new Rng(opts.seed, 101), d, k);
  const name = opts.kind === 'teacher' ? 'synthetic-teacher' : 'synthetic-gmm';
  return {
    train: generate(gen, new Rng(opts.seed, 102), `${name}/train`, opts.trainSize, d, k, opts.mupInputScaling),
    test: generate(gen, new Rng(opts.seed, 103), `${name}/test`, opts.testSize, d, k, opts.mupInputScaling),
  };
}
