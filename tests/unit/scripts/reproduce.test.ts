import { describe, expect, it } from 'vitest';
import { type Finding } from '../../../server/core/findings';
import { PAPER_PRESETS } from '../../../server/core/paper-presets';
import { parseReproduceArgs, UsageError } from '../../../scripts/reproduce/args';
import {
  EtaTracker,
  formatDuration,
  formatProgress,
  studyProgress,
  type SweepProgress,
} from '../../../scripts/reproduce/progress';
import { findingsVerdict, formatFindings } from '../../../scripts/reproduce/report-markdown';

const usage = (argv: string[]) => {
  try {
    parseReproduceArgs(argv, 2);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
};

describe('reproduce command line', () => {
  it('a preset with defaults: cpu size, one worker per core, reports/', () => {
    expect(parseReproduceArgs(['fig3-heatmaps'], 2)).toEqual({
      kind: 'run',
      preset: 'fig3-heatmaps',
      size: 'cpu',
      workers: 2,
      out: 'reports',
      author: undefined,
    });
    expect(
      parseReproduceArgs(
        ['fig1-mechanisms', '--size', 'paper', '--workers', '0', '--out', 'x', '--author', ' ana '],
        8,
      ),
    ).toEqual({
      kind: 'run',
      preset: 'fig1-mechanisms',
      size: 'paper',
      workers: 0,
      out: 'x',
      author: 'ana',
    });
  });

  it('--list, --study and --resume', () => {
    expect(parseReproduceArgs(['--list'], 2)).toEqual({ kind: 'list' });
    expect(parseReproduceArgs(['--study', 'st1ygr2pqbz-k3m9x0d2aq'], 2)).toEqual({
      kind: 'report',
      studyId: 'st1ygr2pqbz-k3m9x0d2aq',
      out: 'reports',
      resume: false,
      workers: 2,
    });
    expect(parseReproduceArgs(['--study', 'st1ygr2pqbz-k3m9x0d2aq', '--resume', '--workers', '1'], 2)).toMatchObject({
      resume: true,
      workers: 1,
    });
  });

  it('an unknown preset lists every preset id; bad flags are named', () => {
    const msg = usage(['fig9']);
    expect(msg).toContain("unknown preset 'fig9'");
    for (const p of PAPER_PRESETS) expect(msg).toContain(p.id);
    expect(usage([])).toContain('missing preset');
    expect(usage(['fig3-heatmaps', '--size', 'gpu'])).toBe("--size: expected cpu or paper, got 'gpu'");
    expect(usage(['fig3-heatmaps', '--workers', 'two'])).toContain(
      "--workers: expected a whole number from 0 to 64, got 'two'",
    );
    expect(usage(['fig3-heatmaps', '--workers', '-1'])).toContain('--workers');
    expect(usage(['fig3-heatmaps', '--frobnicate'])).toContain('--frobnicate');
    expect(usage(['--study', 'nope'])).toContain("--study: 'nope' is not a study id");
    expect(usage(['fig3-heatmaps', '--resume'])).toContain('--resume');
  });
});

describe('reproduce progress', () => {
  const sweep = (o: Partial<SweepProgress>): SweepProgress => ({
    role: 'sp',
    total: 4,
    done: 0,
    running: 0,
    stuck: null,
    calibrating: false,
    stepsDone: 0,
    stepsTotal: 400,
    ...o,
  });

  it('one line with cells per sweep, running cells, elapsed and ETA', () => {
    const p = studyProgress([
      sweep({ done: 3, running: 1, stepsDone: 350 }),
      sweep({ role: 'mup', calibrating: true }),
    ]);
    expect(p).toMatchObject({ done: 3, total: 8, running: 1, finished: false });
    expect(formatProgress(p, 64_000, 190_000)).toBe(
      '1:04 · sp 3/4 (1 running) · mup 0/4 (measuring λ0) · 3/8 cells · 43% of steps · ETA ~3:10',
    );
    expect(formatProgress(p, 64_000, null)).toMatch(/ · ETA …$/);
    expect(formatDuration(3_725_000)).toBe('1:02:05');
  });

  it('ETA from the rate since the first observation (a resumed study’s earlier steps are not speed)', () => {
    const eta = new EtaTracker();
    expect(eta.observe(0.5, 0)).toBeNull();
    expect(eta.observe(0.51, 10_000)).toBeNull();
    expect(eta.observe(0.6, 100_000)).toBeCloseTo(400_000, 6);
    expect(eta.observe(1, 200_000)).toBe(0);
  });
});

describe('reproduce findings text', () => {
  const finding = (claim: Finding['claim'], status: Finding['status'], sweepIds: string[]): Finding => ({
    claim,
    title: `${claim}: title`,
    prediction: 'p',
    criterion: 'c',
    status,
    summary: `${claim} summary`,
    sweepIds,
    table: null,
  });

  it('says clearly which claims failed, with the sweeps each used', () => {
    const findings = [
      finding('P1', 'pass', ['a']),
      finding('P6', 'fail', ['b']),
      finding('P7', 'not-applicable', ['b']),
    ];
    expect(findingsVerdict(findings)).toBe('1 of 3 claim checks passed, 1 FAILED (P6), 1 not applicable.');
    const text = formatFindings(
      findings,
      new Map([
        ['a', 'sp-mse'],
        ['b', 'mup'],
      ]),
    );
    expect(text).toContain('  PASS  P1: title [sp-mse]\n        P1 summary');
    expect(text).toContain('  FAIL  P6: title [mup]');
  });
});
