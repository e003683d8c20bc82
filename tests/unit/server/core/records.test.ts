import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CURVATURE_SCHEMA_VERSION } from '../../../../server/core/curvature-summary';
import { METRIC_CHUNK_SCHEMA_VERSION, MetricChunkSchema } from '../../../../server/core/metric-chunk';
import { METRIC_ROW_SCHEMA_VERSION, RUN_RESULT_SCHEMA_VERSION } from '../../../../server/core/metrics';
import { isLogSpacedStep, logSpacedSteps } from '../../../../server/core/progress-history';
import {
  CALIBRATION_RECORD_SCHEMA_VERSION,
  CalibrationRecordSchema,
  CANCEL_RECORD_SCHEMA_VERSION,
  CancelRecordSchema,
  CELL_RESULT_RECORD_SCHEMA_VERSION,
  CELL_SERIES_RECORD_SCHEMA_VERSION,
  CellResultRecordSchema,
  CellSeriesRecordSchema,
  CLAIM_RECORD_SCHEMA_VERSION,
  ClaimRecordSchema,
  DONE_MARKER_SCHEMA_VERSION,
  DoneMarkerSchema,
  PROGRESS_RECORD_SCHEMA_VERSION,
  ProgressRecordSchema,
  STUDY_RECORD_SCHEMA_VERSION,
  StudyRecordSchema,
  SWEEP_INDEX_ENTRY_SCHEMA_VERSION,
  SWEEP_RECORD_SCHEMA_VERSION,
  SweepIndexEntrySchema,
  SweepRecordSchema,
} from '../../../../server/core/records';
import { RUN_CONFIG_SCHEMA_VERSION } from '../../../../server/core/run-config';
import { SHORT_LINK_RECORD_SCHEMA_VERSION, ShortLinkRecordSchema } from '../../../../server/core/share';
import { cellCount, SWEEP_SPEC_SCHEMA_VERSION } from '../../../../server/core/sweep-spec';
import { safeParseStored, upgradeStored, versioningOf } from '../../../../server/core/versioned';

/** A SweepRecord v1 exactly as the v1 store wrote it (tests/fixtures/records/README.md). */
const sweepRecordV1 = readFileSync(new URL('../../../fixtures/records/sweep-record-v1.json', import.meta.url), 'utf8');

describe('stored record versions', () => {
  it('every record the store keeps under a key is declared with its exported version', () => {
    const stored = [
      ['SweepRecord', SweepRecordSchema, SWEEP_RECORD_SCHEMA_VERSION],
      ['StudyRecord', StudyRecordSchema, STUDY_RECORD_SCHEMA_VERSION],
      ['SweepIndexEntry', SweepIndexEntrySchema, SWEEP_INDEX_ENTRY_SCHEMA_VERSION],
      ['CancelRecord', CancelRecordSchema, CANCEL_RECORD_SCHEMA_VERSION],
      ['CalibrationRecord', CalibrationRecordSchema, CALIBRATION_RECORD_SCHEMA_VERSION],
      ['ClaimRecord', ClaimRecordSchema, CLAIM_RECORD_SCHEMA_VERSION],
      ['DoneMarker', DoneMarkerSchema, DONE_MARKER_SCHEMA_VERSION],
      ['ProgressRecord', ProgressRecordSchema, PROGRESS_RECORD_SCHEMA_VERSION],
      ['MetricChunk', MetricChunkSchema, METRIC_CHUNK_SCHEMA_VERSION],
      ['CellSeriesRecord', CellSeriesRecordSchema, CELL_SERIES_RECORD_SCHEMA_VERSION],
      ['CellResultRecord', CellResultRecordSchema, CELL_RESULT_RECORD_SCHEMA_VERSION],
      ['ShortLinkRecord', ShortLinkRecordSchema, SHORT_LINK_RECORD_SCHEMA_VERSION],
    ] as const;
    for (const [name, schema, version] of stored) {
      expect(versioningOf(schema)).toMatchObject({ name, version });
      expect(Object.keys(versioningOf(schema)?.migrations ?? {}).map(Number)).toEqual(
        Array.from({ length: version - 1 }, (_, i) => i + 2),
      );
    }
    // Records stored inside those (their migrations are their holders'): versions 1 so far.
    expect([
      RUN_RESULT_SCHEMA_VERSION,
      METRIC_ROW_SCHEMA_VERSION,
      CURVATURE_SCHEMA_VERSION,
      RUN_CONFIG_SCHEMA_VERSION,
      SWEEP_SPEC_SCHEMA_VERSION,
    ]).toEqual([1, 1, 1, 1, 1]);
  });

  it('reads a SweepRecord v1 (as the v1 store wrote it) as v2: the stored cellCount is dropped', () => {
    const v1 = JSON.parse(sweepRecordV1) as { schemaVersion: number; cellCount: number };
    expect(v1).toMatchObject({ schemaVersion: 1, cellCount: 24 });
    const r = safeParseStored(SweepRecordSchema, v1);
    if (!r.success) throw new Error(r.message);
    expect(r.data.schemaVersion).toBe(2);
    expect(r.data).not.toHaveProperty('cellCount');
    expect(r.data).toMatchObject({ id: 'swzdome0lbz-xx4q7b5c4f', createdAt: Date.UTC(2025, 5, 1, 12) });
    // What v1 stored is what v2 derives.
    expect(cellCount(r.data.spec)).toBe(v1.cellCount);
    // The upgrade copies: the stored JSON is left as it was.
    expect(v1).toMatchObject({ schemaVersion: 1, cellCount: 24 });
  });

  it('writers validate against the current version only', () => {
    const v1 = JSON.parse(sweepRecordV1) as object;
    expect(SweepRecordSchema.safeParse(v1).success).toBe(false);
    expect(SweepRecordSchema.safeParse(upgradeStored(SweepRecordSchema, v1)).success).toBe(true);
  });

  it('refuses a record newer than this code, naming the record and both versions', () => {
    const v99 = { ...(JSON.parse(sweepRecordV1) as object), schemaVersion: 99 };
    const r = safeParseStored(SweepRecordSchema, v99);
    expect(r).toEqual({
      success: false,
      message: 'SweepRecord has schemaVersion 99, newer than this code reads (2); read it with a newer version',
    });
  });

  it('reports a record that does not parse after its upgrade by field', () => {
    const broken = { ...(JSON.parse(sweepRecordV1) as object), createdAt: -1 };
    const r = safeParseStored(SweepRecordSchema, broken);
    expect(r.success).toBe(false);
    expect(r.success ? '' : r.message).toMatch(/^createdAt: /);
  });
});

describe('log-spaced progress history', () => {
  it('keeps every step below 16, then 8 per doubling', () => {
    const s = logSpacedSteps(64);
    // round(2^(k/8)) for k = 32…48: 16, 17, 19, 21, 23, 25, 27, 29, 32, 35, 38, 41 (2^5.375 = 41.499), 45, 49, 54, 59, 64.
    expect(s).toEqual([
      ...Array.from({ length: 16 }, (_, i) => i),
      16,
      17,
      19,
      21,
      23,
      25,
      27,
      29,
      32,
      35,
      38,
      41,
      45,
      49,
      54,
      59,
      64,
    ]);
    for (const step of s) expect(isLogSpacedStep(step)).toBe(true);
    for (let step = 0; step <= 64; step++) expect(isLogSpacedStep(step)).toBe(s.includes(step));
  });

  it('stays small for the paper budget: ~150 points for 10^5 steps', () => {
    const n = logSpacedSteps(100_000).length;
    // 16 linear points + 8 per octave over log2(10^5/16) ≈ 12.6 octaves ≈ 117.
    expect(n).toBeGreaterThan(110);
    expect(n).toBeLessThan(125);
  });
});
