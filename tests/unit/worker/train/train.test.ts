import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MetricRowSchema, type MetricRow } from '../../../../server/core/metrics';
import { parseRecord } from '../../../../server/core/json-number';
import { lrAt } from '../../../../server/core/schedule';
import { RunConfigError, trainRun, type TrainProgress } from '../../../../worker/engine/train';
import { MissingHookError } from '../../../../worker/engine/train-hooks';
import { tinyConfig } from './fixtures';

async function run(cfg: Parameters<typeof tinyConfig>[0], extra: Parameters<typeof trainRun>[1] = {}) {
  const rows: MetricRow[] = [];
  const result = await trainRun(tinyConfig(cfg), { ...extra, onRow: (r) => void rows.push(r) });
  return { rows, result };
}
const meanLoss = (rs: MetricRow[]): number => rs.reduce((a, r) => a + r.loss, 0) / rs.length;

describe('trainRun: loss falls for every model × optimizer (synthetic 4-class mixture)', () => {
  const models = [
    { kind: 'fcn', depth: 3, width: 16 },
    { kind: 'cnn', depth: 5, width: 4 }, // 16 inputs are a 4×4×1 image
  ] as const;
  const optimizers = [
    ['sgd', 0.5],
    ['sgd-momentum', 0.1],
    ['adam', 0.01],
    ['gi-adam', 0.01],
    ['ri-adam', 0.01],
  ] as const;
  for (const model of models) {
    for (const [kind, eta] of optimizers) {
      it(`${model.kind} + ${kind}`, async () => {
        // The CNN costs ~10× the FCN per step on the cpu backend, so it gets 30 steps to the FCN's 60.
        const steps = model.kind === 'cnn' ? 30 : 60;
        const { rows, result } = await run({
          model,
          optimizer: { kind },
          schedule: { etaTrgt: eta, warmupSteps: 5 },
          steps,
        });
        expect(result.outcome).toBe('trained');
        expect(rows).toHaveLength(steps);
        // The mixture is learnable: the mean loss of the last 5 minibatches is under half that of the first 5
        // (the runs reach 0.15–0.4 of it; an update rule with a wrong sign or scale stays near 1 or diverges).
        expect(meanLoss(rows.slice(-5))).toBeLessThan(0.5 * meanLoss(rows.slice(0, 5)));
        // Every row is a valid stored record.
        rows.forEach((r) => parseRecord(MetricRowSchema, r));
        if (kind.includes('adam')) expect(rows[10]?.vNorm).toBeGreaterThan(0);
        expect(result.paramCount).toBeGreaterThan(0);
        expect(result.backend).toBe('cpu');
      });
    }
  }
});

describe('trainRun: the record of each step', () => {
  it('lr follows lrAt and paramNorm chains from step to step', async () => {
    const { rows, result } = await run({ steps: 20, schedule: { etaTrgt: 0.4, warmupSteps: 8 } });
    const sched = {
      etaTrgt: 0.4,
      warmupSteps: 8,
      etaInit: 0,
      startsAtCritical: false,
      after: 'constant' as const,
      totalSteps: 20,
    };
    rows.forEach((r, s) => {
      expect(r.step).toBe(s);
      expect(r.lr).toBe(lrAt(s, sched)); // 0.05, 0.1, …, 0.4 from step 7
    });
    expect(rows[0]?.lr).toBeCloseTo(0.05, 12);
    expect(result.events.find((e) => e.kind === 'warmup-end')?.step).toBe(7);
    // Triangle inequality between consecutive rows: |‖θ_{s+1}‖ − ‖θ_s‖| ≤ ‖θ_{s+1} − θ_s‖.
    for (let s = 0; s + 1 < rows.length; s++) {
      const a = rows[s];
      const b = rows[s + 1];
      if (a === undefined || b === undefined) throw new Error('missing row');
      expect(Math.abs(b.paramNorm - a.paramNorm)).toBeLessThanOrEqual((a.updateNorm ?? NaN) * (1 + 1e-4) + 1e-6);
    }
  });

  for (const kind of ['sgd', 'sgd-momentum', 'adam'] as const) {
    it(`${kind}: updateNorm, gradNorm and paramNorm equal the norms of the tensors the loop held`, async () => {
      const thetas: Float64Array[] = [];
      const gradNorms: number[] = [];
      const { rows } = await run(
        { steps: 6, optimizer: { kind }, schedule: { etaTrgt: kind === 'adam' ? 0.01 : 0.2 } },
        {
          hooks: {
            beforeUpdate: (ctx) => {
              thetas.push(Float64Array.from(ctx.params.flatMap((p) => Array.from(p.dataSync()))));
              gradNorms.push(Math.hypot(...ctx.grads.flatMap((g) => Array.from(g.dataSync()))));
              return undefined;
            },
          },
        },
      );
      // Sums of ~700 float32 squares: relative error ≲ 1e-6; differences of parameters ~0.3 against steps ~1e-2 lose
      // ~1e-7/1e-2 relative, hence 1e-4 on updateNorm.
      for (let s = 0; s + 1 < thetas.length; s++) {
        const a = thetas[s] ?? new Float64Array();
        const b = thetas[s + 1] ?? new Float64Array();
        const row = rows[s];
        if (row === undefined) throw new Error(`row ${s} missing`);
        expect(Math.abs(row.paramNorm / Math.hypot(...a) - 1)).toBeLessThan(1e-5);
        expect(Math.abs(row.gradNorm / (gradNorms[s] ?? NaN) - 1)).toBeLessThan(1e-5);
        expect(Math.abs((row.updateNorm ?? NaN) / Math.hypot(...a.map((x, i) => (b[i] ?? NaN) - x)) - 1)).toBeLessThan(
          1e-4,
        );
      }
      if (kind !== 'sgd') expect(rows.every((r) => (r.mNorm ?? 0) > 0)).toBe(true);
      if (kind === 'adam') expect(rows.every((r) => (r.vNorm ?? 0) > 0)).toBe(true);
    });
  }

  it('evaluates the test split every evalEvery updates and after the last', async () => {
    const { rows, result } = await run({ steps: 50, measure: { evalEvery: 20 } });
    expect(rows.filter((r) => r.testAcc !== undefined).map((r) => r.step)).toEqual([19, 39, 49]);
    expect(result.finalTestAcc).toBe(rows[49]?.testAcc);
    const best = Math.max(...rows.flatMap((r) => (r.testAcc === undefined ? [] : [r.testAcc])));
    expect(result.bestTestAcc).toBe(best);
    expect(result.finalTrainLoss).toBe(rows[49]?.loss);
    expect(result.bestTrainLoss).toBe(Math.min(...rows.map((r) => r.loss)));
    expect(result.stepsRun).toBe(50);
  });

  it('reports progress with the number of updates done and the total', async () => {
    const seen: TrainProgress[] = [];
    await run({ steps: 12 }, { onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(seen.every((p) => p.total === 12 && p.stepsPerSec > 0)).toBe(true);
    expect(seen.at(-1)?.etaSec).toBe(0);
  });
});

describe('trainRun: outcomes', () => {
  it('diverges at a huge η: stops at once and keeps the non-finite row (PAPER §9.1)', async () => {
    const { rows, result } = await run({ schedule: { etaTrgt: 1000 } });
    expect(result.outcome).toBe('diverged');
    const d = result.divergence;
    if (d === null) throw new Error('no divergence recorded');
    expect(Number.isFinite(d.loss)).toBe(false);
    expect(rows).toHaveLength(d.step + 1); // nothing after the divergent step
    const last = rows.at(-1);
    expect(last?.step).toBe(d.step);
    expect(Number.isFinite(last?.loss ?? 0)).toBe(false);
    expect(last?.updateNorm).toBeUndefined(); // the divergent update is not taken
    expect(result.stepsRun).toBe(d.step);
    expect(result.events.some((e) => e.kind === 'diverged' && e.step === d.step)).toBe(true);
    // The stored row keeps the value as data.
    expect(parseRecord(MetricRowSchema, last).loss).toBe(d.loss);
  });

  it('classifies a collapsed Adam run as failed: final train accuracy < 1.5/K (PAPER P9, §9.1)', async () => {
    // Adam at η = 1 does not diverge (PAPER P9) but its ReLU net collapses to a near-constant output.
    const { rows, result } = await run({
      optimizer: { kind: 'adam' },
      schedule: { etaTrgt: 1 },
      data: { name: 'synthetic-gmm', synthetic: { inputDim: 16, classes: 10, trainSize: 512, testSize: 64, seed: 0 } },
      batchSize: 64,
    });
    expect(result.outcome).toBe('failed');
    expect(result.divergence).toBeNull();
    expect(result.finalTrainAcc).toBe(rows.at(-1)?.acc);
    expect(result.finalTrainAcc ?? 1).toBeLessThan(1.5 / 10);
  });

  it('is cancelled through the AbortSignal', async () => {
    const ac = new AbortController();
    const rows: MetricRow[] = [];
    const result = await trainRun(tinyConfig(), {
      signal: ac.signal,
      onRow: (r) => {
        rows.push(r);
        if (r.step === 9) ac.abort();
      },
    });
    expect(result.outcome).toBe('cancelled');
    expect(result.stepsRun).toBe(10);
    expect(rows).toHaveLength(10);
  });

  it('turns an engine failure into outcome error with the message', async () => {
    const result = await trainRun(tinyConfig({ data: { name: 'mnist', dir: '/nonexistent-atlas-dir' } }));
    expect(result.outcome).toBe('error');
    expect(result.error).toMatch(/nonexistent-atlas-dir/);
    expect(result.stepsRun).toBe(0);
  });
});

describe('trainRun: determinism and memory', () => {
  it('gives identical rows for identical configs (ri-adam: seeded init, data order and random v0)', async () => {
    const a = await run({ optimizer: { kind: 'ri-adam' }, schedule: { etaTrgt: 0.01 }, steps: 30 });
    const b = await run({ optimizer: { kind: 'ri-adam' }, schedule: { etaTrgt: 0.01 }, steps: 30 });
    expect(b.rows).toEqual(a.rows);
    const c = await run({ optimizer: { kind: 'ri-adam' }, schedule: { etaTrgt: 0.01 }, steps: 30, seed: 2 });
    expect(c.rows[0]?.loss).not.toBe(a.rows[0]?.loss);
  });

  for (const batchSize of [32, 0]) {
    it(`keeps the tensor count flat over 100 steps and frees everything at the end (batch ${batchSize || 'full'})`, async () => {
      const before = tf.memory().numTensors;
      const counts: number[] = [];
      const cfg = tinyConfig({
        optimizer: { kind: 'adam' },
        schedule: { etaTrgt: 0.01 },
        steps: 100,
        batchSize,
        measure: { evalEvery: 10 },
      });
      const result = await trainRun(cfg, { onRow: () => void counts.push(tf.memory().numTensors) });
      expect(result.outcome).toBe('trained');
      expect(counts).toHaveLength(100);
      // Adam's m and v exist from the first update on; nothing else may accumulate (eval steps included).
      expect(new Set(counts).size).toBe(1);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('trainRun: validation before any work', () => {
  it('rejects a bad config naming the field', async () => {
    const bad = { ...tinyConfig(), optimizer: { kind: 'adamw' } };
    await expect(trainRun(bad as never)).rejects.toThrow(RunConfigError);
    await expect(trainRun(bad as never)).rejects.toThrow(/optimizer\.kind/);
  });

  it('names the curvature module when η_c, persistent warmup, sharpness or λ0 is asked for without a hook', async () => {
    let rows = 0;
    const onRow = () => void (rows += 1);
    for (const over of [
      { schedule: { etaTrgt: 0.1, etaInit: { mode: 'critical' } } },
      { schedule: { etaTrgt: 0.1, etaInit: { mode: 'persistent' } } },
      { measure: { sharpnessEvery: 1 } },
      { measure: { lambda0: true } },
    ] as const) {
      await expect(trainRun(tinyConfig(over), { onRow })).rejects.toThrow(MissingHookError);
      await expect(trainRun(tinyConfig(over), { onRow })).rejects.toThrow(/worker\/curvature/);
    }
    expect(rows).toBe(0);
  });
});
