import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';

/**
 * Local worker daemons for a reproduction: N × `tsx worker/cli/worker.ts --concurrency 1 --exit-when-idle` over the
 * same store as the launcher (the environment carries ATLAS_DATA_DIR, or BLOB_READ_WRITE_TOKEN for Vercel Blob).
 * Each runs in its own process group, so a Ctrl-C at the terminal reaches only the launcher, which stops them by
 * PID with one SIGTERM each (a second signal would make a daemon exit without flushing). Their output goes to a log
 * file, not the terminal, so the progress line stays readable.
 */

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export interface WorkerHandle {
  index: number;
  pid: number;
  child: ChildProcess;
  /** Exit code (null when killed by a signal), once it exited. */
  exited: Promise<number | null>;
  exitCode: number | null | undefined;
}

export interface Fleet {
  workers: WorkerHandle[];
  /** Workers still running. */
  alive(): WorkerHandle[];
  /** Resolves when every worker has exited. */
  allExited: Promise<void>;
  /** SIGTERM each live worker by PID (once), then wait up to `graceMs` for them to exit. True when all exited. */
  stop(graceMs?: number): Promise<boolean>;
}

/** Worker flags that keep a reproduction's workers on its own study's sweeps (others in a shared store are left alone). */
export function studyWorkerArgs(study: { sweeps: readonly { sweepId: string }[] }): string[] {
  return ['--sweeps', study.sweeps.map((s) => s.sweepId).join(',')];
}

export interface SpawnOptions {
  /** Environment of the daemons (store variables included). */
  env: NodeJS.ProcessEnv;
  /** Their stdout and stderr are appended here. */
  logFile: string;
  /** Extra daemon flags (tests: `--poll-ms 200`). */
  extraArgs?: readonly string[];
  /** Called when a worker exits. */
  onExit?: (w: WorkerHandle, code: number | null, signal: NodeJS.Signals | null) => void;
}

/** Start `n` worker daemons. With n = 0 the fleet is empty (an external fleet does the work). */
export function spawnWorkers(n: number, o: SpawnOptions): Fleet {
  const workers: WorkerHandle[] = [];
  const fd = n > 0 ? openSync(o.logFile, 'a') : null;
  for (let index = 0; index < n; index++) {
    // node --import tsx (what the tsx binary runs) so the PID is the daemon's own, not a wrapper's.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(REPO_ROOT, 'worker/cli/worker.ts'),
        '--concurrency',
        '1',
        '--exit-when-idle',
        ...(o.extraArgs ?? []),
      ],
      { cwd: REPO_ROOT, env: o.env, stdio: ['ignore', fd ?? 'ignore', fd ?? 'ignore'], detached: true },
    );
    if (child.pid === undefined) throw new Error(`could not start worker ${index + 1}`);
    const handle: WorkerHandle = {
      index,
      pid: child.pid,
      child,
      exitCode: undefined,
      exited: new Promise((resolve) => {
        child.once('exit', (code, signal) => {
          handle.exitCode = code;
          o.onExit?.(handle, code, signal);
          resolve(code);
        });
      }),
    };
    workers.push(handle);
  }
  if (fd !== null) closeSync(fd); // the children hold their own copies
  const alive = () => workers.filter((w) => w.exitCode === undefined);
  const allExited = Promise.all(workers.map((w) => w.exited)).then(() => undefined);
  const signalled = new Set<number>();
  // Never leave daemons behind if this process ends some other way.
  const onProcessExit = () => {
    for (const w of alive()) if (!signalled.has(w.pid)) killQuietly(w.pid, 'SIGTERM');
  };
  process.once('exit', onProcessExit);
  void allExited.then(() => process.removeListener('exit', onProcessExit));
  return {
    workers,
    alive,
    allExited,
    async stop(graceMs = 20_000) {
      for (const w of alive()) {
        if (signalled.has(w.pid)) continue;
        signalled.add(w.pid);
        killQuietly(w.pid, 'SIGTERM');
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
      const done = await Promise.race([allExited.then(() => true), timeout]);
      clearTimeout(timer);
      return done;
    },
  };
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
