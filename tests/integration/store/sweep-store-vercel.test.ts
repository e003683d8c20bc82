import { afterAll, beforeAll } from 'vitest';
import { VercelBlobStore } from '../../../server/store/vercel-blob-store';
import { startBlobEmulator, type BlobEmulator } from '../../fixtures/blob-emulator/server';
import { sweepStoreSuite } from './sweep-store-suite';

const emus: BlobEmulator[] = [];
beforeAll(() => {
  process.env.VERCEL_BLOB_RETRIES = '0';
});
afterAll(async () => {
  for (const e of emus) await e.close();
});

// One emulator per test: the SDK reads VERCEL_BLOB_API_URL per request, and tests run one at a time in this file.
sweepStoreSuite('vercel-blob (emulator)', async () => {
  const emu = await startBlobEmulator();
  emus.push(emu);
  process.env.VERCEL_BLOB_API_URL = emu.apiUrl;
  return new VercelBlobStore(emu.token);
});
