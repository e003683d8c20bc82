import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { FsBlobStore } from '../../../server/store/fs-blob-store';
import { sweepStoreSuite } from './sweep-store-suite';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

sweepStoreSuite('fs', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'atlas-sweep-store-'));
  dirs.push(dir);
  return new FsBlobStore(dir);
});
