import * as tf from '@tensorflow/tfjs';
import {
  classifyRegime,
  detectCatapults,
  lambdaTrack,
  isAdamKind,
  stabilityConstant,
  stabilityConstantAt,
  stabilityQuantity,
  stabilityRatio,
  type CurvaturePoint,
} from '../../server/core/curvature';
import {
  CURVATURE_SCHEMA_VERSION,
  type CriticalLrSearch,
  type CurvatureSummary,
  type Lambda0Measurement,
  type LambdaLandmark,
} from '../../server/core/curvature-summary';
import type { CurvatureFields, RunEvent } from '../../server/core/metrics';
import type { RunConfig } from '../../server/core/run-config';
import { scheduleFor, warmupEndStep } from '../../server/core/schedule';
import type { RunContext, StepContext, TrainHooks } from '../engine/train-hooks';
import { defaultCatapultDelta, findCriticalLr } from './critical-lr';
import { NonFiniteOperatorError, warmStart } from './lanczos';
import { lambda0FromBatches, sharpnessAt } from './measure';
import { modelProbes, PersistentCatapultController } from './persistent';
import type { SharpnessEstimate } from './sharpness';

/**
 * The curvature module's TrainHooks: λ0 at init, η_c for 'critical' warmup, the persistent-catapult
 * controller, per-step λ^H / λ^{P⁻¹H} / r / flips before the update, and at the end the run's catapult events and
 * regime label with their evidence. Entry points pass them to every run in `TrainOptions.hooks`; one object serves
 * every run, so the state of one run lives in a `CurvatureRun` keyed by the run's parsed config object (the same
 * object in every context of a run).
 */

/** Loss-rise threshold of the catapult detector for rows (PAPER §5 [I]: δ ≈ 0.1). */
const EVENT_DELTA = 0.1;
/** At most this many catapult events are copied into the result's event list (the summary keeps them all). */
const MAX_EVENT_ROWS = 200;

class CurvatureRun {
  private readonly points: CurvaturePoint[] = [];
  /** λ^H and λ^{P⁻¹H} as measured, for the result's landmarks. */
  private readonly hSeries: LambdaLandmark[] = [];
  private readonly pSeries: LambdaLandmark[] = [];
  private measured = 0;
  private lambda0: Lambda0Measurement | null = null;
  private critical: CriticalLrSearch | null = null;
  private controller: PersistentCatapultController | null = null;
  private startH: Float64Array | undefined;
  private startP: Float64Array | undefined;
  private readonly constant: number;
  private readonly adam: boolean;

  constructor(private readonly config: RunConfig) {
    this.adam = isAdamKind(config.optimizer.kind);
    this.constant = stabilityConstant(config.optimizer);
  }

  measureLambda0(ctx: RunContext): number {
    this.lambda0 = lambda0FromBatches({
      model: ctx.model,
      params: ctx.params,
      lossKind: ctx.lossKind,
      count: ctx.config.measure.lambda0Batches,
      draw: () => ctx.drawBatch(),
    });
    return this.lambda0.lambda0;
  }

  resolveEtaInit(ctx: RunContext): { etaC: number; forwardPasses: number } {
    const spec = ctx.config.schedule.etaInit;
    if (spec.mode !== 'critical') throw new Error(`resolveEtaInit called for etaInit mode '${spec.mode}'`);
    this.critical = findCriticalLr({
      model: ctx.model,
      params: ctx.params,
      batch: ctx.firstBatch,
      lossKind: ctx.lossKind,
      optimizer: ctx.optimizer,
      eta0: spec.eta0,
      etaTrgt: ctx.config.schedule.etaTrgt,
      delta: spec.delta ?? defaultCatapultDelta(ctx.config.optimizer.kind),
      warmupSteps: ctx.config.schedule.warmupSteps,
    });
    return { etaC: this.critical.etaC, forwardPasses: this.critical.forwardPasses };
  }

  createController(ctx: RunContext): PersistentCatapultController {
    const spec = ctx.config.schedule.etaInit;
    if (spec.mode !== 'persistent') throw new Error(`createLrController called for etaInit mode '${spec.mode}'`);
    // A fixed probe batch of the run's batch size, from the side stream (the training order is untouched).
    const probe = ctx.drawBatch();
    this.controller = new PersistentCatapultController(modelProbes(ctx.model, ctx.lossKind, probe), {
      eta0: spec.eta0,
      etaTrgt: ctx.config.schedule.etaTrgt,
      delta: spec.delta ?? defaultCatapultDelta(ctx.config.optimizer.kind),
    });
    return this.controller;
  }

  beforeUpdate(ctx: StepContext): CurvatureFields | undefined {
    const point: CurvaturePoint = { step: ctx.step, lr: ctx.lr, loss: ctx.loss };
    this.points.push(point);
    if (!ctx.measureSharpness) return undefined;
    const base = { model: ctx.model, params: ctx.params, batch: ctx.batch, lossKind: ctx.lossKind };
    const h = this.estimate(() =>
      sharpnessAt({ ...base, lanczos: { start: this.startH && warmStart(this.startH, ctx.step) } }),
    );
    if (h.vector !== null) this.startH = h.vector;
    let p: ReturnType<CurvatureRun['estimate']> | null = null;
    if (this.adam) {
      const pre = ctx.optimizer.preconditioner(ctx.grads);
      try {
        p = this.estimate(() =>
          sharpnessAt({
            ...base,
            preconditioner: pre,
            lanczos: { start: this.startP && warmStart(this.startP, ctx.step) },
          }),
        );
        if (p.vector !== null) this.startP = p.vector;
      } finally {
        if (pre !== null) tf.dispose(pre);
      }
    }
    const q = p ?? h;
    this.hSeries.push({ step: ctx.step, value: h.value });
    if (p !== null) this.pSeries.push({ step: ctx.step, value: p.value });
    // SGD-M's edge moves from 2 (empty momentum buffer) to 2+2β as the buffer fills (stabilityConstantAt).
    const ratio = stabilityRatio(ctx.lr, q.value, stabilityConstantAt(this.config.optimizer, ctx.optimizer.t));
    point.lambda = q.value;
    point.ratio = ratio;
    this.measured++;
    const fields: CurvatureFields = {
      sharpness: h.value,
      lanczosIters: h.iterations + (p?.iterations ?? 0),
      lanczosResidual: q.residual,
      stabilityRatio: ratio,
    };
    if (p !== null) fields.precondSharpness = p.value;
    const flips = [h.fdFlips, p?.fdFlips].filter((f): f is number => typeof f === 'number');
    if (flips.length > 0) fields.fdFlips = Math.max(...flips);
    return fields;
  }

  /**
   * One estimate; a solver failure (e.g. a non-finite gradient at θ±εv next to a divergence) is stored as NaN in
   * the row, which is data, rather than ending the run.
   */
  private estimate(run: () => SharpnessEstimate): {
    value: number;
    iterations: number;
    residual: number;
    fdFlips: number | null;
    vector: Float64Array | null;
  } {
    try {
      const e = run();
      return { value: e.value, iterations: e.iterations, residual: e.residual, fdFlips: e.fdFlips, vector: e.vector };
    } catch (err) {
      if (err instanceof NonFiniteOperatorError)
        return { value: NaN, iterations: 0, residual: NaN, fdFlips: null, vector: null };
      throw err;
    }
  }

  /** Step of the last warmup update, or null without warmup. */
  private warmupEnd(): number | null {
    const c = this.config;
    if (this.controller !== null) return this.controller.summary().reachedTargetStep ?? c.steps - 1;
    if (c.schedule.warmupSteps <= 1) return null;
    return warmupEndStep(scheduleFor(c, this.critical?.etaC));
  }

  finish(): { curvature: CurvatureSummary | null; events: RunEvent[] } {
    const persistent = this.controller?.summary() ?? null;
    if (this.measured === 0 && this.lambda0 === null && this.critical === null && persistent === null)
      return { curvature: null, events: [] };
    const catapults =
      this.measured > 0 ? detectCatapults(this.points, { delta: EVENT_DELTA }).filter((e) => e.confirmed) : [];
    const warmupEnd = this.warmupEnd();
    const regime =
      this.measured > 0 ? classifyRegime(this.points, { delta: EVENT_DELTA, warmupEndStep: warmupEnd }) : null;
    const events: RunEvent[] = [];
    for (const r of persistent?.researches ?? []) {
      events.push({
        step: r.step,
        kind: 'catapult-search',
        value: r.etaNew,
        note: `η_lwr=${r.etaLwr.toPrecision(4)} η_uppr=${r.etaUppr.toPrecision(4)} (${r.forwardPasses} forward passes)`,
      });
    }
    for (const c of catapults.slice(0, MAX_EVENT_ROWS)) {
      events.push({
        step: c.step,
        kind: 'catapult',
        value: c.lossPeak,
        note: `r=${c.ratio.toPrecision(3)}, loss ${c.lossBefore.toPrecision(3)}→${c.lossPeak.toPrecision(3)} at step ${c.peakStep}, λ ${c.lambdaBefore?.toPrecision(4) ?? '?'}→${c.lambdaAfter?.toPrecision(4) ?? '?'}`,
      });
    }
    if (regime !== null) {
      const ev = regime.evidence;
      events.push({
        step: -1,
        kind: 'regime',
        note: `${regime.regime}${regime.persistentCycle === true ? ' (persistent cycle)' : ''}: ln λ change ${ev.logChange?.toPrecision(3) ?? 'n/a'} over ${ev.fitPoints} steps; ${ev.catapultCount} catapults`,
      });
    }
    const curvature: CurvatureSummary = {
      schemaVersion: CURVATURE_SCHEMA_VERSION,
      quantity: stabilityQuantity(this.config.optimizer.kind),
      thresholdConstant: this.constant,
      measuredSteps: this.measured,
      lambda0: this.lambda0,
      criticalLr: this.critical,
      persistent,
      catapults,
      regime,
      landmarks:
        this.measured > 0
          ? {
              warmupEndStep: warmupEnd,
              sharpness: lambdaTrack(this.hSeries, warmupEnd),
              precondSharpness: lambdaTrack(this.pSeries, warmupEnd),
            }
          : null,
    };
    return { curvature, events };
  }
}

const runs = new WeakMap<RunConfig, CurvatureRun>();

function runFor(config: RunConfig): CurvatureRun {
  let r = runs.get(config);
  if (r === undefined) {
    r = new CurvatureRun(config);
    runs.set(config, r);
  }
  return r;
}

/** The curvature hooks, for `TrainOptions.hooks` (the daemon's training process and the train CLI pass them). */
export const curvatureHooks: Required<TrainHooks> = {
  measureLambda0: (ctx) => runFor(ctx.config).measureLambda0(ctx),
  resolveEtaInit: (ctx) => runFor(ctx.config).resolveEtaInit(ctx),
  createLrController: (ctx) => runFor(ctx.config).createController(ctx),
  beforeUpdate: (ctx) => runFor(ctx.config).beforeUpdate(ctx),
  finishRun: (config) => {
    const r = runs.get(config);
    runs.delete(config);
    return r?.finish();
  },
};
