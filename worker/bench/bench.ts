import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelSpec } from '../../server/core/run-config';
import type { ConcreteBackend } from '../engine/backend';
import { type RowResult, RowResultSchema, type RowSpec } from './rows';

/**
 * `npm run bench [-- --write] [-- --quick]`: every row in a fresh child process (so peak memory is the row's own),
 * printed as one markdown table; --write also replaces the generated block of docs/BENCHMARKS.md. Backends that do
 * not load here show as "not available" rows, so a new backend (the native one) appears by itself once
 * its loader is registered in worker/engine/backend.ts.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ROW_SCRIPT = path.join(ROOT, 'worker/bench/bench-row.ts');
const TORCH_SCRIPT = path.join(ROOT, 'worker/bench/torch-bench.py');
const DOC = path.join(ROOT, 'docs/BENCHMARKS.md');
const PYTHON = '/usr/bin/python3';

const FCN: ModelSpec = { kind: 'fcn', depth: 4, width: 512 };
const CNN: ModelSpec = { kind: 'cnn', depth: 5, width: 32 };
const BACKENDS: ConcreteBackend[] = ['tfjs-node-gpu', 'tfjs-node', 'atlas-native', 'wasm', 'cpu'];

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');

interface Line {
  label: string;
  backend: string;
  result: RowResult;
  /** Second process of a pair run at the same time. */
  pair?: RowResult;
}

/** No row may hold the run up longer than this (a loaded machine can make the pure-JS backend crawl). */
const ROW_TIMEOUT_MS = 240_000;

function run(cmd: string, argv: string[], env: NodeJS.ProcessEnv): Promise<RowResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: ROW_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => resolve({ ok: false, error: e.message }));
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(RowResultSchema.parse(JSON.parse(last)));
      } catch {
        const why =
          code === null
            ? `killed after ${ROW_TIMEOUT_MS / 1000} s`
            : (err
                .trim()
                .split('\n')
                .filter((l) => l.length > 0)
                .pop() ?? `exit code ${code}`);
        resolve({ ok: false, error: why });
      }
    });
  });
}

function tfjsRow(spec: RowSpec): Promise<RowResult> {
  return run(process.execPath, ['--import', 'tsx', ROW_SCRIPT, JSON.stringify(spec)], process.env);
}

/** PyTorch set up fairly: 1 thread, and OpenBLAS's kernel-selection overrides removed for this command. */
function torchRow(model: 'fcn' | 'cnn', batch: number, steps: number): Promise<RowResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return run(PYTHON, [TORCH_SCRIPT, model, String(batch), String(steps)], env);
}

const fmt = (x: number, d = 1) => x.toFixed(d);

function ratio(a: RowResult | undefined, b: RowResult | undefined): { med: number; p10: number; cpu: number } | null {
  return a?.ok === true && b?.ok === true ? { med: a.ms / b.ms, p10: a.p10Ms / b.p10Ms, cpu: a.cpuMs / b.cpuMs } : null;
}

/** Runs rows one after another, printing each as it ends; `lines` keeps them in order for the table. */
class RowRunner {
  readonly lines: Line[] = [];

  async add(label: string, backend: string, p: Promise<RowResult>, pair?: Promise<RowResult>): Promise<Line> {
    const [result, second] = await Promise.all([p, pair]);
    const line: Line = { label, backend, result, ...(second === undefined ? {} : { pair: second }) };
    this.lines.push(line);
    const r = line.result;
    process.stderr.write(
      `${label} [${backend}]: ${r.ok ? `${fmt(r.ms)} ms, ${fmt(r.gflops)} GFLOP/s, ${fmt(r.peakRssMB, 0)} MB` : r.error}\n`,
    );
    return line;
  }
}

/** Repetitions, cut to a quarter with --quick. */
const reps = (n: number) => (quick ? Math.max(1, Math.ceil(n / 4)) : n);

/** Ceilings: wasm's plain (untransposed) 2-D matMul and its forward convolutions at the models' shapes. */
async function runCeilings(rows: RowRunner): Promise<void> {
  const matmul = (m: number, k: number, n: number, r: number) =>
    rows.add(
      `matMul ${m}×${k} · ${k}×${n}`,
      'wasm',
      tfjsRow({ kind: 'matmul', backend: 'wasm', m, k, n, reps: reps(r) }),
    );
  await matmul(128, 512, 512, 40);
  await matmul(256, 512, 512, 40);
  await matmul(1024, 1024, 1024, 10);
  await rows.add(
    'forward convs of CNN-5-32, batch 128',
    'wasm',
    tfjsRow({ kind: 'conv-forward', backend: 'wasm', model: CNN, batch: 128, reps: reps(6) }),
  );
}

/** The training-step rows of every backend, keyed `backend/batch` (and wasm's variants). */
async function runTrainingRows(rows: RowRunner): Promise<{ fcn: Record<string, Line>; cnn: Record<string, Line> }> {
  const fcn: Record<string, Line> = {};
  const cnn: Record<string, Line> = {};
  for (const backend of BACKENDS) {
    const slow = backend === 'cpu';
    // The pure-JS cpu backend is ~30× slower: a couple of steps give its order of magnitude.
    const train = (model: ModelSpec, batch: number, steps: number, grads: 'auto' | 'tf' = 'auto', warmup = 2) =>
      tfjsRow({
        kind: 'train',
        backend,
        model,
        batch,
        grads,
        steps: slow ? 1 : reps(steps),
        warmup: slow ? 0 : warmup,
      });
    const first = await rows.add('FCN-4-512 step, batch 128', backend, train(FCN, 128, 30));
    if (!first.result.ok) continue; // backend not available: one row says why
    fcn[`${backend}/128`] = first;
    fcn[`${backend}/256`] = await rows.add('FCN-4-512 step, batch 256', backend, train(FCN, 256, 30));
    // The pure-JS backend's conv gradients are plain loops: one CNN step took 151 s at batch 16 in a loaded run
    // (docs/BENCHMARKS.md), so its CNN row is left out to keep the run to minutes.
    if (!slow) cnn[`${backend}/128`] = await rows.add('CNN-5-32 step, batch 128', backend, train(CNN, 128, 8));
    if (backend === 'wasm') {
      fcn['wasm-tf/256'] = await rows.add(
        'FCN-4-512 step, batch 256, TF.js own gradients',
        backend,
        train(FCN, 256, 10, 'tf'),
      );
      cnn['wasm-tf/128'] = await rows.add(
        'CNN-5-32 step, batch 128, TF.js own gradients',
        backend,
        train(CNN, 128, 1, 'tf', 0),
      );
      fcn['wasm-2/256'] = await rows.add(
        'FCN-4-512 step, batch 256, 2 processes at once',
        backend,
        train(FCN, 256, 30),
        train(FCN, 256, 30),
      );
    }
  }
  return { fcn, cnn };
}

/** PyTorch's rows, when python3 with torch is there. */
async function runTorchRows(rows: RowRunner): Promise<Record<string, Line>> {
  const torch: Record<string, Line> = {};
  torch['fcn/128'] = await rows.add('FCN-4-512 step, batch 128', 'pytorch', torchRow('fcn', 128, reps(40)));
  if (!torch['fcn/128'].result.ok) return torch;
  torch['fcn/256'] = await rows.add('FCN-4-512 step, batch 256', 'pytorch', torchRow('fcn', 256, reps(40)));
  torch['cnn/128'] = await rows.add('CNN-5-32 step, batch 128', 'pytorch', torchRow('cnn', 128, reps(10)));
  torch['fcn-2/256'] = await rows.add(
    'FCN-4-512 step, batch 256, 2 processes at once',
    'pytorch',
    torchRow('fcn', 256, reps(40)),
    torchRow('fcn', 256, reps(40)),
  );
  torch['cnn-2/128'] = await rows.add(
    'CNN-5-32 step, batch 128, 2 processes at once',
    'pytorch',
    torchRow('cnn', 128, reps(10)),
    torchRow('cnn', 128, reps(10)),
  );
  return torch;
}

const ms = (x: number) => fmt(x, x < 10 ? 2 : 1);

/** One table row; a pair's second process is shown after a slash, its GFLOP/s summed. */
function tableRow(l: Line): string {
  const r = l.result;
  if (!r.ok)
    return `| ${l.label} | ${l.backend} | — | — | — | — | — | — | ${r.error.replace(/\|/g, '/')} | — | — | — |`;
  const ref =
    r.ref === undefined
      ? ''
      : `${r.ref.what}: ${ms(r.ref.ms)}, ${ms(r.ref.p10Ms)}, ${ms(r.ref.cpuMs)} ms → ${fmt(r.ref.flops / r.ref.ms / 1e6)} (CPU: ${fmt(r.ref.flops / r.ref.cpuMs / 1e6)}) GFLOP/s`;
  const effMed = r.ref === undefined ? '' : `${fmt((100 * r.ref.ms * r.flops) / (r.ms * r.ref.flops), 0)}%`;
  const effCpu = r.ref === undefined ? '' : `${fmt((100 * r.ref.cpuMs * r.flops) / (r.cpuMs * r.ref.flops), 0)}%`;
  let med = ms(r.ms);
  let p10 = ms(r.p10Ms);
  let cpuMs = ms(r.cpuMs);
  let gflops = fmt(r.gflops);
  let gflopsCpu = fmt(r.flops / r.cpuMs / 1e6);
  let rss = fmt(r.peakRssMB, 0);
  if (l.pair !== undefined) {
    const p = l.pair;
    if (p.ok) {
      med = `${med} / ${ms(p.ms)}`;
      p10 = `${p10} / ${ms(p.p10Ms)}`;
      cpuMs = `${cpuMs} / ${ms(p.cpuMs)}`;
      gflops = `${fmt(r.gflops + p.gflops)} (sum of 2)`;
      gflopsCpu = `${fmt(r.flops / r.cpuMs / 1e6 + p.flops / p.cpuMs / 1e6)} (sum of 2)`;
      rss = `${rss} / ${fmt(p.peakRssMB, 0)}`;
    } else med = `${med} / failed: ${p.error}`;
  }
  return `| ${l.label} | ${l.backend} | ${med} | ${p10} | ${cpuMs} | ${gflops} | ${gflopsCpu} | ${rss} | ${ref} | ${effMed} | ${effCpu} | ${r.samples} |`;
}

/** The targets of the benchmark, met or not, and the PyTorch ratios. */
function targetLines(fcn: Record<string, Line>, cnn: Record<string, Line>, torch: Record<string, Line>): string[] {
  const out: string[] = ['Targets, from this run:'];
  // step GFLOP/s over ceiling GFLOP/s from wall-clock medians, and from CPU-time medians (nearly load-independent)
  const effOf = (l: Line | undefined): { med: number; cpu: number } | null => {
    const r = l?.result;
    return r?.ok === true && r.ref !== undefined
      ? { med: (r.ref.ms * r.flops) / (r.ms * r.ref.flops), cpu: (r.ref.cpuMs * r.flops) / (r.cpuMs * r.ref.flops) }
      : null;
  };
  const verdict = (e: { med: number; cpu: number } | null, min: number) =>
    e === null
      ? 'not measured'
      : `wall-clock median ${fmt(100 * e.med, 0)}% → ${e.med >= min ? 'met' : 'NOT met'}; CPU time ${fmt(100 * e.cpu, 0)}% → ${e.cpu >= min ? 'met' : 'NOT met'}`;
  for (const b of ['128', '256']) {
    out.push(`- FCN step ≥ 80% of wasm plain-matMul GFLOP/s (batch ${b}): ${verdict(effOf(fcn[`wasm/${b}`]), 0.8)}`);
  }
  const cr = cnn['wasm/128']?.result;
  out.push(`- CNN step ≥ 50% of wasm forward-conv GFLOP/s: ${verdict(effOf(cnn['wasm/128']), 0.5)}`);
  out.push(
    `- CNN peak memory ≤ 600 MB at batch 128: ${cr?.ok === true ? `${fmt(cr.peakRssMB, 0)} MB → ${cr.peakRssMB <= 600 ? 'met' : 'NOT met'}` : 'not measured'}`,
  );
  const tr = (name: string, a: Line | undefined, b: Line | undefined) => {
    const x = ratio(a?.result, b?.result);
    return x === null
      ? `- ${name}: not measured`
      : `- ${name}: ${fmt(x.med, 2)}× wall-clock median (p10 ${fmt(x.p10, 2)}×, CPU time ${fmt(x.cpu, 2)}×)`;
  };
  out.push('PyTorch ratio (wasm ms / PyTorch ms, > 1 means PyTorch is faster):');
  out.push(tr('FCN batch 128, 1 process', fcn['wasm/128'], torch['fcn/128']));
  out.push(tr('FCN batch 256, 1 process', fcn['wasm/256'], torch['fcn/256']));
  out.push(tr('FCN batch 256, 2 processes at once', fcn['wasm-2/256'], torch['fcn-2/256']));
  out.push(tr('CNN batch 128, 1 process', cnn['wasm/128'], torch['cnn/128']));
  return out;
}

/** Replaces the generated block of docs/BENCHMARKS.md (or appends one). */
async function writeDoc(report: string): Promise<void> {
  const BEGIN = '<!-- bench:begin (generated by npm run bench -- --write) -->';
  const END = '<!-- bench:end -->';
  const doc = await readFile(DOC, 'utf8').catch(() => `# Benchmarks\n\n${BEGIN}\n${END}\n`);
  const i = doc.indexOf(BEGIN);
  const j = doc.indexOf(END);
  const next =
    i >= 0 && j > i
      ? `${doc.slice(0, i + BEGIN.length)}\n${report}\n${doc.slice(j)}`
      : `${doc}\n${BEGIN}\n${report}\n${END}\n`;
  await writeFile(DOC, next);
  process.stderr.write(`wrote ${path.relative(ROOT, DOC)}\n`);
}

async function main(): Promise<void> {
  const started = new Date();
  const load0 = os.loadavg()[0] ?? NaN;
  const rows = new RowRunner();
  await runCeilings(rows);
  const { fcn, cnn } = await runTrainingRows(rows);
  const torch = await runTorchRows(rows);
  const load1 = os.loadavg()[0] ?? NaN;

  const cpu = os.cpus();
  const out: string[] = [
    `Run ${started.toISOString().replace(/\.\d+Z$/, 'Z')} · ${cpu[0]?.model.trim() ?? 'cpu'} × ${cpu.length} · ${fmt(os.totalmem() / 2 ** 30)} GiB · Node ${process.version} · ${os.type()} ${os.release()}`,
    `Load average (1 min) ${fmt(load0, 2)} at start, ${fmt(load1, 2)} at the end${quick ? ' · --quick (fewer repetitions)' : ''}.`,
    '',
    '| what | backend | ms/step median | ms p10 | CPU ms median | GFLOP/s (median) | GFLOP/s (CPU time) | peak RSS MB | ceiling in the same process: median, p10, CPU ms | step/ceiling median | step/ceiling CPU time | n |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|',
    ...rows.lines.map(tableRow),
    '',
    ...targetLines(fcn, cnn, torch),
  ];
  const report = out.join('\n');
  process.stdout.write(`${report}\n`);
  if (args.has('--write')) await writeDoc(report);
}

await main();
