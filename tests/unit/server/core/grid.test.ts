import { describe, expect, it } from 'vitest';
import {
  calibrationRunConfig,
  cellCoord,
  cellEtaTrgt,
  cellRunConfig,
  etaGridValues,
  gridCells,
  MissingCalibrationError,
  sweepJobIds,
} from '../../../../server/core/grid';
import { cellCount, isRelativeGrid, SweepSpecSchema } from '../../../../server/core/sweep-spec';

const spec = SweepSpecSchema.parse({
  title: 't',
  author: 'a',
  model: { kind: 'fcn', depth: 2, width: 8 },
  steps: 200,
  etaGrid: { kind: 'pow2', unit: 'inv-lambda0', fromExp: 0, toExp: 3 },
  warmupGrid: [64, 1],
  seeds: [1, 2],
  measure: { evalEvery: 50, sharpnessEvery: 10 },
});

describe('grid expansion', () => {
  it('expands 4 η × 2 T_wrm × 2 seeds into 16 cells with stable ids, T_wrm ascending then η then seed', () => {
    const cells = gridCells(spec);
    expect(cells).toHaveLength(16);
    expect(cells.slice(0, 3).map((c) => c.cellId)).toEqual(['e00-w000001-s1', 'e00-w000001-s2', 'e01-w000001-s1']);
    expect(cells[15]).toEqual({
      cellId: 'e03-w000064-s2',
      etaIndex: 3,
      etaInUnits: 8,
      etaExp: 3,
      warmupSteps: 64,
      seed: 2,
    });
    expect(new Set(cells.map((c) => c.cellId)).size).toBe(16);
    // Same spec → same ids (expansion is pure).
    expect(gridCells(SweepSpecSchema.parse(spec)).map((c) => c.cellId)).toEqual(cells.map((c) => c.cellId));
    expect(sweepJobIds(spec)[0]).toBe('calibration');
    expect(sweepJobIds(spec)).toHaveLength(17);
  });

  it('turns η in units of 1/λ0 into absolute learning rates: 2^x/λ0 with λ0 = 4', () => {
    const cells = gridCells(spec).filter((c) => c.seed === 1 && c.warmupSteps === 64);
    expect(cells.map((c) => cellRunConfig(spec, c, 4).schedule.etaTrgt)).toEqual([0.25, 0.5, 1, 2]);
    const third = cells[2];
    if (!third) throw new Error('expected 4 cells');
    const cfg = cellRunConfig(spec, third, 4);
    expect(cfg.schedule).toEqual({ etaTrgt: 1, warmupSteps: 64, etaInit: { mode: 'zero' }, after: 'constant' });
    expect(cfg.seed).toBe(1);
    expect(cfg.dataSeed).toBe(1);
    expect(cfg.steps).toBe(200);
    expect(cfg.measure).toMatchObject({ evalEvery: 50, sharpnessEvery: 10, lambda0: false });
  });

  it('refuses a λ0-relative cell without a positive finite λ0', () => {
    const c = gridCells(spec)[0];
    expect(c).toBeDefined();
    if (!c) return;
    expect(() => cellRunConfig(spec, c)).toThrow(MissingCalibrationError);
    expect(() => cellRunConfig(spec, c, Number.NaN)).toThrow(MissingCalibrationError);
    expect(() => cellRunConfig(spec, c, 0)).toThrow(MissingCalibrationError);
  });

  it('uses absolute and explicit grids as given', () => {
    expect(
      etaGridValues({ kind: 'pow2', unit: 'absolute', base: 1e-5, fromExp: 9, toExp: 11, stepExp: 1 }).map(
        (v) => v.etaInUnits,
      ),
    ).toEqual([0.00512, 0.01024, 0.02048]);
    expect(
      etaGridValues({ kind: 'pow2', unit: 'absolute', base: 1, fromExp: 0, toExp: 0.3, stepExp: 0.1 }).map(
        (v) => v.etaExp,
      ),
    ).toEqual([0, 0.1, 0.2, 0.3]);
    const explicit = SweepSpecSchema.parse({
      title: 't',
      author: 'a',
      etaGrid: { kind: 'explicit', values: [0.3, 0.1] },
      warmupGrid: [1],
    });
    expect(gridCells(explicit).map((c) => [c.cellId, cellRunConfig(explicit, c).schedule.etaTrgt])).toEqual([
      ['e00-w000001-s1', 0.3],
      ['e01-w000001-s1', 0.1],
    ]);
  });

  it('calibrates at the first seed with λ0 measurement on', () => {
    const cfg = calibrationRunConfig(spec);
    expect(cfg.seed).toBe(1);
    expect(cfg.measure.lambda0).toBe(true);
    expect(cfg.model).toEqual({ kind: 'fcn', depth: 2, width: 8 });
  });

  it('gives the calibration job what the cells take from the spec: model, data, optimizer, batch, backend, seeds', () => {
    const s = SweepSpecSchema.parse({ ...spec, seeds: [3, 4], dataSeed: 7, batchSize: 32, backend: 'cpu' });
    const cal = calibrationRunConfig(s);
    const first = gridCells(s).find((c) => c.seed === 3);
    expect(first).toBeDefined();
    if (!first) return;
    const cell = cellRunConfig(s, first, 50);
    const shared = (c: typeof cal) => [
      c.model,
      c.parameterization,
      c.loss,
      c.data,
      c.optimizer,
      c.batchSize,
      c.backend,
    ];
    expect(shared(cal)).toEqual(shared(cell));
    expect([cal.seed, cal.dataSeed, cell.seed, cell.dataSeed]).toEqual([3, 7, 3, 7]);
    expect([cal.batchSize, cal.backend, cal.steps, cal.schedule.etaTrgt]).toEqual([32, 'cpu', 1, 1]);
    expect([cell.steps, cell.schedule.etaTrgt]).toEqual([200, 1 / 50]);
  });
});

describe('one derivation per concept', () => {
  it('cellCoord finds every cell of the grid from its id alone, and nothing else', () => {
    for (const c of gridCells(spec)) expect(cellCoord(spec, c.cellId)).toEqual(c);
    expect(cellCoord(spec, 'calibration')).toBeNull();
    expect(cellCoord(spec, 'e04-w000001-s1')).toBeNull(); // η index past the grid
    expect(cellCoord(spec, 'e00-w000002-s1')).toBeNull(); // T_wrm not in the grid
    expect(cellCoord(spec, 'e00-w000001-s3')).toBeNull(); // seed not in the grid
    expect(cellCoord(spec, 'e000-w000001-s1')).toBeNull(); // not the canonical id of (0, 1, 1)
  });

  it('cellCount is η values × T_wrm values × seeds', () => {
    expect(cellCount(spec)).toBe(16);
    expect(cellCount(spec)).toBe(gridCells(spec).length);
  });

  it('a relative grid has η_trgt = 2^x/λ0 once λ0 is known, and none before', () => {
    expect(isRelativeGrid(spec)).toBe(true);
    const coord = cellCoord(spec, 'e03-w000064-s2');
    expect(coord).not.toBeNull();
    if (coord === null) return;
    expect(cellEtaTrgt(spec, coord, 16)).toBe(0.5);
    expect(cellEtaTrgt(spec, coord, null)).toBeNull();
    expect(cellEtaTrgt(spec, coord, 0)).toBeNull();
    const absolute = SweepSpecSchema.parse({ ...spec, etaGrid: { kind: 'explicit', values: [0.1, 0.2] } });
    expect(isRelativeGrid(absolute)).toBe(false);
    expect(cellEtaTrgt(absolute, { etaInUnits: 0.2 }, null)).toBe(0.2);
  });
});
