import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../../../../server/core/metrics';
import { trainRun } from '../../../../worker/engine/train';
import { MissingHookError, type StepContext, type TrainHooks } from '../../../../worker/engine/train-hooks';
import { tinyConfig } from './fixtures';

async function run(cfg: Parameters<typeof tinyConfig>[0], hooks: TrainHooks) {
  const rows: MetricRow[] = [];
  const result = await trainRun(tinyConfig(cfg), { hooks, onRow: (r) => void rows.push(r) });
  return { rows, result };
}

describe('curvature extension points', () => {
  it('beforeUpdate runs every step at θ_s and measureSharpness follows measure.sharpnessEvery', async () => {
    const seen: { step: number; measure: boolean; lr: number }[] = [];
    const { rows } = await run(
      { steps: 10, measure: { sharpnessEvery: 3, evalEvery: 0 } },
      {
        beforeUpdate: (ctx: StepContext) => {
          seen.push({ step: ctx.step, measure: ctx.measureSharpness, lr: ctx.lr });
          expect(ctx.grads).toHaveLength(ctx.params.length);
          return ctx.measureSharpness ? { sharpness: 100 + ctx.step, lanczosIters: 7 } : undefined;
        },
      },
    );
    expect(seen.map((s) => s.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen.filter((s) => s.measure).map((s) => s.step)).toEqual([0, 3, 6, 9]);
    expect(rows.filter((r) => r.sharpness !== undefined).map((r) => [r.step, r.sharpness, r.lanczosIters])).toEqual([
      [0, 100, 7],
      [3, 103, 7],
      [6, 106, 7],
      [9, 109, 7],
    ]);
    expect(seen.map((s) => s.lr)).toEqual(rows.map((r) => r.lr));
  });

  it("resolveEtaInit's η_c starts the §2.3 ramp η_c + η_trgt·(s+1)/T_wrm, capped at η_trgt", async () => {
    const { rows, result } = await run(
      { steps: 6, schedule: { etaTrgt: 0.4, warmupSteps: 4, etaInit: { mode: 'critical' } } },
      {
        resolveEtaInit: (ctx) => {
          expect(ctx.firstBatch.x.shape[0]).toBe(32); // the batch update 0 trains on
          return { etaC: 0.15, forwardPasses: 9 };
        },
      },
    );
    // 0.15 + 0.4·1/4 = 0.25; 0.15 + 0.4·2/4 = 0.35; 0.15 + 0.4·3/4 = 0.45 → 0.4.
    const lrs = rows.map((r) => r.lr);
    expect(lrs[0]).toBeCloseTo(0.25, 12);
    expect(lrs[1]).toBeCloseTo(0.35, 12);
    expect(lrs.slice(2)).toEqual([0.4, 0.4, 0.4, 0.4]);
    expect(result.etaC).toBe(0.15);
    expect(result.etaInit).toBe(0.15);
    expect(result.events.find((e) => e.kind === 'eta-init')?.note).toMatch(/9 forward passes/);
  });

  it("the persistent-catapult controller's rate is the one applied, and its changes are events", async () => {
    const { rows, result } = await run(
      { steps: 8, schedule: { etaTrgt: 0.4, etaInit: { mode: 'persistent' } } },
      { createLrController: () => ({ lrFor: (ctx) => (ctx.step < 4 ? 0.1 : 0.3) }) },
    );
    expect(rows.map((r) => r.lr)).toEqual([0.1, 0.1, 0.1, 0.1, 0.3, 0.3, 0.3, 0.3]);
    expect(result.events.filter((e) => e.kind === 'eta-change').map((e) => [e.step, e.value])).toEqual([
      [0, 0.1],
      [4, 0.3],
    ]);
  });

  it('measureLambda0 gets side batches that leave the training order untouched', async () => {
    const plain = await run({ steps: 5 }, {});
    const withL0 = await run(
      { steps: 5, measure: { lambda0: true } },
      {
        measureLambda0: (ctx) => {
          for (let i = 0; i < 3; i++) {
            const b = ctx.drawBatch();
            b.x.dispose();
            b.y.dispose();
          }
          return 42;
        },
      },
    );
    expect(withL0.result.lambda0).toBe(42);
    expect(withL0.rows).toEqual(plain.rows);
  });

  it('GI-Adam spends the first batch on v0 and trains from the second (PAPER §7)', async () => {
    const firstValues = async (kind: 'adam' | 'gi-adam', atStep: number): Promise<number[]> => {
      let got: number[] = [];
      await run(
        { steps: atStep + 1, optimizer: { kind }, schedule: { etaTrgt: 0.01 } },
        { beforeUpdate: (ctx) => void (ctx.step === atStep && (got = Array.from(ctx.batch.x.dataSync().slice(0, 8)))) },
      );
      return got;
    };
    // Adam's second batch (step 1) is GI-Adam's first trained batch (step 0).
    const adamSecond = await firstValues('adam', 1);
    expect(await firstValues('gi-adam', 0)).toEqual(adamSecond);
    expect(await firstValues('adam', 0)).not.toEqual(adamSecond);
  });

  it('hooks belong to the run they are passed to: a later run without them fails with MissingHookError', async () => {
    const a = await run({ steps: 2, measure: { sharpnessEvery: 1 } }, { beforeUpdate: () => ({ fdFlips: 1 }) });
    expect(a.rows.map((r) => r.fdFlips)).toEqual([1, 1]);
    const b = await run({ steps: 2, measure: { sharpnessEvery: 1 } }, { beforeUpdate: () => ({ fdFlips: 2 }) });
    expect(b.rows.map((r) => r.fdFlips)).toEqual([2, 2]);
    await expect(run({ steps: 2, measure: { sharpnessEvery: 1 } }, {})).rejects.toThrow(/beforeUpdate/);
    await expect(run({ steps: 2, measure: { sharpnessEvery: 1 } }, {})).rejects.toThrow(MissingHookError);
  });
});
