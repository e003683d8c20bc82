import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

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
