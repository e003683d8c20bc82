import { describe, expect, it } from 'vitest';
import {
  layoutLineChart,
  runMarkers,
  stepDomain,
  thresholdCurve,
  thresholdLine,
} from '../../../app/charts/line-chart-layout';
import { CATAPULT_COLOR, DIVERGENCE_COLOR, WARMUP_END_COLOR } from '../../../app/charts/palette';

const base = { width: 256, height: 130, xLog: false, yLog: false };

describe('layoutLineChart', () => {
  it('maps steps and values linearly into the plot (200×100 at (46,8))', () => {
    const l = layoutLineChart({
      ...base,
      series: [{ key: 'a', label: 'a', color: '#000', steps: [0, 5, 10], values: [0, 5, 10] }],
    });
    expect(l.plot).toEqual({ x: 46, y: 8, width: 200, height: 100 });
    expect(l.lines[0]?.d).toBe('M46,108L146,58L246,8');
    expect(l.xTicks.map((t) => t.label)).toEqual(['0', '2', '4', '6', '8', '10']);
  });

  it('breaks a line at NaN and marks the divergence at the last finite value', () => {
    const l = layoutLineChart({
      ...base,
      series: [{ key: 'loss', label: 'loss', color: '#000', steps: [0, 5, 10], values: [10, 0, NaN] }],
    });
    expect(l.lines[0]?.d).toBe('M46,8L146,108');
    expect(l.lines[0]?.breaks).toEqual([{ x: 246, y: 108, step: 10 }]);
  });

  it('puts decades at equal distances on log axes and drops step 0 and values ≤ 0', () => {
    const l = layoutLineChart({
      ...base,
      xLog: true,
      yLog: true,
      series: [{ key: 'a', label: 'a', color: '#000', steps: [0, 1, 10, 100], values: [5, 1, 0.1, 0.01] }],
    });
    // x: log10(1…100) over 200 px → 100 px per decade; y: log10(0.01…1) over 100 px → 50 px per decade.
    expect(l.lines[0]?.d).toBe('M46,8L146,58L246,108');
    expect(l.xTicks.map((t) => [t.at, t.label])).toEqual([
      [46, '1'],
      [146, '10'],
      [246, '100'],
    ]);
    expect(l.yTicks.map((t) => t.label)).toEqual(['0.01', '0.1', '1']);
  });

  it('keeps the y range of the data when a reference curve is much larger, clamping the curve to the plot', () => {
    const lr = { steps: [0, 1, 2, 3], values: [0.001, 0.01, 0.1, 0.1] };
    const thr = thresholdCurve(lr, 2);
    expect(thr.values).toEqual([2000, 200, 20, 20]);
    const l = layoutLineChart({
      ...base,
      yLog: true,
      yFromDataOnly: true,
      series: [
        { key: 'lambda', label: 'λ', color: '#000', steps: [0, 1, 2, 3], values: [10, 12, 30, 15] },
        { key: 'thr', label: '2/η', color: '#555', steps: thr.steps, values: thr.values, reference: true },
      ],
    });
    // Domain [10, 30]; 2000 and 200 clamp to the top edge (y = 8).
    expect(l.lines[1]?.d.startsWith('M46,8L112.67,8')).toBe(true);
  });

  it('places markers on the x scale and drops those outside the data range', () => {
    const l = layoutLineChart({
      ...base,
      series: [{ key: 'a', label: 'a', color: '#000', steps: [0, 100], values: [1, 2] }],
      markers: [
        { step: 25, kind: 'warmup-end', color: '#f00' },
        { step: 500, kind: 'catapult', color: '#0f0' },
      ],
    });
    expect(l.markers).toEqual([{ x: 96, kind: 'warmup-end', color: '#f00', step: 25 }]);
  });

  it('draws a constant series at 80% of a range that starts at 0', () => {
    const l = layoutLineChart({
      ...base,
      series: [{ key: 'lr', label: 'lr', color: '#000', steps: [0, 10], values: [0.08, 0.08] }],
    });
    // Domain [0, 0.1] (0.08·1.25, already nice): 0.08 → 108 − 0.8·100 = 28.
    expect(l.lines[0]?.d).toBe('M46,28L246,28');
    expect(l.yTicks[0]?.label).toBe('0');
  });

  it('reports an empty chart when nothing was measured', () => {
    expect(layoutLineChart({ ...base, series: [] }).empty).toBe(true);
  });
});

describe('curve helpers shared by the cell panel and the report', () => {
  it('turns a run’s markers into chart markers in the panel’s colours', () => {
    expect(runMarkers({ warmupEnd: 64, catapults: [10, 30], divergence: null })).toEqual([
      { step: 64, kind: 'warmup-end', color: WARMUP_END_COLOR },
      { step: 10, kind: 'catapult', color: CATAPULT_COLOR },
      { step: 30, kind: 'catapult', color: CATAPULT_COLOR },
    ]);
    expect(runMarkers({ warmupEnd: null, catapults: [], divergence: 7 })).toEqual([
      { step: 7, kind: 'divergence', color: DIVERGENCE_COLOR },
    ]);
    expect(runMarkers(undefined)).toEqual([]);
  });

  it('draws c/η(t) as a dashed reference line, none without an LR series or a constant', () => {
    const lr = { steps: [0, 1, 2], values: [0, 0.5, 1] };
    expect(thresholdLine(lr, 2, { key: 'thr', label: '2/η', color: '#555' })).toEqual([
      { key: 'thr', label: '2/η', color: '#555', steps: [1, 2], values: [4, 2], dashed: true, reference: true },
    ]);
    expect(thresholdLine(undefined, 2, { key: 'thr', label: '2/η', color: '#555' })).toEqual([]);
    expect(thresholdLine(lr, null, { key: 'thr', label: '2/η', color: '#555' })).toEqual([]);
  });

  it('spans one step range over all series: from 0 (1 on log x) to the last step, at least 1 (10)', () => {
    expect(stepDomain([{ steps: [0, 50] }, { steps: [0, 80] }, { steps: [] }], false)).toEqual([0, 80]);
    expect(stepDomain([{ steps: [1, 5] }], true)).toEqual([1, 10]);
    expect(stepDomain([], false)).toEqual([0, 1]);
  });
});
