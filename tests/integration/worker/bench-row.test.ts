import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RowResultSchema, type RowSpec } from '../../../worker/bench/rows';
import { trainStepFlopsPerExample } from '../../../worker/models/registry';

// The benchmark's row runner as `npm run bench` uses it: a fresh Node process per row, one JSON line out. Tiny sizes;
// this checks the harness (FLOP accounting, peak memory, errors), not speed.
const ROOT = path.resolve(import.meta.dirname, '../../..');

function runRow(spec: RowSpec) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'worker/bench/bench-row.ts'), JSON.stringify(spec)],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  expect(r.status).toBe(0);
  return RowResultSchema.parse(JSON.parse(r.stdout.trim().split('\n').pop() ?? ''));
}

describe('bench rows', () => {
  it('a matMul row counts 2·m·k·n FLOPs and reports the process peak RSS', () => {
    const r = runRow({ kind: 'matmul', backend: 'wasm', m: 32, k: 48, n: 16, reps: 3 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.backend).toBe('wasm');
    expect(r.flops).toBe(2 * 32 * 48 * 16);
    expect(r.samples).toBe(3);
    expect(r.gflops).toBeCloseTo(r.flops / r.ms / 1e6, 9);
    // A Node process with TF.js and the wasm module loaded holds well over 50 MB and, for this size, far under 2 GB.
    expect(r.peakRssMB).toBeGreaterThan(50);
    expect(r.peakRssMB).toBeLessThan(2048);
  });

  it('a train row times full steps with its ceiling interleaved, on the FCN step FLOP count', () => {
    const model = { kind: 'fcn' as const, depth: 2, width: 16 };
    const r = runRow({ kind: 'train', backend: 'wasm', model, batch: 8, grads: 'auto', steps: 3, warmup: 1 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.flops).toBe(8 * trainStepFlopsPerExample(model, { inputShape: [28, 28, 1], numClasses: 10 }));
    expect(r.flops).toBe(8 * (6 * (784 * 16 + 16 * 10) - 2 * 784 * 16));
    expect(r.ref?.flops).toBe(2 * 8 * 16 * 16);
    expect(r.p10Ms).toBeLessThanOrEqual(r.ms);
    expect(r.cpuMs).toBeGreaterThan(0);
    expect(r.ref?.cpuMs).toBeGreaterThan(0);
  });

  it('a backend that does not load is a failed row that says why', () => {
    const r = runRow({ kind: 'matmul', backend: 'tfjs-node-gpu', m: 2, k: 2, n: 2, reps: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatch(/tfjs-node-gpu.*not installed/);
  });
});
