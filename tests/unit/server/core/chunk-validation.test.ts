import { describe, expect, it } from 'vitest';
import { toJsonNumber } from '../../../../server/core/json-number';
import { MetricRowSchema } from '../../../../server/core/metrics';
import {
  decodeChunkRows,
  decodeMetricRows,
  encodeChunkRows,
  MetricChunkSchema,
  type StepValues,
} from '../../../../server/core/metric-chunk';

/** The columnar checks (MetricChunkSchema's rows, decodeMetricRows) against the per-value / per-row zod schemas they replace. */

const base = {
  schemaVersion: 1,
  sweepId: 'swzzzzzzzzz-0000000000',
  cellId: 'e00-w000001-s1',
  epoch: 1,
  seq: 0,
} as const;
const ok = (columns: string[], rows: unknown[][]) => MetricChunkSchema.safeParse({ ...base, columns, rows });

describe('MetricChunkSchema rows', () => {
  it('decodes numbers, null and the three non-finite names in one pass', () => {
    const r = ok(
      ['step', 'loss', 'sharpness'],
      [
        [0, 'NaN', null],
        [1, 'Infinity', 3.5],
        [2, '-Infinity', -0.25],
      ],
    );
    expect(r.success).toBe(true);
    expect(r.data?.rows).toEqual([
      [0, NaN, null],
      [1, Infinity, 3.5],
      [2, -Infinity, -0.25],
    ]);
  });

  it('rejects what the per-value union rejected, naming row and column', () => {
    const bad = (rows: unknown) => MetricChunkSchema.safeParse({ ...base, columns: ['step', 'loss'], rows });
    for (const v of ['nan', 'inf', '1', true, {}, [1]])
      expect(
        bad([
          [0, 1],
          [1, v],
        ]).success,
      ).toBe(false);
    expect(bad([]).success).toBe(false);
    expect(bad([[0, 1], 'x']).success).toBe(false);
    expect(bad({ 0: [0, 1] }).success).toBe(false);
    expect(
      bad([
        [0, 1],
        [1, 'nan'],
      ]).error?.issues[0]?.path,
    ).toEqual(['rows', 1, 1]);
    // The row-level refinements still apply.
    expect(bad([[0, 1, 2]]).success).toBe(false);
    expect(bad([[-1, 1]]).success).toBe(false);
  });
});

describe('decodeMetricRows', () => {
  const rows: StepValues[] = [
    { step: 0, lr: 0.1, loss: 2, acc: 0.1, gradNorm: 3, paramNorm: 10, sharpness: 40, lanczosIters: 20 },
    { step: 1, lr: 0.2, loss: NaN, acc: 0.2, gradNorm: Infinity, paramNorm: 10, extra: 7 },
    { step: 2, lr: 0.3, loss: 1.5, acc: 0.3, gradNorm: -Infinity, paramNorm: 11, testLoss: 1.7, testAcc: 0.4 },
  ];
  const chunk = MetricChunkSchema.parse({ ...base, ...encodeChunkRows(rows) });

  it('gives what MetricRowSchema gives row by row (unknown columns left out, NaN/±Inf kept)', () => {
    const perRow = decodeChunkRows(chunk).map((r) =>
      MetricRowSchema.parse(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toJsonNumber(v)]))),
    );
    const columnar = decodeMetricRows(chunk);
    expect(columnar).toEqual(perRow);
    expect(columnar[1]).toEqual({
      schemaVersion: 1,
      step: 1,
      lr: 0.2,
      loss: NaN,
      acc: 0.2,
      gradNorm: Infinity,
      paramNorm: 10,
    });
    expect(columnar[0]?.lanczosIters).toBe(20);
    expect(columnar[2]?.testAcc).toBe(0.4);
  });

  it('rejects a missing required column, a null required value and a non-integer count, as MetricRowSchema does', () => {
    const parse = (columns: string[], r: unknown[][]) =>
      decodeMetricRows(MetricChunkSchema.parse({ ...base, columns, rows: r }));
    const cols = ['step', 'lr', 'loss', 'acc', 'gradNorm', 'paramNorm'];
    expect(() => parse(cols.slice(0, 5), [[0, 1, 1, 1, 1]])).toThrow(/required column "paramNorm" is missing/);
    expect(() =>
      parse(cols, [
        [0, 1, 1, 1, 1, 1],
        [1, 1, null, 1, 1, 1],
      ]),
    ).toThrow(/row 1 has no value for required column "loss"/);
    expect(() => parse([...cols, 'lanczosIters'], [[0, 1, 1, 1, 1, 1, 2.5]])).toThrow(
      /"lanczosIters" must be an integer ≥ 0/,
    );
    expect(() => parse([...cols, 'fdFlips'], [[0, 1, 1, 1, 1, 1, 'NaN']])).toThrow(/"fdFlips" must be an integer/);
    for (const r of [[[0, 1, 1, 1, 1, 1, 2.5]], [[0, 1, 1, 1, 1, 1, 'NaN']]]) {
      expect(
        MetricRowSchema.safeParse(Object.fromEntries([...cols, 'lanczosIters'].map((c, i) => [c, r[0]?.[i]]))).success,
      ).toBe(false);
    }
    expect(parse(cols, [[0, 1, 'NaN', 1, 1, 1]])[0]?.loss).toBeNaN();
  });
});
