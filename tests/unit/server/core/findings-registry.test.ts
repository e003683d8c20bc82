import { describe, expect, it } from 'vitest';
import {
  CLAIM_CHECKS,
  CLAIM_IDS,
  computeFindings,
  findingsCell,
  formatEta,
  rowBoundaries,
  type FindingsSweep,
} from '../../../../server/core/findings';
import { gridCells } from '../../../../server/core/grid';
import { type Outcome } from '../../../../server/core/outcome';
import { SweepSpecSchema, type SweepSpecInput } from '../../../../server/core/sweep-spec';

/** Cells built as the store builds them (findingsCell from the grid's coordinates), outcomes per T_wrm row. */
function sweep(id: string, input: Omit<SweepSpecInput, 'title' | 'author'>, rows: Record<number, string>) {
  const spec = SweepSpecSchema.parse({ title: id, author: 'test', steps: 1000, ...input });
  const outcome: Record<string, Outcome> = { T: 'trained', D: 'diverged', F: 'failed' };
  const cells = gridCells(spec).map((coord) => {
    const letter = rows[coord.warmupSteps]?.[coord.etaIndex] ?? '';
    return findingsCell(coord, coord.etaInUnits, outcome[letter] ?? null, null);
  });
  return { sweepId: id, role: null, title: id, spec, lambda0: null, cancelled: false, cells } satisfies FindingsSweep;
}

const relative = (fromExp: number, toExp: number, stepExp = 1, base = 1) =>
  ({ kind: 'pow2', unit: 'inv-lambda0', base, fromExp, toExp, stepExp }) as const;

describe('the claim-check registry', () => {
  it('has one check per claim id, each for its own claim', () => {
    expect(Object.keys(CLAIM_CHECKS).sort()).toEqual([...CLAIM_IDS].sort());
    for (const id of CLAIM_IDS) {
      expect(CLAIM_CHECKS[id].claim).toBe(id);
      expect(CLAIM_CHECKS[id].text.prediction.length).toBeGreaterThan(0);
    }
  });

  it('lists findings in claim order, then in the order of the sweeps', () => {
    const p1 = (id: string) => sweep(id, { etaGrid: relative(0, 3), warmupGrid: [1, 64] }, { 1: 'TTDD', 64: 'TTTD' });
    const adam = (id: string, kind: 'adam' | 'gi-adam') =>
      sweep(
        id,
        { etaGrid: relative(0, 3), warmupGrid: [1, 64], optimizer: { kind } },
        { 1: kind === 'adam' ? 'TFFF' : 'TTFF', 64: 'TTTF' },
      );
    const findings = computeFindings([adam('adam', 'adam'), p1('b'), adam('gi', 'gi-adam'), p1('a')], ['P13']);
    expect(findings.map((f) => [f.claim, f.sweepIds.join('+'), f.status])).toEqual([
      ['P1', 'adam', 'pass'],
      ['P1', 'b', 'pass'],
      ['P1', 'gi', 'pass'],
      ['P1', 'a', 'pass'],
      ['P12', 'adam+gi', 'pass'],
      ['P13', 'adam+b+gi+a', 'not-applicable'],
    ]);
    expect(findings[5]?.prediction).toBe(CLAIM_CHECKS.P13.text.prediction);
  });
});

describe('η in grid units and its exponent, passed through', () => {
  it('formats a relative grid’s η with the exponent of its cell, as log₂ of the value would', () => {
    const half = SweepSpecSchema.parse({ title: 't', author: 'a', etaGrid: relative(0, 1, 0.5), warmupGrid: [1] });
    expect(gridCells(half).map((c) => formatEta(half, c.etaInUnits, c.etaExp))).toEqual([
      '2^0/λ0',
      '2^0.50/λ0',
      '2^1/λ0',
    ]);
    expect(formatEta(half, 2 ** 0.5, 0.5)).toBe(formatEta(half, 2 ** 0.5));
    // A base other than 1 is part of the value: η = 3·2^1/λ0 = 2^2.58/λ0.
    const based = SweepSpecSchema.parse({ title: 't', author: 'a', etaGrid: relative(1, 1, 1, 3), warmupGrid: [1] });
    expect(formatEta(based, 6, 1)).toBe('2^2.58/λ0');
    expect(formatEta(based, 6)).toBe('2^2.58/λ0');
  });

  it('carries the exponent of each boundary from the cells to the row', () => {
    const s = sweep('a', { etaGrid: relative(-1, 2), warmupGrid: [1, 64] }, { 1: 'TTDD', 64: 'TTTT' });
    const [short, long] = rowBoundaries(s.cells);
    expect(short).toMatchObject({
      largestTrained: 1,
      largestTrainedExp: 0,
      firstUntrainable: { etaInUnits: 2, etaExp: 1, outcome: 'diverged' },
    });
    expect(long).toMatchObject({ largestTrained: 4, largestTrainedExp: 2, firstUntrainable: null, censored: true });
  });

  it('keeps an explicit grid’s values without an exponent', () => {
    const s = sweep('a', { etaGrid: { kind: 'explicit', values: [0.1, 0.3] }, warmupGrid: [1] }, { 1: 'TD' });
    expect(s.cells.map((c) => [c.etaInUnits, c.etaExp])).toEqual([
      [0.1, null],
      [0.3, null],
    ]);
    expect(rowBoundaries(s.cells)[0]).toMatchObject({ largestTrained: 0.1, largestTrainedExp: null });
  });
});
