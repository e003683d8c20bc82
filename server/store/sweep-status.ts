import { CorruptRecordError } from '../core/errors';
import { cellEtaTrgt, gridCells, type CellCoord } from '../core/grid';
import { CALIBRATION_JOB_ID, type CellId, type SweepId } from '../core/ids';
import { mapLimit } from '../core/map-limit';
import {
  ClaimRecordSchema,
  DoneMarkerSchema,
  ProgressRecordSchema,
  type CalibrationRecord,
  type CancelRecord,
  type DoneMarker,
  type ProgressRecord,
  type SweepRecord,
} from '../core/records';
import { isRelativeGrid } from '../core/sweep-spec';
import { listAll, type BlobStore } from './blob-store';
import { keys, parseControlKey } from './keys';
import { IMMUTABLE, nullIfCorrupt } from './record-store';
import { type SweepStore } from './sweep-store';

/**
 * The status scan: the state of every job of a sweep from one listing of its `control/` prefix (key names alone),
 * plus the few records that decide (done markers, progress, the top claim of a job whose lease may be live).
 * Callers go through SweepStore (scanControl, getSweepStatus, readableEpoch).
 */

export type JobState = 'queued' | 'running' | 'stalled' | 'done' | 'cancelled' | 'blocked';

/** Everything a listing of a sweep's `control/` prefix tells, from key names alone. */
export interface ControlScan {
  cancelled: boolean;
  calibrated: boolean;
  jobs: Map<
    CellId,
    { epochs: number[]; lastClaimWrite: number; lastClaimEtag: string; released: Set<number>; done: boolean }
  >;
}

export interface CellSummary extends CellCoord {
  /** Absolute η_trgt (null while a λ0-relative grid waits for its calibration). */
  etaTrgt: number | null;
  /**
   * queued: not claimed yet; running: claimed, lease live; stalled: lease expired or given up, waiting for a
   * re-claim; done: has a result; cancelled: sweep cancelled before it finished; blocked: the calibration failed.
   */
  state: JobState;
  /** The epoch readers follow (done marker's, else the highest claim), null when never claimed. */
  epoch: number | null;
  progress: ProgressRecord | null;
  done: DoneMarker | null;
  /** A record of this cell that could not be read (corrupt); the others are still returned. */
  problems: string[];
}

export interface SweepStatus {
  sweep: SweepRecord;
  cancelled: CancelRecord | null;
  calibration: CalibrationRecord | null;
  /** The calibration job's own state when the grid is λ0-relative, else null. */
  calibrationState: JobState | null;
  cells: CellSummary[];
  counts: Record<JobState, number>;
}

/** List a sweep's control prefix and fold it into per-job facts (no reads of contents). */
export async function scanSweepControl(blob: BlobStore, sweepId: SweepId): Promise<ControlScan> {
  const scan: ControlScan = { cancelled: false, calibrated: false, jobs: new Map() };
  for (const b of await listAll(blob, keys.controlPrefix(sweepId))) {
    const k = parseControlKey(sweepId, b.key);
    if (k === null) continue;
    if (k.kind === 'cancel') scan.cancelled = true;
    else if (k.kind === 'calibration') scan.calibrated = true;
    else {
      let job = scan.jobs.get(k.jobId);
      if (!job) {
        job = { epochs: [], lastClaimWrite: 0, lastClaimEtag: '', released: new Set(), done: false };
        scan.jobs.set(k.jobId, job);
      }
      if (k.kind === 'claim') {
        job.epochs.push(k.epoch);
        if (k.epoch === Math.max(...job.epochs)) {
          job.lastClaimWrite = b.uploadedAt;
          job.lastClaimEtag = b.etag;
        }
      } else if (k.kind === 'released') job.released.add(k.epoch);
      else job.done = true;
    }
  }
  for (const job of scan.jobs.values()) job.epochs.sort((a, b) => a - b);
  return scan;
}

/** The epoch readers follow for a job: its done marker's, else its highest claim; null when never claimed. */
export async function readableJobEpoch(store: SweepStore, sweepId: SweepId, jobId: CellId): Promise<number | null> {
  const done = await store.getDone(sweepId, jobId);
  if (done) return done.epoch;
  const page = await listAll(store.blob, keys.jobControlPrefix(sweepId, jobId));
  let best: number | null = null;
  for (const b of page) {
    const k = parseControlKey(sweepId, b.key);
    if (k?.kind === 'claim' && (best === null || k.epoch > best)) best = k.epoch;
  }
  return best;
}

/** What deciding a job's state needs: the sweep's control listing and the time of this read. */
interface ScanContext {
  store: SweepStore;
  sweepId: SweepId;
  scan: ControlScan;
  now: number;
}

/** What every cell of one status read shares. */
interface StatusContext extends ScanContext {
  sweep: SweepRecord;
  /** Etag of every progress record, by key, from one listing. */
  progressEtags: Map<string, string>;
  calibration: CalibrationRecord | null;
  calibrationState: JobState | null;
}

/**
 * The sweep, its cancel and calibration records, and a summary of every cell (coordinates, state, the epoch
 * readers follow, its latest progress, its done marker with the result's summary numbers). A corrupt record of
 * one cell is reported in that cell's `problems` and does not break the others.
 */
export async function readSweepStatus(store: SweepStore, sweepId: string): Promise<SweepStatus> {
  const sweep = await store.getSweep(sweepId);
  const id = sweep.id;
  const [scan, progressList, cancelled, calibration] = await Promise.all([
    scanSweepControl(store.blob, id),
    listAll(store.blob, keys.progressPrefix(id)),
    store.getCancel(id),
    nullIfCorrupt(store.getCalibration(id)),
  ]);
  const base: ScanContext = { store, sweepId: id, scan, now: store.now() };
  const calibrationState = isRelativeGrid(sweep.spec)
    ? await jobState(base, CALIBRATION_JOB_ID, calibration !== null)
    : null;
  const progressEtags = new Map<string, string>(progressList.map((b) => [b.key, b.etag]));
  const ctx: StatusContext = { ...base, sweep, progressEtags, calibration, calibrationState };
  const cells = await mapLimit(gridCells(sweep.spec), 16, (coord) => cellSummary(ctx, coord));
  const counts: Record<JobState, number> = { queued: 0, running: 0, stalled: 0, done: 0, cancelled: 0, blocked: 0 };
  for (const c of cells) counts[c.state]++;
  return { sweep, cancelled, calibration, calibrationState, cells, counts };
}

async function cellSummary(ctx: StatusContext, coord: CellCoord): Promise<CellSummary> {
  const { store, sweepId } = ctx;
  const problems: string[] = [];
  const job = ctx.scan.jobs.get(coord.cellId);
  let done: DoneMarker | null = null;
  let epoch: number | null = job?.epochs[job.epochs.length - 1] ?? null;
  if (job?.done) {
    // Done markers never change: read once, then served from the cache.
    const doneKey = keys.done(sweepId, coord.cellId);
    done = await store
      .readListed(doneKey, IMMUTABLE, DoneMarkerSchema)
      .catch((e: unknown) => reportCorrupt(e, problems));
    if (done) epoch = done.epoch;
  }
  const progressKey = epoch === null ? null : keys.progress(sweepId, coord.cellId, epoch);
  const progressEtag = progressKey === null ? undefined : ctx.progressEtags.get(progressKey);
  const progress =
    progressKey === null || progressEtag === undefined
      ? null
      : await store
          .readListed(progressKey, progressEtag, ProgressRecordSchema)
          .catch((e: unknown) => reportCorrupt(e, problems));
  const state = await cellState(ctx, coord.cellId, done);
  const etaTrgt = cellEtaTrgt(ctx.sweep.spec, coord, ctx.calibration?.lambda0);
  return { ...coord, etaTrgt, state, epoch, progress, done, problems };
}

async function cellState(ctx: StatusContext, cellId: CellId, done: DoneMarker | null): Promise<JobState> {
  const job = ctx.scan.jobs.get(cellId);
  if (done) return 'done';
  // The calibration ended without λ0: the cells of a relative grid can never be scheduled.
  if (ctx.calibrationState === 'done' && ctx.calibration === null) return 'blocked';
  if (ctx.scan.cancelled) return 'cancelled';
  if (job === undefined || job.epochs.length === 0) return 'queued';
  return jobState(ctx, cellId, false);
}

/** A job's state from the listing; reads only the top claim, and only when its lease may still be live. */
async function jobState(ctx: ScanContext, jobId: CellId, hasOutput: boolean): Promise<JobState> {
  const { scan } = ctx;
  const job = scan.jobs.get(jobId);
  if (job?.done || hasOutput) return 'done';
  const epoch = job?.epochs[job.epochs.length - 1];
  if (job === undefined || epoch === undefined) return scan.cancelled ? 'cancelled' : 'queued';
  if (scan.cancelled) return 'cancelled';
  if (job.released.has(epoch)) return 'stalled';
  // A claim that does not parse holds no live lease: the job shows stalled until another epoch claims it.
  const claim = await nullIfCorrupt(
    ctx.store.readListed(keys.claim(ctx.sweepId, jobId, epoch), job.lastClaimEtag, ClaimRecordSchema),
  );
  return claim !== null && claim.leaseExpiresAt > ctx.now ? 'running' : 'stalled';
}

/** A corrupt record of one cell goes into that cell's problems (read as absent); any other error propagates. */
function reportCorrupt(e: unknown, problems: string[]): null {
  if (e instanceof CorruptRecordError) {
    problems.push(e.message);
    return null;
  }
  throw e;
}
