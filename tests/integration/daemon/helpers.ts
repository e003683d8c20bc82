import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { SweepSpecInput } from '../../../server/core/sweep-spec';
import { FsBlobStore } from '../../../server/store/fs-blob-store';
import { SweepStore } from '../../../server/store/sweep-store';

export const REPO = path.resolve(import.meta.dirname, '../../..');

export interface WorkerProc {
  proc: ChildProcess;
  /** Everything it printed so far. */
  output: () => string;
  exited: Promise<number | null>;
}

/** Start `worker/cli/worker.ts` as its own node process (so its pid is the daemon's, for kill -9 and SIGTERM). */
export function startWorker(dataDir: string, args: string[], env: Record<string, string> = {}): WorkerProc {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'worker/cli/worker.ts'), ...args], {
    cwd: REPO,
    env: { ...process.env, ATLAS_DATA_DIR: dataDir, BLOB_READ_WRITE_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

/** Poll `check` every 50 ms until it returns a value, or fail after `ms`. */
export async function waitFor<T>(
  what: string,
  ms: number,
  check: () => Promise<T | null | undefined | false>,
  context: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolve with the exit code, or kill the process and fail after `ms`. */
export async function exitWithin(w: WorkerProc, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      w.proc.kill('SIGKILL');
      reject(new Error(`worker did not exit within ${ms} ms; output:\n${w.output()}`));
    }, ms);
  });
  try {
    return await Promise.race([w.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A sweep small enough for a fleet test: FCN-2-8 on a 6-input, 3-class synthetic mixture (96 train, 48 test
 * examples), batch 16, so a cell trains in about a second on the cpu backend. `over` sets the rest.
 */
export function smallSweep(
  over: Pick<SweepSpecInput, 'title' | 'steps' | 'etaGrid' | 'warmupGrid'> & Partial<SweepSpecInput>,
): SweepSpecInput {
  return {
    author: 'test',
    model: { kind: 'fcn', depth: 2, width: 8 },
    data: { name: 'synthetic-gmm', synthetic: { inputDim: 6, classes: 3, trainSize: 96, testSize: 48 } },
    batchSize: 16,
    ...over,
  };
}

/**
 * Call at the top of a test file: returns a maker of fresh local stores, each in a temporary folder named after
 * `prefix`, all removed after the file's tests.
 */
export function localStores(prefix: string): () => Promise<{ dir: string; store: SweepStore }> {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  return async () => {
    const dir = await mkdtemp(path.join(tmpdir(), prefix));
    dirs.push(dir);
    return { dir, store: new SweepStore(new FsBlobStore(dir)) };
  };
}
