import * as tf from '@tensorflow/tfjs';
import { METRIC_ROW_SCHEMA_VERSION, type CurvatureFields, type MetricRow } from '../../server/core/metrics';
import { isDivergentLoss } from '../../server/core/outcome';
import type { RunConfig } from '../../server/core/run-config';
import { lrAt } from '../../server/core/schedule';
import { canMeasureStep, globalDiffNorm, globalNorm, readScalars, type MeasuredStep } from '../optim/norms';
import { lossAndGrads } from './grad';
import type { RunLog } from './result';
import { releaseBatch, type PreparedRun, type RunResources } from './run-setup';
import type { StepContext, TrainHooks } from './train-hooks';
import type { Batch, Optimizer } from './types';

/** A run between updates: what every step reads, and the state it carries to the next. */
export interface ActiveRun {
  readonly config: RunConfig;
  readonly hooks: TrainHooks;
  readonly prepared: PreparedRun;
  readonly res: RunResources;
  readonly log: RunLog;
  /** The rate the controller chose for the previous update (null before update 0 and without a controller). */
  prevLr: number | null;
}

/** What one step produced: its row, and whether the run diverged there (then no update was taken). */
export interface StepOutcome {
  row: MetricRow;
  diverged: boolean;
  /** The curvature fields `beforeUpdate` returned for the row, if any. */
  curvature: CurvatureFields | undefined;
}

/** The values every row carries, read at θ_s before update s. */
interface StepValues {
  loss: number;
  acc: number;
  gradNorm: number;
  paramNorm: number;
}

function baseRow(step: number, lr: number, v: StepValues): MetricRow {
  return {
    schemaVersion: METRIC_ROW_SCHEMA_VERSION,
    step,
    lr,
    loss: v.loss,
    acc: v.acc,
    gradNorm: v.gradNorm,
    paramNorm: v.paramNorm,
  };
}

/**
 * Update s: loss and gradient at θ_s on the next batch, then (unless the loss is non-finite, which stops the run
 * with no update, PAPER §9.1) the learning rate, the `beforeUpdate` hook, and the optimizer's update. The batch and
 * the old θ are released here; the new θ replaces `res.params`.
 */
export async function trainStep(run: ActiveRun, s: number): Promise<StepOutcome> {
  const { config, prepared: p, res, log } = run;
  const batch: Batch = res.pending ?? p.nextBatch();
  res.pending = null;
  const scheduledLr = lrAt(s, p.schedule);
  const lg = lossAndGrads(p.model, res.params, batch, config.loss);
  const [loss = NaN, acc = NaN, gradNorm = NaN, paramNorm = NaN] = readScalars([
    lg.loss,
    lg.accuracy,
    globalNorm(lg.grads),
    globalNorm(res.params),
  ]);
  const values: StepValues = { loss, acc, gradNorm, paramNorm };
  log.lastStep = s;
  log.lastLoss = loss;
  log.lastAcc = acc;

  if (isDivergentLoss(loss)) {
    // Stop at once: no update, the row keeps the non-finite value (PAPER §9.1).
    log.divergence = { step: s, loss };
    log.events.push({ step: s, kind: 'diverged', value: loss });
    // With a controller, the rate in force is its last one (it is not consulted on a diverged step).
    const lr = p.controller === null ? scheduledLr : (run.prevLr ?? scheduledLr);
    releaseBatch(res, batch);
    tf.dispose(lg.grads);
    return { row: baseRow(s, lr, values), diverged: true, curvature: undefined };
  }

  const base = {
    config,
    model: p.model,
    lossKind: config.loss,
    step: s,
    scheduledLr,
    params: res.params,
    batch,
    grads: lg.grads,
    loss,
    optimizer: p.optimizer,
  };
  const lr = await chooseLr(run, base);
  const curvature = await measureBefore(run, { ...base, lr });
  const { params: next, ...sizes } = update(p.optimizer, res.params, lg.grads, lr, gradNorm);
  releaseBatch(res, batch);
  tf.dispose([...res.params, ...lg.grads]);
  res.params = next;
  log.stepsRun += 1;
  if (p.warmupEnd === s) log.events.push({ step: s, kind: 'warmup-end', value: lr });
  const row: MetricRow = { ...baseRow(s, lr, values), ...sizes, ...curvature };
  return { row, diverged: false, curvature };
}

/** The controller's rate (its changes are 'eta-change' events) or, without one, the schedule's. */
async function chooseLr(run: ActiveRun, ctx: Omit<StepContext, 'lr' | 'measureSharpness'>): Promise<number> {
  const controller = run.prepared.controller;
  if (controller === null) return ctx.scheduledLr;
  const lr = await controller.lrFor(ctx);
  if (lr !== run.prevLr) run.log.events.push({ step: ctx.step, kind: 'eta-change', value: lr });
  run.prevLr = lr;
  return lr;
}

/** The `beforeUpdate` hook at θ_s, told whether `measure.sharpnessEvery` asks for λ at this step. */
async function measureBefore(
  run: ActiveRun,
  ctx: Omit<StepContext, 'measureSharpness'>,
): Promise<CurvatureFields | undefined> {
  if (run.hooks.beforeUpdate === undefined) return undefined;
  const every = run.config.measure.sharpnessEvery;
  return run.hooks.beforeUpdate({ ...ctx, measureSharpness: every > 0 && ctx.step % every === 0 });
}

/** One optimizer update with the sizes the row records (‖Δθ‖, and the optimizer's state norms). */
function update(
  opt: Optimizer,
  params: readonly tf.Tensor[],
  grads: readonly tf.Tensor[],
  lr: number,
  gradNorm: number,
): MeasuredStep {
  if (canMeasureStep(opt)) return opt.stepMeasured(params, grads, lr, { gradNorm });
  const next = opt.step(params, grads, lr);
  const [updateNorm = NaN] = readScalars([globalDiffNorm(next, params)]);
  return { params: next, updateNorm, ...opt.stateNorms() };
}
