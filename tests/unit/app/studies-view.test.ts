import { describe, expect, it } from 'vitest';
import {
  FINDINGS_LIVE_MS,
  FINDINGS_SIBLING_MS,
  findingsRefetchMs,
  formatCount,
  formatTableCell,
  launchErrorText,
  STATUS_META,
  STATUS_ORDER,
  statusCounts,
  studyCostText,
  studySiblings,
} from '../../../app/lib/studies-view';
import { type FindingStatus } from '../../../server/core/findings';
import { PAPER_PRESETS, studyCost } from '../../../server/core/paper-presets';

const ALL: FindingStatus[] = ['pass', 'fail', 'not-applicable', 'pending'];

describe('finding status badges', () => {
  it('every status has its own label and its own icon shape (never colour alone)', () => {
    expect(ALL.map((s) => STATUS_META[s].label)).toEqual(['pass', 'fail', 'not applicable', 'pending']);
    expect(new Set(ALL.map((s) => STATUS_META[s].icon)).size).toBe(4);
    expect([...STATUS_ORDER].sort()).toEqual([...ALL].sort());
  });

  it('counts the statuses, failures first, leaving out the absent ones', () => {
    const f = (status: FindingStatus) => ({ status });
    expect(statusCounts([f('pass'), f('not-applicable'), f('fail'), f('pass')])).toBe(
      '1 fail · 2 pass · 1 not applicable',
    );
    expect(statusCounts([f('pending')])).toBe('1 pending');
    expect(statusCounts([])).toBe('');
  });
});

describe('study siblings', () => {
  const study = {
    sweeps: [
      { role: 'adam', sweepId: 'swA' },
      { role: 'gi-adam', sweepId: 'swB' },
    ],
    sweepTitles: { swA: 'Adam failure boundary' },
  };

  it('lists the study sweeps in launch order and marks the current one; a missing title falls back to the role', () => {
    expect(studySiblings(study, 'swB')).toEqual([
      { role: 'adam', sweepId: 'swA', title: 'Adam failure boundary', current: false },
      { role: 'gi-adam', sweepId: 'swB', title: 'gi-adam', current: true },
    ]);
  });

  it('is empty for a sweep launched on its own', () => {
    expect(studySiblings(null, 'swA')).toEqual([]);
  });
});

describe('findings polling', () => {
  const pendingOn = (...sweepIds: string[]) => ({ status: 'pending' as const, sweepIds });

  it('polls while the sweep runs', () => {
    expect(findingsRefetchMs(undefined, 'swA', true)).toBe(FINDINGS_LIVE_MS);
    expect(findingsRefetchMs([{ status: 'pass', sweepIds: ['swA'] }], 'swA', true)).toBe(FINDINGS_LIVE_MS);
  });

  it('once the sweep is finished, polls (slower) only while a finding waits on a sibling sweep', () => {
    expect(findingsRefetchMs([pendingOn('swA', 'swB')], 'swA', false)).toBe(FINDINGS_SIBLING_MS);
    // Pending on this sweep alone (a cancelled sweep's unfinished cells): nothing can change it, so no polling.
    expect(findingsRefetchMs([pendingOn('swA')], 'swA', false)).toBe(false);
    expect(findingsRefetchMs([{ status: 'fail', sweepIds: ['swA', 'swB'] }], 'swA', false)).toBe(false);
    expect(findingsRefetchMs(undefined, 'swA', false)).toBe(false);
  });
});

describe('formatting', () => {
  it('writes table cells: dash for null, integers as they are, other numbers to 4 significant digits', () => {
    expect(formatTableCell(null)).toBe('—');
    expect(formatTableCell('2^1/λ0')).toBe('2^1/λ0');
    expect(formatTableCell(1024)).toBe('1024');
    expect(formatTableCell(0.123456)).toBe('0.1235');
    expect(formatTableCell(Number.NaN)).toBe('NaN');
  });

  it('writes a study cost with separators and singulars', () => {
    expect(formatCount(15_000_000)).toBe('15,000,000');
    expect(studyCostText({ sweeps: 1, cells: 1, cellSteps: 1, sharpnessSteps: 0 })).toBe(
      '1 sweep · 1 cell · 1 cell-step · 0 λ-measured steps',
    );
    expect(studyCostText({ sweeps: 3, cells: 104, cellSteps: 106_496, sharpnessSteps: 0 })).toBe(
      '3 sweeps · 104 cells · 106,496 cell-steps · 0 λ-measured steps',
    );
    // Every paper preset at both sizes (their grids are tuned over time, so the numbers come from studyCost).
    for (const p of PAPER_PRESETS) {
      for (const size of ['cpu', 'paper'] as const) {
        const c = studyCost(p, size);
        expect(studyCostText(c)).toBe(
          `${c.sweeps} sweep${c.sweeps === 1 ? '' : 's'} · ${c.cells.toLocaleString('en-US')} cells · ${c.cellSteps.toLocaleString('en-US')} cell-steps · ${c.sharpnessSteps.toLocaleString('en-US')} λ-measured steps`,
        );
      }
    }
  });

  it('names the field of a launch error: zod issues as field lines, else the server message', () => {
    expect(
      launchErrorText({
        message: 'bad',
        data: {
          fieldIssues: [
            { path: 'size', message: 'Invalid option: expected one of "cpu"|"paper"' },
            { path: '', message: 'x' },
          ],
        },
      }),
    ).toBe('size: Invalid option: expected one of "cpu"|"paper"\n(input): x');
    expect(launchErrorText({ message: "preset: unknown paper preset 'nope'", data: { fieldIssues: null } })).toBe(
      "preset: unknown paper preset 'nope'",
    );
    expect(launchErrorText({ message: 'no data' })).toBe('no data');
  });
});
