import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SweepNotFoundError } from '../../server/core/errors';
import { type SweepId } from '../../server/core/ids';
import { type SweepRecord, CELL_RESULT_RECORD_SCHEMA_VERSION } from '../../server/core/records';
import { CellResultRecordSchema } from '../../server/core/records';
import { type StoreEnv } from '../../server/store/env';
import { JobLeases, type Lease } from '../../server/store/job-leases';
import { keys } from '../../server/store/keys';
import { type SweepStore } from '../../server/store/sweep-store';
import { type WorkerConfig } from './config';
import { ChildMessageSchema, type ChildMessage, type StopMessage } from './protocol';

/**
 * The worker daemon: polls for claimable jobs (newest sweeps first, from the small `active/` listing), runs up to
 * `concurrency` training processes at once, renews each claim by heartbeat, forwards cancels and fencing to the
 * process, ends each job with its done marker, and on stop() (SIGTERM) has every process flush its chunk and
 * gives their claims back. One log line per job start and end, and a progress line per job at most every 10 s.
 */

export interface DaemonOptions {
  store: SweepStore;
  storeEnv: StoreEnv;
  config: WorkerConfig;
  cwd: string;
  log?: (line: string) => void;
}

interface Running {
  lease: Lease;
  slot: Slot;
  startedAt: number;
  heartbeat: NodeJS.Timeout;
  /** The heartbeat in flight, if any: ending the job waits for it, so a late renewal cannot undo a release. */
  beating: Promise<void> | null;
  lastProgressLog: number;
}

/** A training process; reused job after job so TF.js and the data load once per process. */
interface Slot {
  child: ChildProcess;
  job: Running | null;
  /** Jobs this process has run; it is retired after MAX_JOBS_PER_PROCESS (the wasm heap never shrinks). */
  jobs: number;
  exited: Promise<void>;
}

const MAX_JOBS_PER_PROCESS = 25;

const CHILD_ENTRY = fileURLToPath(new URL('./cell-process.ts', import.meta.url));

export class WorkerDaemon {
  private readonly leases: JobLeases;
  private readonly slots = new Set<Slot>();
  private readonly ending = new Set<Promise<void>>();
  private readonly specs = new Map<SweepId, SweepRecord>();
  private stopping = false;
  private wake: (() => void) | null = null;
  readonly stats = { started: 0, finished: 0, released: 0, fenced: 0, crashed: 0 };

  constructor(private readonly o: DaemonOptions) {
    this.leases = new JobLeases(o.store, { leaseMs: o.config.leaseMs });
  }

  private log(line: string): void {
    (this.o.log ?? ((l: string) => process.stdout.write(`${l}\n`)))(`[worker ${this.o.config.workerId}] ${line}`);
  }

  private busyCount(): number {
    let n = 0;
    for (const s of this.slots) if (s.job) n++;
    return n;
  }

  /**
   * Run until stop() is called, or (with exitWhenIdle) until no sweep is active and nothing runs. Jobs held by
   * other workers keep a sweep active, so an idle worker still waits to re-claim a dead worker's job.
   */
  async run(): Promise<void> {
    this.log(
      `started: store ${this.o.store.blob.kind}, concurrency ${this.o.config.concurrency}, lease ${this.o.config.leaseMs} ms`,
    );
    while (!this.stopping) {
      let claimed = false;
      if (this.busyCount() < this.o.config.concurrency) {
        const lease = await this.findWork().catch((e: unknown) => {
          this.log(`poll failed: ${e instanceof Error ? e.message : String(e)}`);
          return null;
        });
        if (lease && this.stopping) {
          await this.leases.release(lease);
        } else if (lease) {
          this.start(lease);
          claimed = true;
        } else if (this.o.config.exitWhenIdle && this.busyCount() === 0 && this.ending.size === 0) {
          const active = await this.activeSweepIds().catch(() => ['?']);
          if (active.length === 0) {
            this.log('idle: no active sweep, exiting');
            break;
          }
        }
      }
      if (!claimed && !this.stopping) await this.sleep(this.o.config.pollMs);
    }
    this.stopping = true;
    // Let idle processes go (they exit on disconnect); busy ones were told to flush by stop().
    for (const s of this.slots) if (!s.job && s.child.connected) s.child.disconnect();
    while (this.slots.size > 0 || this.ending.size > 0) {
      await Promise.all([...[...this.slots].map((s) => s.exited), ...this.ending]);
    }
    this.log(
      `stopped: ${this.stats.finished} finished, ${this.stats.released} released, ${this.stats.fenced} fenced, ${this.stats.crashed} crashed`,
    );
  }

  /** Graceful stop: every training process flushes its chunk and exits; their claims are given back. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.log(`stopping: ${this.busyCount()} job(s) to flush`);
    for (const s of this.slots) {
      if (s.job) this.sendStop(s, 'shutdown');
      else if (s.child.connected) s.child.disconnect();
    }
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }

  /** Active sweeps, newest first, limited to `--sweeps` when given. */
  private async activeSweepIds(): Promise<string[]> {
    const active = await this.o.store.listActiveSweepIds();
    const only = this.o.config.sweeps;
    return only === undefined ? active : active.filter((id) => only.includes(id));
  }

  private async findWork(): Promise<Lease | null> {
    for (const sweepId of await this.activeSweepIds()) {
      let sweep = this.specs.get(sweepId);
      if (!sweep) {
        try {
          sweep = await this.o.store.getSweep(sweepId);
        } catch (e) {
          if (e instanceof SweepNotFoundError) continue; // active marker written before its spec is readable
          throw e;
        }
        this.specs.set(sweepId, sweep);
      }
      const lease = await this.leases.claimNext(sweepId, sweep.spec, this.o.config.workerId);
      if (lease) return lease;
    }
    return null;
  }

  private spawnSlot(): Slot {
    const child = fork(CHILD_ENTRY, [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      cwd: this.o.cwd,
    });
    const slot: Slot = { child, job: null, jobs: 0, exited: Promise.resolve() };
    child.on('message', (raw: unknown) => {
      const m = ChildMessageSchema.safeParse(raw);
      const r = slot.job;
      if (!r) return;
      const key = `${r.lease.sweepId}/${r.lease.jobId}`;
      if (!m.success) return this.log(`${key}: bad message from training process`);
      if (m.data.type === 'progress') {
        const now = Date.now();
        if (now - r.lastProgressLog >= 10_000) {
          r.lastProgressLog = now;
          this.log(
            `progress ${key} step ${m.data.step + 1}/${m.data.total} loss ${m.data.loss.toPrecision(4)} ${m.data.stepsPerSec.toFixed(1)} steps/s`,
          );
        }
        return;
      }
      this.endJob(slot, m.data, null, null);
      if ((this.stopping || slot.jobs >= MAX_JOBS_PER_PROCESS) && child.connected) child.disconnect();
    });
    slot.exited = new Promise<void>((resolve) => {
      child.on('exit', (code, signal) => {
        this.slots.delete(slot);
        if (slot.job) this.endJob(slot, null, code, signal);
        this.wake?.();
        resolve();
      });
    });
    this.slots.add(slot);
    return slot;
  }

  private start(lease: Lease): void {
    const key = `${lease.sweepId}/${lease.jobId}`;
    this.stats.started++;
    let slot: Slot | undefined;
    for (const s of this.slots) if (!s.job && s.child.connected) slot = s;
    slot ??= this.spawnSlot();
    this.log(`start ${key} epoch ${lease.epoch} (pid ${slot.child.pid ?? '?'})`);
    const r: Running = {
      lease,
      slot,
      startedAt: Date.now(),
      lastProgressLog: 0,
      heartbeat: setInterval(() => {
        if (r.beating) return; // the previous renewal is still under way
        r.beating = this.beat(r).finally(() => {
          r.beating = null;
        });
      }, this.o.config.heartbeatMs),
      beating: null,
    };
    slot.job = r;
    slot.jobs++;
    slot.child.send({
      type: 'run',
      sweepId: lease.sweepId,
      jobId: lease.jobId,
      epoch: lease.epoch,
      workerId: this.o.config.workerId,
      storeEnv: this.o.storeEnv,
      cwd: this.o.cwd,
      chunkRows: this.o.config.chunkRows,
      chunkMs: this.o.config.chunkMs,
      progressMs: this.o.config.progressMs,
    });
  }

  /** The job of `slot` ended (a final message, or the process exited without one): settle its claim. */
  private endJob(slot: Slot, last: ChildMessage | null, code: number | null, signal: NodeJS.Signals | null): void {
    const r = slot.job;
    if (!r) return;
    slot.job = null;
    clearInterval(r.heartbeat);
    const p = this.finish(r, last, code, signal)
      .catch((e: unknown) =>
        this.log(
          `${r.lease.sweepId}/${r.lease.jobId}: ending the job failed: ${e instanceof Error ? e.message : String(e)}`,
        ),
      )
      .finally(() => {
        this.ending.delete(p);
        this.wake?.();
      });
    this.ending.add(p);
  }

  private sendStop(slot: Slot, reason: StopMessage['reason']): void {
    if (slot.child.connected) slot.child.send({ type: 'stop', reason } satisfies StopMessage);
  }

  /** Renew the lease; forward fencing and cancels to the training process. */
  private async beat(r: Running): Promise<void> {
    if (r.slot.job !== r) return;
    try {
      if ((await this.leases.heartbeat(r.lease)) === 'fenced') {
        this.log(`fenced ${r.lease.sweepId}/${r.lease.jobId} epoch ${r.lease.epoch}: a later epoch owns it`);
        this.sendStop(r.slot, 'fenced');
        clearInterval(r.heartbeat);
        return;
      }
      if ((await this.o.store.blob.head(keys.cancel(r.lease.sweepId))) !== null) this.sendStop(r.slot, 'cancel');
    } catch (e) {
      this.log(`heartbeat failed for ${r.lease.jobId}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async finish(
    r: Running,
    last: ChildMessage | null,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): Promise<void> {
    await r.beating;
    const { lease } = r;
    const key = `${lease.sweepId}/${lease.jobId}`;
    const secs = ((Date.now() - r.startedAt) / 1000).toFixed(1);
    if (last?.type === 'finished') {
      const ok = await this.leases.complete(lease, {
        outcome: last.outcome,
        lastStep: last.lastStep,
        summary: last.summary,
      });
      if (ok) {
        this.stats.finished++;
        this.log(
          `end ${key} epoch ${lease.epoch}: ${last.outcome} at step ${last.lastStep} in ${secs} s, ${last.rows} rows, ${last.bytesPerRow.toFixed(1)} B/row${last.error ? ` (${last.error})` : ''}`,
        );
      } else {
        this.stats.fenced++;
        this.log(`end ${key} epoch ${lease.epoch}: result discarded, a later epoch owns the job`);
      }
    } else if (last?.type === 'stopped') {
      await this.leases.release(lease);
      this.stats.released++;
      this.log(`released ${key} epoch ${lease.epoch} at step ${last.lastStep} (shutdown)`);
    } else if (last?.type === 'fenced') {
      this.stats.fenced++;
    } else {
      // The process died without a word (crash, OOM, killed): record the error so the job is not retried forever.
      this.stats.crashed++;
      const error = `training process exited with ${signal ?? `code ${String(code)}`}`;
      await this.o.store.write(keys.result(lease.sweepId, lease.jobId, lease.epoch), CellResultRecordSchema, {
        schemaVersion: CELL_RESULT_RECORD_SCHEMA_VERSION,
        sweepId: lease.sweepId,
        cellId: lease.jobId,
        epoch: lease.epoch,
        workerId: this.o.config.workerId,
        finishedAt: Date.now(),
        outcome: 'error',
        lastStep: -1,
        summary: {},
        error,
      });
      const ok = await this.leases.complete(lease, {
        outcome: 'error',
        lastStep: -1,
        summary: {},
      });
      this.log(
        `end ${key} epoch ${lease.epoch}: error (${error})${ok ? '' : ', discarded: a later epoch owns the job'}`,
      );
    }
  }
}
