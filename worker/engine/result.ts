import type { CurvatureSummary } from '../../server/core/curvature-summary';
import { RUN_RESULT_SCHEMA_VERSION, RunResultSchema, type RunEvent, type RunResult } from '../../server/core/metrics';
import { parseRecord } from '../../server/core/json-number';
import { classifyOutcome } from '../../server/core/outcome';
import type { RunConfig } from '../../server/core/run-config';
import type { BackendInfo } from './backend';
import type { Evaluation } from './grad';
import type { TrainHooks } from './train-hooks';

/**
 * What a run has done so far, as its RunResult will report it: the setup and every step write into a `RunLog`, and
 * `buildResult` turns it into the stored record once the run has ended, however it ended.
 */

/** Best and final values over the run (null until there is a finite one). */
export interface Trackers {
  bestTrainLoss: number | null;
  bestTrainAcc: number | null;
  bestTestLoss: number | null;
  bestTestAcc: number | null;
  bestTestAccStep: number | null;
  finalTestLoss: number | null;
  finalTestAcc: number | null;
}

export interface RunLog {
  readonly config: RunConfig;
  /** Wall-clock time (Date.now()) and performance.now() when the run was asked for. */
  readonly startedAt: number;
  readonly t0: number;
  /** performance.now() when update 0 began (until then, when the run was asked for). */
  trainStart: number;
  readonly events: RunEvent[];
  backend: BackendInfo;
  numClasses: number;
  paramCount: number;
  lambda0: number | null;
  etaC: number | null;
  etaInit: number;
  /** Updates taken (a divergent step takes none). */
  stepsRun: number;
  /** Last step whose loss was computed, and that loss and accuracy. */
  lastStep: number;
  lastLoss: number;
  lastAcc: number;
  divergence: { step: number; loss: number } | null;
  cancelled: boolean;
  error: string | null;
  readonly best: Trackers;
}

/** An empty log for a run of `config` asked for at `startedAt` (Date.now()) and `t0` (performance.now()). */
export function newRunLog(config: RunConfig, startedAt: number, t0: number): RunLog {
  return {
    config,
    startedAt,
    t0,
    trainStart: performance.now(),
    events: [],
    backend: { backend: 'none', device: '' },
    numClasses: 2,
    paramCount: 0,
    lambda0: null,
    etaC: null,
    etaInit: 0,
    stepsRun: 0,
    lastStep: -1,
    lastLoss: NaN,
    lastAcc: NaN,
    divergence: null,
    cancelled: false,
    error: null,
    best: {
      bestTrainLoss: null,
      bestTrainAcc: null,
      bestTestLoss: null,
      bestTestAcc: null,
      bestTestAccStep: null,
      finalTestLoss: null,
      finalTestAcc: null,
    },
  };
}

/** The message stored for a failure, bounded so a huge error cannot bloat the record. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`.slice(0, 4000);
  return String(e).slice(0, 4000);
}

function minOf(best: number | null, x: number): number | null {
  if (!Number.isFinite(x)) return best;
  return best === null || x < best ? x : best;
}
function maxOf(best: number | null, x: number): number | null {
  if (!Number.isFinite(x)) return best;
  return best === null || x > best ? x : best;
}

/** Records the train loss and accuracy of a step that made its update. */
export function trackTrain(best: Trackers, loss: number, acc: number): void {
  best.bestTrainLoss = minOf(best.bestTrainLoss, loss);
  best.bestTrainAcc = maxOf(best.bestTrainAcc, acc);
}

/** Records an evaluation of the test split after update `step`. */
export function trackTest(best: Trackers, step: number, ev: Evaluation): void {
  best.finalTestLoss = ev.loss;
  best.finalTestAcc = ev.accuracy;
  best.bestTestLoss = minOf(best.bestTestLoss, ev.loss);
  const before = best.bestTestAcc;
  best.bestTestAcc = maxOf(best.bestTestAcc, ev.accuracy);
  if (best.bestTestAcc !== before) best.bestTestAccStep = step;
}

/** Runs the `finishRun` hook (whatever the outcome): its events join the log; a failure becomes the run's error. */
export function finishHooks(log: RunLog, hooks: TrainHooks): CurvatureSummary | null {
  try {
    const fin = hooks.finishRun?.(log.config);
    if (fin === undefined) return null;
    log.events.push(...fin.events);
    return fin.curvature;
  } catch (e) {
    log.error ??= errorMessage(e);
    return null;
  }
}

/** The run's result record from its log, validated as it will be stored (non-finite numbers encoded first). */
export function buildResult(log: RunLog, curvature: CurvatureSummary | null): RunResult {
  const { config, best } = log;
  const trainSecs = (performance.now() - log.trainStart) / 1000;
  const outcome = classifyOutcome({
    errored: log.error !== null,
    cancelled: log.cancelled,
    diverged: log.divergence !== null,
    finalTrainAccuracy: log.lastAcc,
    numClasses: log.numClasses,
  });
  if (log.cancelled) log.events.push({ step: log.lastStep, kind: 'cancelled' });
  const ran = log.lastStep >= 0;
  const result = {
    schemaVersion: RUN_RESULT_SCHEMA_VERSION,
    outcome,
    error: log.error,
    stepsPlanned: config.steps,
    stepsRun: log.stepsRun,
    lastStep: log.lastStep,
    divergence: log.divergence,
    numClasses: log.numClasses,
    finalTrainLoss: ran ? log.lastLoss : null,
    finalTrainAcc: ran ? log.lastAcc : null,
    finalTestLoss: best.finalTestLoss,
    finalTestAcc: best.finalTestAcc,
    bestTrainLoss: best.bestTrainLoss,
    bestTrainAcc: best.bestTrainAcc,
    bestTestLoss: best.bestTestLoss,
    bestTestAcc: best.bestTestAcc,
    bestTestAccStep: best.bestTestAccStep,
    etaInit: log.etaInit,
    etaC: log.etaC,
    lambda0: log.lambda0,
    backend: log.backend.backend,
    device: log.backend.device,
    paramCount: log.paramCount,
    startedAt: log.startedAt,
    finishedAt: Date.now(),
    wallTimeMs: performance.now() - log.t0,
    trainTimeMs: trainSecs * 1000,
    stepsPerSec: trainSecs > 0 ? log.stepsRun / trainSecs : 0,
    events: log.events,
    curvature,
    config,
  };
  return parseRecord(RunResultSchema, result);
}
