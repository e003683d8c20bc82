import { describe, expect, it } from 'vitest';
import { lambdaTrack } from '../../../../server/core/curvature';
import { type Regime } from '../../../../server/core/curvature-summary';
import {
  checkFig7,
  checkP1,
  checkP12,
  checkP13,
  checkP6,
  checkP7,
  computeFindings,
  earlyLossOf,
  findingsOfSweep,
  findingsCell,
  formatEta,
  rowBoundaries,
  type FindingsCell,
  type FindingsSweep,
} from '../../../../server/core/findings';
import { gridCells } from '../../../../server/core/grid';
import { RunResultSchema } from '../../../../server/core/metrics';
import { parseRecord } from '../../../../server/core/json-number';
import { RunConfigSchema } from '../../../../server/core/run-config';
import { type Outcome } from '../../../../server/core/outcome';
import { SweepSpecSchema, type SweepSpecInput } from '../../../../server/core/sweep-spec';

/**
 * Claim checks on hand-built results. A row string gives each η's outcome left to right:
 * T = trained, D = diverged, F = failed, Q = not finished.
 */
const OUTCOME: Record<string, Outcome | null> = { T: 'trained', D: 'diverged', F: 'failed', Q: null };

function spec(over: Partial<SweepSpecInput> = {}): SweepSpecInput {
  return {
    title: 'fixture',
    author: 'test',
    etaGrid: { kind: 'pow2', unit: 'inv-lambda0', base: 1, fromExp: 0, toExp: 3, stepExp: 1 },
    warmupGrid: [1, 64, 256],
    steps: 1000,
    ...over,
  };
}

function emptyCell(): Omit<
  FindingsCell,
  'cellId' | 'etaInUnits' | 'etaExp' | 'etaTrgt' | 'warmupSteps' | 'seed' | 'outcome'
> {
  return {
    finalTrainAcc: null,
    bestTestAcc: null,
    lambda0: null,
    lambda0Quantity: null,
    etaC: null,
    warmupEndEventStep: null,
    divergenceStep: null,
    landmarks: null,
    regime: null,
    persistentCycle: null,
    catapults: null,
    firstCatapultStep: null,
    persistentReachedStep: null,
    earlyLoss: null,
  };
}

/** A sweep whose cells' outcomes are given per T_wrm row (and per seed with `seedRows`). */
function sweep(
  id: string,
  input: SweepSpecInput,
  rows: Record<number, string | string[]>,
  extra: (c: FindingsCell) => Partial<FindingsCell> = () => ({}),
  lambda0 = 10,
): FindingsSweep {
  const s = SweepSpecSchema.parse(input);
  const cells = gridCells(s).map((coord) => {
    const row = rows[coord.warmupSteps];
    const text = Array.isArray(row) ? row[s.seeds.indexOf(coord.seed)] : row;
    const letter = text?.[coord.etaIndex];
    if (letter === undefined) throw new Error(`fixture has no outcome for ${coord.cellId}`);
    const base: FindingsCell = {
      ...emptyCell(),
      cellId: coord.cellId,
      etaInUnits: coord.etaInUnits,
      etaExp: coord.etaExp,
      etaTrgt: coord.etaInUnits / lambda0,
      warmupSteps: coord.warmupSteps,
      seed: coord.seed,
      outcome: OUTCOME[letter] ?? null,
    };
    return { ...base, ...extra(base) };
  });
  return { sweepId: id, role: null, title: id, spec: s, lambda0, cancelled: false, cells };
}

describe('rowBoundaries', () => {
  it('finds the largest η where every seed trained and the first untrainable η above it', () => {
    const sw = sweep('a', spec({ seeds: [1, 2] }), {
      1: ['TTDD', 'TDDD'],
      64: ['TTTD', 'TTTD'],
      256: ['TTTT', 'TTTT'],
    });
    const rows = rowBoundaries(sw.cells);
    expect(rows.map((r) => r.largestTrained)).toEqual([1, 4, 8]);
    expect(rows[0]?.firstUntrainable).toEqual({ etaInUnits: 2, etaExp: 1, outcome: 'diverged' });
    expect(rows.map((r) => r.censored)).toEqual([false, false, true]);
    expect(rows[0]).toMatchObject({ trained: 1, finished: 8, total: 8 });
  });
});

describe('rowBoundaries on a noisy edge', () => {
  it('stops at the first failure, as the paper’s η sweep does, and counts runs that still train above it', () => {
    // Adam-like row: fails at the third η, then scrapes past 1.5/K at the two largest.
    const [row] = rowBoundaries(sweep('a', spec({ warmupGrid: [1] }), { 1: 'TTFT' }).cells);
    expect(row).toMatchObject({
      largestTrained: 2,
      firstUntrainable: { etaInUnits: 4, outcome: 'failed' },
      censored: false,
      trainedAbove: 1,
      trained: 3,
    });
    const [none] = rowBoundaries(sweep('a', spec({ warmupGrid: [1] }), { 1: 'DTTT' }).cells);
    expect(none).toMatchObject({
      largestTrained: null,
      firstUntrainable: { etaInUnits: 1, outcome: 'diverged' },
      trainedAbove: 3,
    });
  });
});

describe('P1: the trainability boundary moves right with T_wrm', () => {
  it('passes when the boundary never moves left and ends right of T_wrm = 1', () => {
    const f = checkP1(sweep('a', spec(), { 1: 'TTDD', 64: 'TTTD', 256: 'TTTT' }));
    expect(f?.status).toBe('pass');
    expect(f?.summary).toContain('T_wrm 1: 2^1/λ0; T_wrm 64: 2^2/λ0; T_wrm 256: 2^3/λ0 (grid edge)');
    expect(f?.summary).toContain('(2 octaves)');
    expect(f?.table?.rows).toEqual([
      [1, '2^1/λ0', '2^2/λ0 (diverged)', 0, '2 / 4 / 4'],
      [64, '2^2/λ0', '2^3/λ0 (diverged)', 0, '3 / 4 / 4'],
      [256, '2^3/λ0 (grid edge)', '—', 0, '4 / 4 / 4'],
    ]);
  });

  it('fails when the boundary moves left between two warmups', () => {
    const f = checkP1(sweep('a', spec(), { 1: 'TTDD', 64: 'TTTD', 256: 'TDDD' }));
    expect(f?.status).toBe('fail');
    expect(f?.summary).toContain('moves left at T_wrm 64 → 256: 2^2/λ0 → 2^0/λ0');
  });

  it('fails when the longest warmup trains no larger η than T_wrm = 1', () => {
    const f = checkP1(sweep('a', spec({ warmupGrid: [1, 256] }), { 1: 'TTDD', 256: 'TTDD' }));
    expect(f?.status).toBe('fail');
    expect(f?.summary).toContain('not right of the one at T_wrm = 1');
  });

  it('counts Adam-style training failures like divergences', () => {
    const f = checkP1(sweep('a', spec({ warmupGrid: [1, 64] }), { 1: 'TFFF', 64: 'TTFF' }));
    expect(f?.status).toBe('pass');
    expect(f?.table?.rows[0]?.[2]).toBe('2^1/λ0 (failed)');
  });

  it('is not applicable when T_wrm = 1 already trains the whole grid', () => {
    const f = checkP1(sweep('a', spec({ warmupGrid: [1, 64] }), { 1: 'TTTT', 64: 'TTTT' }));
    expect(f?.status).toBe('not-applicable');
    expect(f?.summary).toContain('Extend the η grid');
  });

  it('waits for unfinished cells instead of guessing', () => {
    const f = checkP1(sweep('a', spec(), { 1: 'TTDD', 64: 'TTQD', 256: 'TTTT' }));
    expect(f?.status).toBe('pending');
    expect(f?.summary).toBe('1 of 12 cells have not finished; the check runs when they have.');
    expect(f?.table).toBeNull();
    const cancelled = checkP1({ ...sweep('a', spec(), { 1: 'TTDD', 64: 'TTQD', 256: 'TTTT' }), cancelled: true });
    expect(cancelled?.status).toBe('not-applicable');
    expect(cancelled?.summary).toBe(
      'The sweep was cancelled with 1 of 12 cells unfinished; the check needs all of them.',
    );
  });

  it('does not apply without a T_wrm = 1 row, with η_c warmup, or to a single-η mechanism sweep', () => {
    expect(
      checkP1(sweep('a', spec({ etaGrid: { kind: 'explicit', values: [0.1] } }), { 1: 'D', 64: 'T', 256: 'T' })),
    ).toBeNull();
    expect(checkP1(sweep('a', spec({ warmupGrid: [16, 64] }), { 16: 'TTDD', 64: 'TTTD' }))).toBeNull();
    expect(
      checkP1(sweep('a', spec({ etaInit: { mode: 'critical' } }), { 1: 'TTDD', 64: 'TTTD', 256: 'TTTT' })),
    ).toBeNull();
  });
});

function track(first: number, end: number | null, endStep = 60) {
  return {
    first: { step: 0, value: first },
    warmupEnd: end === null ? null : { step: endStep, value: end },
    last: { step: 999, value: end ?? first },
    min: { step: 0, value: Math.min(first, end ?? first) },
    max: { step: 0, value: Math.max(first, end ?? first) },
  };
}

const mechanism = (param: 'sp' | 'mup') =>
  spec({
    parameterization: param,
    etaGrid: { kind: 'pow2', unit: 'inv-lambda0', base: 1, fromExp: 5, toExp: 5, stepExp: 1 },
    warmupGrid: [1, 16, 64],
    measure: { sharpnessEvery: 1 },
  });

describe('P6: SP runs end warmup below λ0', () => {
  const withLambda = (ends: Record<number, number | null>) => (c: FindingsCell) => ({
    lambda0: 50,
    lambda0Quantity: 'sharpness' as const,
    landmarks: {
      warmupEndStep: c.warmupSteps > 1 ? c.warmupSteps - 1 : null,
      sharpness: track(48, ends[c.warmupSteps] ?? null, c.warmupSteps - 1),
      precondSharpness: null,
    },
    regime: 'C2' as Regime,
    catapults: 1,
    firstCatapultStep: c.warmupSteps > 1 ? c.warmupSteps / 2 : null,
  });

  it('passes when every trained warmup run ends below λ0, with the ratios', () => {
    const f = checkP6(sweep('a', mechanism('sp'), { 1: 'D', 16: 'T', 64: 'T' }, withLambda({ 16: 20, 64: 35 })));
    expect(f?.status).toBe('pass');
    expect(f?.summary).toBe(
      'In all 2 SP warmup runs that trained, λ^H at the end of warmup is below λ0 (ratio 0.4–0.7). Regimes: C2 × 2. First catapult at step 8 (T_wrm 16), 32 (T_wrm 64).',
    );
    // Diverged constant-LR run is listed with its label but not judged.
    expect(f?.table?.rows[0]?.slice(0, 3)).toEqual([1, '2^5/λ0', 'diverged']);
    expect(f?.table?.rows[1]?.slice(3, 6)).toEqual(['50', '20 (step 15)', '0.4']);
  });

  it('fails when a trained warmup run ends above λ0', () => {
    const f = checkP6(sweep('a', mechanism('sp'), { 1: 'T', 16: 'T', 64: 'T' }, withLambda({ 16: 20, 64: 60 })));
    expect(f?.status).toBe('fail');
    expect(f?.summary).toContain('In 1 of 2 SP warmup runs');
    expect(f?.summary).toContain('T_wrm 64: ratio 1.2');
  });

  it('applies only to SP SGD sweeps that measure λ^H', () => {
    expect(
      checkP6(sweep('a', mechanism('mup'), { 1: 'T', 16: 'T', 64: 'T' }, withLambda({ 16: 20, 64: 35 }))),
    ).toBeNull();
    expect(
      checkP6(sweep('a', { ...mechanism('sp'), measure: { sharpnessEvery: 0 } }, { 1: 'T', 16: 'T', 64: 'T' })),
    ).toBeNull();
    expect(
      checkP6(sweep('a', { ...mechanism('sp'), optimizer: { kind: 'adam' } }, { 1: 'T', 16: 'T', 64: 'T' })),
    ).toBeNull();
  });
});

describe('P7: μP runs are labelled C1', () => {
  const labels = (r: Record<number, Regime>) => (c: FindingsCell) => ({
    regime: r[c.warmupSteps] ?? null,
    persistentCycle: r[c.warmupSteps] === 'C1',
  });
  const mup = spec({ ...mechanism('mup'), warmupGrid: [1, 16, 64, 128] });

  it('passes when most warmup runs sharpen progressively', () => {
    const f = checkP7(
      sweep('a', mup, { 1: 'T', 16: 'T', 64: 'T', 128: 'T' }, labels({ 1: 'C1', 16: 'C1', 64: 'C1', 128: 'C2' })),
    );
    expect(f?.status).toBe('pass');
    expect(f?.summary).toBe(
      '2 of 3 μP warmup runs are labelled C1 (2 with a persistent cycle at the edge); all labels: C1 × 2, C2 × 1.',
    );
  });

  it('fails when most are labelled otherwise', () => {
    const f = checkP7(
      sweep('a', mup, { 1: 'T', 16: 'T', 64: 'T', 128: 'T' }, labels({ 1: 'C1', 16: 'C2', 64: 'C3', 128: 'C1' })),
    );
    expect(f?.status).toBe('fail');
  });
});

describe('P12: GI-Adam against Adam', () => {
  const adamSpec = (kind: 'adam' | 'gi-adam') =>
    spec({
      optimizer: { kind },
      etaGrid: { kind: 'pow2', unit: 'absolute', base: 1e-4, fromExp: 0, toExp: 3, stepExp: 1 },
      warmupGrid: [1, 64],
    });
  const pre = (v: number) => () => ({
    landmarks: { warmupEndStep: null, sharpness: null, precondSharpness: track(v, null) },
  });

  it('passes when GI-Adam trains a larger η at T_wrm = 1 and its λ0^{P⁻¹H} is √(1−β2) of Adam’s', () => {
    const adam = sweep('adam', adamSpec('adam'), { 1: 'TTFF', 64: 'TTTF' }, pre(1e6), 1);
    const gi = sweep('gi', adamSpec('gi-adam'), { 1: 'TTTF', 64: 'TTTF' }, pre(3.3e4), 1);
    const [boundary, ratio] = checkP12([adam, gi]);
    expect(boundary?.status).toBe('pass');
    expect(boundary?.summary).toBe(
      'At T_wrm = 1 the largest trainable η_trgt is 2.00e-4 for Adam and 4.00e-4 for GI-Adam (1 octave).',
    );
    expect(boundary?.sweepIds).toEqual(['adam', 'gi']);
    expect(ratio?.status).toBe('pass');
    // √(1 − 0.999) = 0.0316; 3.3e4 / 1e6 = 0.033.
    expect(ratio?.summary).toBe('λ0^{P⁻¹H}: Adam 1.00e6, GI-Adam 33000; ratio 0.033 against √(1−β2) = 0.0316 (×1.04).');
  });

  it('fails when GI-Adam fails where Adam does, and when the ratio is off by more than 3×', () => {
    const adam = sweep('adam', adamSpec('adam'), { 1: 'TTFF', 64: 'TTTF' }, pre(1e6), 1);
    const gi = sweep('gi', adamSpec('gi-adam'), { 1: 'TTFF', 64: 'TTTF' }, pre(2e5), 1);
    const [boundary, ratio] = checkP12([adam, gi]);
    expect(boundary?.status).toBe('fail');
    expect(ratio?.status).toBe('fail');
    expect(ratio?.summary).toContain('ratio 0.2 against');
  });

  it('needs both optimizers on the same grid', () => {
    const adam = sweep('adam', adamSpec('adam'), { 1: 'TTFF', 64: 'TTTF' }, pre(1e6), 1);
    const other = sweep('gi', { ...adamSpec('gi-adam'), warmupGrid: [1, 16] }, { 1: 'TTTF', 16: 'TTTF' }, pre(3e4), 1);
    expect(checkP12([adam])).toEqual([]);
    expect(checkP12([adam, other])).toEqual([]);
  });
});

describe('P12: GI-Adam removes Adam’s initial loss spike', () => {
  const mech = (kind: 'adam' | 'gi-adam') =>
    spec({
      optimizer: { kind },
      batchSize: 0,
      etaGrid: { kind: 'explicit', values: [0.001, 0.01] },
      warmupGrid: [1, 64],
    });
  // Early losses per η at T_wrm = 1: [L₀, peak, peak step].
  const early = (byEta: Record<number, [number, number, number]>) => (c: FindingsCell) => {
    const e = c.warmupSteps === 1 ? byEta[c.etaInUnits] : undefined;
    return { earlyLoss: e ? { loss0: e[0], peak: e[1], peakStep: e[2] } : null };
  };
  const spikeOf = (fs: ReturnType<typeof checkP12>) => fs.find((f) => f.title.includes('spike'));

  it('passes when GI-Adam stays below (1 + δ)·L₀ wherever Adam spikes', () => {
    const adam = sweep(
      'adam',
      mech('adam'),
      { 1: 'TT', 64: 'TT' },
      early({ 0.001: [0.43, 0.2, 1], 0.01: [0.43, 11.8, 1] }),
      1,
    );
    const gi = sweep(
      'gi',
      mech('gi-adam'),
      { 1: 'TT', 64: 'TT' },
      early({ 0.001: [0.43, 0.3, 1], 0.01: [0.43, 0.4, 1] }),
      1,
    );
    const f = spikeOf(checkP12([adam, gi]));
    expect(f?.status).toBe('pass');
    expect(f?.summary).toBe(
      'Adam’s loss spikes in its first 10 steps at 1 η and GI-Adam’s does not: η 0.01: Adam ×27.4, GI-Adam ×0.93.',
    );
    expect(f?.table?.rows).toEqual([
      ['0.001', '0.43', '0.465 (1)', '0.43', '0.698 (1)'],
      ['0.01', '0.43', '27.4 (1)', '0.43', '0.93 (1)'],
    ]);
  });

  it('fails when GI-Adam spikes too, and is not applicable when Adam never spikes', () => {
    const adam = sweep(
      'adam',
      mech('adam'),
      { 1: 'TT', 64: 'TT' },
      early({ 0.001: [0.43, 0.2, 1], 0.01: [0.43, 11.8, 1] }),
      1,
    );
    const gi = sweep(
      'gi',
      mech('gi-adam'),
      { 1: 'TT', 64: 'TT' },
      early({ 0.001: [0.43, 0.3, 1], 0.01: [0.43, 0.5, 2] }),
      1,
    );
    expect(spikeOf(checkP12([adam, gi]))?.status).toBe('fail');
    const calm = sweep(
      'adam',
      mech('adam'),
      { 1: 'TT', 64: 'TT' },
      early({ 0.001: [0.43, 0.2, 1], 0.01: [0.43, 0.45, 1] }),
      1,
    );
    const f = spikeOf(checkP12([calm, gi]));
    expect(f?.status).toBe('not-applicable');
    expect(f?.summary).toContain('Adam shows no initial spike at any η');
  });

  it('reads L₀ and the peak of steps 1…10 from the rows, a non-finite loss being the highest peak', () => {
    const rows = [0.5, 0.6, 2.0, 0.4, 0.3, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 9.0].map((loss, step) => ({ step, loss }));
    expect(earlyLossOf(rows)).toEqual({ loss0: 0.5, peak: 2.0, peakStep: 2 });
    expect(
      earlyLossOf([
        { step: 0, loss: 1 },
        { step: 1, loss: 0.5 },
        { step: 2, loss: NaN },
      ]),
    ).toEqual({ loss0: 1, peak: Infinity, peakStep: 2 });
    expect(earlyLossOf([{ step: 1, loss: 1 }])).toBeNull();
  });
});

describe('P13: warmup from η_c', () => {
  // λ0 = 10, η_trgt = 2^x/λ0 = 0.1, 0.2, 0.4; η_c = 0.1; T_wrm = 64.
  // T_reach = 1 at η_trgt = η_c; 64·(1 − 0.5) = 32 at 0.2; 64·(1 − 0.25) = 48 at 0.4.
  const critical = spec({
    etaGrid: { kind: 'pow2', unit: 'inv-lambda0', base: 1, fromExp: 0, toExp: 2, stepExp: 1 },
    warmupGrid: [64],
    etaInit: { mode: 'critical' },
  });
  const run = (ends: number[]) => (c: FindingsCell) => ({
    etaC: 0.1,
    warmupEndEventStep: ends[Math.round(Math.log2(c.etaInUnits))] ?? null,
  });

  it('passes when T_reach is 1 below η_c and under T_wrm above it', () => {
    const zero = sweep('zero', { ...critical, etaInit: { mode: 'zero' } }, { 64: 'TTD' });
    const f = checkP13(sweep('crit', critical, { 64: 'TTT' }, run([0, 31, 47])), [zero]);
    expect(f?.status).toBe('pass');
    expect(f?.summary).toBe(
      '1 runs with η_trgt ≤ η_c reached it at step 1; 2 with η_trgt > η_c reached it in fewer than T_wrm steps. η_c·λ0 ranges 1–1. Trained: 3 of 3 from η_c, 2 from 0.',
    );
    expect(f?.table?.rows.map((r) => [r[4], r[5], r[6]])).toEqual([
      ['yes', 1, '1'],
      ['no', 32, '32'],
      ['no', 48, '48'],
    ]);
    expect(f?.sweepIds).toEqual(['crit', 'zero']);
  });

  it('counts a run that diverged before reaching η_trgt apart instead of judging its T_reach', () => {
    const zero = sweep('zero', { ...critical, etaInit: { mode: 'zero' } }, { 64: 'TTT' });
    const diverging = (c: FindingsCell) => ({
      ...run([0, 31, 47])(c),
      ...(c.etaInUnits === 4 ? { warmupEndEventStep: null, divergenceStep: 9 } : {}),
    });
    const f = checkP13(sweep('crit', critical, { 64: 'TTD' }, diverging), [zero]);
    expect(f?.status).toBe('pass');
    expect(f?.summary).toBe(
      '1 runs with η_trgt ≤ η_c reached it at step 1; 1 with η_trgt > η_c reached it in fewer than T_wrm steps. 1 diverged before reaching η_trgt (T_wrm 64, η_trgt 2^2/λ0, step 9; from η_init = 0: trained). η_c·λ0 ranges 1–1. Trained: 2 of 3 from η_c, 3 from 0.',
    );
    expect(f?.table?.rows[2]?.[5]).toBe('diverged at step 9');
  });

  it('fails when a run above η_c needs the whole warmup', () => {
    const f = checkP13(sweep('crit', critical, { 64: 'TTT' }, run([0, 63, 47])));
    expect(f?.status).toBe('fail');
    expect(f?.summary).toContain('1 of 3 runs did not: T_wrm 64, η_trgt 2^1/λ0: T_reach 64');
  });
});

describe('Fig 7: persistent catapult warmup', () => {
  const grid = { kind: 'pow2', unit: 'inv-lambda0', base: 1, fromExp: 2, toExp: 6, stepExp: 1 } as const;
  const linear = sweep('lin', spec({ etaGrid: grid, warmupGrid: [1, 64] }), { 1: 'TTDDD', 64: 'TTTDD' });

  it('passes when it trains beyond every linear warmup', () => {
    const p = sweep(
      'pc',
      spec({ etaGrid: grid, warmupGrid: [1], etaInit: { mode: 'persistent' } }),
      { 1: 'TTTTD' },
      () => ({ persistentReachedStep: 40 }),
    );
    const f = checkFig7(p, [linear]);
    expect(f?.status).toBe('pass');
    expect(f?.summary).toBe('Largest trainable η_trgt: persistent 2^5/λ0; linear T_wrm 1: 2^3/λ0, T_wrm 64: 2^4/λ0.');
  });

  it('fails when linear warmup trains larger η', () => {
    const p = sweep('pc', spec({ etaGrid: grid, warmupGrid: [1], etaInit: { mode: 'persistent' } }), { 1: 'TTDDD' });
    expect(checkFig7(p, [linear])?.status).toBe('fail');
  });
});

describe('computeFindings', () => {
  it('lists a promised claim the data cannot decide as not applicable, and filters by sweep', () => {
    const a = sweep('a', spec(), { 1: 'TTDD', 64: 'TTTD', 256: 'TTTT' });
    const all = computeFindings([a], ['P1', 'P12']);
    expect(all.map((f) => [f.claim, f.status])).toEqual([
      ['P1', 'pass'],
      ['P12', 'not-applicable'],
    ]);
    expect(findingsOfSweep(all, 'a').map((f) => f.claim)).toEqual(['P1', 'P12']);
    expect(all[1]?.prediction).toContain('GI-Adam (v₀ = g₀²) moves the failure boundary');
    expect(findingsOfSweep(all, 'b')).toEqual([]);
  });

  it('formats η in its grid’s unit', () => {
    expect(formatEta(SweepSpecSchema.parse(spec()), 8)).toBe('2^3/λ0');
    expect(formatEta(SweepSpecSchema.parse(spec({ etaGrid: { kind: 'explicit', values: [0.001] } })), 0.001)).toBe(
      '0.001',
    );
  });
});

describe('lambdaTrack', () => {
  it('keeps the first, last, extreme and last-in-warmup finite measurements', () => {
    const t = lambdaTrack(
      [
        { step: 0, value: 50 },
        { step: 1, value: NaN },
        { step: 5, value: 70 },
        { step: 9, value: 20 },
        { step: 12, value: 25 },
      ],
      10,
    );
    expect(t).toEqual({
      first: { step: 0, value: 50 },
      warmupEnd: { step: 9, value: 20 },
      last: { step: 12, value: 25 },
      min: { step: 9, value: 20 },
      max: { step: 5, value: 70 },
    });
    expect(lambdaTrack([{ step: 0, value: NaN }], 3)).toBeNull();
    expect(lambdaTrack([{ step: 4, value: 1 }], null)?.warmupEnd).toBeNull();
  });
});

describe('findingsCell', () => {
  it('takes what the checks read from a stored RunResult: λ0, η_c, warmup end, divergence, landmarks, regime', () => {
    const config = RunConfigSchema.parse({
      schedule: { etaTrgt: 0.4, warmupSteps: 64, etaInit: { mode: 'critical' } },
      steps: 100,
    });
    const track = {
      first: { step: 0, value: 50 },
      warmupEnd: { step: 40, value: 20 },
      last: { step: 99, value: 18 },
      min: { step: 99, value: 18 },
      max: { step: 0, value: 50 },
    };
    const run = parseRecord(RunResultSchema, {
      schemaVersion: 1,
      outcome: 'trained',
      error: null,
      stepsPlanned: 100,
      stepsRun: 100,
      lastStep: 99,
      divergence: null,
      numClasses: 10,
      finalTrainLoss: 0.1,
      finalTrainAcc: 0.9,
      finalTestLoss: 0.2,
      finalTestAcc: 0.8,
      bestTrainLoss: 0.1,
      bestTrainAcc: 0.95,
      bestTestLoss: 0.2,
      bestTestAcc: 0.85,
      bestTestAccStep: 90,
      etaInit: 0.1,
      etaC: 0.1,
      lambda0: 48,
      backend: 'cpu',
      device: 'test',
      paramCount: 10,
      startedAt: 1,
      finishedAt: 2,
      wallTimeMs: 1,
      trainTimeMs: 1,
      stepsPerSec: 100,
      events: [
        { step: -1, kind: 'eta-init', value: 0.1 },
        { step: 47, kind: 'warmup-end', value: 0.4 },
      ],
      curvature: {
        schemaVersion: 1,
        quantity: 'sharpness',
        thresholdConstant: 2,
        measuredSteps: 10,
        lambda0: {
          lambda0: 48,
          perBatch: [47, 49],
          iterations: [20, 20],
          converged: [true, true],
          quantity: 'sharpness',
        },
        criticalLr: null,
        persistent: null,
        catapults: [
          {
            step: 12,
            peakStep: 13,
            lossBefore: 1,
            lossPeak: 2,
            ratio: 1.3,
            lambdaBefore: 40,
            lambdaAfter: 25,
            lambdaDrop: 0.4,
            confirmed: true,
          },
        ],
        regime: null,
        landmarks: { warmupEndStep: 47, sharpness: track, precondSharpness: null },
      },
      config,
    });
    const cell = findingsCell(
      { cellId: 'e02-w000064-s1', etaInUnits: 4, etaExp: 2, warmupSteps: 64, seed: 1 },
      0.4,
      'trained',
      run,
      [
        { step: 0, loss: 1 },
        { step: 1, loss: 1.5 },
      ],
    );
    expect(cell).toMatchObject({
      etaInUnits: 4,
      etaExp: 2,
      etaTrgt: 0.4,
      outcome: 'trained',
      finalTrainAcc: 0.9,
      bestTestAcc: 0.85,
      lambda0: 48,
      lambda0Quantity: 'sharpness',
      etaC: 0.1,
      warmupEndEventStep: 47,
      divergenceStep: null,
      catapults: 1,
      firstCatapultStep: 12,
      regime: null,
      earlyLoss: { loss0: 1, peak: 1.5, peakStep: 1 },
    });
    expect(cell.landmarks?.sharpness?.warmupEnd).toEqual({ step: 40, value: 20 });
    // An unfinished cell has its coordinates and nothing else.
    expect(
      findingsCell({ cellId: 'e00-w000001-s1', etaInUnits: 1, etaExp: 0, warmupSteps: 1, seed: 1 }, null, null, null),
    ).toMatchObject({ outcome: null, lambda0: null, landmarks: null, earlyLoss: null });
  });
});
