import * as tf from '@tensorflow/tfjs';
import { criticalSavings, isAdamKind } from '../../server/core/curvature';
import { type CriticalLrSearch } from '../../server/core/curvature-summary';
import type { LossKind, OptimizerKind } from '../../server/core/run-config';
import { lossAndGrads } from '../engine/grad';
import { lossFn } from '../engine/loss';
import type { Batch, Model, Optimizer } from '../engine/types';

/**
 * η_c, the learning rate at which one optimizer step from θ₀ starts to raise the loss (a loss catapult), found with
 * forward passes only (PAPER §6.1, Algorithms 1 and 2): an exponential search from η₀ (doubling) brackets the rise,
 * then a binary search narrows it until the loss at η_uppr exceeds L(θ₀) by at most a factor 1+δ.
 */

/** L(Opt(η, θ₀)) on the probe batch: one forward pass. */
export type LossProbe = (eta: number) => number;

export interface CriticalSearchOptions {
  /** Start of the exponential search (PAPER default 1e-4). */
  eta0: number;
  /** The search never goes past η_trgt: if the loss has not risen by then, η_c = η_trgt. */
  etaTrgt: number;
  /** Binary-search tolerance (0.1 for SGD, 0.01 for Adam). */
  delta: number;
  /** Bounds on the doublings and bisections (defaults 60 and 40). */
  maxDoublings?: number;
  maxBisections?: number;
}

export type CriticalSearchResult = Omit<CriticalLrSearch, 'tReach' | 'tSave'>;

/** Default δ of PAPER §6.1: 0.1 for (S)GD, 0.01 for the Adam family. */
export function defaultCatapultDelta(kind: OptimizerKind): number {
  return isAdamKind(kind) ? 0.01 : 0.1;
}

/**
 * Algorithms 1 and 2 of PAPER §6.1 over a loss probe. A non-finite probe loss counts as a rise. Pure: `probe` is
 * the only source of numbers, so it is tested on losses known in closed form.
 */
export function searchCriticalLr(probe: LossProbe, loss0: number, opts: CriticalSearchOptions): CriticalSearchResult {
  if (!(opts.eta0 > 0) || !(opts.etaTrgt > 0) || !(opts.delta > 0)) {
    throw new RangeError(
      `η_c search: eta0, etaTrgt and delta must be > 0 (got ${opts.eta0}, ${opts.etaTrgt}, ${opts.delta})`,
    );
  }
  if (!Number.isFinite(loss0)) throw new RangeError(`η_c search: L(θ₀) is ${loss0}`);
  let passes = 0;
  const p = (eta: number): number => {
    passes++;
    return probe(eta);
  };
  const falls = (l: number): boolean => l < loss0;
  const base = { eta0: opts.eta0, delta: opts.delta, loss0 };

  // Algorithm 1: exponential search.
  let eta = opts.eta0;
  let l1 = p(eta);
  if (!falls(l1)) {
    return {
      ...base,
      etaC: eta,
      etaLwr: eta,
      etaUppr: eta,
      lossAtEtaC: l1,
      forwardPasses: passes,
      reachedTarget: false,
      risesAtEta0: true,
      converged: true,
    };
  }
  const maxDoublings = opts.maxDoublings ?? 60;
  for (let k = 0; falls(l1); k++) {
    if (eta >= opts.etaTrgt) {
      return {
        ...base,
        etaC: opts.etaTrgt,
        etaLwr: opts.etaTrgt,
        etaUppr: opts.etaTrgt,
        lossAtEtaC: l1,
        forwardPasses: passes,
        reachedTarget: true,
        risesAtEta0: false,
        converged: true,
      };
    }
    if (k >= maxDoublings)
      throw new Error(`η_c search: the loss still fell after ${maxDoublings} doublings (η = ${eta})`);
    eta *= 2;
    l1 = p(eta);
  }
  let uppr = eta;
  let lwr = eta / 2;
  let lUppr = l1;

  // Algorithm 2: binary search until the loss at η_uppr rises by at most a factor 1+δ.
  const ok = (l: number): boolean => l <= loss0 * (1 + opts.delta);
  const maxBisections = opts.maxBisections ?? 40;
  for (let k = 0; !ok(lUppr) && k < maxBisections; k++) {
    const mid = (lwr + uppr) / 2;
    const lMid = p(mid);
    if (falls(lMid)) {
      lwr = mid;
    } else {
      uppr = mid;
      lUppr = lMid;
    }
  }
  return {
    ...base,
    etaC: uppr,
    etaLwr: lwr,
    etaUppr: uppr,
    lossAtEtaC: lUppr,
    forwardPasses: passes,
    reachedTarget: false,
    risesAtEta0: false,
    converged: ok(lUppr),
  };
}

/** Loss of `params` on `batch` (one forward pass). */
export function lossOn(model: Model, params: readonly tf.Tensor[], batch: Batch, lossKind: LossKind): number {
  const t = tf.tidy(() => lossFn(lossKind)(model.apply(params, batch.x), batch.y));
  const v = t.dataSync()[0] ?? NaN;
  t.dispose();
  return v;
}

/** The probe η ↦ L(optimizer.peek(θ, g, η)) on `batch`; the optimizer's state is not changed. */
export function optimizerProbe(args: {
  model: Model;
  params: readonly tf.Tensor[];
  grads: readonly tf.Tensor[];
  batch: Batch;
  lossKind: LossKind;
  optimizer: Optimizer;
}): LossProbe {
  return (eta) => {
    const next = args.optimizer.peek(args.params, args.grads, eta);
    try {
      return lossOn(args.model, next, args.batch, args.lossKind);
    } finally {
      tf.dispose(next);
    }
  };
}

export interface FindCriticalLrArgs {
  model: Model;
  params: readonly tf.Tensor[];
  batch: Batch;
  lossKind: LossKind;
  optimizer: Optimizer;
  eta0: number;
  etaTrgt: number;
  /** Defaults to `defaultCatapultDelta(optimizer.kind)`. */
  delta?: number;
  /** T_wrm, for T_reach / T_save (PAPER §2.3); omit to leave them null. */
  warmupSteps?: number;
  /** g₀ and L(θ₀) when the caller has them already (otherwise one forward+backward pass computes them). */
  grads?: readonly tf.Tensor[];
  loss0?: number;
}

/** η_c at `params` on `batch` with one real optimizer step as the probe (PAPER §6.1), with T_reach/T_save. */
export function findCriticalLr(args: FindCriticalLrArgs): CriticalLrSearch {
  let owned: tf.Tensor[] = [];
  let grads = args.grads;
  let loss0 = args.loss0;
  if (grads === undefined || loss0 === undefined) {
    const lg = lossAndGrads(args.model, args.params, args.batch, args.lossKind);
    owned = [...lg.grads, lg.loss, lg.accuracy];
    grads = lg.grads;
    loss0 = lg.loss.dataSync()[0] ?? NaN;
  }
  try {
    const probe = optimizerProbe({ ...args, grads });
    const r = searchCriticalLr(probe, loss0, {
      eta0: args.eta0,
      etaTrgt: args.etaTrgt,
      delta: args.delta ?? defaultCatapultDelta(args.optimizer.kind),
    });
    const savings = args.warmupSteps === undefined ? null : criticalSavings(r, args.etaTrgt, args.warmupSteps);
    return { ...r, tReach: savings?.tReach ?? null, tSave: savings?.tSave ?? null };
  } finally {
    tf.dispose(owned);
  }
}
