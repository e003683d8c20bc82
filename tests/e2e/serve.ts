/**
 * The Playwright web server: seeds a fresh store (ATLAS_DATA_DIR, a temp dir chosen by playwright.config.ts) with
 * the fixture sweep, builds the app once when the build is older than the sources, then runs `next start` on
 * loopback plus one worker daemon over the same store, so a sweep launched from the browser really trains.
 * Children are stopped by PID when this process is told to stop.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FsBlobStore } from '../../server/store/fs-blob-store';
import { seedFixtureSweep } from './seed-store';

const root = path.resolve(import.meta.dirname, '../..');
const port = process.env.ATLAS_E2E_PORT;
const dataDir = process.env.ATLAS_DATA_DIR;
if (!port || !dataDir) throw new Error('serve.ts needs ATLAS_E2E_PORT and ATLAS_DATA_DIR');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const sweepId = await seedFixtureSweep(new FsBlobStore(dataDir));
writeFileSync(path.join(dataDir, 'e2e-fixture.json'), JSON.stringify({ sweepId }));

const buildId = path.join(root, '.next', 'BUILD_ID');
const sources = Math.max(
  ...['app', 'server', 'public'].map((d) => (existsSync(path.join(root, d)) ? newestMtime(path.join(root, d)) : 0)),
);
if (!existsSync(buildId) || statSync(buildId).mtimeMs < sources || process.env.ATLAS_E2E_REBUILD === '1') {
  process.stderr.write('e2e: next build\n');
  const b = spawnSync(path.join(root, 'node_modules/.bin/next'), ['build'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) throw new Error(`next build failed (${b.status})`);
}

const env = { ...process.env, ATLAS_DATA_DIR: dataDir };
const children: ChildProcess[] = [
  spawn(path.join(root, 'node_modules/.bin/next'), ['start', '-p', port, '-H', '127.0.0.1'], {
    cwd: root,
    env,
    stdio: 'inherit',
  }),
  spawn(
    path.join(root, 'node_modules/.bin/tsx'),
    [
      'worker/cli/worker.ts',
      '--concurrency',
      '1',
      '--poll-ms',
      '300',
      '--progress-ms',
      '300',
      '--chunk-ms',
      '500',
      '--worker-id',
      'e2e-worker',
    ],
    { cwd: root, env, stdio: 'inherit' },
  ),
];

function stop(): void {
  for (const c of children) if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid, 'SIGTERM');
}
process.on('SIGTERM', () => {
  stop();
  process.exit(0);
});
process.on('SIGINT', () => {
  stop();
  process.exit(0);
});
for (const c of children) {
  c.on('exit', (code) => {
    if (code !== 0 && code !== null) {
      process.stderr.write(`e2e: a child exited with ${code}\n`);
      stop();
      process.exit(1);
    }
  });
}
