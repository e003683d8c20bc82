import {
  BlobError,
  BlobNotFoundError,
  BlobPreconditionFailedError as VercelPreconditionFailed,
  del,
  head,
  list,
  put,
} from '@vercel/blob';
import {
  assertValidKey,
  BlobExistsError,
  BlobPreconditionFailedError,
  BlobStoreError,
  type BlobMeta,
  type BlobStore,
  type ListPage,
  type PutOptions,
} from './blob-store';

/**
 * BlobStore over Vercel Blob through @vercel/blob, unchanged. Blobs are private by default (a private store: reads
 * need the token, and are not served stale by a CDN); the SDK's put/head/list/del go to
 * the Blob API (VERCEL_BLOB_API_URL when set). Contents are read by fetching the blob's `url` with the token, after a
 * head() for its current etag: the url carries `?v=<etag>` so a CDN copy of an older version is never returned
 * (progress and claims are overwritten in place). The SDK has no "already exists" error class: a refused
 * create-if-absent is a BlobError whose message says the blob exists, mapped here to BlobExistsError.
 */
export class VercelBlobStore implements BlobStore {
  readonly kind = 'vercel-blob';

  constructor(
    private readonly token: string,
    /** Must match the store's own access mode (a private store refuses public blobs and vice versa). */
    private readonly access: 'private' | 'public' = 'private',
  ) {}

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<BlobMeta> {
    assertValidKey(key);
    const data = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    try {
      const res = await put(key, data, {
        access: this.access,
        token: this.token,
        addRandomSuffix: false,
        allowOverwrite: !options.ifAbsent,
        ...(options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : {}),
        contentType: options.contentType ?? 'application/json',
        cacheControlMaxAge: 60,
      });
      return {
        key,
        size: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength,
        etag: res.etag,
        uploadedAt: Date.now(),
      };
    } catch (e) {
      if (e instanceof VercelPreconditionFailed)
        throw new BlobPreconditionFailedError(`etag mismatch for ${key}`, key, { cause: e });
      if (options.ifAbsent && e instanceof BlobError && /already exists/i.test(e.message)) {
        throw new BlobExistsError(`blob exists: ${key}`, key, { cause: e });
      }
      throw wrap(e, key);
    }
  }

  async get(key: string): Promise<{ body: Uint8Array; meta: BlobMeta } | null> {
    const found = await this.headWithUrl(key);
    if (found === null) return null;
    const url = new URL(found.url);
    url.searchParams.set('v', found.meta.etag);
    const res = await fetch(url, { headers: { authorization: `Bearer ${this.token}` }, cache: 'no-store' });
    if (res.status === 404) return null;
    if (!res.ok) throw new BlobStoreError(`GET ${key}: HTTP ${res.status}`, key);
    const body = new Uint8Array(await res.arrayBuffer());
    return { body, meta: { ...found.meta, size: body.byteLength } };
  }

  async head(key: string): Promise<BlobMeta | null> {
    return (await this.headWithUrl(key))?.meta ?? null;
  }

  async list(prefix: string, options: { cursor?: string; limit?: number } = {}): Promise<ListPage> {
    try {
      const res = await list({
        token: this.token,
        prefix,
        limit: Math.max(1, Math.min(options.limit ?? 1000, 1000)),
        ...(options.cursor !== undefined ? { cursor: options.cursor } : {}),
      });
      const blobs = res.blobs.map((b) => ({
        key: b.pathname,
        size: b.size,
        etag: b.etag,
        uploadedAt: b.uploadedAt.getTime(),
      }));
      return res.hasMore && res.cursor ? { blobs, cursor: res.cursor } : { blobs };
    } catch (e) {
      throw wrap(e, prefix);
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    keys.forEach(assertValidKey);
    try {
      await del([...keys], { token: this.token });
    } catch (e) {
      throw wrap(e, keys[0]);
    }
  }

  private async headWithUrl(key: string): Promise<{ meta: BlobMeta; url: string } | null> {
    assertValidKey(key);
    try {
      const h = await head(key, { token: this.token });
      return { meta: { key, size: h.size, etag: h.etag, uploadedAt: h.uploadedAt.getTime() }, url: h.url };
    } catch (e) {
      if (e instanceof BlobNotFoundError) return null;
      throw wrap(e, key);
    }
  }
}

function wrap(e: unknown, key?: string): BlobStoreError {
  if (e instanceof BlobStoreError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new BlobStoreError(`vercel blob: ${message}`, key, { cause: e });
}
