import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../../../../server/core/metrics';
import { formatProgress } from '../../../../worker/cli/progress';
import { curvatureHooks } from '../../../../worker/curvature/hooks';
import { trainRun, type TrainProgress } from '../../../../worker/engine/train';

describe('progress shows λ and r when sharpness is tracked', () => {
  it('formats the latest λ and r after the usual fields, and nothing extra without them', () => {
    const p: TrainProgress = { done: 5, total: 10, step: 4, loss: 0.5, lr: 0.1, stepsPerSec: 2, etaSec: 2.5 };
    expect(formatProgress(p, 10)).toBe('[#####.....]  50% step 5/10  loss 0.5000  lr 0.1000  2.0 steps/s  ETA 3s');
    expect(formatProgress({ ...p, lambda: 38.5, stabilityRatio: 1.925 }, 10)).toBe(
      '[#####.....]  50% step 5/10  loss 0.5000  lr 0.1000  2.0 steps/s  ETA 3s  λ 38.50  r 1.925',
    );
  });

  it('trainRun passes the last measured λ and r (held between measurements) to onProgress', async () => {
    const rows: MetricRow[] = [];
    const seen: TrainProgress[] = [];
    await trainRun(
      {
        model: { kind: 'fcn', depth: 2, width: 8 },
        data: { name: 'synthetic-gmm', synthetic: { inputDim: 8, classes: 3, trainSize: 64, testSize: 16, seed: 0 } },
        schedule: { etaTrgt: 0.2 },
        steps: 4,
        batchSize: 0,
        backend: 'cpu',
        measure: { evalEvery: 0, sharpnessEvery: 2 },
      },
      { hooks: curvatureHooks, onRow: (r) => void rows.push(r), onProgress: (p) => void seen.push(p) },
    );
    // Measured at steps 0 and 2; steps 1 and 3 show the values of 0 and 2.
    expect(seen.map((p) => p.lambda)).toEqual([
      rows[0]?.sharpness,
      rows[0]?.sharpness,
      rows[2]?.sharpness,
      rows[2]?.sharpness,
    ]);
    expect(seen.map((p) => p.stabilityRatio)).toEqual([
      rows[0]?.stabilityRatio,
      rows[0]?.stabilityRatio,
      rows[2]?.stabilityRatio,
      rows[2]?.stabilityRatio,
    ]);
    expect(rows[0]?.sharpness).toBeGreaterThan(0);
  });
});
