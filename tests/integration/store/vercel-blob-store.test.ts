import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VercelBlobStore } from '../../../server/store/vercel-blob-store';
import { startBlobEmulator, type BlobEmulator } from '../../fixtures/blob-emulator/server';
import { blobStoreContract } from './blob-store-contract';

let emu: BlobEmulator;
let n = 0;

beforeAll(async () => {
  emu = await startBlobEmulator();
  // The SDK reads these per request (FACTS.md): the API on loopback, no retries so failures surface at once.
  process.env.VERCEL_BLOB_API_URL = emu.apiUrl;
  process.env.VERCEL_BLOB_RETRIES = '0';
});
afterAll(async () => {
  await emu.close();
});

/** One emulator, a fresh key space per test: a store whose keys all live under its own prefix. */
async function fresh(): Promise<VercelBlobStore> {
  n++;
  return new PrefixedVercelStore(emu.token, `t${n}/`);
}

class PrefixedVercelStore extends VercelBlobStore {
  constructor(
    token: string,
    private readonly prefix: string,
  ) {
    super(token);
  }
  override put(...args: Parameters<VercelBlobStore['put']>): ReturnType<VercelBlobStore['put']> {
    const [key, body, options] = args;
    if (!isPlainKey(key)) return super.put(key, body, options);
    return super.put(this.prefix + key, body, options).then((m) => ({ ...m, key }));
  }
  override async get(key: string): ReturnType<VercelBlobStore['get']> {
    if (!isPlainKey(key)) return super.get(key);
    const r = await super.get(this.prefix + key);
    return r && { body: r.body, meta: { ...r.meta, key } };
  }
  override async head(key: string): ReturnType<VercelBlobStore['head']> {
    if (!isPlainKey(key)) return super.head(key);
    const r = await super.head(this.prefix + key);
    return r && { ...r, key };
  }
  override async list(
    prefix: string,
    options?: { cursor?: string; limit?: number },
  ): ReturnType<VercelBlobStore['list']> {
    const page = await super.list(this.prefix + prefix, options);
    return { ...page, blobs: page.blobs.map((b) => ({ ...b, key: b.key.slice(this.prefix.length) })) };
  }
  override delete(keys: readonly string[]): Promise<void> {
    return super.delete(keys.map((k) => (isPlainKey(k) ? this.prefix + k : k)));
  }
}
/** Invalid keys go through unprefixed so the adapter's own validation is what is tested. */
const isPlainKey = (k: string): boolean => k.length > 0 && !k.startsWith('/');

blobStoreContract('vercel-blob (emulator)', fresh);

describe('VercelBlobStore specifics', () => {
  it('reads contents from the blob url with the token (get() of the SDK would not follow VERCEL_BLOB_API_URL)', async () => {
    const s = new VercelBlobStore(emu.token);
    const before = { ...emu.counts };
    await s.put('specific/one.json', '{"a":1}');
    expect(new TextDecoder().decode((await s.get('specific/one.json'))?.body)).toBe('{"a":1}');
    expect(emu.counts.put - before.put).toBe(1);
    expect(emu.counts.head - before.head).toBe(1);
    expect(emu.counts.read - before.read).toBe(1);
  });

  it('surfaces a wrong token as a store error', async () => {
    const s = new VercelBlobStore(`vercel_blob_rw_${'atlasemu'}_wrong`);
    await expect(s.put('x.json', '1')).rejects.toThrow(/vercel blob/);
  });
});
