import { describe, expect, it } from 'vitest';
import { RunResultSchema, type RunResultInput } from '../../../../server/core/metrics';
import { parseRecord } from '../../../../server/core/json-number';
import { RunConfigSchema } from '../../../../server/core/run-config';
import {
  formatDuration,
  formatProgress,
  formatSummary,
  formatValue,
  ProgressReporter,
} from '../../../../worker/cli/progress';
import type { TrainProgress } from '../../../../worker/engine/train';

const p = (done: number, total = 100): TrainProgress => ({
  done,
  total,
  step: done - 1,
  loss: 0.25,
  lr: 0.05,
  stepsPerSec: 40,
  etaSec: (total - done) / 40,
});

describe('progress formatting', () => {
  it('durations and values', () => {
    expect([0, 12.4, 59.6, 185, 3725, Infinity, NaN].map(formatDuration)).toEqual([
      '0s',
      '12s',
      '1m00s',
      '3m05s',
      '1h02m',
      '–',
      '–',
    ]);
    expect([0.25, 2, 1e-4, 123456, NaN, Infinity, -Infinity].map(formatValue)).toEqual([
      '0.2500',
      '2.000',
      '1.00e-4',
      '1.23e+5',
      'NaN',
      'Inf',
      '-Inf',
    ]);
  });

  it('a progress line holds the bar, step, loss, lr, steps/s and ETA', () => {
    // 45 of 100 done: 9 of 20 bar cells; 55 steps left at 40 steps/s = 1.375 s → "1s".
    expect(formatProgress(p(45))).toBe(
      '[#########...........]  45% step 45/100  loss 0.2500  lr 0.05000  40.0 steps/s  ETA 1s',
    );
  });

  it('on a TTY redraws one line in place, throttled, always drawing the last step', () => {
    const out: string[] = [];
    let now = 0;
    const r = new ProgressReporter(
      { isTTY: true, write: (s: string) => out.push(s) },
      { minIntervalMs: 100, now: () => now },
    );
    r.update(p(1));
    now = 50;
    r.update(p(2)); // within 100 ms: skipped
    now = 150;
    r.update(p(3));
    now = 160;
    r.update(p(100)); // last step: drawn regardless
    r.finish();
    expect(out).toHaveLength(4);
    expect(out.slice(0, 3).every((s) => s.startsWith('\r\x1b[2K['))).toBe(true);
    expect(out[2]).toContain('step 100/100');
    expect(out[3]).toBe('\n');
  });

  it('elsewhere prints plain lines at every tenth of the run', () => {
    const out: string[] = [];
    const r = new ProgressReporter({ isTTY: false, write: (s: string) => out.push(s) });
    for (let d = 1; d <= 50; d++) r.update(p(d, 50));
    r.finish();
    // done = 1 (decile 0), then 5, 10, …, 50 (deciles 1..10): 11 lines, none with control characters.
    expect(out).toHaveLength(11);
    expect(out.map((s) => /step (\d+)\//.exec(s)?.[1])).toEqual([
      '1',
      '5',
      '10',
      '15',
      '20',
      '25',
      '30',
      '35',
      '40',
      '45',
      '50',
    ]);
    expect(out.every((s) => s.endsWith('\n') && !s.includes('\r'))).toBe(true);
  });
});

describe('summary', () => {
  const base: RunResultInput = {
    schemaVersion: 1,
    outcome: 'diverged',
    error: null,
    stepsPlanned: 400,
    stepsRun: 3,
    lastStep: 3,
    divergence: { step: 3, loss: Infinity },
    numClasses: 10,
    finalTrainLoss: Infinity,
    finalTrainAcc: 0.086,
    finalTestLoss: null,
    finalTestAcc: null,
    bestTrainLoss: 0.4397,
    bestTrainAcc: 0.12,
    bestTestLoss: null,
    bestTestAcc: null,
    bestTestAccStep: null,
    etaInit: 0,
    etaC: null,
    lambda0: null,
    backend: 'wasm',
    device: 'EPYC (wasm simd, 1 thread)',
    paramCount: 134794,
    startedAt: 0,
    finishedAt: 1,
    wallTimeMs: 2000,
    trainTimeMs: 150,
    stepsPerSec: 20,
    events: [],
    config: RunConfigSchema.parse({ schedule: { etaTrgt: 2 } }),
  };

  it('states the outcome with the divergence step and value, and the speed and backend', () => {
    const text = formatSummary(parseRecord(RunResultSchema, base));
    expect(text.split('\n')).toEqual([
      'outcome   diverged at step 3 (loss Inf)',
      'steps     3/400 updates',
      'train     loss Inf  acc 8.6% (last minibatch; best loss 0.4397)',
      'test      loss –  acc – (best –)',
      'speed     20.0 steps/s (training 0s, total 2s)',
      'backend   wasm — EPYC (wasm simd, 1 thread)',
      'params    134,794',
    ]);
  });

  it('adds a curvature line when sharpness was measured', () => {
    const curvature = {
      schemaVersion: 1,
      quantity: 'sharpness',
      thresholdConstant: 2,
      measuredSteps: 40,
      lambda0: null,
      criticalLr: null,
      persistent: null,
      catapults: [],
      regime: null,
    } as const;
    const text = formatSummary(parseRecord(RunResultSchema, { ...base, curvature }));
    expect(text.split('\n')).toContain('curvature λ^H on 40 steps; 0 catapults');
  });

  it('explains a failure with the 1.5/K threshold', () => {
    const failed = parseRecord(RunResultSchema, {
      ...base,
      outcome: 'failed',
      divergence: null,
      finalTrainLoss: 0.09,
      finalTrainAcc: 0.1,
    });
    expect(formatSummary(failed).split('\n')[0]).toBe('outcome   failed (final train accuracy below 1.5/K = 15.0%)');
  });
});
