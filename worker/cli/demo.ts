import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { type RunResult } from '../../server/core/metrics';
import { stringifyRecord } from '../../server/core/json-number';
import type { RunConfigInput } from '../../server/core/run-config';
import { trainRun } from '../engine/train';
import { parseCliEnv } from './env';
import { formatSummary, ProgressReporter } from './progress';

/**
 * `npm start` until the dashboard exists: the paper's central claim (PAPER P1) in two short real runs. An SP FCN on
 * Fashion-MNIST with SGD and MSE at η_trgt = 2: first at a constant learning rate (T_wrm = 1), then with a linear
 * warmup over 50 of its 400 steps. Rows go to .atlas/demo/*.ndjson. About 10 s with the native backend, longer on wasm.
 */

const env = parseCliEnv(process.env);
const ETA = 2;
const base = (warmupSteps: number): RunConfigInput => ({
  model: { kind: 'fcn', depth: 4, width: 128 },
  parameterization: 'sp',
  loss: 'mse',
  data: { name: 'fashion-mnist' },
  optimizer: { kind: 'sgd' },
  schedule: { etaTrgt: ETA, warmupSteps },
  steps: 400,
  batchSize: 128,
  seed: 1,
  measure: { evalEvery: 100 },
  backend: env.ATLAS_BACKEND ?? 'auto',
});

const dir = path.join('.atlas', 'demo');
await mkdir(dir, { recursive: true });
const abort = new AbortController();
process.on('SIGINT', () => abort.abort());

async function demoRun(title: string, warmupSteps: number): Promise<RunResult> {
  const file = path.join(dir, `fcn-sgd-eta${ETA}-warmup${warmupSteps}.ndjson`);
  process.stderr.write(`\n${title}\n`);
  const out = await open(file, 'w');
  const progress = new ProgressReporter(process.stderr);
  try {
    const result = await trainRun(base(warmupSteps), {
      signal: abort.signal,
      onRow: async (row) => {
        await out.write(`${stringifyRecord(row)}\n`);
      },
      onProgress: (p) => progress.update(p),
    });
    progress.finish();
    process.stderr.write(`${formatSummary(result)}\nrows      ${file}\n`);
    return result;
  } finally {
    await out.close();
  }
}

process.stderr.write(
  'Warmup Atlas demo — "Why Warmup the Learning Rate?" (Kalra & Barkeshli, NeurIPS 2024)\n' +
    `FCN-4-128 (SP) on Fashion-MNIST, SGD, MSE, batch 128, target learning rate η_trgt = ${ETA}.\n`,
);
const constant = await demoRun('1/2  constant learning rate (T_wrm = 1)', 1);
const warm = abort.signal.aborted ? null : await demoRun('2/2  linear warmup over T_wrm = 50 steps', 50);

if (warm !== null) {
  const trains = (r: RunResult) => r.outcome === 'trained';
  let verdict: string;
  if (!trains(constant) && trains(warm)) {
    verdict = `Warmup made η_trgt = ${ETA} trainable: without it the run ${constant.outcome}; with it, test accuracy ${((warm.finalTestAcc ?? NaN) * 100).toFixed(1)}% (PAPER P1).`;
  } else {
    verdict = `Without warmup: ${constant.outcome}; with warmup: ${warm.outcome}. (The paper's P1 predicts that warmup lets larger η_trgt train.)`;
  }
  process.stderr.write(`\n${verdict}\nTrain your own run: npm run train -- --help\n`);
}
process.exitCode = [constant, warm].some((r) => r?.outcome === 'error') ? 1 : abort.signal.aborted ? 130 : 0;
