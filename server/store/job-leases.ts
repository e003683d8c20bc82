import { sweepJobIds } from '../core/grid';
import { CALIBRATION_JOB_ID, type CellId, type SweepId } from '../core/ids';
import {
  ClaimRecordSchema,
  DoneMarkerSchema,
  type ClaimRecord,
  type DoneMarker,
  CLAIM_RECORD_SCHEMA_VERSION,
  DONE_MARKER_SCHEMA_VERSION,
} from '../core/records';
import { isRelativeGrid, type SweepSpec } from '../core/sweep-spec';
import { BlobExistsError, BlobPreconditionFailedError } from './blob-store';
import { keys } from './keys';
import { nullIfCorrupt } from './record-store';
import { type SweepStore } from './sweep-store';

/**
 * Claims, leases and fencing. A worker claims job J of a sweep by creating `claim-<epoch>` (create-if-absent: one
 * winner per epoch), renews it by heartbeat (if-match overwrite of its own claim), and writes everything under
 * `e<epoch>/`. A job whose lease expired (or was released) is claimed again at epoch + 1; the old owner sees the
 * higher claim at its next heartbeat and stops. The job ends when the owner creates `done` (create-if-absent)
 * naming its epoch, which it does only while no higher claim exists; readers follow that epoch (or, before it,
 * the highest claim), so writes of a dead epoch are never read. Lease times are compared with the local clock:
 * workers need clocks in sync to well within a lease (NTP gives milliseconds; leases are tens of seconds).
 */

export interface Lease {
  sweepId: SweepId;
  jobId: CellId;
  epoch: number;
  workerId: string;
  /** Etag of our claim as we last wrote it (if-match for the next heartbeat). */
  etag: string;
  record: ClaimRecord;
}

export type HeartbeatResult = 'ok' | 'fenced';

export interface LeaseOptions {
  /** A claim not renewed for this long may be taken over (default 30 s). */
  leaseMs: number;
}

export class JobLeases {
  constructor(
    private readonly store: SweepStore,
    private readonly options: LeaseOptions = { leaseMs: 30_000 },
  ) {}

  get leaseMs(): number {
    return this.options.leaseMs;
  }

  /** Create `claim-<epoch>` for a job; null when another worker created it first. */
  async claim(sweepId: SweepId, jobId: CellId, epoch: number, workerId: string): Promise<Lease | null> {
    const now = this.store.now();
    const record: ClaimRecord = {
      schemaVersion: CLAIM_RECORD_SCHEMA_VERSION,
      sweepId,
      jobId,
      epoch,
      workerId,
      claimedAt: now,
      heartbeatAt: now,
      leaseExpiresAt: now + this.options.leaseMs,
      state: 'running',
    };
    try {
      const meta = await this.store.write(keys.claim(sweepId, jobId, epoch), ClaimRecordSchema, record, {
        ifAbsent: true,
      });
      return { sweepId, jobId, epoch, workerId, etag: meta.etag, record };
    } catch (e) {
      if (e instanceof BlobExistsError) return null;
      throw e;
    }
  }

  /** True when a later epoch has claimed the job: everything this lease writes from now on is dead. */
  async isFenced(lease: Lease): Promise<boolean> {
    return (await this.store.blob.head(keys.claim(lease.sweepId, lease.jobId, lease.epoch + 1))) !== null;
  }

  /** Renew the lease. 'fenced' when a later epoch exists or our claim was changed by someone else. */
  async heartbeat(lease: Lease): Promise<HeartbeatResult> {
    if (await this.isFenced(lease)) return 'fenced';
    const now = this.store.now();
    const record: ClaimRecord = { ...lease.record, heartbeatAt: now, leaseExpiresAt: now + this.options.leaseMs };
    try {
      await this.rewriteClaim(lease, record);
      return 'ok';
    } catch (e) {
      if (e instanceof BlobPreconditionFailedError) return 'fenced';
      throw e;
    }
  }

  /** Give the job up now (graceful shutdown): another worker may claim epoch + 1 at once. */
  async release(lease: Lease): Promise<void> {
    await this.store.blob
      .put(keys.released(lease.sweepId, lease.jobId, lease.epoch), '{}', { ifAbsent: true })
      .catch((e: unknown) => {
        if (!(e instanceof BlobExistsError)) throw e;
      });
    await this.updateState(lease, 'released');
  }

  /**
   * End the job with this lease's epoch: creates `done` unless a later epoch claimed the job or another epoch
   * already ended it. Returns false when this epoch's result will not be read.
   */
  async complete(lease: Lease, end: Pick<DoneMarker, 'outcome' | 'lastStep' | 'summary'>): Promise<boolean> {
    if (await this.isFenced(lease)) return false;
    const marker: DoneMarker = {
      schemaVersion: DONE_MARKER_SCHEMA_VERSION,
      sweepId: lease.sweepId,
      jobId: lease.jobId,
      epoch: lease.epoch,
      finishedAt: this.store.now(),
      ...end,
    };
    try {
      await this.store.write(keys.done(lease.sweepId, lease.jobId), DoneMarkerSchema, marker, { ifAbsent: true });
    } catch (e) {
      if (e instanceof BlobExistsError) return false;
      throw e;
    }
    await this.updateState(lease, 'done');
    return true;
  }

  /**
   * Claim the next job of a sweep this worker may run, in the sweep's job order (calibration first when the grid
   * is λ0-relative; cells only once λ0 is written). Unclaimed jobs first, then expired or released ones. Returns
   * null when there is nothing to do now; marks the sweep inactive when nothing is left at all.
   */
  async claimNext(sweepId: SweepId, spec: SweepSpec, workerId: string): Promise<Lease | null> {
    const scan = await this.store.scanControl(sweepId);
    if (scan.cancelled) {
      await this.store.deactivateSweep(sweepId);
      return null;
    }
    let jobIds = sweepJobIds(spec);
    if (isRelativeGrid(spec)) {
      if (!scan.calibrated) {
        if (scan.jobs.get(CALIBRATION_JOB_ID)?.done) {
          // The calibration ended without λ0 (error): its cells can never run.
          await this.store.deactivateSweep(sweepId);
          return null;
        }
        jobIds = [CALIBRATION_JOB_ID];
      } else {
        jobIds = jobIds.filter((j) => j !== CALIBRATION_JOB_ID);
      }
    }
    const open = jobIds.filter((j) => !scan.jobs.get(j)?.done);
    if (open.length === 0) {
      if (!isRelativeGrid(spec) || scan.calibrated) await this.store.deactivateSweep(sweepId);
      return null;
    }
    const now = this.store.now();
    const fresh: { jobId: CellId; epoch: number }[] = [];
    const retry: { jobId: CellId; epoch: number }[] = [];
    for (const jobId of open) {
      const job = scan.jobs.get(jobId);
      const top = job?.epochs[job.epochs.length - 1];
      if (job === undefined || top === undefined) fresh.push({ jobId, epoch: 1 });
      else if (job.released.has(top)) retry.push({ jobId, epoch: top + 1 });
      else if (job.lastClaimWrite + this.options.leaseMs < now) {
        // The listing says the claim has not been rewritten for a lease: confirm from its contents (a claim that
        // does not parse holds no lease).
        const claim = await nullIfCorrupt(this.store.getClaim(sweepId, jobId, top));
        if (claim === null || claim.value.leaseExpiresAt < now) retry.push({ jobId, epoch: top + 1 });
      }
    }
    for (const c of [...fresh, ...retry]) {
      const lease = await this.claim(sweepId, c.jobId, c.epoch, workerId);
      if (lease === null) continue; // another worker won this one
      if ((await this.store.blob.head(keys.done(sweepId, c.jobId))) !== null) {
        await this.release(lease); // it ended between our listing and our claim
        continue;
      }
      return lease;
    }
    return null;
  }

  private async updateState(lease: Lease, state: ClaimRecord['state']): Promise<void> {
    const record: ClaimRecord = {
      ...lease.record,
      state,
      heartbeatAt: this.store.now(),
      leaseExpiresAt: state === 'running' ? lease.record.leaseExpiresAt : 0,
    };
    try {
      await this.rewriteClaim(lease, record);
    } catch (e) {
      // Our claim changed under us: the state is informative only (markers decide), so there is nothing to undo.
      if (!(e instanceof BlobPreconditionFailedError)) throw e;
    }
  }

  /** Overwrite our claim if it is still as we last wrote it (BlobPreconditionFailedError else); keep the new etag. */
  private async rewriteClaim(lease: Lease, record: ClaimRecord): Promise<void> {
    const key = keys.claim(lease.sweepId, lease.jobId, lease.epoch);
    const meta = await this.store.write(key, ClaimRecordSchema, record, { ifMatch: lease.etag });
    lease.etag = meta.etag;
    lease.record = record;
  }
}
