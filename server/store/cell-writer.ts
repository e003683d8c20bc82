import { CALIBRATION_JOB_ID, type CellId, type SweepId } from '../core/ids';
import { metricRowValues, type MetricRow, type RunResult } from '../core/metrics';
import { type Outcome } from '../core/outcome';
import { isLogSpacedStep } from '../core/progress-history';
import {
  CellResultRecordSchema,
  ProgressRecordSchema,
  summarizeRunResult,
  type CellResultRecord,
  type ProgressRecordInput,
  PROGRESS_RECORD_SCHEMA_VERSION,
  CELL_RESULT_RECORD_SCHEMA_VERSION,
} from '../core/records';
import {
  encodeChunkRows,
  MetricChunkSchema,
  toStoredPrecision,
  type StepValues,
  METRIC_CHUNK_SCHEMA_VERSION,
} from '../core/metric-chunk';
import { toJsonNumber } from '../core/json-number';
import { writeCellSeries } from './cell-series';
import { keys } from './keys';
import { type SweepStore } from './sweep-store';

/**
 * Writes one cell's output under its epoch: step rows in append-only chunks (every `chunkRows` rows or
 * `chunkMs` ms, whichever comes first), a progress object overwritten at most every `progressMs`, and the result.
 * Chunks are columnar JSON (see MetricChunkSchema); `bytesPerRow` reports what that costs. Writes are queued in
 * order; `add` awaits a flush when one is due, so a slow store slows training rather than buffering without bound.
 * `finish` also stores the cell's downsampled chart series (`series.json`, see cell-series.ts).
 */

export interface CellWriterOptions {
  sweepId: SweepId;
  cellId: CellId;
  epoch: number;
  workerId: string;
  totalSteps: number;
  chunkRows?: number;
  chunkMs?: number;
  progressMs?: number;
  /** Called after each chunk is written; return true to stop (cancel or fencing is checked here). */
  atChunkBoundary?: () => Promise<boolean>;
}

export class CellWriter {
  private rows: StepValues[] = [];
  private seq = 0;
  private lastFlush: number;
  private lastProgress = 0;
  private latest: Record<string, number> = {};
  private history = { step: [] as number[], loss: [] as number[], sharpness: [] as number[] };
  private lastStep = -1;
  private stopRequested = false;
  readonly stats: {
    chunks: number;
    rows: number;
    chunkBytes: number;
    progressWrites: number;
    seriesStored: boolean;
    seriesError?: string;
  } = {
    chunks: 0,
    rows: 0,
    chunkBytes: 0,
    progressWrites: 0,
    /** True once `finish` stored the cell's downsampled series (series.json). */
    seriesStored: false,
  };

  constructor(
    private readonly store: SweepStore,
    private readonly o: CellWriterOptions,
  ) {
    this.lastFlush = store.now();
  }

  /** True once `atChunkBoundary` asked to stop. */
  get stopped(): boolean {
    return this.stopRequested;
  }

  /** Mean stored bytes per row over the chunks written so far. */
  get bytesPerRow(): number {
    return this.stats.rows === 0 ? 0 : this.stats.chunkBytes / this.stats.rows;
  }

  /** Buffer one row; writes a chunk and/or progress when due. */
  async add(row: MetricRow): Promise<void> {
    const values = metricRowValues(row);
    this.rows.push(values);
    this.lastStep = row.step;
    for (const [k, v] of Object.entries(values)) if (k !== 'step') this.latest[k] = v;
    if (isLogSpacedStep(row.step)) {
      this.history.step.push(row.step);
      this.history.loss.push(row.loss);
      this.history.sharpness.push(this.latest.sharpness ?? Number.NaN);
    }
    const now = this.store.now();
    if (this.rows.length >= (this.o.chunkRows ?? 500) || now - this.lastFlush >= (this.o.chunkMs ?? 10_000))
      await this.flush();
    if (now - this.lastProgress >= (this.o.progressMs ?? 3_000)) await this.writeProgress();
  }

  /** Write the buffered rows as the next chunk (no-op when empty), then run the chunk-boundary check. */
  async flush(): Promise<void> {
    this.lastFlush = this.store.now();
    if (this.rows.length === 0) return;
    const { columns, rows } = encodeChunkRows(this.rows);
    const meta = await this.store.write(
      keys.chunk(this.o.sweepId, this.o.cellId, this.o.epoch, this.seq),
      MetricChunkSchema,
      {
        schemaVersion: METRIC_CHUNK_SCHEMA_VERSION,
        sweepId: this.o.sweepId,
        cellId: this.o.cellId,
        epoch: this.o.epoch,
        seq: this.seq,
        columns,
        rows,
      },
      { ifAbsent: true },
    );
    this.seq++;
    this.stats.chunks++;
    this.stats.rows += rows.length;
    this.stats.chunkBytes += meta.size;
    this.rows = [];
    if (this.o.atChunkBoundary && (await this.o.atChunkBoundary())) this.stopRequested = true;
  }

  async writeProgress(): Promise<void> {
    this.lastProgress = this.store.now();
    const record: ProgressRecordInput = {
      schemaVersion: PROGRESS_RECORD_SCHEMA_VERSION,
      sweepId: this.o.sweepId,
      cellId: this.o.cellId,
      epoch: this.o.epoch,
      workerId: this.o.workerId,
      updatedAt: this.lastProgress,
      step: this.lastStep,
      totalSteps: this.o.totalSteps,
      // Same precision as the chunks, so progress and rows agree value for value.
      latest: Object.fromEntries(Object.entries(this.latest).map(([k, v]) => [k, stored(v)])),
      history: {
        step: this.history.step,
        loss: this.history.loss.map(stored),
        sharpness: this.history.sharpness.map(stored),
      },
      chunks: this.stats.chunks,
      rows: this.stats.rows + this.rows.length,
    };
    await this.store.write(keys.progress(this.o.sweepId, this.o.cellId, this.o.epoch), ProgressRecordSchema, record);
    this.stats.progressWrites++;
  }

  /** Flush the last rows and progress, then write the result; returns the record written. */
  async finish(end: {
    outcome: Outcome;
    run?: RunResult;
    error?: string;
    summary?: Record<string, number>;
  }): Promise<CellResultRecord> {
    await this.flush();
    await this.writeProgress();
    const record: CellResultRecord = {
      schemaVersion: CELL_RESULT_RECORD_SCHEMA_VERSION,
      sweepId: this.o.sweepId,
      cellId: this.o.cellId,
      epoch: this.o.epoch,
      workerId: this.o.workerId,
      finishedAt: this.store.now(),
      outcome: end.outcome,
      lastStep: end.run?.lastStep ?? this.lastStep,
      summary: end.summary ?? (end.run ? summarizeRunResult(end.run) : {}),
      ...(end.error !== undefined ? { error: end.error.slice(0, 4000) } : {}),
      ...(end.run ? { run: end.run } : {}),
    };
    await this.store.write(keys.result(this.o.sweepId, this.o.cellId, this.o.epoch), CellResultRecordSchema, record);
    if (this.o.cellId !== CALIBRATION_JOB_ID) {
      // The dashboard's series of the finished cell, downsampled once from all its rows (cell-series.ts). The result
      // is already written: a failure here only leaves readers on the chunks, so it is reported, not thrown.
      try {
        this.stats.seriesStored = (await writeCellSeries(this.store, record)) !== null;
      } catch (e) {
        this.stats.seriesError = e instanceof Error ? e.message : String(e);
      }
    }
    return record;
  }
}

const stored = (v: number): ReturnType<typeof toJsonNumber> => toJsonNumber(toStoredPrecision(v));
