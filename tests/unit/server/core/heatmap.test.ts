import { describe, expect, it } from 'vitest';
import {
  aggregateHeatmap,
  boundaryColumns,
  boundaryPolylines,
  cellAtStep,
  formatEtaInUnits,
  formatLog2Tick,
  formatNumber,
  type HeatmapCellState,
  type HeatmapInputCell,
} from '../../../../server/core/heatmap';

function cell(eta: number, warmupSteps: number, state: HeatmapCellState, loss?: number, seed = 1): HeatmapInputCell {
  return {
    cellId: `c-${eta}-${warmupSteps}-${seed}`,
    etaInUnits: eta,
    etaExp: null,
    warmupSteps,
    seed,
    state,
    values: loss === undefined ? {} : { loss },
  };
}

// A 3 (η) × 3 (T_wrm) sweep shaped like PAPER P1: the divergence frontier moves right as T_wrm grows.
const sweep: HeatmapInputCell[] = [
  cell(1, 1, 'trained', 0.5),
  cell(2, 1, 'diverged', NaN),
  cell(4, 1, 'diverged', Infinity),
  cell(1, 64, 'trained', 0.4),
  cell(2, 64, 'trained', 0.3),
  cell(4, 64, 'diverged', NaN),
  cell(1, 1024, 'trained', 0.45),
  cell(2, 1024, 'trained', 0.25),
  cell(4, 1024, 'failed', 2.3),
];

describe('aggregateHeatmap', () => {
  it('orders columns by η and rows by T_wrm, whatever the input order', () => {
    const g = aggregateHeatmap([...sweep].reverse(), 'loss');
    expect(g.etaColumns.map((e) => e.etaInUnits)).toEqual([1, 2, 4]);
    expect(g.warmups).toEqual([1, 64, 1024]);
    expect(g.cells.map((c) => c?.state)).toEqual([
      'trained',
      'diverged',
      'diverged',
      'trained',
      'trained',
      'diverged',
      'trained',
      'trained',
      'failed',
    ]);
    expect(g.cells[4]).toMatchObject({
      col: 1,
      row: 1,
      etaInUnits: 2,
      warmupSteps: 64,
      value: 0.3,
    });
  });

  it('takes the finite extent, ignoring NaN and Inf of diverged cells', () => {
    expect(aggregateHeatmap(sweep, 'loss').extent).toEqual([0.25, 2.3]);
  });

  it('averages seeds over finite values only and lets unfinished or diverged seeds decide the state', () => {
    const g = aggregateHeatmap(
      [
        cell(1, 1, 'trained', 0.2, 1),
        cell(1, 1, 'trained', 0.4, 2),
        cell(2, 1, 'trained', 0.1, 1),
        cell(2, 1, 'diverged', NaN, 2),
        cell(4, 1, 'running', 0.9, 1),
        cell(4, 1, 'diverged', NaN, 2),
      ],
      'loss',
    );
    expect(g.cells[0]?.value).toBeCloseTo(0.3, 12);
    expect(g.cells[0]?.cellIds).toEqual(['c-1-1-1', 'c-1-1-2']);
    expect(g.cells[1]).toMatchObject({
      state: 'diverged',
      value: 0.1,
      counts: { trained: 1, diverged: 1 },
    });
    expect(g.cells[2]?.state).toBe('running');
  });

  it('leaves holes as null, NaN where nothing is finite, and a null extent for an empty sweep', () => {
    const g = aggregateHeatmap([cell(1, 1, 'queued'), cell(2, 8, 'trained', 1)], 'loss');
    expect(g.cells).toHaveLength(4);
    expect(g.cells[1]).toBeNull();
    expect(g.cells[2]).toBeNull();
    expect(Number.isNaN(g.cells[0]?.value)).toBe(true);
    const empty = aggregateHeatmap([], 'loss');
    expect(empty).toEqual({
      metric: 'loss',
      etaColumns: [],
      warmups: [],
      cells: [],
      extent: null,
    });
  });
});

describe('divergence/failure boundary', () => {
  const g = aggregateHeatmap(sweep, 'loss');

  it('finds per row the first column of the unbroken unsuccessful run reaching the right edge', () => {
    expect(boundaryColumns(g, 'unsuccessful')).toEqual([1, 2, 2]);
    // A failed (not diverged) cell does not count for the divergence-only frontier.
    expect(boundaryColumns(g, 'diverged')).toEqual([1, 2, null]);
  });

  it('ignores a diverged cell with a trained cell to its right', () => {
    const holes = aggregateHeatmap([cell(1, 1, 'diverged', NaN), cell(2, 1, 'trained', 0.3)], 'loss');
    expect(boundaryColumns(holes)).toEqual([null]);
  });

  it('draws a staircase in grid units and breaks it at rows without a frontier', () => {
    expect(boundaryPolylines(g)).toEqual([
      [
        { x: 1, y: 0 },
        { x: 1, y: 1 },
        { x: 2, y: 1 },
        { x: 2, y: 3 },
      ],
    ]);
    expect(boundaryPolylines(g, 'diverged')).toEqual([
      [
        { x: 1, y: 0 },
        { x: 1, y: 1 },
        { x: 2, y: 1 },
        { x: 2, y: 2 },
      ],
    ]);
  });
});

describe('log₂ tick labels', () => {
  it('labels powers of two (and half powers) by exponent, other values by 2–3 significant digits', () => {
    expect([1, 2, 0.25, 1024, Math.SQRT2, 2 ** 0.5 * 8].map(formatLog2Tick)).toEqual([
      '1',
      '2^1',
      '2^-2',
      '2^10',
      '2^0.5',
      '2^3.5',
    ]);
    // Adam grid of PAPER §2.4: 2^9·1e-5 = 0.00512 is not a power of two.
    expect(formatLog2Tick(0.00512)).toBe('0.00512');
    expect(formatLog2Tick(2 ** 24 * 1e-5)).toBe('168');
  });

  it('labels η in grid units from the exponent the grid passes through, and by value where it has none', () => {
    // A base-1 powers-of-two grid (PAPER §2.4, η = 2^x/λ0): "2^x" from x itself, half powers included.
    expect([0, 1, -2, 10, 0.5, -1.5].map((x) => formatEtaInUnits({ etaInUnits: 2 ** x, etaExp: x }))).toEqual([
      '1',
      '2^1',
      '2^-2',
      '2^10',
      '2^0.5',
      '2^-1.5',
    ]);
    // An exponent off the half grid (x step 0.25): the value, as formatLog2Tick labels it.
    expect(formatEtaInUnits({ etaInUnits: 2 ** 0.25, etaExp: 0.25 })).toBe('1.19');
    // Adam's 1e-5·2^x grid: the exponent does not name the value, so the number does (as before).
    expect(formatEtaInUnits({ etaInUnits: 2 ** 9 * 1e-5, etaExp: 9 })).toBe('0.00512');
    expect(formatEtaInUnits({ etaInUnits: 2 ** 24 * 1e-5, etaExp: 24 })).toBe('168');
    // Explicit grids carry no exponent: formatLog2Tick of the value.
    expect(formatEtaInUnits({ etaInUnits: 4, etaExp: null })).toBe('2^2');
    expect(formatEtaInUnits({ etaInUnits: 0.1, etaExp: null })).toBe('0.1');
  });

  it('keeps the exponent of each η column through aggregation', () => {
    const g = aggregateHeatmap(
      [3, 1, 2].map((x) => ({ ...cell(2 ** x, 1, 'trained', x), etaExp: x })),
      'loss',
    );
    expect(g.etaColumns).toEqual([
      { etaInUnits: 2, etaExp: 1 },
      { etaInUnits: 4, etaExp: 2 },
      { etaInUnits: 8, etaExp: 3 },
    ]);
    expect(g.cells.map((c) => c?.etaExp)).toEqual([1, 2, 3]);
  });

  it('formats numbers compactly, keeping NaN and infinities visible', () => {
    expect([0.123456, 123456, 1e-5, NaN, Infinity, -Infinity, 0].map(formatNumber)).toEqual([
      '0.123',
      '1.23e5',
      '1.00e-5',
      'NaN',
      '∞',
      '−∞',
      '0',
    ]);
  });
});

describe('cellAtStep (the step slider)', () => {
  const history = [
    { step: 0, values: { loss: 1 } },
    { step: 10, values: { loss: 0.5 } },
    { step: 100, values: { loss: 0.2 } },
  ];
  it('takes the last point at or before the step and shows a finished cell as running before its end', () => {
    expect(cellAtStep(history, 50, { state: 'trained' })).toEqual({
      state: 'running',
      values: { loss: 0.5 },
    });
    expect(cellAtStep(history, 100, { state: 'trained' })).toEqual({
      state: 'trained',
      values: { loss: 0.2 },
    });
    expect(cellAtStep(history, 5000, { state: 'failed' })).toEqual({
      state: 'failed',
      values: { loss: 0.2 },
    });
  });
  it('marks a cell diverged from its divergence step on, and unreached cells as running or queued', () => {
    expect(cellAtStep(history, 60, { state: 'diverged', divergedAtStep: 50 }).state).toBe('diverged');
    expect(cellAtStep(history, 40, { state: 'diverged', divergedAtStep: 50 })).toEqual({
      state: 'running',
      values: { loss: 0.5 },
    });
    expect(cellAtStep([], 40, { state: 'queued' })).toEqual({
      state: 'queued',
      values: {},
    });
  });
});
