import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../../../../worker/native/addon';

/**
 * BLAS threads per process: 1 by default, OPENBLAS_NUM_THREADS when the operator sets it (OpenBLAS reads it at
 * load, so each case runs in a fresh process), and configureAtlasNative({ threads }) above both.
 */

const probe = fileURLToPath(new URL('./threads-probe.ts', import.meta.url));
const loaded = loadAddon();

function run(env: Record<string, string | undefined>, threads?: number): { numThreads: number; device: string } {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', probe, ...(threads === undefined ? [] : [String(threads)])],
    {
      encoding: 'utf8',
      env: childEnv,
    },
  );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as { numThreads: number; device: string };
}

if (loaded.ok) {
  describe('atlas-native BLAS threads', () => {
    it('one thread per process unless OPENBLAS_NUM_THREADS says otherwise', () => {
      const unset = run({ OPENBLAS_NUM_THREADS: undefined, OMP_NUM_THREADS: undefined });
      expect(unset.numThreads).toBe(1);
      expect(unset.device).toMatch(/, 1 thread;/);
      const two = run({ OPENBLAS_NUM_THREADS: '2' });
      expect(two.numThreads).toBe(2);
      expect(two.device).toMatch(/, 2 threads;/);
    });

    it('configureAtlasNative({ threads }) overrides the environment', () => {
      expect(run({ OPENBLAS_NUM_THREADS: '2' }, 1).numThreads).toBe(1);
    });
  });
} else {
  describe('atlas-native BLAS threads without the addon', () => {
    it(`the loader reports why it is unavailable (${loaded.reason})`, () => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', probe], { encoding: 'utf8' });
      expect(r.stdout).toMatch(/"error":".*not built/);
    });
  });
}
