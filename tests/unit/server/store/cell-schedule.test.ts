import { describe, expect, it } from 'vitest';
import { cellRunConfig, gridCells } from '../../../../server/core/grid';
import { CALIBRATION_JOB_ID } from '../../../../server/core/ids';
import { SweepSpecSchema, type SweepSpecInput } from '../../../../server/core/sweep-spec';
import { cellSchedule } from '../../../../server/store/cell-series';

/** A cell's LR schedule: from its run's config when it has one, else from the spec at the cell (PAPER §2). */

const base: SweepSpecInput = {
  title: 'schedules',
  author: 'tests',
  steps: 200,
  after: 'cosine',
  etaGrid: { kind: 'pow2', unit: 'inv-lambda0', base: 1, fromExp: 0, toExp: 2, stepExp: 1 },
  warmupGrid: [1, 64],
  seeds: [1],
};
const spec = SweepSpecSchema.parse(base);
const cell = gridCells(spec).find((c) => c.etaExp === 2 && c.warmupSteps === 64);
if (cell === undefined) throw new Error('the grid has η = 4/λ0 at T_wrm = 64');

describe('cellSchedule', () => {
  it('is null for a relative grid before λ0, and η_trgt = 2^x/λ0 with the spec’s warmup once it is known', () => {
    expect(cellSchedule(spec, cell.cellId, null, null)).toBeNull();
    expect(cellSchedule(spec, cell.cellId, null, 40)).toEqual({
      etaTrgt: 4 / 40,
      warmupSteps: 64,
      etaInit: 0,
      startsAtCritical: false,
      after: 'cosine',
      totalSteps: 200,
    });
  });

  it('takes η_trgt from the run’s config, not from another λ0 (a cell measures its own λ0 at its seed)', () => {
    const config = cellRunConfig(spec, cell, 40);
    const schedule = cellSchedule(spec, cell.cellId, { config, etaC: null }, 50);
    expect(schedule?.etaTrgt).toBe(4 / 40);
    expect(schedule?.warmupSteps).toBe(64);
  });

  it('starts a critical warmup at the run’s η_c, and at 0 before the search ran', () => {
    const critical = SweepSpecSchema.parse({ ...base, etaInit: { mode: 'critical' } });
    const config = cellRunConfig(critical, cell, 40);
    expect(cellSchedule(critical, cell.cellId, { config, etaC: 0.01 }, 40)).toMatchObject({
      etaInit: 0.01,
      startsAtCritical: true,
    });
    expect(cellSchedule(critical, cell.cellId, null, 40)).toMatchObject({ etaInit: 0, startsAtCritical: true });
  });

  it('is null for the calibration job and for an id that is no cell of the grid', () => {
    expect(cellSchedule(spec, CALIBRATION_JOB_ID, null, 40)).toBeNull();
    expect(cellSchedule(spec, 'e09-w000064-s1', null, 40)).toBeNull();
  });
});
