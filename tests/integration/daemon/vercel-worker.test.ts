import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VercelBlobStore } from '../../../server/store/vercel-blob-store';
import { SweepStore } from '../../../server/store/sweep-store';
import { startBlobEmulator, type BlobEmulator } from '../../fixtures/blob-emulator/server';
import { exitWithin, smallSweep, startWorker } from './helpers';

let emu: BlobEmulator;
beforeAll(async () => {
  emu = await startBlobEmulator();
  process.env.VERCEL_BLOB_API_URL = emu.apiUrl;
  process.env.VERCEL_BLOB_RETRIES = '0';
});
afterAll(async () => {
  await emu.close();
});

describe('npm run worker against Vercel Blob (loopback emulator)', () => {
  it('trains a 2-cell sweep through @vercel/blob and the dashboard read path sees it', async () => {
    const store = new SweepStore(new VercelBlobStore(emu.token));
    const sweep = await store.createSweep(
      smallSweep({
        title: 'vercel',
        steps: 30,
        etaGrid: { kind: 'explicit', values: [0.05, 0.1] },
        warmupGrid: [5],
        measure: { evalEvery: 10, sharpnessEvery: 10 },
        backend: 'cpu',
      }),
    );
    const w = startWorker(
      '/nonexistent-unused',
      ['--concurrency', '1', '--exit-when-idle', '--poll-ms', '100', '--chunk-rows', '8'],
      {
        BLOB_READ_WRITE_TOKEN: emu.token,
        VERCEL_BLOB_API_URL: emu.apiUrl,
        VERCEL_BLOB_RETRIES: '0',
      },
    );
    expect(await exitWithin(w, 60_000), w.output()).toBe(0);
    expect(w.output()).toContain('store vercel-blob');
    const status = await store.getSweepStatus(sweep.id);
    expect(status.counts.done).toBe(2);
    for (const c of status.cells) {
      const series = await store.readCellSeries(sweep.id, c.cellId);
      expect(series.rows.map((r) => r.step)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      // Test rows every 10 updates and after the last: steps 9, 19, 29.
      expect(series.rows.filter((r) => r.testLoss !== undefined).map((r) => r.step)).toEqual([9, 19, 29]);
      // λ^H measured every 10 steps by the curvature hooks, stored, and carried into the progress history.
      const lambdas = series.rows.filter((r) => r.sharpness !== undefined);
      expect(lambdas.map((r) => r.step)).toEqual([0, 10, 20]);
      for (const r of lambdas) expect(r.sharpness).toBeGreaterThan(0);
      const history = c.progress?.history;
      expect(history?.step.slice(0, 16)).toEqual(Array.from({ length: 16 }, (_, i) => i));
      expect(history?.sharpness[0]).toBe(lambdas[0]?.sharpness);
      expect(history?.sharpness[12]).toBe(lambdas[1]?.sharpness); // step 12 carries λ of step 10
    }
  });
});
