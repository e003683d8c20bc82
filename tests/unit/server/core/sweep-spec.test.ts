import { describe, expect, it } from 'vitest';
import { formatZodError } from '../../../../server/core/errors';
import { etaGridSize, isRelativeGrid, SweepSpecSchema, type SweepSpecInput } from '../../../../server/core/sweep-spec';

const base: SweepSpecInput = {
  title: 'FCN SGD warmup',
  author: 'ada',
  etaGrid: { kind: 'pow2', unit: 'inv-lambda0', fromExp: 0, toExp: 3 },
  warmupGrid: [1, 64],
};

function errorsOf(input: SweepSpecInput): string {
  const r = SweepSpecSchema.safeParse(input);
  if (r.success) throw new Error('expected a validation error');
  return formatZodError(r.error);
}

describe('SweepSpecSchema', () => {
  it('fills the defaults of run-config sub-schemas', () => {
    const s = SweepSpecSchema.parse(base);
    expect(s.schemaVersion).toBe(1);
    expect(s.model).toEqual({ kind: 'fcn', depth: 4, width: 512 });
    expect(s.optimizer.kind).toBe('sgd');
    expect(s.seeds).toEqual([1]);
    expect(s.etaInit).toEqual({ mode: 'zero' });
    expect(isRelativeGrid(s)).toBe(true);
    expect(etaGridSize(s.etaGrid)).toBe(4);
  });

  it('counts half-integer exponent grids: x = 0, 0.5, …, 2 is 5 values', () => {
    expect(etaGridSize({ kind: 'pow2', unit: 'absolute', base: 1e-4, fromExp: 0, toExp: 2, stepExp: 0.5 })).toBe(5);
    expect(etaGridSize({ kind: 'pow2', unit: 'absolute', base: 1, fromExp: 0, toExp: 1, stepExp: 0.1 })).toBe(11);
  });

  it('rejects a grid over 1024 cells, naming the field and the limit', () => {
    const msg = errorsOf({
      ...base,
      etaGrid: { kind: 'pow2', unit: 'absolute', fromExp: -20, toExp: 20 },
      warmupGrid: [
        1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 999, 998, 997, 996, 995, 994, 993, 992, 991, 990, 989, 988, 987,
        986, 985,
      ],
    });
    // 41 η values × 26 T_wrm values = 1066 cells
    expect(msg).toContain('etaGrid: grid has 1066 cells; at most 1024');
  });

  it('accepts a 16×16 heatmap at 10^5 steps and rejects a total budget over 3·10^7 steps', () => {
    const etas = Array.from({ length: 16 }, (_, i) => 0.01 * (i + 1));
    const warmups = (n: number) => Array.from({ length: n }, (_, i) => 2 ** i);
    expect(
      SweepSpecSchema.safeParse({
        ...base,
        steps: 100_000,
        etaGrid: { kind: 'explicit', values: etas },
        warmupGrid: warmups(16),
      }).success,
    ).toBe(true);
    // 16 × 19 = 304 cells × 10^5 steps = 3.04·10^7.
    const msg = errorsOf({
      ...base,
      steps: 100_000,
      etaGrid: { kind: 'explicit', values: etas },
      warmupGrid: [...warmups(16), 40_000, 50_000, 60_000],
    });
    expect(msg).toContain('steps: 304 cells × 100000 steps = 30400000; at most 30000000 in all');
  });

  it('rejects T_wrm above the step budget, too many steps, duplicates, and inverted exponent ranges', () => {
    expect(errorsOf({ ...base, steps: 100, warmupGrid: [1, 128] })).toContain(
      'warmupGrid.1: T_wrm 128 exceeds steps 100',
    );
    expect(errorsOf({ ...base, steps: 100_001 })).toMatch(/^steps: Too big/m);
    expect(errorsOf({ ...base, seeds: [1, 1] })).toContain('seeds: seeds must be distinct');
    expect(errorsOf({ ...base, etaGrid: { kind: 'pow2', unit: 'absolute', fromExp: 3, toExp: 1 } })).toContain(
      'etaGrid.toExp: toExp must be ≥ fromExp',
    );
    expect(errorsOf({ ...base, etaGrid: { kind: 'pow2', unit: 'absolute', fromExp: 0, toExp: 64 } })).toContain(
      'at most 64 η values',
    );
    expect(errorsOf({ ...base, title: '  ' })).toMatch(/^title: Too small/m);
  });
});
