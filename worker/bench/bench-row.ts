import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DataSpecSchema, type ModelSpec } from '../../server/core/run-config';
import { BatchStream } from '../data/batches';
import { loadData } from '../data/load';
import { FASHION_MNIST_DEFAULT_DIR } from '../data/mnist';
import { initBackend } from '../engine/backend';
import { lossAndGrads } from '../engine/grad';
import { MYRTLE_STAGES } from '../models/cnn';
import { createModel, forwardFlopsPerExample, trainStepFlopsPerExample } from '../models/registry';
import { setDefaultGradImpl } from '../ops/custom-grad';
import { median, quantile, type RowResult, type RowSpec, RowSpecSchema } from './rows';

/** Runs one benchmark row (argv[2] = RowSpec JSON) in this fresh process and prints one RowResult JSON line. */

const WARMUP = 2;
const LR = 0.01;
const SHAPE = { inputShape: [28, 28, 1], numClasses: 10 };

interface Timing {
  ms: number;
  p10Ms: number;
  cpuMs: number;
  flops: number;
  samples: number;
  /** For train rows: the ceiling op (plain matMul / forward convs at the model's shapes), timed interleaved with the steps. */
  ref?: { what: string; ms: number; p10Ms: number; cpuMs: number; flops: number };
  /** Set when the row's peak is not the whole process's (train rows exclude the ceiling's buffers). */
  peakRssMB?: number;
}

/** The process's RSS high-water mark in MB (maxRSS is in kilobytes). */
function maxRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

interface TimedOp {
  what: string;
  flops: number;
  run(): Promise<void>;
  dispose(): void;
}

interface Samples {
  wall: number[];
  cpu: number[];
}

/** Wall and CPU (user + system) milliseconds of each of `reps` calls, appended to `into`. */
async function timeIt(reps: number, fn: () => Promise<void>, into: Samples = { wall: [], cpu: [] }): Promise<Samples> {
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const dt = performance.now() - t0;
    const c = process.cpuUsage(c0);
    into.wall.push(dt);
    into.cpu.push((c.user + c.system) / 1000);
  }
  return into;
}

function summarize(s: Samples): { ms: number; p10Ms: number; cpuMs: number } {
  return { ms: median(s.wall), p10Ms: quantile(s.wall, 0.1), cpuMs: median(s.cpu) };
}

/** Full train step: batch from the data stream, forward + backward (xent), SGD update, loss read back. */
async function trainRow(spec: Extract<RowSpec, { kind: 'train' }>): Promise<Timing> {
  setDefaultGradImpl(spec.grads);
  // Fashion-MNIST's first 2,048 training images when the Debian package is present, else a Gaussian mixture
  // with 784 = 28² inputs (same shapes, same cost).
  const real = existsSync(path.join(FASHION_MNIST_DEFAULT_DIR, 'train-images-idx3-ubyte.gz'));
  const data = await loadData(
    DataSpecSchema.parse(
      real
        ? { name: 'fashion-mnist', trainSubset: 2048, testSubset: 1 }
        : { name: 'synthetic-gmm', synthetic: { inputDim: 784, classes: 10, trainSize: 2048, testSize: 1 } },
    ),
  );
  const model = createModel(spec.model, 'sp', SHAPE);
  const stream = new BatchStream(data.train, spec.batch, 1);
  let params = model.init(1);
  const step = async (): Promise<void> => {
    const batch = stream.next();
    const out = lossAndGrads(model, params, batch, 'xent');
    const next = tf.tidy(() => params.map((p, i) => tf.sub(p, tf.mul(LR, out.grads[i] as tf.Tensor))));
    await out.loss.data();
    tf.dispose([batch.x, batch.y, out.loss, out.accuracy, ...out.grads, ...params]);
    params = next;
  };
  // The ceiling runs in this process, interleaved with the steps, so both see the same load on a shared machine.
  const ref =
    spec.model.kind === 'fcn'
      ? matmulOp(spec.batch, spec.model.width, spec.model.width)
      : convForwardOp(spec.model, spec.batch);
  await timeIt(spec.warmup, step);
  // Peak memory of training alone: the high-water mark before the ceiling's tensors exist (later steps have the
  // same shapes, so they reach the same peak).
  const trainPeakMB = maxRssMB();
  await timeIt(spec.warmup, () => ref.run());
  const ts: Samples = { wall: [], cpu: [] };
  const rs: Samples = { wall: [], cpu: [] };
  for (let i = 0; i < spec.steps; i++) {
    await timeIt(1, step, ts);
    await timeIt(1, () => ref.run(), rs);
  }
  tf.dispose(params);
  ref.dispose();
  return {
    ...summarize(ts),
    flops: trainStepFlopsPerExample(spec.model, SHAPE) * spec.batch,
    samples: ts.wall.length,
    ref: { what: ref.what, ...summarize(rs), flops: ref.flops },
    peakRssMB: spec.warmup > 0 ? trainPeakMB : maxRssMB(),
  };
}

function matmulOp(m: number, k: number, n: number): TimedOp {
  const a = tf.randomNormal<tf.Rank.R2>([m, k]);
  const b = tf.randomNormal<tf.Rank.R2>([k, n]);
  return {
    what: `matMul ${m}×${k}·${k}×${n}`,
    flops: 2 * m * k * n,
    async run() {
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
    },
    dispose: () => tf.dispose([a, b]),
  };
}

/** Every conv layer of the CNN once, forward only, at the CNN's shapes (28×28×1 input). */
function convForwardOp(model: ModelSpec, batch: number): TimedOp {
  if (model.kind !== 'cnn') throw new Error('conv-forward rows need a CNN model');
  const layers: Array<{ h: number; cin: number; cout: number }> = [];
  let h = 28;
  let cin = 1;
  MYRTLE_STAGES[model.depth].forEach((count, s) => {
    for (let i = 0; i < count; i++) {
      layers.push({ h, cin, cout: model.width * 2 ** s });
      cin = model.width * 2 ** s;
    }
    if (s < 2) h = Math.floor(h / 2);
  });
  const inputs = layers.map((l) => ({
    x: tf.randomNormal<tf.Rank.R4>([batch, l.h, l.h, l.cin]),
    f: tf.randomNormal<tf.Rank.R4>([3, 3, l.cin, l.cout]),
  }));
  return {
    what: `forward convs of CNN-${model.depth}-${model.width}, batch ${batch}`,
    // forward FLOPs of the whole model minus the readout's 2·4w·K per example
    flops: (forwardFlopsPerExample(model, SHAPE) - 2 * model.width * 4 * SHAPE.numClasses) * batch,
    async run() {
      for (const { x, f } of inputs) {
        const y = tf.conv2d(x, f, 1, 'same');
        await y.data();
        y.dispose();
      }
    },
    dispose: () => tf.dispose(inputs.flatMap((i) => [i.x, i.f])),
  };
}

async function opRow(op: TimedOp, reps: number): Promise<Timing> {
  await timeIt(WARMUP, () => op.run());
  const ts = await timeIt(reps, () => op.run());
  op.dispose();
  return { ...summarize(ts), flops: op.flops, samples: ts.wall.length };
}

async function main(): Promise<void> {
  let result: RowResult;
  try {
    const spec = RowSpecSchema.parse(JSON.parse(process.argv[2] ?? ''));
    const info = await initBackend(spec.backend);
    const r =
      spec.kind === 'train'
        ? await trainRow(spec)
        : spec.kind === 'matmul'
          ? await opRow(matmulOp(spec.m, spec.k, spec.n), spec.reps)
          : await opRow(convForwardOp(spec.model, spec.batch), spec.reps);
    result = {
      ok: true,
      backend: info.backend,
      device: info.device,
      ...r,
      gflops: r.flops / r.ms / 1e6,
      peakRssMB: r.peakRssMB ?? maxRssMB(),
    };
  } catch (e) {
    result = { ok: false, error: e instanceof Error ? (e.message.split('\n')[0] ?? e.name) : 'unknown error' };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
