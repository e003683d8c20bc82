/**
 * The BlobStore port: the only stateful service (DESIGN.md). Keys are '/'-separated paths built by keys.ts;
 * bodies are bytes. Adapters: fs-blob-store.ts (a local directory) and vercel-blob-store.ts (@vercel/blob).
 * Both pass tests/integration/store/blob-store-contract.ts.
 */

export interface BlobMeta {
  key: string;
  size: number;
  /** Opaque version tag; changes on every write. Used for if-match. */
  etag: string;
  /** Last write, ms since epoch. */
  uploadedAt: number;
}

export interface PutOptions {
  /** Fail with BlobExistsError if the key exists (exactly one concurrent creator wins). */
  ifAbsent?: boolean;
  /** Fail with BlobPreconditionFailedError unless the current etag equals this (also when the key is absent). */
  ifMatch?: string;
  contentType?: string;
}

export interface ListPage {
  blobs: BlobMeta[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  cursor?: string;
}

export interface BlobStore {
  /** Adapter name for logs: "fs" or "vercel-blob". */
  readonly kind: string;
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<BlobMeta>;
  /** Contents and meta, or null when absent. */
  get(key: string): Promise<{ body: Uint8Array; meta: BlobMeta } | null>;
  head(key: string): Promise<BlobMeta | null>;
  /** Keys starting with `prefix`, ascending, at most `limit` (default 1000) per page. */
  list(prefix: string, options?: { cursor?: string; limit?: number }): Promise<ListPage>;
  /** Delete keys; absent keys are ignored. */
  delete(keys: readonly string[]): Promise<void>;
}

export class BlobStoreError extends Error {
  constructor(
    message: string,
    readonly key?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  override name = 'BlobStoreError';
}

/** create-if-absent lost: the key already exists. */
export class BlobExistsError extends BlobStoreError {
  override name = 'BlobExistsError';
}

/** if-match failed: the key changed (or vanished) since the etag was read. */
export class BlobPreconditionFailedError extends BlobStoreError {
  override name = 'BlobPreconditionFailedError';
}

/** Every key of a prefix (follows pagination). */
export async function listAll(store: BlobStore, prefix: string, pageSize = 1000): Promise<BlobMeta[]> {
  const out: BlobMeta[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(prefix, { cursor, limit: pageSize });
    out.push(...page.blobs);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return out;
}

/** Key rules shared by the adapters: relative, '/'-separated, no empty, '.' or '..' segments. */
export function assertValidKey(key: string): void {
  if (key.length === 0 || key.length > 900 || key.startsWith('/') || key.endsWith('/')) {
    throw new BlobStoreError(`invalid key "${key}"`, key);
  }
  for (const seg of key.split('/')) {
    if (seg === '' || seg === '.' || seg === '..' || !/^[A-Za-z0-9._-]+$/.test(seg)) {
      throw new BlobStoreError(`invalid key "${key}": segment "${seg}"`, key);
    }
  }
}
