import { type z } from 'zod';
import { formatZodError } from '../core/errors';
import { cellEtaTrgt, gridCells, type CellCoord } from '../core/grid';
import { CALIBRATION_JOB_ID, makeSweepId, SweepIdSchema, type CellId, type SweepId } from '../core/ids';
import { toJsonNumber } from '../core/json-number';
import { type MetricRow } from '../core/metrics';
import {
  CalibrationRecordSchema,
  CancelRecordSchema,
  CellResultRecordSchema,
  ClaimRecordSchema,
  DoneMarkerSchema,
  ProgressRecordSchema,
  SWEEP_RECORD_SCHEMA_VERSION,
  SweepIndexEntrySchema,
  SweepRecordSchema,
  type CalibrationRecord,
  type CancelRecord,
  type CellResultRecord,
  type ClaimRecord,
  type DoneMarker,
  type ProgressRecord,
  type SweepIndexEntry,
  type SweepRecord,
} from '../core/records';
import { decodeMetricRows, MetricChunkSchema } from '../core/metric-chunk';
import { cellCount, isRelativeGrid, SweepSpecSchema, type SweepSpecInput } from '../core/sweep-spec';
import { safeParseStored } from '../core/versioned';
import { BlobExistsError, listAll, type BlobMeta, type BlobStore } from './blob-store';
import { keys, parseChunkSeq, parseControlKey, sweepIdOfListKey } from './keys';

/**
 * Typed records over a BlobStore: every JSON is validated by its zod schema before it is written and parsed by it
 * when read. This is the read API of the dashboard (listSweeps, getSweep, getSweepStatus, readCellSeries,
 * getCellResult) and the write API of launching (createSweep, cancelSweep); the worker side (claims, leases,
 * chunks) is in job-leases.ts and cell-writer.ts on top of it.
 */

export class SweepNotFoundError extends Error {
  override name = 'SweepNotFoundError';
  constructor(readonly sweepId: string) {
    super(`sweep not found: ${sweepId}`);
  }
}

export class CellNotFoundError extends Error {
  override name = 'CellNotFoundError';
  constructor(
    readonly sweepId: string,
    readonly cellId: string,
  ) {
    super(`cell ${cellId} not found in sweep ${sweepId}`);
  }
}

/** A stored object that does not parse (truncated JSON, wrong shape): names the key and what is wrong. */
export class CorruptRecordError extends Error {
  override name = 'CorruptRecordError';
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(`corrupt record ${key}: ${detail}`);
  }
}

/** Invalid input to a write (e.g. a SweepSpec out of limits): the message names each field. */
export class InvalidRecordError extends Error {
  override name = 'InvalidRecordError';
}

/** JSON text with NaN/±Infinity as their JSON-number strings (plain JSON.stringify would write null). */
export function toStoredJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? toJsonNumber(v) : v,
  );
}

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

export interface CellSeries {
  sweepId: SweepId;
  cellId: CellId;
  epoch: number | null;
  rows: MetricRow[];
  /** Chunks that could not be read (key and reason); rows of the other chunks are still returned. */
  problems: { key: string; message: string }[];
}

export class SweepStore {
  constructor(
    readonly blob: BlobStore,
    private readonly clock: () => number = Date.now,
  ) {}

  now(): number {
    return this.clock();
  }

  // ---- generic typed IO -------------------------------------------------------------------------------------

  /** Read and parse one record; null when absent; CorruptRecordError when it does not parse. */
  async read<S extends z.ZodType>(key: string, schema: S): Promise<{ value: z.output<S>; meta: BlobMeta } | null> {
    const got = await this.blob.get(key);
    if (got === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(got.body));
    } catch (e) {
      throw new CorruptRecordError(key, e instanceof Error ? e.message : String(e));
    }
    // Older versions are upgraded by the record's migrations; a newer one is refused with a message naming both.
    const r = safeParseStored(schema, json);
    if (!r.success) throw new CorruptRecordError(key, r.message);
    return { value: r.data, meta: got.meta };
  }

  /**
   * Like `read`, for a record whose current etag is known from a listing: an unchanged record is served from a
   * cache shared by every SweepStore over the same BlobStore, so a live dashboard re-reads only what changed.
   */
  async readListed<S extends z.ZodType>(key: string, etag: string, schema: S): Promise<z.output<S> | null> {
    const cache = cacheFor(this.blob);
    const hit = cache.get(key);
    if (hit && hit.etag === etag && hit.schema === schema) return hit.value as z.output<S>;
    const got = await this.read(key, schema);
    if (got) cache.set(key, { etag: etag === IMMUTABLE ? IMMUTABLE : got.meta.etag, schema, value: got.value });
    return got?.value ?? null;
  }

  /** Validate then write one record; returns the written meta (its size is the stored bytes). */
  async write<S extends z.ZodType>(
    key: string,
    schema: S,
    value: z.input<S>,
    options: { ifAbsent?: boolean; ifMatch?: string } = {},
  ): Promise<BlobMeta> {
    // Validate exactly the text that is stored: NaN/±Inf are encoded first, then read back as a reader would.
    const text = toStoredJson(value);
    const r = schema.safeParse(JSON.parse(text));
    if (!r.success) throw new InvalidRecordError(`invalid record for ${key}:\n${formatZodError(r.error)}`);
    return this.blob.put(key, text, { ...options, contentType: 'application/json' });
  }

  // ---- sweeps -----------------------------------------------------------------------------------------------

  /** Validate a spec and launch it: the spec record, its index entry and its active marker. */
  async createSweep(input: SweepSpecInput, options: { now?: number } = {}): Promise<SweepRecord> {
    const parsed = SweepSpecSchema.safeParse(input);
    if (!parsed.success) throw new InvalidRecordError(formatZodError(parsed.error));
    const spec = parsed.data;
    const createdAt = options.now ?? this.now();
    const id = makeSweepId(createdAt);
    const record: SweepRecord = { schemaVersion: SWEEP_RECORD_SCHEMA_VERSION, id, createdAt, spec };
    await this.write(keys.spec(id), SweepRecordSchema, record, { ifAbsent: true });
    const entry: SweepIndexEntry = {
      schemaVersion: 1,
      id,
      createdAt,
      title: spec.title,
      author: spec.author,
      cellCount: cellCount(spec),
      etaUnit: isRelativeGrid(spec) ? 'inv-lambda0' : 'absolute',
    };
    await this.write(keys.indexEntry(id), SweepIndexEntrySchema, entry, { ifAbsent: true });
    await this.write(keys.active(id), SweepIndexEntrySchema, entry);
    return record;
  }

  /** Sweeps, newest first, one page at a time (reads only the small index entries). */
  async listSweeps(
    options: { cursor?: string; limit?: number } = {},
  ): Promise<{ sweeps: SweepIndexEntry[]; cursor?: string }> {
    const page = await this.blob.list(keys.indexPrefix(), { cursor: options.cursor, limit: options.limit ?? 50 });
    const sweeps: SweepIndexEntry[] = [];
    for (const b of page.blobs) {
      if (sweepIdOfListKey(b.key) === null) continue;
      const got = await this.read(b.key, SweepIndexEntrySchema).catch((e: unknown) => {
        if (e instanceof CorruptRecordError) return null; // one bad entry must not hide the others
        throw e;
      });
      if (got) sweeps.push(got.value);
    }
    return page.cursor !== undefined ? { sweeps, cursor: page.cursor } : { sweeps };
  }

  async getSweep(sweepId: string): Promise<SweepRecord> {
    const id = SweepIdSchema.safeParse(sweepId);
    if (!id.success) throw new SweepNotFoundError(sweepId);
    const got = await this.read(keys.spec(id.data), SweepRecordSchema);
    if (got === null) throw new SweepNotFoundError(sweepId);
    return got.value;
  }

  /** Mark a sweep cancelled (idempotent: the first cancel record stays). Running cells stop at their next chunk. */
  async cancelSweep(sweepId: string, by?: string): Promise<CancelRecord> {
    const sweep = await this.getSweep(sweepId);
    const record: CancelRecord = {
      schemaVersion: 1,
      sweepId: sweep.id,
      cancelledAt: this.now(),
      ...(by ? { by } : {}),
    };
    try {
      await this.write(keys.cancel(sweep.id), CancelRecordSchema, record, { ifAbsent: true });
    } catch (e) {
      if (!(e instanceof BlobExistsError)) throw e;
      const existing = await this.read(keys.cancel(sweep.id), CancelRecordSchema);
      if (existing) return existing.value;
    }
    await this.blob.delete([keys.active(sweep.id)]);
    return record;
  }

  async getCancel(sweepId: SweepId): Promise<CancelRecord | null> {
    return (await this.read(keys.cancel(sweepId), CancelRecordSchema))?.value ?? null;
  }

  async getCalibration(sweepId: SweepId): Promise<CalibrationRecord | null> {
    return (await this.read(keys.calibration(sweepId), CalibrationRecordSchema))?.value ?? null;
  }

  /** Write λ0 once (create-if-absent); returns the record that is stored (the first one if it already existed). */
  async putCalibration(record: CalibrationRecord): Promise<CalibrationRecord> {
    try {
      await this.write(keys.calibration(record.sweepId), CalibrationRecordSchema, record, { ifAbsent: true });
      return record;
    } catch (e) {
      if (!(e instanceof BlobExistsError)) throw e;
      const existing = await this.getCalibration(record.sweepId);
      if (existing === null) throw e;
      return existing;
    }
  }

  /** List a sweep's control prefix and fold it into per-job facts (no reads of contents). */
  async scanControl(sweepId: SweepId): Promise<ControlScan> {
    const scan: ControlScan = { cancelled: false, calibrated: false, jobs: new Map() };
    for (const b of await listAll(this.blob, keys.controlPrefix(sweepId))) {
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

  async getClaim(
    sweepId: SweepId,
    jobId: CellId,
    epoch: number,
  ): Promise<{ value: ClaimRecord; meta: BlobMeta } | null> {
    return this.read(keys.claim(sweepId, jobId, epoch), ClaimRecordSchema);
  }

  async getDone(sweepId: SweepId, jobId: CellId): Promise<DoneMarker | null> {
    return (await this.read(keys.done(sweepId, jobId), DoneMarkerSchema))?.value ?? null;
  }

  /**
   * The sweep, its cancel and calibration records, and a summary of every cell (coordinates, state, the epoch
   * readers follow, its latest progress, its done marker with the result's summary numbers). A corrupt record of
   * one cell is reported in that cell's `problems` and does not break the others.
   */
  async getSweepStatus(sweepId: string): Promise<SweepStatus> {
    const sweep = await this.getSweep(sweepId);
    const id = sweep.id;
    const [scan, progressList, cancelled, calibration] = await Promise.all([
      this.scanControl(id),
      listAll(this.blob, keys.progressPrefix(id)),
      this.getCancel(id),
      this.getCalibration(id).catch((e: unknown) => {
        if (e instanceof CorruptRecordError) return null;
        throw e;
      }),
    ]);
    const progressEtags = new Map<string, string>(progressList.map((b) => [b.key, b.etag]));
    const now = this.now();
    const calib = isRelativeGrid(sweep.spec);
    const calibrationState = calib
      ? await this.jobState(id, CALIBRATION_JOB_ID, scan, now, calibration !== null)
      : null;
    const coords = gridCells(sweep.spec);
    const cells = await mapLimit(coords, 16, async (coord): Promise<CellSummary> => {
      const problems: string[] = [];
      const job = scan.jobs.get(coord.cellId);
      let done: DoneMarker | null = null;
      let epoch: number | null = job?.epochs[job.epochs.length - 1] ?? null;
      if (job?.done) {
        // Done markers never change: read once, then served from the cache.
        const doneKey = keys.done(id, coord.cellId);
        done = await this.readListed(doneKey, IMMUTABLE, DoneMarkerSchema).catch((e: unknown) =>
          problem(e, problems, null),
        );
        if (done) epoch = done.epoch;
      }
      const progressKey = epoch === null ? null : keys.progress(id, coord.cellId, epoch);
      const progressEtag = progressKey === null ? undefined : progressEtags.get(progressKey);
      const progress =
        progressKey === null || progressEtag === undefined
          ? null
          : await this.readListed(progressKey, progressEtag, ProgressRecordSchema).catch((e: unknown) =>
              problem(e, problems, null),
            );
      let state: JobState;
      if (done) state = 'done';
      else if (calib && calibrationState === 'done' && calibration === null) state = 'blocked';
      else if (scan.cancelled) state = 'cancelled';
      else if (job === undefined || job.epochs.length === 0) state = 'queued';
      else state = await this.jobState(id, coord.cellId, scan, now, false);
      const etaTrgt = cellEtaTrgt(sweep.spec, coord, calibration?.lambda0);
      return { ...coord, etaTrgt, state, epoch, progress, done, problems };
    });
    const counts: Record<JobState, number> = { queued: 0, running: 0, stalled: 0, done: 0, cancelled: 0, blocked: 0 };
    for (const c of cells) counts[c.state]++;
    return { sweep, cancelled, calibration, calibrationState, cells, counts };
  }

  /** The summaries of every cell of a sweep (see getSweepStatus). */
  async getCellSummaries(sweepId: string): Promise<CellSummary[]> {
    return (await this.getSweepStatus(sweepId)).cells;
  }

  private async jobState(
    sweepId: SweepId,
    jobId: CellId,
    scan: ControlScan,
    now: number,
    hasOutput: boolean,
  ): Promise<JobState> {
    const job = scan.jobs.get(jobId);
    if (job?.done || hasOutput) return 'done';
    const epoch = job?.epochs[job.epochs.length - 1];
    if (job === undefined || epoch === undefined) return scan.cancelled ? 'cancelled' : 'queued';
    if (scan.cancelled) return 'cancelled';
    if (job.released.has(epoch)) return 'stalled';
    const claim = await this.readListed(keys.claim(sweepId, jobId, epoch), job.lastClaimEtag, ClaimRecordSchema).catch(
      () => null,
    );
    return claim !== null && claim.leaseExpiresAt > now ? 'running' : 'stalled';
  }

  /** The epoch readers follow for a job: its done marker's, else its highest claim; null when never claimed. */
  async readableEpoch(sweepId: SweepId, jobId: CellId): Promise<number | null> {
    const done = await this.getDone(sweepId, jobId);
    if (done) return done.epoch;
    const page = await listAll(this.blob, keys.jobControlPrefix(sweepId, jobId));
    let best: number | null = null;
    for (const b of page) {
      const k = parseControlKey(sweepId, b.key);
      if (k?.kind === 'claim' && (best === null || k.epoch > best)) best = k.epoch;
    }
    return best;
  }

  /**
   * The step rows of a cell from the epoch readers follow, in step order. Chunks of other (dead) epochs are never
   * read. A chunk that does not parse is reported in `problems` and skipped.
   */
  async readCellSeries(sweepId: string, cellId: string): Promise<CellSeries> {
    const sweep = await this.getSweep(sweepId);
    const coord = gridCells(sweep.spec).find((c) => c.cellId === cellId);
    const jobId: CellId | undefined = coord?.cellId ?? (cellId === CALIBRATION_JOB_ID ? CALIBRATION_JOB_ID : undefined);
    if (jobId === undefined) throw new CellNotFoundError(sweepId, cellId);
    const epoch = await this.readableEpoch(sweep.id, jobId);
    const series: CellSeries = { sweepId: sweep.id, cellId: jobId, epoch, rows: [], problems: [] };
    if (epoch === null) return series;
    const chunkKeys = (await listAll(this.blob, keys.chunkPrefix(sweep.id, jobId, epoch)))
      .map((b) => ({ key: b.key, seq: parseChunkSeq(b.key) }))
      .filter((c): c is { key: string; seq: number } => c.seq !== null)
      .sort((a, b) => a.seq - b.seq);
    const chunks = await mapLimit(chunkKeys, 8, async ({ key }) => {
      try {
        const got = await this.read(key, MetricChunkSchema);
        if (got === null) return [];
        if (got.value.epoch !== epoch || got.value.cellId !== jobId)
          throw new CorruptRecordError(key, 'chunk belongs to another cell or epoch');
        // Rows are checked column by column with MetricRowSchema's rules (decodeMetricRows); NaN/±Inf are data.
        return decodeMetricRows(got.value);
      } catch (e) {
        series.problems.push({ key, message: e instanceof Error ? e.message : String(e) });
        return [];
      }
    });
    for (const rows of chunks) series.rows.push(...rows);
    series.rows.sort((a, b) => a.step - b.step);
    return series;
  }

  /** The result record a done marker points to (immutable: read once, then served from the cache). */
  async readDoneResult(sweepId: SweepId, done: DoneMarker): Promise<CellResultRecord | null> {
    return this.readListed(keys.result(sweepId, done.jobId, done.epoch), IMMUTABLE, CellResultRecordSchema);
  }

  /** The result of a cell from the epoch readers follow, or null while it has none. */
  async getCellResult(sweepId: string, cellId: string): Promise<CellResultRecord | null> {
    const sweep = await this.getSweep(sweepId);
    const jobId =
      (cellId === CALIBRATION_JOB_ID
        ? CALIBRATION_JOB_ID
        : gridCells(sweep.spec).find((c) => c.cellId === cellId)?.cellId) ?? null;
    if (jobId === null) throw new CellNotFoundError(sweepId, cellId);
    const done = await this.getDone(sweep.id, jobId);
    if (!done) return null;
    return (await this.read(keys.result(sweep.id, jobId, done.epoch), CellResultRecordSchema))?.value ?? null;
  }

  /** Ids of sweeps that may have work, newest first. */
  async listActiveSweepIds(): Promise<SweepId[]> {
    return (await listAll(this.blob, keys.activePrefix()))
      .map((b) => sweepIdOfListKey(b.key))
      .filter((id): id is SweepId => id !== null);
  }

  /** Stop offering a sweep to workers (all its jobs are done, or it is cancelled). */
  async deactivateSweep(sweepId: SweepId): Promise<void> {
    await this.blob.delete([keys.active(sweepId)]);
  }
}

function problem<T>(e: unknown, problems: string[], fallback: T): T {
  if (e instanceof CorruptRecordError) {
    problems.push(e.message);
    return fallback;
  }
  throw e;
}

/** Map with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T, i);
    }
  });
  await Promise.all(workers);
  return out;
}

/** The etag to pass to `readListed` for records written once and never changed (done markers). */
const IMMUTABLE = '(immutable)';

interface CachedRecord {
  etag: string;
  schema: z.ZodType;
  value: unknown;
}

/** Records by key with the etag they were read at; bounded, oldest entries dropped first. */
class RecordCache {
  private readonly map = new Map<string, CachedRecord>();
  constructor(private readonly maxEntries: number) {}
  get(key: string): CachedRecord | undefined {
    return this.map.get(key);
  }
  set(key: string, value: CachedRecord): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }
}

const caches = new WeakMap<BlobStore, RecordCache>();
function cacheFor(blob: BlobStore): RecordCache {
  let c = caches.get(blob);
  if (!c) {
    c = new RecordCache(50_000);
    caches.set(blob, c);
  }
  return c;
}
