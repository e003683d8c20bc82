import { formatZodError } from '../../server/core/errors';
import type { MetricRow, RunResult } from '../../server/core/metrics';
import { RunConfigSchema, type RunConfig, type RunConfigInput } from '../../server/core/run-config';
import { initBackend } from './backend';
import { evaluate } from './grad';
import { buildResult, errorMessage, finishHooks, newRunLog, trackTest, trackTrain, type RunLog } from './result';
import { emptyResources, prepareRun, releaseRun } from './run-setup';
import { trainStep, type ActiveRun, type StepOutcome } from './step';
import { checkHooks, type TrainHooks } from './train-hooks';

/**
 * The training loop: one run of a RunConfig, step by step, with a MetricRow per update and a RunResult at the end.
 * The parts: run-setup.ts (everything before update 0, η_init and the schedule included), step.ts (one update),
 * result.ts (the record of the run). Curvature plugs in through the hooks passed in `TrainOptions.hooks`
 * (train-hooks.ts); this module measures no sharpness itself.
 */

/** A config that failed RunConfigSchema; the message has one line per problem, naming the field. */
export class RunConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunConfigError';
  }
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
  /** Curvature's extension points (worker/curvature/hooks.ts: curvatureHooks); a run gets only the hooks passed here. */
  hooks?: TrainHooks;
}

/** Checks a config and returns it parsed (defaults filled); throws RunConfigError naming each bad field. */
export function parseRunConfig(input: unknown): RunConfig {
  const r = RunConfigSchema.safeParse(input);
  if (!r.success) throw new RunConfigError(formatZodError(r.error));
  return r.data;
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
  const hooks: TrainHooks = options.hooks ?? {};
  checkHooks(config, hooks);

  const log = newRunLog(config, startedAt, t0);
  const res = emptyResources();
  try {
    log.backend = await initBackend(config.backend);
    const prepared = await prepareRun(config, hooks, res, log);
    log.trainStart = performance.now();
    await trainSteps({ config, hooks, prepared, res, log, prevLr: null }, options);
  } catch (e) {
    log.error = errorMessage(e);
  } finally {
    releaseRun(res);
  }
  return buildResult(log, finishHooks(log, hooks));
}

type LastCurvature = Pick<TrainProgress, 'lambda' | 'stabilityRatio'>;

/** Updates 0…T−1 (fewer when the run diverges or is cancelled), with the test evaluations, rows and progress. */
async function trainSteps(run: ActiveRun, options: TrainOptions): Promise<void> {
  const { config, log } = run;
  const evalEvery = config.measure.evalEvery;
  let lastCurvature: LastCurvature = {};
  for (let s = 0; s < config.steps; s++) {
    if (options.signal?.aborted === true) {
      log.cancelled = true;
      return;
    }
    const step = await trainStep(run, s);
    const { row } = step;
    if (step.diverged) {
      await options.onRow?.(row);
      return;
    }
    trackTrain(log.best, row.loss, row.acc);
    if ((evalEvery > 0 && (s + 1) % evalEvery === 0) || s + 1 === config.steps) {
      const ev = await evaluate(run.prepared.model, run.res.params, run.prepared.data.test, config.loss);
      row.testLoss = ev.loss;
      row.testAcc = ev.accuracy;
      trackTest(log.best, s, ev);
    }
    lastCurvature = curvatureOf(step, lastCurvature);
    await options.onRow?.(row);
    options.onProgress?.(progressOf(log, row, lastCurvature));
  }
}

/** The λ that decides stability and its ratio r, from this step's row when it measured them, else the last ones. */
function curvatureOf({ curvature }: StepOutcome, last: LastCurvature): LastCurvature {
  const lambda = curvature?.precondSharpness ?? curvature?.sharpness;
  return lambda === undefined ? last : { lambda, stabilityRatio: curvature?.stabilityRatio };
}

function progressOf(log: RunLog, row: MetricRow, curvature: LastCurvature): TrainProgress {
  const total = log.config.steps;
  const secs = (performance.now() - log.trainStart) / 1000;
  const rate = secs > 0 ? log.stepsRun / secs : 0;
  return {
    done: log.stepsRun,
    total,
    step: row.step,
    loss: row.loss,
    lr: row.lr,
    stepsPerSec: rate,
    etaSec: rate > 0 ? (total - log.stepsRun) / rate : Infinity,
    ...curvature,
  };
}
