import { describe, expect, it } from 'vitest';
import { etaUnitNote, heatmapModel, layoutViewHeatmap } from '../../../app/lib/heatmap-model';
import { DEFAULT_VIEW } from '../../../app/lib/view-state';
import { type SweepView } from '../../../server/api/routers/sweeps';

type Cell = SweepView['cells'][number];

function cellView(etaIndex: number, etaInUnits: number, etaExp: number | null, loss: number): Cell {
  return {
    cellId: `e0${etaIndex}-w000001-s1`,
    etaIndex,
    etaInUnits,
    etaExp,
    etaTrgt: etaInUnits,
    warmupSteps: 1,
    seed: 1,
    jobState: 'done',
    state: 'trained',
    epoch: 1,
    step: 9,
    totalSteps: 10,
    values: { finalTrainLoss: loss, bestTestAcc: 0.5 },
    divergedAtStep: null,
    history: { step: [0, 5, 9], loss: [1, 0.7, loss], sharpness: [3, 4, 5] },
    updatedAt: 0,
    problems: [],
  };
}

function sweep(etaGrid: object, cells: Cell[], lambda0: number | null = null): SweepView {
  return { sweep: { id: 'sw', spec: { title: 'T', etaGrid } }, cells, lambda0 } as unknown as SweepView;
}

const relative = sweep(
  { kind: 'pow2', unit: 'inv-lambda0', base: 1, fromExp: -1, toExp: 1, stepExp: 1 },
  [cellView(0, 0.5, -1, 0.3), cellView(1, 1, 0, 0.2), cellView(2, 2, 1, 0.1)],
  40,
);
const adam = sweep({ kind: 'pow2', unit: 'absolute', base: 1e-5, fromExp: 9, toExp: 10, stepExp: 1 }, [
  cellView(0, 2 ** 9 * 1e-5, 9, 0.3),
  cellView(1, 2 ** 10 * 1e-5, 10, 0.2),
]);

describe('heatmapModel (the one pipeline of the Sweep page, the viewer, the routes and the report)', () => {
  it('labels a relative grid in units of 1/λ0, from the exponents the cells carry', () => {
    const m = heatmapModel(relative, DEFAULT_VIEW);
    expect(m).toMatchObject({
      relative: true,
      step: null,
      colorScale: 'log',
      xLabel: 'η_trgt · λ0  (log₂)',
      yLabel: 'T_wrm  (log₂)',
      metricLabel: 'final train loss',
    });
    expect(m.grid.etaColumns).toEqual([
      { etaInUnits: 0.5, etaExp: -1 },
      { etaInUnits: 1, etaExp: 0 },
      { etaInUnits: 2, etaExp: 1 },
    ]);
    const layout = layoutViewHeatmap(relative, DEFAULT_VIEW, { width: 520, height: 420 });
    expect(layout.xTicks.map((t) => t.label)).toEqual(['2^-1', '1', '2^1']);
    expect(layout.xAxisLabel.text).toBe('η_trgt · λ0  (log₂)');
    expect(etaUnitNote(relative)).toBe('λ0 = 40');
    expect(etaUnitNote({ ...relative, lambda0: null })).toBe('λ0 = pending');
  });

  it('keeps numbers as labels for a base ≠ 1 grid (Adam’s 1e-5·2^x) and says η is absolute', () => {
    const layout = layoutViewHeatmap(adam, DEFAULT_VIEW, { width: 520, height: 420 });
    expect(layout.xTicks.map((t) => t.label)).toEqual(['0.00512', '0.0102']);
    expect(layout.xAxisLabel.text).toBe('η_trgt  (log₂)');
    expect(etaUnitNote(adam)).toBe('absolute η');
  });

  it('draws a step from the histories only for metrics that have them, and follows the view’s colour scale', () => {
    const at5 = heatmapModel(relative, { ...DEFAULT_VIEW, step: 5, scale: 'linear' });
    expect(at5).toMatchObject({ step: 5, metricLabel: 'train loss at step 5', colorScale: 'linear' });
    expect(at5.grid.cells.map((c) => c?.value)).toEqual([0.7, 0.7, 0.7]);
    const sharp = heatmapModel(relative, { ...DEFAULT_VIEW, metric: 'maxSharpness', step: 5 });
    expect(sharp.metricLabel).toBe('λ^H at step 5');
    const acc = heatmapModel(relative, { ...DEFAULT_VIEW, metric: 'bestTestAcc', step: 5 });
    expect(acc).toMatchObject({ step: null, metricLabel: 'best test accuracy', colorScale: 'linear' });
    expect(acc.grid.extent).toEqual([0.5, 0.5]);
  });
});
