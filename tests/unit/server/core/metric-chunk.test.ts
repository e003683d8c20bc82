import { describe, expect, it } from 'vitest';
import {
  decodeChunkRows,
  encodeChunkRows,
  METRIC_CHUNK_SCHEMA_VERSION,
  MetricChunkSchema,
  toStoredPrecision,
} from '../../../../server/core/metric-chunk';

const chunkBase = {
  schemaVersion: METRIC_CHUNK_SCHEMA_VERSION,
  sweepId: 'swzzzzzzzzz-0000000000',
  cellId: 'e00-w000001-s1',
  epoch: 1,
  seq: 0,
} as const;

describe('columnar chunk rows', () => {
  it('encodes step first, other columns in order of first appearance, missing as null, non-finite as strings', () => {
    const enc = encodeChunkRows([
      { step: 0, loss: 2, lr: 0.1 },
      { step: 1, loss: Number.NaN, lr: 0.2, sharpness: 40 },
      { step: 2, loss: Number.POSITIVE_INFINITY, lr: 0.3, gradNorm: Number.NEGATIVE_INFINITY },
    ]);
    expect(enc).toEqual({
      columns: ['step', 'loss', 'lr', 'sharpness', 'gradNorm'],
      rows: [
        [0, 2, 0.1, null, null],
        [1, 'NaN', 0.2, 40, null],
        [2, 'Infinity', 0.3, null, '-Infinity'],
      ],
    });
    const parsed = MetricChunkSchema.parse({ ...chunkBase, ...enc });
    const back = decodeChunkRows(parsed);
    expect(back[0]).toEqual({ step: 0, loss: 2, lr: 0.1 });
    expect(back[1]?.loss).toBeNaN();
    expect(back[1]?.sharpness).toBe(40);
    expect(back[2]).toEqual({ step: 2, loss: Infinity, lr: 0.3, gradNorm: -Infinity });
  });

  it('costs the column names once per chunk: 500 rows of 6 metrics are < 60 bytes per row', () => {
    const rows = Array.from({ length: 500 }, (_, s) => ({
      step: s,
      lr: 0.0123,
      loss: 0.4567,
      acc: 0.875,
      gradNorm: 1.234,
      paramNorm: 12.34,
    }));
    const text = JSON.stringify({ ...chunkBase, ...encodeChunkRows(rows) });
    // Each row is "[s,0.0123,0.4567,0.875,1.234,12.34]," = 35–38 bytes; the header is ~150 bytes in all.
    expect(text.length / 500).toBeLessThan(40);
    expect(text.length / 500).toBeGreaterThan(35);
  });

  it('stores 9 significant digits: every float32 value comes back exactly', () => {
    const values = [0.1, 1 / 3, Math.PI * 1e-7, 123456.789, 2.5e-30, 3.4e38].map(Math.fround);
    const enc = encodeChunkRows(values.map((v, step) => ({ step, loss: v })));
    const back = decodeChunkRows(MetricChunkSchema.parse({ ...chunkBase, ...enc })).map((r) => r.loss);
    expect(back.map((v) => Math.fround(v ?? Number.NaN))).toEqual(values);
    // A double keeps 9 digits: 1/3 → 0.333333333 (the JSON is 11 characters instead of 18).
    expect(encodeChunkRows([{ step: 0, loss: 1 / 3 }]).rows[0]).toEqual([0, 0.333333333]);
    expect(toStoredPrecision(Number.NaN)).toBeNaN();
  });

  it('rejects chunks whose rows do not match the columns or lack a step', () => {
    const bad = (over: object) =>
      MetricChunkSchema.safeParse({ ...chunkBase, columns: ['step', 'loss'], rows: [[0, 1]], ...over }).success;
    expect(bad({})).toBe(true);
    expect(bad({ rows: [[0, 1, 2]] })).toBe(false);
    expect(bad({ columns: ['loss', 'step'] })).toBe(false);
    expect(bad({ rows: [[-1, 1]] })).toBe(false);
    expect(bad({ rows: [['NaN', 1]] })).toBe(false);
    expect(bad({ columns: ['step', 'step'] })).toBe(false);
    expect(bad({ rows: [] })).toBe(false);
  });
});
