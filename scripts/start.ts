/**
 * `npm start`: the dashboard on http://localhost:3000 and one local worker daemon over the local store
 * (ATLAS_DATA_DIR, default .atlas/). On first start with an empty store it launches the demo sweep (a Fashion-MNIST
 * FCN with SGD and MSE that finishes in a few minutes on 2 CPU cores), so a newcomer watches a heatmap fill in.
 * The app is built once (`next build`) and rebuilt only when app/ or server/ are newer than the build.
 * Ctrl-C stops both processes (by their PIDs).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEMO_PRESET_ID, PRESETS } from '../server/api/presets';
import { createCaller } from '../server/api/root';
import { createContextInner } from '../server/api/trpc';
import { formatZodError } from '../server/core/errors';
import { openBlobStore, parseStoreEnv } from '../server/store/env';

const StartEnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  /** Interface to bind; loopback by default, since launching without ATLAS_LAUNCH_TOKEN is allowed from loopback only. */
  ATLAS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Set to 0 to skip the demo sweep on an empty store. */
  ATLAS_DEMO: z.enum(['0', '1']).default('1'),
});

const root = path.resolve(import.meta.dirname, '..');
const parsed = StartEnvSchema.safeParse({
  PORT: process.env.PORT || undefined,
  ATLAS_HOST: process.env.ATLAS_HOST || undefined,
  ATLAS_DEMO: process.env.ATLAS_DEMO || undefined,
});
if (!parsed.success) {
  process.stderr.write(`start: invalid environment\n${formatZodError(parsed.error)}\n`);
  process.exit(2);
}
const env = parsed.data;
const storeEnv = parseStoreEnv(process.env);

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const buildId = path.join(root, '.next', 'BUILD_ID');
const sources = Math.max(
  newestMtime(path.join(root, 'app')),
  newestMtime(path.join(root, 'server')),
  newestMtime(path.join(root, 'public')),
);
if (!existsSync(buildId) || statSync(buildId).mtimeMs < sources) {
  process.stderr.write('[start] building the dashboard (next build; once, and after source changes)…\n');
  const b = spawnSync(path.join(root, 'node_modules/.bin/next'), ['build'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) {
    process.stderr.write('[start] next build failed\n');
    process.exit(1);
  }
}

if (env.ATLAS_DEMO === '1') {
  const caller = createCaller(createContextInner({ blob: openBlobStore(storeEnv, root), caller: { loopback: true } }));
  const existing = await caller.sweeps.list({ limit: 1 });
  const demo = PRESETS.find((p) => p.id === DEMO_PRESET_ID);
  if (existing.items.length === 0 && demo) {
    const { id, cellCount } = await caller.sweeps.create(demo.spec);
    process.stderr.write(
      `[start] empty store: launched the demo sweep (${cellCount} cells) → http://localhost:${env.PORT}/sweeps/${id}\n`,
    );
  }
}

const childEnv = { ...process.env, ATLAS_DATA_DIR: storeEnv.ATLAS_DATA_DIR };
const children: ChildProcess[] = [
  spawn(path.join(root, 'node_modules/.bin/next'), ['start', '-p', String(env.PORT), '-H', env.ATLAS_HOST], {
    cwd: root,
    env: childEnv,
    stdio: 'inherit',
  }),
  spawn(path.join(root, 'node_modules/.bin/tsx'), ['worker/cli/worker.ts'], {
    cwd: root,
    env: childEnv,
    stdio: 'inherit',
  }),
];
process.stderr.write(
  `[start] dashboard on http://localhost:${env.PORT} · worker daemon over ${storeEnv.BLOB_READ_WRITE_TOKEN ? 'Vercel Blob' : storeEnv.ATLAS_DATA_DIR}\n`,
);

let stopping = false;
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const c of children)
    if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) process.kill(c.pid, 'SIGTERM');
  // The worker flushes its last chunk and releases its claims on SIGTERM; give it a moment, then leave.
  setTimeout(() => process.exit(code), 5000).unref();
  Promise.all(
    children.map(
      (c) =>
        new Promise((resolve) =>
          c.exitCode !== null || c.signalCode !== null ? resolve(null) : c.once('exit', resolve),
        ),
    ),
  ).then(
    () => process.exit(code),
    () => process.exit(code),
  );
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
for (const c of children) c.on('exit', (code) => stop(code ?? 1));
