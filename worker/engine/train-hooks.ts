import type * as tf from '@tensorflow/tfjs';
import type { CurvatureSummary } from '../../server/core/curvature-summary';
import type { CurvatureFields, RunEvent } from '../../server/core/metrics';
import type { LossKind, RunConfig } from '../../server/core/run-config';
import type { DataSplits } from '../data/dataset';
import type { Batch, Model, Optimizer } from './types';

/**
 * The training loop's extension points: curvature (worker/curvature/hooks.ts) plugs in through `TrainHooks`, passed
 * to each run in `TrainOptions.hooks`; the loop itself measures no sharpness.
 */

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

/** Throws MissingHookError before any work when the config needs a hook the run was not given. */
export function checkHooks(config: RunConfig, hooks: TrainHooks): void {
  const mode = config.schedule.etaInit.mode;
  const how = `pass it in options.hooks (${CURVATURE_MODULE}/hooks.ts exports curvatureHooks)`;
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
