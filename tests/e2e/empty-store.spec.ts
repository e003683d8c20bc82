import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';

/**
 * The Sweeps page over an EMPTY store offers the demo sweep. The shared web server's store holds the
 * fixture sweep, so this spec starts a second `next start` (reusing the build that tests/e2e/serve.ts made) on
 * another free loopback port over a fresh temporary store, without a worker, and stops it by PID afterwards.
 */
const root = path.resolve(import.meta.dirname, '../..');
let server: ChildProcess | null = null;
let dataDir = '';
let base = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

test.beforeAll(async () => {
  test.setTimeout(90_000);
  dataDir = mkdtempSync(path.join(tmpdir(), 'atlas-e2e-empty-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(path.join(root, 'node_modules/.bin/next'), ['start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: root,
    env: { ...process.env, ATLAS_DATA_DIR: dataDir },
    stdio: 'ignore',
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/api/trpc/presets.list`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the empty-store server did not start within 60 s');
    await new Promise((r) => setTimeout(r, 300));
  }
});

test.afterAll(() => {
  if (server?.pid !== undefined && server.exitCode === null) process.kill(server.pid, 'SIGTERM');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('an empty store shows the empty state with the demo button, and the button launches the demo sweep', async ({
  page,
}) => {
  await page.goto(`${base}/`);
  await expect(page.getByRole('heading', { name: 'No sweeps yet' })).toBeVisible();
  await expect(page.getByTestId('sweep-row')).toHaveCount(0);
  // No filter is set, so this is the empty-store state, not "no sweeps match".
  await expect(page.getByText('No sweeps match these filters.')).toHaveCount(0);
  const demo = page.getByRole('button', { name: /^Launch the demo sweep \(\d+ cells\)$/ });
  await expect(demo).toBeEnabled();
  const cells = Number(/\((\d+) cells\)/.exec((await demo.textContent()) ?? '')?.[1]);
  expect(cells).toBeGreaterThan(0);
  await page.screenshot({ path: test.info().outputPath('sweeps-empty.png') });
  // Keyboard reaches it and Enter launches: the store gets one sweep and the page moves to it (no worker here, so
  // its cells stay queued).
  await demo.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/sweeps\/sw/);
  await expect(page.locator('svg.heatmap rect.cell--queued')).not.toHaveCount(0);
  await expect(page.locator('svg.heatmap rect.cell')).toHaveCount(cells);
  expect(readdirSync(path.join(dataDir, 'sweeps'))).toHaveLength(1);
  await page.goto(`${base}/`);
  await expect(page.getByTestId('sweep-row')).toHaveCount(1);
  await expect(page.getByRole('heading', { name: 'No sweeps yet' })).toHaveCount(0);
});
