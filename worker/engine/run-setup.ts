import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../server/core/run-config';
import { scheduleFor, warmupEndStep, type LrSchedule } from '../../server/core/schedule';
import { BatchStream } from '../data/batches';
import type { DataSplits } from '../data/dataset';
import { mixSeed } from '../data/prng';
import { createModel } from '../models/registry';
import { createOptimizer, needsFirstGradient } from '../optim/create-optimizer';
import { lossAndGrads } from './grad';
import type { RunLog } from './result';
import { loadRunData } from './run-data';
import type { LrController, RunContext, TrainHooks } from './train-hooks';
import type { Batch, Model, Optimizer } from './types';

/**
 * Everything a run resolves before update 0: data, model, θ_0, the optimizer (GI/RI-Adam's v_0), the first batch,
 * and then, through the hooks, λ0 and η_init (the configured value, the η_c of the search, or the persistent-catapult
 * controller) with the schedule that starts from it.
 */

/** Salt of the data-order stream and of the side stream that hooks draw measurement batches from. */
const ORDER_SALT = 0x0d17a;
const SIDE_SALT = 0x51de;

/**
 * The tensors a run holds. Setup fills them in as it goes, so `releaseRun` frees whatever exists however the run
 * ends (a failed setup included).
 */
export interface RunResources {
  optimizer: Optimizer | null;
  controller: LrController | null;
  params: tf.Tensor[];
  /** The batch the next update trains on, when it was drawn ahead (update 0's: the hooks see it first). */
  pending: Batch | null;
  /** Full batch (GD): one set of tensors serves every step instead of a copy of the whole split per step. */
  fixed: Batch | null;
}

export function emptyResources(): RunResources {
  return { optimizer: null, controller: null, params: [], pending: null, fixed: null };
}

/** Disposes a batch once its step is done, unless it is the full batch that every step shares. */
export function releaseBatch(res: RunResources, b: Batch): void {
  if (b !== res.fixed) tf.dispose([b.x, b.y]);
}

/** Frees every tensor the run still holds. */
export function releaseRun(res: RunResources): void {
  if (res.pending !== null) releaseBatch(res, res.pending);
  if (res.fixed !== null) tf.dispose([res.fixed.x, res.fixed.y]);
  res.controller?.dispose?.();
  res.optimizer?.dispose();
  tf.dispose(res.params);
}

/** A run ready for update 0. */
export interface PreparedRun {
  readonly model: Model;
  readonly optimizer: Optimizer;
  readonly data: DataSplits;
  readonly schedule: LrSchedule;
  /** Chooses the rate step by step instead of `schedule` (persistent catapult warmup), or null. */
  readonly controller: LrController | null;
  /** The step that ends a linear warmup (its 'warmup-end' event), or null without one or with a controller. */
  readonly warmupEnd: number | null;
  /** The next training batch (the full batch, for GD). */
  nextBatch(): Batch;
}

/**
 * Builds the run: data, model and θ_0, the batch streams, the optimizer and update 0's batch (held in `res.pending`),
 * then λ0 and η_init through the hooks. Records what the result reports in `log`.
 */
export async function prepareRun(
  config: RunConfig,
  hooks: TrainHooks,
  res: RunResources,
  log: RunLog,
): Promise<PreparedRun> {
  const data = await loadRunData(config.data);
  log.numClasses = data.train.numClasses;
  const model = createModel(config.model, config.parameterization, {
    inputShape: data.train.inputShape,
    numClasses: log.numClasses,
  });
  log.paramCount = model.paramCount;
  res.params = model.init(config.seed);
  const dataSeed = config.dataSeed ?? config.seed;
  const stream = new BatchStream(data.train, config.batchSize, mixSeed(dataSeed, ORDER_SALT));
  const side = new BatchStream(data.train, config.batchSize, mixSeed(dataSeed, SIDE_SALT));
  if (stream.fullBatch) res.fixed = stream.next();
  const nextBatch = (): Batch => res.fixed ?? stream.next();
  const optimizer = initOptimizer(config, model, res, nextBatch);

  res.pending = nextBatch();
  const ctx: RunContext = {
    config,
    model,
    lossKind: config.loss,
    params: res.params,
    optimizer,
    data,
    firstBatch: res.pending,
    drawBatch: () => side.next(),
  };
  const plan = await resolveEtaInit(ctx, hooks, res, log);
  return { model, optimizer, data, nextBatch, ...plan };
}

/** The run's optimizer, held in `res.optimizer`. */
function initOptimizer(config: RunConfig, model: Model, res: RunResources, nextBatch: () => Batch): Optimizer {
  if (!needsFirstGradient(config.optimizer.kind)) {
    res.optimizer = createOptimizer(config.optimizer);
    return res.optimizer;
  }
  // GI-Adam / RI-Adam: v_0 from the gradient of the first training batch, which is then discarded (PAPER §7).
  const b0 = nextBatch();
  const g = lossAndGrads(model, res.params, b0, config.loss);
  const optimizer = createOptimizer(config.optimizer, { g0: g.grads, seed: config.seed });
  res.optimizer = optimizer;
  releaseBatch(res, b0);
  tf.dispose([g.loss, g.accuracy, ...g.grads]);
  return optimizer;
}

/**
 * λ0 (when measured), then η_init: the configured value, the η_c the search finds on the first batch (PAPER §6.1),
 * or the persistent-catapult controller (§6.2, held in `res.controller`); and the schedule that starts from it.
 */
async function resolveEtaInit(
  ctx: RunContext,
  hooks: TrainHooks,
  res: RunResources,
  log: RunLog,
): Promise<Pick<PreparedRun, 'schedule' | 'controller' | 'warmupEnd'>> {
  const { config } = ctx;
  if (config.measure.lambda0 && hooks.measureLambda0 !== undefined) {
    const lambda0 = await hooks.measureLambda0(ctx);
    log.lambda0 = lambda0;
    log.events.push({ step: -1, kind: 'lambda0', value: lambda0 });
  }
  const mode = config.schedule.etaInit.mode;
  if (mode === 'critical' && hooks.resolveEtaInit !== undefined) {
    const r = await hooks.resolveEtaInit(ctx);
    log.etaC = r.etaC;
    log.events.push({
      step: -1,
      kind: 'eta-init',
      value: r.etaC,
      note: `η_c search: ${r.forwardPasses} forward passes`,
    });
  }
  if (mode === 'persistent' && hooks.createLrController !== undefined) {
    res.controller = await hooks.createLrController(ctx);
  }
  const schedule = scheduleFor(config, log.etaC);
  log.etaInit = schedule.etaInit;
  const controller = res.controller;
  const warmupEnd = controller === null && config.schedule.warmupSteps > 1 ? warmupEndStep(schedule) : null;
  return { schedule, controller, warmupEnd };
}
