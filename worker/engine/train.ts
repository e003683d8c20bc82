import * as tf from '@tensorflow/tfjs';
import type { CurvatureSummary } from '../../server/core/curvature-summary';
import { formatZodError } from '../../server/core/errors';
import {
  METRIC_ROW_SCHEMA_VERSION,
  RUN_RESULT_SCHEMA_VERSION,
  RunResultSchema,
  parseRecord,
  type CurvatureFields,
  type MetricRow,
  type RunEvent,
  type RunResult,
} from '../../server/core/metrics';
import { classifyOutcome, isDivergentLoss } from '../../server/core/outcome';
import { RunConfigSchema, type LossKind, type RunConfig, type RunConfigInput } from '../../server/core/run-config';
import { lrAt, warmupEndStep, type LrSchedule } from '../../server/core/schedule';
import { BatchStream } from '../data/batches';
import type { DataSplits } from '../data/dataset';
import { mixSeed } from '../data/prng';
import { createModel } from '../models/registry';
import { createOptimizer, needsFirstGradient } from '../optim/create-optimizer';
import { canMeasureStep, globalDiffNorm, globalNorm, readScalars } from '../optim/norms';
import { initBackend, type BackendInfo } from './backend';
import { evaluate, lossAndGrads } from './grad';
import { loadRunData } from './run-data';
import type { Batch, Model, Optimizer } from './types';

/**
 * The training loop: one run of a RunConfig, step by step, with a MetricRow per update and a RunResult at
 * the end. Curvature plugs in through `TrainHooks`; this module measures no sharpness itself.
 */

/** A config that failed RunConfigSchema; the message has one line per problem, naming the field. */
export class RunConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunConfigError';
  }
}

/** The config asks for something only a hook provides (η_c search, persistent catapult, sharpness, λ0). */
export class MissingHookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingHookError';
  }
}

/** What hooks that run before training see. Tensors here belong to the loop: hooks must not dispose them. */
export interface RunContext {
  readonly config: RunConfig;
  readonly model: Model;
  readonly lossKind: LossKind;
  /** θ_0. */
  readonly params: readonly tf.Tensor[];
  /** The optimizer in its initial state (GI/RI-Adam: with v_0 set); probe with `peek`, never `step`. */
  readonly optimizer: Optimizer;
  readonly data: DataSplits;
  /** The batch update 0 will train on (PAPER §6.1 probes η_c on the first batch); it is not consumed here. */
  readonly firstBatch: Batch;
  /**
   * A fresh training batch from a stream of its own (seeded from the run's data seed), so measurements such as λ0
   * over several batches leave the training order untouched. The caller disposes it.
   */
  drawBatch(): Batch;
}

/** What per-step hooks see, at θ_s before update s. Tensors belong to the loop. */
export interface StepContext {
  readonly config: RunConfig;
  readonly model: Model;
  readonly lossKind: LossKind;
  readonly step: number;
  /** The learning rate update s will use (the controller's, when there is one). */
  readonly lr: number;
  /** The schedule's value lrAt(s). */
  readonly scheduledLr: number;
  readonly params: readonly tf.Tensor[];
  readonly batch: Batch;
  readonly grads: readonly tf.Tensor[];
  /** Train loss of θ_s on `batch` (finite: a non-finite loss stops the run before hooks run). */
  readonly loss: number;
  /** The optimizer before update s; use `preconditioner(grads)` for P_s and `peek` for probes. */
  readonly optimizer: Optimizer;
  /** True on the steps where `measure.sharpnessEvery` asks for λ^H (and λ^{P⁻¹H} with Adam). */
  readonly measureSharpness: boolean;
}

/** Chooses the learning rate step by step instead of the linear schedule (persistent catapult warmup, PAPER §6.2). */
export interface LrController {
  /** The learning rate for update `ctx.step`, given θ_s and its gradient. */
  lrFor(ctx: Omit<StepContext, 'lr' | 'measureSharpness'>): number | Promise<number>;
  dispose?(): void;
}

/** The result of the η_c search (PAPER §6.1). */
export interface EtaInitResolution {
  etaC: number;
  /** Forward passes the search spent (for T_save, PAPER §2.3). */
  forwardPasses: number;
}

/** Extension points for curvature. Each is optional; the config says which must be present. */
export interface TrainHooks {
  /** λ0^H at θ_0 (mean over `measure.lambda0Batches` batches); required when `measure.lambda0` is true. */
  measureLambda0?(ctx: RunContext): number | Promise<number>;
  /** η_c for `schedule.etaInit.mode === 'critical'`. */
  resolveEtaInit?(ctx: RunContext): EtaInitResolution | Promise<EtaInitResolution>;
  /** The controller for `schedule.etaInit.mode === 'persistent'`. */
  createLrController?(ctx: RunContext): LrController | Promise<LrController>;
  /** Runs every step before the update; returns curvature fields for the row. Required when `measure.sharpnessEvery` > 0. */
  beforeUpdate?(ctx: StepContext): CurvatureFields | undefined | Promise<CurvatureFields | undefined>;
  /**
   * Runs once after the loop, whatever the outcome: the run's curvature summary (stored as
   * `result.curvature`) and events (catapults, re-searches, regime) appended to `result.events`.
   */
  finishRun?(config: RunConfig): RunFinish | undefined;
}

/** What `finishRun` adds to the result. */
export interface RunFinish {
  curvature: CurvatureSummary | null;
  events: RunEvent[];
}

const CURVATURE_MODULE = 'worker/curvature';
let registeredHooks: TrainHooks = {};

/**
 * Registers default hooks for every later `trainRun` (the curvature module calls this once at import); hooks
 * passed to `trainRun` override them field by field.
 */
export function registerTrainHooks(hooks: TrainHooks): void {
  registeredHooks = { ...registeredHooks, ...hooks };
}

export interface TrainProgress {
  /** Updates done so far. */
  done: number;
  total: number;
  step: number;
  loss: number;
  lr: number;
  /** Updates per second over the training loop so far. */
  stepsPerSec: number;
  /** Seconds left at that rate. */
  etaSec: number;
  /** Latest measured λ that decides stability (λ^{P⁻¹H} for Adam, else λ^H) and its ratio r, when tracked. */
  lambda?: number;
  stabilityRatio?: number;
}

export interface TrainOptions {
  /** Every row, in step order; awaited, so a slow sink applies back-pressure. */
  onRow?(row: MetricRow): void | Promise<void>;
  onProgress?(p: TrainProgress): void;
  signal?: AbortSignal;
  hooks?: TrainHooks;
}

/** Checks a config and returns it parsed (defaults filled); throws RunConfigError naming each bad field. */
export function parseRunConfig(input: unknown): RunConfig {
  const r = RunConfigSchema.safeParse(input);
  if (!r.success) throw new RunConfigError(formatZodError(r.error));
  return r.data;
}

/** Throws MissingHookError before any work when the config needs a hook nobody provided. */
function checkHooks(config: RunConfig, hooks: TrainHooks): void {
  const mode = config.schedule.etaInit.mode;
  const how = `register it with registerTrainHooks() (${CURVATURE_MODULE} does) or pass it in options.hooks`;
  if (mode === 'critical' && hooks.resolveEtaInit === undefined) {
    throw new MissingHookError(
      `schedule.etaInit.mode 'critical' needs the η_c search (hooks.resolveEtaInit) of ${CURVATURE_MODULE}; ${how}`,
    );
  }
  if (mode === 'persistent' && hooks.createLrController === undefined) {
    throw new MissingHookError(
      `schedule.etaInit.mode 'persistent' needs the persistent-catapult controller (hooks.createLrController) of ${CURVATURE_MODULE}; ${how}`,
    );
  }
  if (config.measure.sharpnessEvery > 0 && hooks.beforeUpdate === undefined) {
    throw new MissingHookError(
      `measure.sharpnessEvery > 0 needs the sharpness measurement (hooks.beforeUpdate) of ${CURVATURE_MODULE}; ${how}`,
    );
  }
  if (config.measure.lambda0 && hooks.measureLambda0 === undefined) {
    throw new MissingHookError(
      `measure.lambda0 needs the λ0 measurement (hooks.measureLambda0) of ${CURVATURE_MODULE}; ${how}`,
    );
  }
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`.slice(0, 4000);
  return String(e).slice(0, 4000);
}

/** Salt of the data-order stream and of the side stream that hooks draw measurement batches from. */
const ORDER_SALT = 0x0d17a;
const SIDE_SALT = 0x51de;

interface Trackers {
  bestTrainLoss: number | null;
  bestTrainAcc: number | null;
  bestTestLoss: number | null;
  bestTestAcc: number | null;
  bestTestAccStep: number | null;
  finalTestLoss: number | null;
  finalTestAcc: number | null;
}

function minOf(best: number | null, x: number): number | null {
  if (!Number.isFinite(x)) return best;
  return best === null || x < best ? x : best;
}
function maxOf(best: number | null, x: number): number | null {
  if (!Number.isFinite(x)) return best;
  return best === null || x > best ? x : best;
}

/**
 * Trains one run. Validates the config (RunConfigError) and the hooks it needs (MissingHookError) before any work;
 * after that, failures become a RunResult with outcome 'error'. Stops at the first non-finite train loss (outcome
 * 'diverged', that row kept with its NaN/Inf), or when `signal` aborts (outcome 'cancelled').
 */
export async function trainRun(input: RunConfigInput | RunConfig, options: TrainOptions = {}): Promise<RunResult> {
  const startedAt = Date.now();
  const t0 = performance.now();
  const config = parseRunConfig(input);
  const hooks: TrainHooks = { ...registeredHooks, ...options.hooks };
  checkHooks(config, hooks);

  const events: RunEvent[] = [];
  const tr: Trackers = {
    bestTrainLoss: null,
    bestTrainAcc: null,
    bestTestLoss: null,
    bestTestAcc: null,
    bestTestAccStep: null,
    finalTestLoss: null,
    finalTestAcc: null,
  };
  let backend: BackendInfo = { backend: 'none', device: '' };
  let model: Model | null = null;
  let optimizer: Optimizer | null = null;
  let controller: LrController | null = null;
  let params: tf.Tensor[] = [];
  let pending: Batch | null = null;
  // Full batch (GD): one set of tensors serves every step instead of a copy of the whole split per step.
  let fixed: Batch | null = null;
  const release = (b: Batch): void => {
    if (b !== fixed) tf.dispose([b.x, b.y]);
  };
  let numClasses = 2;
  let stepsRun = 0;
  let lastStep = -1;
  let lastLoss = NaN;
  let lastAcc = NaN;
  let divergence: { step: number; loss: number } | null = null;
  let cancelled = false;
  let error: string | null = null;
  let etaInit = 0;
  let etaC: number | null = null;
  let lambda0: number | null = null;
  let trainStart = performance.now();

  try {
    backend = await initBackend(config.backend);
    const data = await loadRunData(config.data);
    numClasses = data.train.numClasses;
    const m = createModel(config.model, config.parameterization, { inputShape: data.train.inputShape, numClasses });
    model = m;
    params = m.init(config.seed);
    const dataSeed = config.dataSeed ?? config.seed;
    const stream = new BatchStream(data.train, config.batchSize, mixSeed(dataSeed, ORDER_SALT));
    const side = new BatchStream(data.train, config.batchSize, mixSeed(dataSeed, SIDE_SALT));
    if (stream.fullBatch) fixed = stream.next();
    const nextBatch = (): Batch => fixed ?? stream.next();

    // GI-Adam / RI-Adam: v_0 from the gradient of the first training batch, which is then discarded (PAPER §7).
    if (needsFirstGradient(config.optimizer.kind)) {
      const b0 = nextBatch();
      const g = lossAndGrads(m, params, b0, config.loss);
      optimizer = createOptimizer(config.optimizer, { g0: g.grads, seed: config.seed });
      release(b0);
      tf.dispose([g.loss, g.accuracy, ...g.grads]);
    } else {
      optimizer = createOptimizer(config.optimizer);
    }
    const opt = optimizer;

    pending = nextBatch();
    const ctx: RunContext = {
      config,
      model: m,
      lossKind: config.loss,
      params,
      optimizer: opt,
      data,
      firstBatch: pending,
      drawBatch: () => side.next(),
    };
    if (config.measure.lambda0 && hooks.measureLambda0 !== undefined) {
      lambda0 = await hooks.measureLambda0(ctx);
      events.push({ step: -1, kind: 'lambda0', value: lambda0 });
    }
    const etaSpec = config.schedule.etaInit;
    if (etaSpec.mode === 'value') etaInit = etaSpec.value;
    if (etaSpec.mode === 'critical' && hooks.resolveEtaInit !== undefined) {
      const r = await hooks.resolveEtaInit(ctx);
      etaC = r.etaC;
      etaInit = r.etaC;
      events.push({ step: -1, kind: 'eta-init', value: r.etaC, note: `η_c search: ${r.forwardPasses} forward passes` });
    }
    if (etaSpec.mode === 'persistent' && hooks.createLrController !== undefined) {
      controller = await hooks.createLrController(ctx);
    }

    const schedule: LrSchedule = {
      etaTrgt: config.schedule.etaTrgt,
      warmupSteps: config.schedule.warmupSteps,
      etaInit,
      startsAtCritical: etaSpec.mode === 'critical',
      after: config.schedule.after,
      totalSteps: config.steps,
    };
    const warmupEnd = controller === null && config.schedule.warmupSteps > 1 ? warmupEndStep(schedule) : null;
    const evalEvery = config.measure.evalEvery;
    const sharpEvery = config.measure.sharpnessEvery;
    let prevLr: number | null = null;
    let lastCurvature: Pick<TrainProgress, 'lambda' | 'stabilityRatio'> = {};
    trainStart = performance.now();

    for (let s = 0; s < config.steps; s++) {
      if (options.signal?.aborted === true) {
        cancelled = true;
        break;
      }
      const batch: Batch = pending ?? nextBatch();
      pending = null;
      const scheduledLr = lrAt(s, schedule);
      const lg = lossAndGrads(m, params, batch, config.loss);
      const [loss = NaN, acc = NaN, gradNorm = NaN, paramNorm = NaN] = readScalars([
        lg.loss,
        lg.accuracy,
        globalNorm(lg.grads),
        globalNorm(params),
      ]);
      lastStep = s;
      lastLoss = loss;
      lastAcc = acc;

      if (isDivergentLoss(loss)) {
        // Stop at once: no update, the row keeps the non-finite value (PAPER §9.1).
        divergence = { step: s, loss };
        events.push({ step: s, kind: 'diverged', value: loss });
        // With a controller, the rate in force is its last one (it is not consulted on a diverged step).
        const lr = controller === null ? scheduledLr : (prevLr ?? scheduledLr);
        const row: MetricRow = {
          schemaVersion: METRIC_ROW_SCHEMA_VERSION,
          step: s,
          lr,
          loss,
          acc,
          gradNorm,
          paramNorm,
        };
        release(batch);
        tf.dispose(lg.grads);
        await options.onRow?.(row);
        break;
      }

      const base = {
        config,
        model: m,
        lossKind: config.loss,
        step: s,
        scheduledLr,
        params,
        batch,
        grads: lg.grads,
        loss,
        optimizer: opt,
      };
      const lr = controller === null ? scheduledLr : await controller.lrFor(base);
      if (controller !== null && lr !== prevLr) events.push({ step: s, kind: 'eta-change', value: lr });
      prevLr = lr;
      const curvature =
        hooks.beforeUpdate === undefined
          ? undefined
          : await hooks.beforeUpdate({ ...base, lr, measureSharpness: sharpEvery > 0 && s % sharpEvery === 0 });
      const lambdaNow = curvature?.precondSharpness ?? curvature?.sharpness;
      if (lambdaNow !== undefined) lastCurvature = { lambda: lambdaNow, stabilityRatio: curvature?.stabilityRatio };

      let next: tf.Tensor[];
      let sizes: { updateNorm: number; mNorm?: number; vNorm?: number };
      if (canMeasureStep(opt)) {
        const { params: p, ...measured } = opt.stepMeasured(params, lg.grads, lr, { gradNorm });
        next = p;
        sizes = measured;
      } else {
        next = opt.step(params, lg.grads, lr);
        const [updateNorm = NaN] = readScalars([globalDiffNorm(next, params)]);
        sizes = { updateNorm, ...opt.stateNorms() };
      }
      release(batch);
      tf.dispose([...params, ...lg.grads]);
      params = next;
      stepsRun += 1;
      if (warmupEnd === s) events.push({ step: s, kind: 'warmup-end', value: lr });

      const row: MetricRow = {
        schemaVersion: METRIC_ROW_SCHEMA_VERSION,
        step: s,
        lr,
        loss,
        acc,
        gradNorm,
        paramNorm,
        ...sizes,
        ...curvature,
      };
      tr.bestTrainLoss = minOf(tr.bestTrainLoss, loss);
      tr.bestTrainAcc = maxOf(tr.bestTrainAcc, acc);

      if ((evalEvery > 0 && (s + 1) % evalEvery === 0) || s + 1 === config.steps) {
        const ev = await evaluate(m, params, data.test, config.loss);
        row.testLoss = ev.loss;
        row.testAcc = ev.accuracy;
        tr.finalTestLoss = ev.loss;
        tr.finalTestAcc = ev.accuracy;
        tr.bestTestLoss = minOf(tr.bestTestLoss, ev.loss);
        const before = tr.bestTestAcc;
        tr.bestTestAcc = maxOf(tr.bestTestAcc, ev.accuracy);
        if (tr.bestTestAcc !== before) tr.bestTestAccStep = s;
      }

      await options.onRow?.(row);
      if (options.onProgress !== undefined) {
        const secs = (performance.now() - trainStart) / 1000;
        const rate = secs > 0 ? stepsRun / secs : 0;
        options.onProgress({
          done: stepsRun,
          total: config.steps,
          step: s,
          loss,
          lr,
          stepsPerSec: rate,
          etaSec: rate > 0 ? (config.steps - stepsRun) / rate : Infinity,
          ...lastCurvature,
        });
      }
    }
  } catch (e) {
    error = errorMessage(e);
  } finally {
    if (pending !== null) release(pending);
    if (fixed !== null) tf.dispose([fixed.x, fixed.y]);
    controller?.dispose?.();
    optimizer?.dispose();
    tf.dispose(params);
  }

  let curvature: CurvatureSummary | null = null;
  try {
    const fin = hooks.finishRun?.(config);
    if (fin !== undefined) {
      curvature = fin.curvature;
      events.push(...fin.events);
    }
  } catch (e) {
    error ??= errorMessage(e);
  }

  const trainSecs = (performance.now() - trainStart) / 1000;
  const outcome = classifyOutcome({
    errored: error !== null,
    cancelled,
    diverged: divergence !== null,
    finalTrainAccuracy: lastAcc,
    numClasses,
  });
  if (cancelled) events.push({ step: lastStep, kind: 'cancelled' });
  const result = {
    schemaVersion: RUN_RESULT_SCHEMA_VERSION,
    outcome,
    error,
    stepsPlanned: config.steps,
    stepsRun,
    lastStep,
    divergence,
    numClasses,
    finalTrainLoss: lastStep >= 0 ? lastLoss : null,
    finalTrainAcc: lastStep >= 0 ? lastAcc : null,
    finalTestLoss: tr.finalTestLoss,
    finalTestAcc: tr.finalTestAcc,
    bestTrainLoss: tr.bestTrainLoss,
    bestTrainAcc: tr.bestTrainAcc,
    bestTestLoss: tr.bestTestLoss,
    bestTestAcc: tr.bestTestAcc,
    bestTestAccStep: tr.bestTestAccStep,
    etaInit,
    etaC,
    lambda0,
    backend: backend.backend,
    device: backend.device,
    paramCount: model?.paramCount ?? 0,
    startedAt,
    finishedAt: Date.now(),
    wallTimeMs: performance.now() - t0,
    trainTimeMs: trainSecs * 1000,
    stepsPerSec: trainSecs > 0 ? stepsRun / trainSecs : 0,
    events,
    curvature,
    config,
  };
  // The record is validated as it will be stored (non-finite numbers encoded first).
  return parseRecord(RunResultSchema, result);
}
