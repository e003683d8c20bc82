import { calibrationRunConfig, cellCoord, cellRunConfig } from '../../server/core/grid';
import { CALIBRATION_JOB_ID } from '../../server/core/ids';
import { type RunResult } from '../../server/core/metrics';
import { type Outcome } from '../../server/core/outcome';
import { type RunConfig } from '../../server/core/run-config';
import { CellWriter } from '../../server/store/cell-writer';
import { openBlobStore } from '../../server/store/env';
import { SweepStore } from '../../server/store/sweep-store';
import { curvatureHooks } from '../curvature/hooks';
import { trainRun } from '../engine/train';
import { ParentMessageSchema, type ChildMessage, type RunJobMessage, type StopMessage } from './protocol';
import { CALIBRATION_RECORD_SCHEMA_VERSION } from '../../server/core/records';

/**
 * A training process of the daemon (forked with IPC, reused for job after job so TF.js loads once): trains the job
 * it is sent and writes its chunks, progress and result under the claim's epoch, then waits for the next. It exits
 * at once if the daemon dies or lets it go (IPC disconnect); a claim it held then simply expires and another
 * worker re-claims the job.
 */

interface CurrentJob {
  abort: AbortController;
  stopReason: StopMessage['reason'] | null;
}
let current: CurrentJob | null = null;

function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(msg, undefined, undefined, () => resolve());
  });
}

process.on('disconnect', () => process.exit(0));
// Ctrl-C in a terminal signals the whole process group: the daemon decides how its processes stop (flush, release).
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('message', (raw: unknown) => {
  const parsed = ParentMessageSchema.safeParse(raw);
  if (!parsed.success) {
    process.stderr.write(`cell-process: bad message from daemon: ${parsed.error.message}\n`);
    process.exit(64);
  }
  const msg = parsed.data;
  if (msg.type === 'stop') {
    if (current) {
      current.stopReason ??= msg.reason;
      current.abort.abort();
    }
    return;
  }
  if (current) {
    process.stderr.write('cell-process: a job is already running\n');
    process.exit(64);
  }
  const job: CurrentJob = { abort: new AbortController(), stopReason: null };
  current = job;
  runJob(msg, job).then(
    async (end) => {
      current = null; // before telling the daemon, which may send the next job at once
      await send(end);
    },
    (e: unknown) => {
      // Store failures (not training failures, which trainRun reports as outcomes): let the daemon record a crash.
      process.stderr.write(`cell-process: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
});

async function runJob(job: RunJobMessage, cur: CurrentJob): Promise<ChildMessage> {
  const store = new SweepStore(openBlobStore(job.storeEnv, job.cwd));
  const config = await jobRunConfig(store, job);
  const writer = new CellWriter(store, {
    sweepId: job.sweepId,
    cellId: job.jobId,
    epoch: job.epoch,
    workerId: job.workerId,
    totalSteps: config.steps,
    chunkRows: job.chunkRows,
    chunkMs: job.chunkMs,
    progressMs: job.progressMs,
    // Cancel is honoured at chunk boundaries (the daemon also forwards it between chunks).
    atChunkBoundary: async () => cur.stopReason !== null || (await store.getCancel(job.sweepId)) !== null,
  });

  let result: RunResult;
  try {
    result = await train(config, writer, cur);
  } catch (e) {
    // trainRun reports engine failures as an 'error' outcome; a throw here is a config or hook problem.
    if (cur.stopReason === 'fenced') return { type: 'fenced' };
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    const record = await writer.finish({ outcome: 'error', error });
    return finished(writer, { outcome: 'error', lastStep: record.lastStep, summary: {}, error });
  }

  if (cur.stopReason === 'fenced') return { type: 'fenced' };
  if (cur.stopReason === 'shutdown') {
    await writer.flush();
    await writer.writeProgress();
    return { type: 'stopped', lastStep: result.lastStep };
  }
  const { outcome, error } =
    job.jobId === CALIBRATION_JOB_ID && result.outcome !== 'cancelled'
      ? await storeCalibration(store, job, config, result)
      : { outcome: result.outcome, error: result.error ?? undefined };
  const errorField = error !== undefined ? { error } : {};
  const record = await writer.finish({ outcome, run: result, ...errorField });
  return finished(writer, { outcome, lastStep: record.lastStep, summary: record.summary, ...errorField });
}

/** The run config of the job: the sweep's calibration run, or a cell's (with the stored λ0 for a relative grid). */
async function jobRunConfig(store: SweepStore, job: RunJobMessage): Promise<RunConfig> {
  const sweep = await store.getSweep(job.sweepId);
  if (job.jobId === CALIBRATION_JOB_ID) return calibrationRunConfig(sweep.spec);
  const coord = cellCoord(sweep.spec, job.jobId);
  if (!coord) throw new Error(`cell ${job.jobId} is not in sweep ${job.sweepId}`);
  const calibration = await store.getCalibration(job.sweepId);
  return cellRunConfig(sweep.spec, coord, calibration?.lambda0);
}

/** Trains the job, its rows to `writer`, progress to the daemon; a cancel seen by the writer aborts the run. */
function train(config: RunConfig, writer: CellWriter, cur: CurrentJob): Promise<RunResult> {
  return trainRun(config, {
    // λ0 (the calibration job), η_c, the persistent catapult and sharpness, as the cell's config asks.
    hooks: curvatureHooks,
    signal: cur.abort.signal,
    onRow: async (row) => {
      if (cur.stopReason === 'fenced') return; // a later epoch owns the job: write nothing more
      await writer.add(row);
      if (writer.stopped && !cur.abort.signal.aborted) {
        cur.stopReason ??= 'cancel';
        cur.abort.abort();
      }
    },
    onProgress: (p) =>
      void send({
        type: 'progress',
        step: p.step,
        total: p.total,
        loss: p.loss,
        stepsPerSec: p.stepsPerSec,
      }),
  });
}

/**
 * The calibration job's ending: a finite positive λ0 is stored for the sweep (the job is then 'trained'); anything
 * else is an error, since no cell of a relative grid can be scheduled without it.
 */
async function storeCalibration(
  store: SweepStore,
  job: RunJobMessage,
  config: RunConfig,
  result: RunResult,
): Promise<{ outcome: Outcome; error: string | undefined }> {
  const lambda0 = result.lambda0;
  if (lambda0 !== null && Number.isFinite(lambda0) && lambda0 > 0) {
    await store.putCalibration({
      schemaVersion: CALIBRATION_RECORD_SCHEMA_VERSION,
      sweepId: job.sweepId,
      lambda0,
      batches: config.measure.lambda0Batches,
      seed: config.seed,
      measuredAt: Date.now(),
      workerId: job.workerId,
      epoch: job.epoch,
    });
    return { outcome: 'trained', error: result.error ?? undefined };
  }
  return {
    outcome: 'error',
    error: result.error ?? `λ0 measurement gave ${String(lambda0)}; the sweep's cells cannot be scheduled`,
  };
}

type FinishedMessage = Extract<ChildMessage, { type: 'finished' }>;

/** The message that tells the daemon the job's result is written. */
function finished(
  writer: CellWriter,
  end: Pick<FinishedMessage, 'outcome' | 'lastStep' | 'summary' | 'error'>,
): FinishedMessage {
  const { error, ...rest } = end;
  return {
    type: 'finished',
    ...rest,
    bytesPerRow: writer.bytesPerRow,
    rows: writer.stats.rows,
    ...(error !== undefined ? { error } : {}),
  };
}
