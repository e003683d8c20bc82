import type * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../../../../server/core/metrics';
import { trainRun } from '../../../../worker/engine/train';
import { tinyConfig } from './fixtures';

/**
 * End to end against float64 arithmetic: full-batch GD on a linear model (FCN-1, SP: f = xW + b), MSE. With
 * R = XW + b − Y over B examples and K classes, L = ½·ΣR²/(BK), ∇_W L = XᵀR/(BK), ∇_b L = Σ_rows R/(BK), and GD
 * moves W ← W − η∇_W L, b ← b − η∇_b L. The loop's rows (loss, gradNorm, updateNorm, paramNorm) and its next
 * parameters must match these, computed here from the very tensors the loop held (read in a hook).
 */
interface Snapshot {
  W: Float64Array;
  b: Float64Array;
  X: Float64Array;
  Y: Float64Array;
  B: number;
}

const D = 10;
const K = 3;
const B = 48;
const ETA = 0.5;

function lossAndGrad(s: Snapshot): { loss: number; gW: Float64Array; gb: Float64Array } {
  const gW = new Float64Array(D * K);
  const gb = new Float64Array(K);
  let sq = 0;
  for (let n = 0; n < s.B; n++) {
    for (let k = 0; k < K; k++) {
      let f = s.b[k] ?? NaN;
      for (let d = 0; d < D; d++) f += (s.X[n * D + d] ?? NaN) * (s.W[d * K + k] ?? NaN);
      const r = f - (s.Y[n * K + k] ?? NaN);
      sq += r * r;
      gb[k] = (gb[k] ?? 0) + r / (s.B * K);
      for (let d = 0; d < D; d++) gW[d * K + k] = (gW[d * K + k] ?? 0) + ((s.X[n * D + d] ?? NaN) * r) / (s.B * K);
    }
  }
  return { loss: (0.5 * sq) / (s.B * K), gW, gb };
}

const norm = (...xs: Float64Array[]): number => Math.sqrt(xs.reduce((a, x) => a + x.reduce((p, v) => p + v * v, 0), 0));

describe('full-batch GD on a linear model matches float64 arithmetic', () => {
  it('loss, gradient norm, update, parameter norm', async () => {
    const snaps: Snapshot[] = [];
    const rows: MetricRow[] = [];
    const result = await trainRun(
      tinyConfig({
        model: { kind: 'fcn', depth: 1, width: 1 },
        data: {
          name: 'synthetic-teacher',
          synthetic: { inputDim: D, classes: K, trainSize: B, testSize: 16, seed: 4 },
        },
        optimizer: { kind: 'sgd' },
        schedule: { etaTrgt: ETA },
        batchSize: 0,
        steps: 4,
      }),
      {
        onRow: (r) => void rows.push(r),
        hooks: {
          beforeUpdate: (ctx) => {
            const [W, b] = ctx.params;
            if (W === undefined || b === undefined) throw new Error('expected kernel and bias');
            expect(W.shape).toEqual([D, K]);
            expect(ctx.batch.x.shape[0]).toBe(B); // full batch
            const f64 = (t: tf.Tensor) => Float64Array.from(t.dataSync());
            snaps.push({ W: f64(W), b: f64(b), X: f64(ctx.batch.x), Y: f64(ctx.batch.y), B });
            return undefined;
          },
        },
      },
    );
    expect(result.outcome).toBe('trained');
    expect(rows).toHaveLength(4);
    for (let s = 0; s < 4; s++) {
      const snap = snaps[s];
      const row = rows[s];
      if (snap === undefined || row === undefined) throw new Error(`step ${s} missing`);
      const { loss, gW, gb } = lossAndGrad(snap);
      // float32 forward/backward over 48×10×3 terms: relative error ~1e-6; 1e-5 leaves a margin and would still
      // catch a wrong normalization (factor B, K or ½) or a wrong sign by orders of magnitude.
      expect(Math.abs(row.loss / loss - 1)).toBeLessThan(1e-5);
      expect(Math.abs(row.gradNorm / norm(gW, gb) - 1)).toBeLessThan(1e-5);
      expect(Math.abs(row.paramNorm / norm(snap.W, snap.b) - 1)).toBeLessThan(1e-6);
      expect(Math.abs((row.updateNorm ?? NaN) / (ETA * norm(gW, gb)) - 1)).toBeLessThan(1e-5);
      const next = snaps[s + 1];
      if (next !== undefined) {
        // θ_{s+1} = θ_s − η∇L(θ_s), per coordinate (weights ~0.3, steps ~1e-2: float32 rounding < 1e-7).
        next.W.forEach((w, i) => expect(Math.abs(w - ((snap.W[i] ?? NaN) - ETA * (gW[i] ?? NaN)))).toBeLessThan(1e-6));
        next.b.forEach((v, i) => expect(Math.abs(v - ((snap.b[i] ?? NaN) - ETA * (gb[i] ?? NaN)))).toBeLessThan(1e-6));
      }
    }
    // GD at a stable rate on a convex quadratic: the loss falls every step.
    for (let s = 1; s < 4; s++) expect(rows[s]?.loss ?? NaN).toBeLessThan(rows[s - 1]?.loss ?? NaN);
  });
});
