import { describe, expect, it } from 'vitest';
import { imageQuery, sharePaths, shareSubtitle } from '../../../app/share/heatmap-data';
import { layoutViewHeatmap, viewMetricLabel } from '../../../app/lib/heatmap-model';
import { DEFAULT_VIEW, parseViewState, serializeViewState } from '../../../app/lib/view-state';
import { type SweepView } from '../../../server/api/routers/sweeps';

const ID = 'sw1ygr2pqbz-k3m9x0d2aq';

function cellView(
  etaIndex: number,
  warmupSteps: number,
  state: 'trained' | 'diverged' | 'running',
  loss: number,
  history: number[],
): SweepView['cells'][number] {
  return {
    cellId: `e0${etaIndex}-w${String(warmupSteps).padStart(6, '0')}-s1`,
    etaIndex,
    etaInUnits: 2 ** etaIndex,
    etaExp: etaIndex,
    etaTrgt: 2 ** etaIndex / 40,
    warmupSteps,
    seed: 1,
    jobState: state === 'running' ? 'running' : 'done',
    state,
    epoch: 1,
    step: 99,
    totalSteps: 100,
    values: { finalTrainLoss: loss },
    divergedAtStep: state === 'diverged' ? 30 : null,
    history: { step: [0, 10, 50, 99], loss: history, sharpness: [40, 30, 20, 20] },
    updatedAt: 0,
    problems: [],
  };
}

const data = {
  sweep: {
    spec: { etaGrid: { kind: 'pow2', unit: 'inv-lambda0', base: 1, fromExp: 0, toExp: 1, stepExp: 1 }, title: 'T' },
  },
  state: 'running',
  counts: { done: 3, running: 1 },
  lambda0: 40,
  cells: [
    cellView(0, 1, 'trained', 0.2, [1, 0.8, 0.4, 0.2]),
    cellView(1, 1, 'diverged', NaN, [1, 2, NaN, NaN]),
    cellView(0, 64, 'trained', 0.1, [1, 0.9, 0.3, 0.1]),
    cellView(1, 64, 'running', 0.5, [1, 0.9, 0.6, 0.5]),
  ],
} as unknown as SweepView;

describe('share view helpers', () => {
  it('builds image queries with the metric first and without logx, and viewer paths from the URL state', () => {
    const view = { ...DEFAULT_VIEW, cells: ['e01-w000064-s1', 'e00-w000001-s1'], logx: true };
    expect(imageQuery(view)).toBe('metric=finalTrainLoss&cells=e01-w000064-s1%2Ce00-w000001-s1');
    expect(imageQuery({ ...view, metric: 'finalTestAcc', scale: 'log', step: 50 })).toBe(
      'metric=finalTestAcc&scale=log&cells=e01-w000064-s1%2Ce00-w000001-s1&step=50',
    );
    const p = sharePaths(ID, view);
    expect(p.viewer).toBe(`/s/${ID}?${serializeViewState(view)}`);
    expect(p.svg).toBe(`/api/sweeps/${ID}/heatmap.svg?metric=finalTrainLoss&cells=e01-w000064-s1%2Ce00-w000001-s1`);
    expect(sharePaths(ID, DEFAULT_VIEW).viewer).toBe(`/s/${ID}`);
    expect(sharePaths(ID, view, 'abc0123456xy').viewer).toBe('/s/abc0123456xy');
    // What the viewer link carries parses back to the same view.
    expect(parseViewState(new URLSearchParams(p.viewer.split('?')[1]))).toEqual(view);
  });

  it('lays out the same grid the Sweep page does: states, log colour scale by default, step from the histories', () => {
    const final = layoutViewHeatmap(data, DEFAULT_VIEW, { width: 720, height: 490 });
    expect(final.cells.map((c) => `${c.key}:${c.state}`).sort()).toEqual([
      '0:0:trained',
      '0:1:trained',
      '1:0:diverged',
      '1:1:running',
    ]);
    expect(final.legend.title).toBe('final train loss (log scale)');
    const at50 = layoutViewHeatmap(data, { ...DEFAULT_VIEW, step: 50 }, { width: 720, height: 490 });
    // At step 50 the diverged cell (diverged at 30) is diverged, the others are still running, coloured by their loss then.
    expect(at50.cells.map((c) => `${c.key}:${c.state}:${c.value}`).sort()).toEqual([
      '0:0:running:0.4',
      '0:1:running:0.3',
      '1:0:diverged:NaN',
      '1:1:running:0.6',
    ]);
    expect(viewMetricLabel({ metric: 'finalTrainLoss', step: 50 })).toBe('train loss at step 50');
    // A metric without history ignores the step.
    const acc = layoutViewHeatmap(
      data,
      { ...DEFAULT_VIEW, metric: 'finalTestAcc', step: 50 },
      { width: 720, height: 490 },
    );
    expect(acc.legend.title).toBe('final test accuracy');
  });

  it('writes the subtitle from sweep title, state, progress and λ0', () => {
    expect(shareSubtitle(data, { step: null })).toBe('T · running · 3/4 cells finished · λ0 = 40');
    expect(shareSubtitle(data, { step: 50 })).toBe('T · running · 3/4 cells finished · λ0 = 40 · step 50');
  });
});
