import { describe, expect, it } from 'vitest';
import { encodeJsonNumbers, parseRecord, stringifyRecord } from '../../../../server/core/json-number';
import {
  metricRowValues,
  MetricRowSchema,
  RunResultSchema,
  type RunResultInput,
} from '../../../../server/core/metrics';
import { RunConfigSchema } from '../../../../server/core/run-config';

describe('MetricRow', () => {
  it('round-trips NaN and ±Infinity through JSON as data', () => {
    const row = parseRecord(MetricRowSchema, {
      step: 7,
      lr: 0.5,
      loss: NaN,
      acc: 0.25,
      gradNorm: Infinity,
      paramNorm: 12.5,
      sharpness: -Infinity,
      lanczosIters: 20,
    });
    const text = stringifyRecord(row);
    expect(text).toContain('"loss":"NaN"');
    expect(text).toContain('"gradNorm":"Infinity"');
    expect(text).toContain('"sharpness":"-Infinity"');
    const back = MetricRowSchema.parse(JSON.parse(text));
    expect(back.loss).toBeNaN();
    expect(back.gradNorm).toBe(Infinity);
    expect(back.sharpness).toBe(-Infinity);
    expect(back).toMatchObject({ schemaVersion: 1, step: 7, lr: 0.5, acc: 0.25, paramNorm: 12.5, lanczosIters: 20 });
    // Plain JSON.stringify would have lost them, and zod's number rejects them raw (hence parseRecord):
    expect(JSON.stringify({ x: NaN })).toBe('{"x":null}');
    expect(MetricRowSchema.safeParse({ ...back, loss: NaN }).success).toBe(false);
  });

  it('rejects a malformed row naming the field', () => {
    const r = MetricRowSchema.safeParse({ step: -1, lr: 0.1, loss: 'big', acc: 0, gradNorm: 0, paramNorm: 0 });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(paths).toContain('step');
    expect(paths).toContain('loss');
  });

  it('metricRowValues drops schemaVersion and keeps every number, step first', () => {
    const row = MetricRowSchema.parse({ step: 3, lr: 0.1, loss: 2, acc: 0.5, gradNorm: 1, paramNorm: 4, testAcc: 0.4 });
    const v = metricRowValues(row);
    expect(Object.keys(v)[0]).toBe('step');
    expect(v).toEqual({ step: 3, lr: 0.1, loss: 2, acc: 0.5, gradNorm: 1, paramNorm: 4, testAcc: 0.4 });
  });
});

describe('RunResult', () => {
  const config = RunConfigSchema.parse({ schedule: { etaTrgt: 0.1 }, steps: 10 });
  const result: RunResultInput = {
    schemaVersion: 1,
    outcome: 'diverged',
    error: null,
    stepsPlanned: 10,
    stepsRun: 4,
    lastStep: 4,
    divergence: { step: 4, loss: Infinity },
    numClasses: 10,
    finalTrainLoss: Infinity,
    finalTrainAcc: 0.1,
    finalTestLoss: null,
    finalTestAcc: null,
    bestTrainLoss: 0.5,
    bestTrainAcc: 0.2,
    bestTestLoss: null,
    bestTestAcc: null,
    bestTestAccStep: null,
    etaInit: 0,
    etaC: NaN,
    lambda0: null,
    backend: 'cpu',
    device: 'test',
    paramCount: 123,
    startedAt: 1,
    finishedAt: 2,
    wallTimeMs: 1,
    trainTimeMs: 0.5,
    stepsPerSec: 8000,
    events: [{ step: 4, kind: 'diverged', value: Infinity }],
    config,
  };

  it('round-trips with non-finite values and the config echo intact', () => {
    const parsed = RunResultSchema.parse(JSON.parse(stringifyRecord(parseRecord(RunResultSchema, result))));
    expect(parsed.divergence).toEqual({ step: 4, loss: Infinity });
    expect(parsed.etaC).toBeNaN();
    expect(parsed.finalTrainLoss).toBe(Infinity);
    expect(parsed.events[0]?.value).toBe(Infinity);
    expect(parsed.config).toEqual(config);
  });

  it('requires a known outcome and schemaVersion 1', () => {
    expect(() => parseRecord(RunResultSchema, { ...result, outcome: 'exploded' })).toThrow(/outcome/);
    expect(() => parseRecord(RunResultSchema, { ...result, schemaVersion: 2 })).toThrow(/schemaVersion/);
    expect(parseRecord(RunResultSchema, result).outcome).toBe('diverged');
  });
});

describe('encodeJsonNumbers', () => {
  it('replaces only non-finite numbers, deeply', () => {
    expect(encodeJsonNumbers({ a: [1, NaN, { b: -Infinity }], c: 'x', d: null, e: true })).toEqual({
      a: [1, 'NaN', { b: '-Infinity' }],
      c: 'x',
      d: null,
      e: true,
    });
  });
});
