import { describe, expect, it } from 'vitest';
import {
  classifyOutcome,
  failureAccuracyThreshold,
  isDivergentLoss,
  isTrainingFailure,
  OutcomeSchema,
  type OutcomeEvidence,
} from '../../../../server/core/outcome';

const base: OutcomeEvidence = {
  errored: false,
  cancelled: false,
  diverged: false,
  finalTrainAccuracy: 0.9,
  numClasses: 10,
};

describe('outcome classification (PAPER §5, §9.1)', () => {
  it('divergence is a NaN or ±Inf loss, and nothing finite', () => {
    expect([NaN, Infinity, -Infinity].map(isDivergentLoss)).toEqual([true, true, true]);
    expect([0, 1e30, -3, Number.MAX_VALUE].map(isDivergentLoss)).toEqual([false, false, false, false]);
  });

  it('failure threshold is 1.5/K: 15% for 10 classes, 37.5% for 4', () => {
    expect(failureAccuracyThreshold(10)).toBeCloseTo(0.15, 15);
    expect(failureAccuracyThreshold(4)).toBe(0.375);
    expect(() => failureAccuracyThreshold(1)).toThrow(RangeError);
  });

  it('failed strictly below 1.5/K, trained at or above it; NaN accuracy is a failure', () => {
    expect(isTrainingFailure(0.1, 10)).toBe(true); // chance level, e.g. a collapsed Adam run (PAPER P9)
    expect(isTrainingFailure(0.149, 10)).toBe(true);
    expect(isTrainingFailure(0.375, 4)).toBe(false); // exactly 1.5/K is not below it
    expect(isTrainingFailure(0.2, 10)).toBe(false);
    expect(isTrainingFailure(NaN, 10)).toBe(true);
    expect(classifyOutcome({ ...base, finalTrainAccuracy: 0.1 })).toBe('failed');
    expect(classifyOutcome(base)).toBe('trained');
  });

  it('precedence: error > diverged > cancelled > failed', () => {
    expect(classifyOutcome({ ...base, errored: true, diverged: true, cancelled: true })).toBe('error');
    expect(classifyOutcome({ ...base, diverged: true, cancelled: true, finalTrainAccuracy: 0 })).toBe('diverged');
    expect(classifyOutcome({ ...base, cancelled: true, finalTrainAccuracy: 0 })).toBe('cancelled');
    expect(OutcomeSchema.options).toEqual(['trained', 'diverged', 'failed', 'cancelled', 'error']);
  });
});
