import * as tf from '@tensorflow/tfjs';
import { RunConfigSchema, type BackendName, type LossKind } from '../../server/core/run-config';
import { BatchStream } from '../data/batches';
import type { BackendInfo } from '../engine/backend';
import { lossAndGrads } from '../engine/grad';
import { modelAtInit } from '../engine/model-at-init';
import type { Batch, Model } from '../engine/types';
import { createOptimizer } from '../optim/create-optimizer';
import { makeFdHvp } from './hvp';
import { dot, gaussianVector, lanczosTop, norm } from './lanczos';
import { sharpnessAt } from './measure';

/**
 * Cost of curvature measurements next to a training step (targets: one HVP ≤ 2.2× a step; a converged λ
 * ≤ 40 steps' time on FCN-4-512). Usage: `npx tsx worker/curvature/bench-curvature.ts [wasm|cpu|atlas-native] [batch]`.
 * Medians of a few repetitions on Fashion-MNIST (first 2048 training images), SP, MSE, at init. Times are this
 * process's CPU time (user + system), which a shared, oversubscribed machine distorts far less than wall time; the
 * wasm backend runs on one thread, so the two agree on an idle machine.
 */

/** CPU milliseconds of this process. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function timeIt(reps: number, f: () => void): number {
  f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = cpuMs();
    f();
    ts.push(cpuMs() - t0);
  }
  return median(ts);
}

/**
 * The arithmetic of `iterations` Lanczos steps as lanczos.ts did it before the fused rewrite (modified Gram–Schmidt,
 * one sweep over w per basis vector and per operation), kept here only as the benchmark's baseline.
 */
function legacyReorthogonalizedLanczos(
  op: (v: Float64Array) => Float64Array,
  start: Float64Array,
  iterations: number,
): number {
  const n = start.length;
  const q0 = Float64Array.from(start);
  const n0 = norm(q0);
  for (let i = 0; i < n; i++) q0[i] = (q0[i] ?? 0) / n0;
  const basis: Float64Array[] = [q0];
  const beta: number[] = [];
  let last = 0;
  for (let j = 0; j < iterations; j++) {
    const q = basis[j];
    if (q === undefined) break;
    const w = Float64Array.from(op(q));
    for (let i = 0; i < n; i++) if (!Number.isFinite(w[i] ?? NaN)) throw new Error('non-finite');
    const a = dot(w, q);
    last = a;
    const prevQ = j > 0 ? basis[j - 1] : undefined;
    const prevB = j > 0 ? (beta[j - 1] ?? 0) : 0;
    for (let i = 0; i < n; i++)
      w[i] = (w[i] ?? 0) - a * (q[i] ?? 0) - (prevQ === undefined ? 0 : prevB * (prevQ[i] ?? 0));
    let before = norm(w);
    let bj = before;
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        const c = dot(w, b);
        for (let i = 0; i < n; i++) w[i] = (w[i] ?? 0) - c * (b[i] ?? 0);
      }
      bj = norm(w);
      if (bj > Math.SQRT1_2 * before) break;
      before = bj;
    }
    beta.push(bj);
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) next[i] = (w[i] ?? 0) / bj;
    basis.push(next);
  }
  return last;
}

/** The measured point: FCN-4-512 at init on one Fashion-MNIST batch. */
interface BenchPoint {
  info: BackendInfo;
  model: Model;
  params: tf.Tensor[];
  batch: Batch;
  loss: LossKind;
  batchSize: number;
}

async function setUp(backend: BackendName, batchSize: number): Promise<BenchPoint> {
  const config = RunConfigSchema.parse({
    model: { kind: 'fcn', depth: 4, width: 512 },
    data: { name: 'fashion-mnist', trainSubset: 2048, testSubset: 16 },
    schedule: { etaTrgt: 0.01 },
    batchSize,
    backend,
  });
  const { info, data, model, params } = await modelAtInit(config);
  const batch = new BatchStream(data.train, batchSize, 7).next();
  return { info, model, params, batch, loss: config.loss, batchSize };
}

/** A training step, two gradients and one HVP (plain and flip-checked); returns the step's time and the lines. */
function timeProducts(b: BenchPoint): { stepMs: number; lines: string[] } {
  const { model, params, batch } = b;
  const sgd = createOptimizer(RunConfigSchema.shape.optimizer.parse({ kind: 'sgd' }));
  const stepMs = timeIt(5, () => {
    const lg = lossAndGrads(model, params, batch, b.loss);
    const next = sgd.peek(params, lg.grads, 0.01);
    next[0]?.dataSync();
    tf.dispose([...next, ...lg.grads, lg.loss, lg.accuracy]);
  });
  sgd.dispose();
  const gradAt = (p: readonly tf.Tensor[]) => lossAndGrads(model, p, batch, b.loss);
  const twoGradsMs = timeIt(5, () => {
    for (let i = 0; i < 2; i++) {
      const lg = gradAt(params);
      lg.grads[0]?.dataSync();
      tf.dispose([...lg.grads, lg.loss, lg.accuracy]);
    }
  });
  const pre = model.reluPreActivations?.bind(model);
  const v = gaussianVector(model.paramCount, 1);
  const hvpPlain = makeFdHvp({ params, gradAt });
  const hvpMs = timeIt(5, () => void hvpPlain.apply(v));
  const hvpChecked = makeFdHvp({
    params,
    gradAt,
    preActivationsAt: pre === undefined ? undefined : (p) => pre(p, batch.x),
    checkEveryProduct: true,
  });
  const hvpCheckedMs = timeIt(5, () => void hvpChecked.apply(v));
  const times = (ms: number) => `${ms.toFixed(1)} ms  (${(ms / stepMs).toFixed(2)}× a step)`;
  return {
    stepMs,
    lines: [
      `backend ${b.info.backend} (${b.info.device}); FCN-4-512 SP MSE, ${model.paramCount} params, batch ${b.batchSize}`,
      `train step (loss+grad+SGD update)  ${stepMs.toFixed(1)} ms`,
      `two gradients (the floor of an HVP) ${times(twoGradsMs)}`,
      `FD HVP                             ${times(hvpMs)}`,
      `FD HVP with flip check             ${times(hvpCheckedMs)}`,
    ],
  };
}

/** λ^H with and without the Ritz flip check, and λ^{P⁻¹H} with Adam's first preconditioner. */
function timeSharpness(b: BenchPoint, stepMs: number): string[] {
  const { model, params, batch } = b;
  const lines: string[] = [];
  // Warm-up of the Lanczos and flip-check code paths (JIT), so the first timed estimate is not charged for it.
  void sharpnessAt({ model, params, batch, lossKind: b.loss, lanczos: { maxIter: 3, maxRestarts: 0 } });
  for (const flipCheck of ['ritz', 'none'] as const) {
    const t0 = cpuMs();
    const est = sharpnessAt({ model, params, batch, lossKind: b.loss, flipCheck });
    const ms = cpuMs() - t0;
    lines.push(
      `λ^H (flipCheck ${flipCheck.padEnd(5)})  ${est.value.toPrecision(5)}  ${est.iterations} iterations, converged ${String(est.converged)}, ` +
        `flips ${String(est.fdFlips)}, retried ${est.fdRetried}: ${ms.toFixed(0)} ms = ${(ms / stepMs).toFixed(1)} steps`,
    );
  }
  const adam = createOptimizer(RunConfigSchema.shape.optimizer.parse({ kind: 'adam' }));
  const lg = lossAndGrads(model, params, batch, b.loss);
  const p = adam.preconditioner(lg.grads);
  const t0 = cpuMs();
  const estP = sharpnessAt({ model, params, batch, lossKind: b.loss, preconditioner: p });
  const msP = cpuMs() - t0;
  lines.push(
    `λ^{P⁻¹H} (Adam, t=1)  ${estP.value.toPrecision(5)}  ${estP.iterations} iterations, converged ${String(estP.converged)}, flips ${String(estP.fdFlips)}: ` +
      `${msP.toFixed(0)} ms = ${(msP / stepMs).toFixed(1)} steps`,
  );
  tf.dispose([...lg.grads, lg.loss, lg.accuracy, ...(p ?? [])]);
  adam.dispose();
  return lines;
}

/**
 * Lanczos arithmetic alone: 16 steps on a diagonal operator of size n (products cost ~n flops), legacy sequential
 * MGS against the fused CGS of lanczos.ts (tol 0 so both take all 16 steps).
 */
function timeLanczosArithmetic(n: number): string {
  const diag = gaussianVector(n, 5);
  const diagOp = (x: Float64Array): Float64Array => x.map((xi, i) => xi * (diag[i] ?? 0));
  const start = gaussianVector(n, 93);
  const legacyMs = timeIt(3, () => void legacyReorthogonalizedLanczos(diagOp, start, 16));
  const fusedMs = timeIt(3, () => void lanczosTop(diagOp, n, { start, tol: 0, maxIter: 16, maxRestarts: 0 }));
  return `Lanczos arithmetic, 16 steps, n = ${n}: legacy MGS ${legacyMs.toFixed(0)} ms, fused CGS ${fusedMs.toFixed(0)} ms`;
}

async function main(): Promise<void> {
  const backend = (process.argv[2] ?? 'wasm') as BackendName;
  const batchSize = Number(process.argv[3] ?? 256);
  const b = await setUp(backend, batchSize);
  const { stepMs, lines } = timeProducts(b);
  lines.push(...timeSharpness(b, stepMs));
  lines.push(timeLanczosArithmetic(b.model.paramCount));
  tf.dispose([...b.params, b.batch.x, b.batch.y]);
  console.log(lines.join('\n'));
}

void main();
