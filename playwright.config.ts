import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

/**
 * Browser tests of the dashboard. Playwright starts the app itself (tests/e2e/serve.ts): a production build served
 * on a free loopback port over a temporary store seeded with fixture records, plus one worker daemon. Debian's
 * chromium is used (FACTS.md: no browser download here). The port and the store directory are chosen once, in the
 * runner, and handed to the worker processes through the environment.
 */
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

process.env.ATLAS_E2E_PORT ??= String(await freePort());
process.env.ATLAS_E2E_DATA ??= mkdtempSync(path.join(tmpdir(), 'atlas-e2e-'));
const port = process.env.ATLAS_E2E_PORT;
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  outputDir: 'test-results/e2e',
  reporter: [['list']],
  use: {
    baseURL,
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: 'node_modules/.bin/tsx tests/e2e/serve.ts',
    url: `${baseURL}/api/trpc/presets.list`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: { ATLAS_E2E_PORT: port, ATLAS_DATA_DIR: process.env.ATLAS_E2E_DATA },
  },
});
