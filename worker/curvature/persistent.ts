import * as tf from '@tensorflow/tfjs';
import type { CatapultResearch, PersistentWarmup } from '../../server/core/curvature-summary';
import type { LossKind } from '../../server/core/run-config';
import { lossAndGrads } from '../engine/grad';
import type { Batch, Model, Optimizer } from '../engine/types';
import { lossOn, optimizerProbe, searchCriticalLr, type CriticalSearchResult } from './critical-lr';

/**
 * Persistent catapult warmup (PAPER §6.2, Algorithm 3): a warmup without T_wrm. With θ* = θ₀ and η = η₀, at each
 * step t: if L(θ_t) < L(θ*), re-run the η_c search at θ_t and set η ← η_uppr (which induces a catapult) and θ* ← θ_t;
 * otherwise keep η. Once η ≥ η_trgt the run continues at η_trgt. L is the loss on one fixed probe batch (PAPER §6.2
 * [I], to keep SGD noise out of the comparison). [I] The exponential search restarts from the current η rather than
 * η₀, so the rate never decreases and each re-search costs a few passes.
 */

export interface PersistentStep {
  step: number;
  params: readonly tf.Tensor[];
  optimizer: Optimizer;
}

/** The model-dependent parts, injectable so the rule itself is tested on scripted losses. */
export interface PersistentProbes {
  /** L(θ) on the probe batch (one forward pass). */
  lossAt(params: readonly tf.Tensor[]): number;
  /** Algorithms 1–2 at θ from `etaStart`, with L(θ) already known. */
  searchAt(s: PersistentStep, loss: number, etaStart: number, etaTrgt: number, delta: number): CriticalSearchResult;
  dispose?(): void;
}

/** Probes on a fixed batch with the model's own loss and the optimizer's peek. The batch is owned (disposed) here. */
export function modelProbes(model: Model, lossKind: LossKind, probeBatch: Batch): PersistentProbes {
  return {
    lossAt: (params) => lossOn(model, params, probeBatch, lossKind),
    searchAt: (s, loss, etaStart, etaTrgt, delta) => {
      const lg = lossAndGrads(model, s.params, probeBatch, lossKind);
      try {
        const probe = optimizerProbe({
          model,
          params: s.params,
          grads: lg.grads,
          batch: probeBatch,
          lossKind,
          optimizer: s.optimizer,
        });
        return searchCriticalLr(probe, loss, { eta0: etaStart, etaTrgt, delta });
      } finally {
        tf.dispose([...lg.grads, lg.loss, lg.accuracy]);
      }
    },
    dispose: () => tf.dispose([probeBatch.x, probeBatch.y]),
  };
}

export class PersistentCatapultController {
  private eta: number;
  private ref: number | null = null;
  private reachedStep: number | null = null;
  private passes = 0;
  readonly researches: CatapultResearch[] = [];

  constructor(
    private readonly probes: PersistentProbes,
    private readonly opts: { eta0: number; etaTrgt: number; delta: number },
  ) {
    if (!(opts.eta0 > 0) || !(opts.etaTrgt > 0) || !(opts.delta > 0))
      throw new RangeError('persistent catapult: eta0, etaTrgt, delta must be > 0');
    this.eta = Math.min(opts.eta0, opts.etaTrgt);
    if (this.eta >= opts.etaTrgt) this.reachedStep = 0;
  }

  /** The learning rate for update `s.step` (Algorithm 3). */
  lrFor(s: PersistentStep): number {
    if (this.reachedStep !== null) return this.opts.etaTrgt;
    const loss = this.probes.lossAt(s.params);
    this.passes++;
    if (this.ref === null) {
      // θ* ← θ₀: the first step only sets the reference.
      this.ref = loss;
      return this.eta;
    }
    if (loss < this.ref) {
      const r = this.probes.searchAt(s, loss, this.eta, this.opts.etaTrgt, this.opts.delta);
      this.passes += r.forwardPasses;
      const etaNew = Math.min(this.opts.etaTrgt, Math.max(this.eta, r.etaUppr));
      this.researches.push({
        step: s.step,
        probeLoss: loss,
        refLoss: this.ref,
        etaLwr: r.etaLwr,
        etaUppr: r.etaUppr,
        etaNew,
        forwardPasses: r.forwardPasses,
      });
      this.eta = etaNew;
      this.ref = loss;
      if (etaNew >= this.opts.etaTrgt) this.reachedStep = s.step;
    }
    return this.eta;
  }

  /** The record stored in the run's curvature summary. */
  summary(): PersistentWarmup {
    return {
      delta: this.opts.delta,
      researches: [...this.researches],
      reachedTargetStep: this.reachedStep,
      forwardPasses: this.passes,
    };
  }

  dispose(): void {
    this.probes.dispose?.();
  }
}
