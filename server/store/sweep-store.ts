import {
  CellNotFoundError,
  CorruptRecordError,
  formatZodError,
  InvalidRecordError,
  SweepNotFoundError,
} from '../core/errors';
import { cellCoord } from '../core/grid';
import { CALIBRATION_JOB_ID, makeSweepId, SweepIdSchema, type CellId, type SweepId } from '../core/ids';
import { mapLimit } from '../core/map-limit';
import { type MetricRow } from '../core/metrics';
import {
  CalibrationRecordSchema,
  CancelRecordSchema,
  CellResultRecordSchema,
  ClaimRecordSchema,
  DoneMarkerSchema,
  SWEEP_RECORD_SCHEMA_VERSION,
  SweepIndexEntrySchema,
  SweepRecordSchema,
  type CalibrationRecord,
  type CancelRecord,
  type CellResultRecord,
  type ClaimRecord,
  type DoneMarker,
  type SweepIndexEntry,
  type SweepRecord,
  SWEEP_INDEX_ENTRY_SCHEMA_VERSION,
  CANCEL_RECORD_SCHEMA_VERSION,
} from '../core/records';
import { decodeMetricRows, MetricChunkSchema } from '../core/metric-chunk';
import { cellCount, isRelativeGrid, SweepSpecSchema, type SweepSpecInput } from '../core/sweep-spec';
import { BlobExistsError, listAll, type BlobMeta } from './blob-store';
import { keys, parseChunkSeq, sweepIdOfListKey } from './keys';
import { IMMUTABLE, nullIfCorrupt, RecordStore } from './record-store';
import {
  readableJobEpoch,
  readSweepStatus,
  scanSweepControl,
  type CellSummary,
  type ControlScan,
  type SweepStatus,
} from './sweep-status';

/**
 * The sweep API over typed records (record-store.ts): the read API of the dashboard (listSweeps, getSweep,
 * getSweepStatus, readCellSeries, getCellResult) and the write API of launching (createSweep, cancelSweep). The
 * status scan is in sweep-status.ts; the worker side (claims, leases, chunks) is in job-leases.ts and cell-writer.ts
 * on top of it.
 */

export interface CellSeries {
  sweepId: SweepId;
  cellId: CellId;
  epoch: number | null;
  rows: MetricRow[];
  /** Chunks that could not be read (key and reason); rows of the other chunks are still returned. */
  problems: { key: string; message: string }[];
}

export class SweepStore extends RecordStore {
  // ---- sweeps -----------------------------------------------------------------------------------------------

  /** Validate a spec and launch it: the spec record, its index entry and its active marker. */
  async createSweep(input: SweepSpecInput, options: { now?: number } = {}): Promise<SweepRecord> {
    const parsed = SweepSpecSchema.safeParse(input);
    if (!parsed.success) throw new InvalidRecordError(formatZodError(parsed.error));
    const spec = parsed.data;
    const createdAt = options.now ?? this.now();
    const id = makeSweepId(createdAt);
    const cells = cellCount(spec);
    const record: SweepRecord = { schemaVersion: SWEEP_RECORD_SCHEMA_VERSION, id, createdAt, spec };
    await this.write(keys.spec(id), SweepRecordSchema, record, { ifAbsent: true });
    const entry: SweepIndexEntry = {
      schemaVersion: SWEEP_INDEX_ENTRY_SCHEMA_VERSION,
      id,
      createdAt,
      title: spec.title,
      author: spec.author,
      cellCount: cells,
      etaUnit: isRelativeGrid(spec) ? 'inv-lambda0' : 'absolute',
    };
    await this.write(keys.indexEntry(id), SweepIndexEntrySchema, entry, { ifAbsent: true });
    await this.write(keys.active(id), SweepIndexEntrySchema, entry);
    return record;
  }

  /** Sweeps, newest first, one page at a time (reads only the small index entries; a corrupt one is skipped). */
  async listSweeps(
    options: { cursor?: string; limit?: number } = {},
  ): Promise<{ sweeps: SweepIndexEntry[]; cursor?: string }> {
    const page = await this.blob.list(keys.indexPrefix(), { cursor: options.cursor, limit: options.limit ?? 50 });
    const sweeps: SweepIndexEntry[] = [];
    for (const b of page.blobs) {
      if (sweepIdOfListKey(b.key) === null) continue;
      const got = await nullIfCorrupt(this.read(b.key, SweepIndexEntrySchema)); // one bad entry must not hide the others
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
      schemaVersion: CANCEL_RECORD_SCHEMA_VERSION,
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

  // ---- jobs and status (sweep-status.ts) --------------------------------------------------------------------

  /** List a sweep's control prefix and fold it into per-job facts (no reads of contents). */
  async scanControl(sweepId: SweepId): Promise<ControlScan> {
    return scanSweepControl(this.blob, sweepId);
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

  /** The sweep, its cancel and calibration records, and a summary of every cell (see readSweepStatus). */
  async getSweepStatus(sweepId: string): Promise<SweepStatus> {
    return readSweepStatus(this, sweepId);
  }

  /** The summaries of every cell of a sweep (see getSweepStatus). */
  async getCellSummaries(sweepId: string): Promise<CellSummary[]> {
    return (await this.getSweepStatus(sweepId)).cells;
  }

  /** The epoch readers follow for a job: its done marker's, else its highest claim; null when never claimed. */
  async readableEpoch(sweepId: SweepId, jobId: CellId): Promise<number | null> {
    return readableJobEpoch(this, sweepId, jobId);
  }

  // ---- a cell's output --------------------------------------------------------------------------------------

  /**
   * The step rows of a cell from the epoch readers follow, in step order. Chunks of other (dead) epochs are never
   * read. A chunk that cannot be read is reported in `problems` and skipped.
   */
  async readCellSeries(sweepId: string, cellId: string): Promise<CellSeries> {
    const sweep = await this.getSweep(sweepId);
    const jobId = jobIdIn(sweep, sweepId, cellId);
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
        // Reported with its key, not thrown: the rows of the other chunks are still worth drawing.
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
    const jobId = jobIdIn(sweep, sweepId, cellId);
    const done = await this.getDone(sweep.id, jobId);
    if (!done) return null;
    return (await this.read(keys.result(sweep.id, jobId, done.epoch), CellResultRecordSchema))?.value ?? null;
  }
}

/** The job a cell id names in a sweep (one of its grid cells, or the calibration job); CellNotFoundError otherwise. */
function jobIdIn(sweep: SweepRecord, sweepId: string, cellId: string): CellId {
  if (cellId === CALIBRATION_JOB_ID) return CALIBRATION_JOB_ID;
  const coord = cellCoord(sweep.spec, cellId);
  if (coord === null) throw new CellNotFoundError(sweepId, cellId);
  return coord.cellId;
}
