import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { scaleLinear, scaleLog } from 'd3';
import { layoutHeatmap } from '../../../app/charts/heatmap-layout';
import { chooseLegendTicks, estimateLabelWidth, LEGEND_TICK_MIN_GAP } from '../../../app/charts/heatmap-legend';
import { moveFocus } from '../../../app/charts/heatmap-keyboard';
import { HeatmapSvg } from '../../../app/charts/heatmap-svg';
import { aggregateHeatmap, type HeatmapCellState, type HeatmapInputCell } from '../../../server/core/heatmap';

function cell(eta: number, warmupSteps: number, state: HeatmapCellState, loss?: number): HeatmapInputCell {
  return {
    cellId: `c-${eta}-${warmupSteps}`,
    etaInUnits: eta,
    etaExp: null,
    warmupSteps,
    seed: 1,
    state,
    values: loss === undefined ? {} : { loss },
  };
}

const sweep: HeatmapInputCell[] = [
  cell(1, 1, 'trained', 0.5),
  cell(2, 1, 'diverged', NaN),
  cell(4, 1, 'diverged', Infinity),
  cell(1, 64, 'trained', 0.4),
  cell(2, 64, 'running', 0.3),
  cell(4, 64, 'diverged', NaN),
  cell(1, 1024, 'trained', 0.25),
  cell(2, 1024, 'queued'),
  cell(4, 1024, 'failed', 2.3),
];

const base = {
  width: 400,
  height: 400,
  xLabel: 'η_trgt · λ0',
  yLabel: 'T_wrm',
  metricLabel: 'train loss',
};

describe('layoutHeatmap', () => {
  const layout = layoutHeatmap({
    ...base,
    grid: aggregateHeatmap(sweep, 'loss'),
  });

  it('places one equal band per grid value with row 0 at the bottom (plot 320×294 at (64,10))', () => {
    expect(layout.plot).toEqual({ x: 64, y: 10, width: 320, height: 294 });
    // Bands 320/3 = 106.67 wide and 294/3 = 98 tall, inset 0.5 px on each side.
    const c00 = layout.cells.find((c) => c.key === '0:0');
    expect(c00).toMatchObject({ x: 64.5, y: 206.5, width: 105.67, height: 97 });
    const c22 = layout.cells.find((c) => c.key === '2:2');
    expect(c22).toMatchObject({ x: 277.83, y: 10.5 });
    expect(layout.xTicks).toEqual([
      { at: 117.33, label: '1' },
      { at: 224, label: '2^1' },
      { at: 330.67, label: '2^2' },
    ]);
    expect(layout.yTicks.map((t) => [t.at, t.label])).toEqual([
      [255, '1'],
      [157, '2^6'],
      [59, '2^10'],
    ]);
  });

  it('colours finished and running cells by viridis and marks the others with patterns or no fill', () => {
    const byKey = new Map(layout.cells.map((c) => [c.key, c]));
    // Extent [0.25, 2.3]: 0.25 is the bottom of viridis.
    expect(byKey.get('0:2')?.paint).toEqual({ kind: 'value', fill: '#440154' });
    expect(byKey.get('1:0')?.paint).toEqual({
      kind: 'pattern',
      pattern: 'diverged',
    });
    expect(byKey.get('2:2')?.paint).toEqual({
      kind: 'pattern',
      pattern: 'failed',
    });
    expect(byKey.get('1:2')?.paint).toEqual({ kind: 'empty' });
    expect(byKey.get('1:1')?.className).toBe('cell cell--running');
    expect(byKey.get('1:1')?.paint.kind).toBe('value');
    expect(byKey.get('0:0')?.title).toBe('η = 1 · T_wrm = 1 · train loss = 0.5 · trained');
  });

  it('draws the frontier at column edges: 1 at T_wrm=1, 2 above', () => {
    expect(layout.boundary).toEqual(['M170.67,304L170.67,206L277.33,206L277.33,10']);
  });

  it('uses a log colour scale only for a positive extent', () => {
    const log = layoutHeatmap({
      ...base,
      colorScale: 'log',
      grid: aggregateHeatmap(sweep, 'loss'),
    });
    expect(log.legend.title).toBe('train loss (log scale)');
    // √(0.25·2.3) sits at the middle of a log scale over [0.25, 2.3].
    const mid = layoutHeatmap({
      ...base,
      colorScale: 'log',
      grid: aggregateHeatmap(
        [cell(1, 1, 'trained', 0.25), cell(2, 1, 'trained', Math.sqrt(0.575)), cell(4, 1, 'trained', 2.3)],
        'loss',
      ),
    });
    expect(mid.cells[1]?.paint).toEqual({ kind: 'value', fill: '#21918c' });
    const neg = layoutHeatmap({
      ...base,
      colorScale: 'log',
      grid: aggregateHeatmap([cell(1, 1, 'trained', -1), cell(2, 1, 'trained', 1)], 'loss'),
    });
    expect(neg.legend.title).toBe('train loss');
  });

  it('lays out an empty grid without cells, ticks, boundary or gradient', () => {
    const empty = layoutHeatmap({
      ...base,
      grid: aggregateHeatmap([], 'loss'),
    });
    expect(empty.cells).toEqual([]);
    expect(empty.xTicks).toEqual([]);
    expect(empty.boundary).toEqual([]);
    expect(empty.legend.stops).toEqual([]);
    expect(empty.legend.swatches.map((s) => s.state)).toEqual(['diverged', 'failed', 'error', 'running', 'queued']);
  });

  it('thins tick labels on a 16×16 grid so they do not overlap', () => {
    const cells: HeatmapInputCell[] = [];
    for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) cells.push(cell(2 ** (i - 4), 2 ** j, 'trained', i + j));
    const l = layoutHeatmap({ ...base, grid: aggregateHeatmap(cells, 'loss') });
    expect(l.cells).toHaveLength(256);
    // 320 px / 16 = 20 px bands → every 2nd x label; 294/16 = 18.4 px rows → every row labelled.
    expect(l.xTicks.map((t) => t.label)).toEqual(['2^-4', '2^-2', '1', '2^2', '2^4', '2^6', '2^8', '2^10']);
    expect(l.yTicks).toHaveLength(16);
  });

  it('renders to a stable SVG (rounded numbers, patterns, selection and focus marks)', async () => {
    const svg = renderToStaticMarkup(
      createElement(HeatmapSvg, {
        layout,
        idPrefix: 'hm',
        selectedIds: ['c-1-64'],
        focusedKey: '0:0',
        title: 'test heatmap',
      }),
    );
    expect(svg).toContain('class="cell cell--diverged"');
    expect(svg).toContain('fill="url(#hm-diverged)"');
    expect(svg.match(/<rect class="cell /g)).toHaveLength(9);
    await expect(svg.replace(/></g, '>\n<')).toMatchFileSnapshot('./__snapshots__/heatmap-3x3.svg');
  });
});

describe('legend ticks', () => {
  /** Independent overlap check: label boxes (centred, estimated width) at least the minimum gap apart. */
  function closestGap(ticks: { x: number; label: string }[]): number {
    let gap = Infinity;
    for (let i = 1; i < ticks.length; i++) {
      const a = ticks[i - 1];
      const b = ticks[i];
      if (!a || !b) continue;
      gap = Math.min(gap, b.x - a.x - (estimateLabelWidth(a.label) + estimateLabelWidth(b.label)) / 2);
    }
    return gap;
  }
  const logScale = (lo: number, hi: number) => scaleLog().domain([lo, hi]).range([0, 1]).clamp(true);
  const linScale = (lo: number, hi: number) => scaleLinear().domain([lo, hi]).range([0, 1]).clamp(true);

  it('estimates 6.4 px per character at 10 px', () => {
    expect(estimateLabelWidth('0.001')).toBeCloseTo(32, 6);
    expect(estimateLabelWidth('1e-6')).toBeCloseTo(25.6, 6);
  });

  it('picks nice log values at their log positions: 0.5, 1, 2 over [0.25, 2.3] on 300 px', () => {
    const t = chooseLegendTicks(logScale(0.25, 2.3), 'log', 64, 300);
    expect(t.map((x) => x.label)).toEqual(['0.5', '1', '2']);
    // x = 64 + 300 · log(v / 0.25) / log(2.3 / 0.25)
    for (const { x, label } of t)
      expect(x).toBeCloseTo(64 + (300 * Math.log(Number(label) / 0.25)) / Math.log(2.3 / 0.25), 1);
  });

  it('thins decades on a short legend: four decades on 300 px, every second on 120 px', () => {
    expect(chooseLegendTicks(logScale(1.234e-4, 2.3), 'log', 64, 300).map((x) => x.label)).toEqual([
      '0.001',
      '0.01',
      '0.1',
      '1',
    ]);
    const short = chooseLegendTicks(logScale(1.234e-4, 2.3), 'log', 64, 120);
    expect(short).toEqual([
      { x: 89.53, label: '0.001' },
      { x: 145.74, label: '0.1' },
    ]);
    // The old five evenly spaced colour-space labels (1.23e-4, 1.45e-3 …) were 30 px apart and 45 px wide here.
    expect(closestGap(short)).toBeGreaterThanOrEqual(LEGEND_TICK_MIN_GAP);
    expect(chooseLegendTicks(logScale(1e-6, 1e6), 'log', 64, 150).map((x) => x.label)).toEqual([
      '1e-6',
      '0.001',
      '1',
      '1000',
      '1e6',
    ]);
  });

  it('never lets two labels come closer than their widths, for log and linear scales of any span and length', () => {
    const extents: [number, number][] = [
      [0.25, 2.3],
      [1.234e-4, 2.3],
      [0.3, 0.45],
      [1e-6, 1e6],
      [0.0123, 0.0456],
      [0.001234, 0.00987],
      [1, 1.02],
      [0.05, 0.98],
      [12.5, 98765],
      [3.3e-7, 0.004],
    ];
    let checked = 0;
    for (const [lo, hi] of extents)
      for (const len of [60, 90, 120, 180, 240, 300])
        for (const kind of ['log', 'linear'] as const) {
          const scale = kind === 'log' ? logScale(lo, hi) : linScale(lo, hi);
          const t = chooseLegendTicks(scale, kind, 64, len);
          expect(t.length, `${kind} [${lo}, ${hi}] on ${len} px`).toBeGreaterThanOrEqual(1);
          expect(t.length).toBeLessThanOrEqual(6);
          if (t.length > 1)
            expect(closestGap(t), `${kind} [${lo}, ${hi}] on ${len} px`).toBeGreaterThanOrEqual(
              LEGEND_TICK_MIN_GAP - 1e-9,
            );
          // Every tick lies on the gradient and names a value inside the extent.
          for (const { x } of t) {
            expect(x).toBeGreaterThanOrEqual(64);
            expect(x).toBeLessThanOrEqual(64 + len);
          }
          if (len >= 120) expect(t.length, `${kind} [${lo}, ${hi}] on ${len} px`).toBeGreaterThanOrEqual(2);
          checked++;
        }
    expect(checked).toBe(120);
  });

  it('uses the chosen ticks in the heatmap layout (log legend of the 3×3 fixture)', () => {
    const log = layoutHeatmap({ ...base, colorScale: 'log', grid: aggregateHeatmap(sweep, 'loss') });
    expect(log.legend.ticks).toEqual([
      { x: 157.7, label: '0.5' },
      { x: 251.4, label: '1' },
      { x: 345.11, label: '2' },
    ]);
  });
});

describe('moveFocus (arrow keys)', () => {
  const cells = [
    { col: 0, row: 0, key: '0:0' },
    { col: 1, row: 0, key: '1:0' },
    { col: 0, row: 1, key: '0:1' },
    { col: 2, row: 1, key: '2:1' },
  ];
  it('starts at the top-left cell and moves to the nearest cell in the arrow direction', () => {
    expect(moveFocus(cells, null, 'ArrowRight')).toEqual({ col: 0, row: 1 });
    expect(moveFocus(cells, { col: 0, row: 1 }, 'ArrowRight')).toEqual({
      col: 2,
      row: 1,
    });
    expect(moveFocus(cells, { col: 0, row: 1 }, 'ArrowDown')).toEqual({
      col: 0,
      row: 0,
    });
    expect(moveFocus(cells, { col: 2, row: 0 }, 'ArrowUp')).toEqual({
      col: 2,
      row: 1,
    });
    // At an edge it stays put.
    expect(moveFocus(cells, { col: 0, row: 0 }, 'ArrowLeft')).toEqual({
      col: 0,
      row: 0,
    });
  });
});
