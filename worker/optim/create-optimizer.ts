import * as tf from '@tensorflow/tfjs';
import type { OptimizerKind, OptimizerSpec } from '../../server/core/run-config';
import { Rng } from '../data/prng';
import type { Optimizer } from '../engine/types';
import { AdamOptimizer } from './adam';
import { SgdOptimizer } from './sgd';

/** True for the optimizers whose v_0 comes from the gradient g_0 of a first training batch (PAPER §7). */
export function needsFirstGradient(kind: OptimizerKind): boolean {
  return kind === 'gi-adam' || kind === 'ri-adam';
}

/** GI-Adam's v_0 = g_0 ⊙ g_0 (new tensors the caller owns). */
export function giAdamV0(g0: readonly tf.Tensor[]): tf.Tensor[] {
  return tf.tidy(() => g0.map((g) => tf.square(g)));
}

/** Salt of RI-Adam's random stream, so its r is unrelated to the init drawn from the same seed. */
const RI_ADAM_SALT = 0x71ada;

/**
 * RI-Adam's v_0 = r ⊙ r, with r ~ N(0, I) over all parameters rescaled so that ‖r‖₂ = ‖g_0‖₂ (PAPER §7); hence
 * Σ v_0 = ‖g_0‖₂². r comes from the project's seeded PRNG (not TF.js's random ops, which differ between backends),
 * so v_0 is the same on every backend. New tensors the caller owns.
 */
export function riAdamV0(g0: readonly tf.Tensor[], seed: number): tf.Tensor[] {
  const rng = new Rng(seed, RI_ADAM_SALT);
  const draws = g0.map((g) => {
    const a = new Float32Array(g.size);
    for (let i = 0; i < a.length; i++) a[i] = rng.normal();
    return a;
  });
  return tf.tidy(() => {
    const r = g0.map((g, i) => tf.tensor(draws[i] ?? new Float32Array(0), g.shape, 'float32'));
    const gSq = tf.addN(g0.map((g) => tf.sum(tf.square(g))));
    const rSq = tf.addN(r.map((x) => tf.sum(tf.square(x))));
    // (s·r)² = s²·r² with s² = ‖g0‖²/‖r‖².
    const s2 = tf.div(gSq, rSq);
    return r.map((x) => tf.mul(tf.square(x), s2));
  });
}

export interface CreateOptimizerOptions {
  /** g_0, the gradient on the first (then discarded) training batch; required by gi-adam and ri-adam. Not disposed here. */
  g0?: readonly tf.Tensor[];
  /** Seed of RI-Adam's random r. */
  seed?: number;
}

/** Builds the optimizer a run config asks for (PAPER §3.5, §7). */
export function createOptimizer(spec: OptimizerSpec, opts: CreateOptimizerOptions = {}): Optimizer {
  const { beta1, beta2, eps } = spec;
  switch (spec.kind) {
    case 'sgd':
      return new SgdOptimizer({ momentum: 0, kind: 'sgd' });
    case 'sgd-momentum':
      return new SgdOptimizer({ momentum: spec.momentum, kind: 'sgd-momentum' });
    case 'adam':
      return new AdamOptimizer({ beta1, beta2, eps, kind: 'adam' });
    case 'gi-adam':
    case 'ri-adam': {
      const g0 = opts.g0;
      if (g0 === undefined) throw new Error(`${spec.kind} needs the gradient g0 of a first training batch`);
      const v0 = spec.kind === 'gi-adam' ? giAdamV0(g0) : riAdamV0(g0, opts.seed ?? 0);
      return new AdamOptimizer({ beta1, beta2, eps, kind: spec.kind, v0 });
    }
  }
}
