import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../../server/store/fs-blob-store';
import { blobStoreContract } from './blob-store-contract';

const dirs: string[] = [];
async function fresh(): Promise<FsBlobStore> {
  const dir = await mkdtemp(path.join(tmpdir(), 'atlas-fs-store-'));
  dirs.push(dir);
  return new FsBlobStore(dir);
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

blobStoreContract('fs', fresh);

describe('FsBlobStore specifics', () => {
  it('leaves no temp or lock files behind and keeps keys as plain files', async () => {
    const s = await fresh();
    const m = await s.put('x/y.json', '1');
    await s.put('x/y.json', '2', { ifMatch: m.etag });
    await s.put('x/z.json', '3', { ifAbsent: true });
    await expect(s.put('x/z.json', '4', { ifAbsent: true })).rejects.toThrow();
    expect((await readdir(path.join(s.root, 'x'))).sort()).toEqual(['y.json', 'z.json']);
  });

  it('two store objects on one directory (two processes) see the same etags', async () => {
    const a = await fresh();
    const b = new FsBlobStore(a.root);
    const m = await a.put('k.json', 'v');
    expect((await b.head('k.json'))?.etag).toBe(m.etag);
    await b.put('k.json', 'w', { ifMatch: m.etag });
    await expect(a.put('k.json', 'z', { ifMatch: m.etag })).rejects.toThrow(/etag mismatch/);
  });
});
