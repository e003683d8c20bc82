import { createElement, Fragment } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { layoutHeatmap } from '../../../app/charts/heatmap-layout';
import { HeatmapSvg } from '../../../app/charts/heatmap-svg';
import { svgMarkup } from '../../../app/share/svg-markup';
import { aggregateHeatmap, type HeatmapCellState, type HeatmapInputCell } from '../../../server/core/heatmap';

const cell = (eta: number, w: number, state: HeatmapCellState, v?: number): HeatmapInputCell => ({
  cellId: `e0${Math.log2(eta)}-w${String(w).padStart(6, '0')}-s1`,
  etaInUnits: eta,
  etaExp: null,
  warmupSteps: w,
  seed: 1,
  state,
  values: v === undefined ? {} : { loss: v },
});

const grid = aggregateHeatmap(
  [
    cell(1, 1, 'trained', 0.5),
    cell(2, 1, 'diverged', NaN),
    cell(4, 1, 'diverged', Infinity),
    cell(1, 64, 'trained', 0.4),
    cell(2, 64, 'running', 0.3),
    cell(4, 64, 'failed', 2.3),
    cell(1, 1024, 'queued'),
    cell(2, 1024, 'error'),
    cell(4, 1024, 'cancelled'),
  ],
  'loss',
);

describe('svgMarkup', () => {
  it('serialises the heatmap component exactly as react-dom/server does (linear and log, with selection)', () => {
    for (const colorScale of ['linear', 'log'] as const) {
      const layout = layoutHeatmap({
        grid,
        width: 720,
        height: 490,
        colorScale,
        xLabel: 'η_trgt · λ0',
        yLabel: 'T_wrm',
        metricLabel: 'train loss <&>',
      });
      const el = createElement(HeatmapSvg, {
        layout,
        idPrefix: 'p',
        selectedIds: ['e00-w000064-s1', 'e01-w000001-s1'],
        focusedKey: '0:0',
        title: 'a "quoted" & <title>',
      });
      const ours = svgMarkup(el);
      expect(ours).toBe(renderToStaticMarkup(el));
      expect(ours.length).toBeGreaterThan(3000);
    }
  });

  it('maps attribute names and escapes values like React, and drops handlers', () => {
    const el = createElement(
      'g',
      {
        className: "a 'b'",
        strokeWidth: 2,
        strokeDasharray: '3 2',
        textAnchor: 'end',
        onClick: () => undefined,
        'data-key': '1:2',
        style: { pointerEvents: 'none' },
      },
      createElement('text', { x: 1, fontSize: '10' }, 'a < b & "c"'),
      createElement(
        Fragment,
        null,
        createElement('pattern', { patternUnits: 'userSpaceOnUse', viewBox: '0 0 1 1' }),
        null,
        false,
      ),
      createElement('linearGradient', { x1: '0', x2: '1' }, createElement('stop', { offset: 0.5, stopColor: '#fff' })),
    );
    expect(svgMarkup(el)).toBe(renderToStaticMarkup(el));
    expect(svgMarkup(el)).toBe(
      '<g class="a &#x27;b&#x27;" stroke-width="2" stroke-dasharray="3 2" text-anchor="end" data-key="1:2" style="pointer-events:none"><text x="1" font-size="10">a &lt; b &amp; &quot;c&quot;</text><pattern patternUnits="userSpaceOnUse" viewBox="0 0 1 1"></pattern><linearGradient x1="0" x2="1"><stop offset="0.5" stop-color="#fff"></stop></linearGradient></g>',
    );
  });
});
