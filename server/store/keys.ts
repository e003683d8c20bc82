import { CellIdSchema, SweepIdSchema, type CellId, type StudyId, type SweepId } from '../core/ids';
import { type ShortLinkId } from '../core/share';

/**
 * The key layout: the ONLY place key strings are built or parsed.
 *
 *   index/<sweepId>.json                                   SweepIndexEntry (listing sweeps reads only these)
 *   active/<sweepId>.json                                  present while the sweep may have work (workers poll this)
 *   sweeps/<sweepId>/spec.json                             SweepRecord (immutable)
 *   sweeps/<sweepId>/control/cancel.json                   CancelRecord (present = cancelled)
 *   sweeps/<sweepId>/control/calibration.json              CalibrationRecord (λ0)
 *   sweeps/<sweepId>/control/jobs/<jobId>/claim-<epoch>.json   ClaimRecord, epoch 6 digits
 *   sweeps/<sweepId>/control/jobs/<jobId>/released-<epoch>.json  present = that epoch gave its claim up
 *   sweeps/<sweepId>/control/jobs/<jobId>/done.json        DoneMarker (which epoch's result ends the job)
 *   sweeps/<sweepId>/progress/<jobId>/e<epoch>.json        ProgressRecord (overwritten; one listing shows which changed)
 *   sweeps/<sweepId>/cells/<jobId>/e<epoch>/metrics-<seq>.json  MetricChunk (append-only), seq 6 digits
 *   sweeps/<sweepId>/cells/<jobId>/e<epoch>/result.json    CellResultRecord
 *   sweeps/<sweepId>/cells/<jobId>/e<epoch>/series.json    CellSeriesRecord (downsampled chart series, written at the end)
 *   links/<shortId>.json                                   ShortLinkRecord (immutable, content-addressed)
 *   studies/<studyId>.json                                 StudyRecord (a paper preset's sweeps by role)
 *
 * One listing of `control/` tells a worker everything it needs to pick work in a sweep (cancelled? calibrated?
 * which jobs are done, claimed, released), from key names alone. Epochs and sequence numbers are zero-padded so
 * lexicographic order is numeric order.
 */

const pad6 = (n: number): string => String(n).padStart(6, '0');

export const keys = {
  indexPrefix: (): string => 'index/',
  indexEntry: (sweepId: SweepId): string => `index/${sweepId}.json`,
  activePrefix: (): string => 'active/',
  active: (sweepId: SweepId): string => `active/${sweepId}.json`,
  sweepPrefix: (sweepId: SweepId): string => `sweeps/${sweepId}/`,
  spec: (sweepId: SweepId): string => `sweeps/${sweepId}/spec.json`,
  controlPrefix: (sweepId: SweepId): string => `sweeps/${sweepId}/control/`,
  cancel: (sweepId: SweepId): string => `sweeps/${sweepId}/control/cancel.json`,
  calibration: (sweepId: SweepId): string => `sweeps/${sweepId}/control/calibration.json`,
  jobControlPrefix: (sweepId: SweepId, jobId: CellId): string => `sweeps/${sweepId}/control/jobs/${jobId}/`,
  claim: (sweepId: SweepId, jobId: CellId, epoch: number): string =>
    `sweeps/${sweepId}/control/jobs/${jobId}/claim-${pad6(epoch)}.json`,
  released: (sweepId: SweepId, jobId: CellId, epoch: number): string =>
    `sweeps/${sweepId}/control/jobs/${jobId}/released-${pad6(epoch)}.json`,
  done: (sweepId: SweepId, jobId: CellId): string => `sweeps/${sweepId}/control/jobs/${jobId}/done.json`,
  epochPrefix: (sweepId: SweepId, jobId: CellId, epoch: number): string =>
    `sweeps/${sweepId}/cells/${jobId}/e${pad6(epoch)}/`,
  progressPrefix: (sweepId: SweepId): string => `sweeps/${sweepId}/progress/`,
  progress: (sweepId: SweepId, jobId: CellId, epoch: number): string =>
    `sweeps/${sweepId}/progress/${jobId}/e${pad6(epoch)}.json`,
  chunkPrefix: (sweepId: SweepId, jobId: CellId, epoch: number): string =>
    `sweeps/${sweepId}/cells/${jobId}/e${pad6(epoch)}/metrics-`,
  chunk: (sweepId: SweepId, jobId: CellId, epoch: number, seq: number): string =>
    `sweeps/${sweepId}/cells/${jobId}/e${pad6(epoch)}/metrics-${pad6(seq)}.json`,
  result: (sweepId: SweepId, jobId: CellId, epoch: number): string =>
    `sweeps/${sweepId}/cells/${jobId}/e${pad6(epoch)}/result.json`,
  series: (sweepId: SweepId, jobId: CellId, epoch: number): string =>
    `sweeps/${sweepId}/cells/${jobId}/e${pad6(epoch)}/series.json`,
  shortLink: (id: ShortLinkId): string => `links/${id}.json`,
  study: (id: StudyId): string => `studies/${id}.json`,
} as const;

/** The sweep id of an `index/` or `active/` key, or null for a key of another shape. */
export function sweepIdOfListKey(key: string): SweepId | null {
  const m = /^(?:index|active)\/([^/]+)\.json$/.exec(key);
  const r = SweepIdSchema.safeParse(m?.[1]);
  return r.success ? r.data : null;
}

export type ControlKey =
  | { kind: 'cancel' }
  | { kind: 'calibration' }
  | { kind: 'claim'; jobId: CellId; epoch: number }
  | { kind: 'released'; jobId: CellId; epoch: number }
  | { kind: 'done'; jobId: CellId };

/** Parse a key under `controlPrefix(sweepId)`; null for anything else. */
export function parseControlKey(sweepId: SweepId, key: string): ControlKey | null {
  const prefix = keys.controlPrefix(sweepId);
  if (!key.startsWith(prefix)) return null;
  const rest = key.slice(prefix.length);
  if (rest === 'cancel.json') return { kind: 'cancel' };
  if (rest === 'calibration.json') return { kind: 'calibration' };
  const m = /^jobs\/([^/]+)\/(?:(claim|released)-(\d{6})|(done))\.json$/.exec(rest);
  if (!m) return null;
  const job = CellIdSchema.safeParse(m[1]);
  if (!job.success) return null;
  if (m[4] === 'done') return { kind: 'done', jobId: job.data };
  const epoch = Number(m[3]);
  return m[2] === 'claim' ? { kind: 'claim', jobId: job.data, epoch } : { kind: 'released', jobId: job.data, epoch };
}

/** The job and epoch of a key under `progressPrefix(sweepId)`, or null. */
export function parseProgressKey(sweepId: SweepId, key: string): { jobId: CellId; epoch: number } | null {
  const prefix = keys.progressPrefix(sweepId);
  if (!key.startsWith(prefix)) return null;
  const m = /^([^/]+)\/e(\d{6})\.json$/.exec(key.slice(prefix.length));
  const job = CellIdSchema.safeParse(m?.[1]);
  return m && job.success ? { jobId: job.data, epoch: Number(m[2]) } : null;
}

/** The sequence number of a chunk key under `chunkPrefix`, or null. */
export function parseChunkSeq(key: string): number | null {
  const m = /\/metrics-(\d{6})\.json$/.exec(key);
  return m ? Number(m[1]) : null;
}
