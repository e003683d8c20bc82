import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { ModelSpec } from '../../server/core/run-config';
import { initBackend } from '../engine/backend';
import { lossAndGrads } from '../engine/grad';
import { createModel, trainStepFlopsPerExample } from '../models/registry';
import { configureAtlasNative } from './loader';

/**
 * The atlas-native rows of the benchmark: one training step (forward, softmax cross-entropy, backward, SGD
 * update, loss read back) of FCN-512 at batch 128 and 256 and of the project's CNN (Myrtle-5, width 32) at batch
 * 128, on atlas-native, on wasm (the fallback), and in PyTorch (worker/bench/torch-bench.py, shared with `npm run bench`) under the same BLAS
 * settings: one thread, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for both sides. Every row runs in a fresh
 * process (so its peak RSS is its own), and the rounds alternate TF.js and PyTorch so both see the same load on a
 * shared machine; ratios are taken within a round.
 *
 *   npx tsx worker/native/bench-native.ts [--rounds 3] [--no-wasm] [--out .bench/native-bench.json]
 */

const SHAPE = { inputShape: [28, 28, 1], numClasses: 10 };
const LR = 0.01;
const WARMUP = 3;

const RowSpecSchema = z.object({
  engine: z.enum(['atlas-native', 'wasm', 'pytorch']),
  model: z.enum(['fcn', 'cnn']),
  batch: z.int().min(1),
  steps: z.int().min(1),
});
type RowSpec = z.infer<typeof RowSpecSchema>;

const RowResultSchema = z.object({
  /** Median wall time of a step. */
  ms: z.number(),
  msMin: z.number(),
  /** Median CPU time (user + system) of a step: with one thread, the wall time minus time spent descheduled. */
  cpuMs: z.number(),
  samples: z.int(),
  peakRssMB: z.number(),
  device: z.string().optional(),
});
type RowResult = z.infer<typeof RowResultSchema>;

function modelSpec(kind: 'fcn' | 'cnn'): ModelSpec {
  return kind === 'fcn' ? { kind: 'fcn', depth: 4, width: 512 } : { kind: 'cnn', depth: 5, width: 32 };
}

function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

function median(xs: readonly number[]): number {
  const s = sorted(xs);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

/** Child mode: time `steps` training steps of one model on one TF.js backend and print a RowResult line. */
async function runTfjsRow(spec: RowSpec): Promise<RowResult> {
  if (spec.engine === 'pytorch') throw new Error('pytorch rows run worker/bench/torch-bench.py');
  configureAtlasNative({ threads: 1 });
  const info = await initBackend(spec.engine);
  const model = createModel(modelSpec(spec.model), 'sp', SHAPE);
  let params = model.init(1);
  // Random inputs and labels: the cost of a step does not depend on the data.
  const x = tf.randomNormal([spec.batch, 28, 28, 1], 0, 1, 'float32', 1);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([spec.batch], 0, 10, 'int32', 2), 10).toFloat() as tf.Tensor2D);
  const step = async (): Promise<void> => {
    const out = lossAndGrads(model, params, { x, y }, 'xent');
    const next = tf.tidy(() => params.map((p, i) => tf.sub(p, tf.mul(LR, out.grads[i] ?? tf.zerosLike(p)))));
    await out.loss.data();
    tf.dispose([out.loss, out.accuracy, ...out.grads, ...params]);
    params = next;
  };
  for (let i = 0; i < WARMUP; i++) await step();
  const ts: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < spec.steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await step();
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    ts.push(performance.now() - t0);
  }
  tf.dispose([x, y, ...params]);
  return {
    ms: median(ts),
    msMin: sorted(ts)[0] ?? NaN,
    cpuMs: median(cpu),
    samples: ts.length,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    device: info.device,
  };
}

/** The environment of the comparison: one BLAS thread, and OpenBLAS picks its kernels for this CPU itself. */
function comparisonEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

const here = path.dirname(fileURLToPath(import.meta.url));

function runChild(spec: RowSpec): RowResult | { error: string } {
  const r =
    spec.engine === 'pytorch'
      ? spawnSync(
          '/usr/bin/python3',
          [path.join(here, '../bench/torch-bench.py'), spec.model, String(spec.batch), String(spec.steps)],
          {
            encoding: 'utf8',
            env: comparisonEnv(),
          },
        )
      : spawnSync(
          process.execPath,
          ['--import', 'tsx', fileURLToPath(import.meta.url), '--row', JSON.stringify(spec)],
          {
            encoding: 'utf8',
            env: comparisonEnv(),
          },
        );
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    return RowResultSchema.parse(JSON.parse(line));
  } catch {
    return {
      error: `${spec.engine} ${spec.model} b${spec.batch}: ${(r.stderr ?? '').trim().split('\n').slice(-1)[0] ?? `exit ${r.status}`}`,
    };
  }
}

interface Aggregate {
  engine: RowSpec['engine'];
  model: 'fcn' | 'cnn';
  batch: number;
  msMedian: number;
  msMin: number;
  cpuMs: number;
  gflops: number;
  peakRssMB: number;
  device?: string;
  /** Median over rounds of this row's wall ms / PyTorch's in the same round. */
  ratioToPytorch?: number;
  /** The same ratio of CPU times per step (robust to the machine's other load). */
  cpuRatioToPytorch?: number;
}

async function drive(args: string[]): Promise<void> {
  const rounds = Number(args[args.indexOf('--rounds') + 1] ?? 3) || 3;
  const withWasm = !args.includes('--no-wasm');
  const outIdx = args.indexOf('--out');
  const out = outIdx >= 0 ? (args[outIdx + 1] ?? '.bench/native-bench.json') : '.bench/native-bench.json';
  const configs: Array<{ model: 'fcn' | 'cnn'; batch: number; steps: number }> = [
    { model: 'fcn', batch: 128, steps: 40 },
    { model: 'fcn', batch: 256, steps: 30 },
    { model: 'cnn', batch: 128, steps: 8 },
  ];
  const engines: RowSpec['engine'][] = withWasm ? ['atlas-native', 'pytorch', 'wasm'] : ['atlas-native', 'pytorch'];
  const rows: Aggregate[] = [];
  for (const c of configs) {
    const results = new Map<RowSpec['engine'], RowResult[]>();
    const ratios = new Map<RowSpec['engine'], number[]>();
    const cpuRatios = new Map<RowSpec['engine'], number[]>();
    for (let round = 0; round < rounds; round++) {
      const inRound = new Map<RowSpec['engine'], RowResult>();
      for (const engine of engines) {
        // wasm's CNN step takes seconds; one round of it is enough for its row.
        if (engine === 'wasm' && round > 0) continue;
        const steps = engine === 'wasm' ? Math.max(3, Math.floor(c.steps / 4)) : c.steps;
        const r = runChild({ engine, model: c.model, batch: c.batch, steps });
        if ('error' in r) {
          console.error(`[bench-native] ${r.error}`);
          continue;
        }
        inRound.set(engine, r);
        results.set(engine, [...(results.get(engine) ?? []), r]);
      }
      const torch = inRound.get('pytorch');
      for (const [engine, r] of inRound) {
        if (torch === undefined || engine === 'pytorch') continue;
        ratios.set(engine, [...(ratios.get(engine) ?? []), r.ms / torch.ms]);
        cpuRatios.set(engine, [...(cpuRatios.get(engine) ?? []), r.cpuMs / torch.cpuMs]);
      }
    }
    const flops = trainStepFlopsPerExample(modelSpec(c.model), SHAPE) * c.batch;
    for (const engine of engines) {
      const rs = results.get(engine);
      if (rs === undefined || rs.length === 0) continue;
      const ms = median(rs.map((r) => r.ms));
      const rr = ratios.get(engine);
      const cr = cpuRatios.get(engine);
      rows.push({
        engine,
        model: c.model,
        batch: c.batch,
        msMedian: ms,
        msMin: Math.min(...rs.map((r) => r.msMin)),
        cpuMs: median(rs.map((r) => r.cpuMs)),
        gflops: flops / median(rs.map((r) => r.cpuMs)) / 1e6,
        peakRssMB: Math.max(...rs.map((r) => r.peakRssMB)),
        ...(rs[0]?.device === undefined ? {} : { device: rs[0].device }),
        ...(rr === undefined ? {} : { ratioToPytorch: median(rr) }),
        ...(cr === undefined ? {} : { cpuRatioToPytorch: median(cr) }),
      });
    }
  }
  const fmt = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(2));
  const name = (m: 'fcn' | 'cnn', b: number) =>
    m === 'fcn' ? `FCN 784-512-512-512-10, batch ${b}` : `CNN Myrtle-5 w32, batch ${b}`;
  const lines = [
    '| model | engine | wall ms/step (median) | wall ms/step (min) | CPU ms/step | GFLOP/s (CPU time) | peak RSS MB | × PyTorch (wall) | × PyTorch (CPU) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${name(r.model, r.batch)} | ${r.engine} | ${r.msMedian.toFixed(1)} | ${r.msMin.toFixed(1)} | ${r.cpuMs.toFixed(1)} | ${r.gflops.toFixed(0)} | ${r.peakRssMB.toFixed(0)} | ${fmt(r.ratioToPytorch)} | ${fmt(r.cpuRatioToPytorch)} |`,
    ),
  ];
  console.log(lines.join('\n'));
  const device = rows.find((r) => r.engine === 'atlas-native')?.device;
  if (device !== undefined) console.log(`\natlas-native device: ${device}`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ when: new Date().toISOString(), rounds, rows }, null, 2)}\n`);
}

const rowIdx = process.argv.indexOf('--row');
if (rowIdx >= 0) {
  const spec = RowSpecSchema.parse(JSON.parse(process.argv[rowIdx + 1] ?? ''));
  const result = await runTfjsRow(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  await drive(process.argv.slice(2));
}
