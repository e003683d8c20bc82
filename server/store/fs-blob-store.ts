import { randomBytes } from 'node:crypto';
import { promises as fs, type BigIntStats, type Dirent } from 'node:fs';
import { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
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
 * BlobStore over a local directory. Writes go to a temp file in the target's directory, then:
 *   plain put  → rename (atomic replace: readers see the old or the new file, never a partial one);
 *   ifAbsent   → link(temp, target), which fails with EEXIST if the target exists (atomic exclusive create);
 *   ifMatch    → under a per-key lock file (exclusive create), compare the etag, then rename.
 * Temp and lock files contain '~', which no key may contain, so listings skip them.
 * The etag is (inode, mtime ns, size) of the file: every write renames a fresh temp file in, so it changes on every
 * write, it is the same in every process reading the directory, and listing needs no file reads.
 */
export class FsBlobStore implements BlobStore {
  readonly kind = 'fs';

  constructor(readonly root: string) {}

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<BlobMeta> {
    assertValidKey(key);
    const bytes =
      typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}~tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
    await fs.writeFile(tmp, bytes);
    // The temp file's inode and mtime become the key's (rename and link keep both), so this is the new etag.
    const written = metaOf(key, await fs.stat(tmp, { bigint: true }));
    try {
      if (options.ifAbsent) {
        try {
          await fs.link(tmp, file);
        } catch (e) {
          if (errno(e) === 'EEXIST') throw new BlobExistsError(`blob exists: ${key}`, key);
          if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP'].includes(errno(e) ?? '')) throw e;
          // A filesystem without hard links: exclusive create, then write (a reader may see it half-written).
          const h = await fs.open(file, 'wx').catch((e2: unknown) => {
            throw errno(e2) === 'EEXIST' ? new BlobExistsError(`blob exists: ${key}`, key) : e2;
          });
          try {
            await h.writeFile(bytes);
          } finally {
            await h.close();
          }
          return metaOf(key, await fs.stat(file, { bigint: true }));
        }
      } else if (options.ifMatch !== undefined) {
        const ifMatch = options.ifMatch;
        await this.withLock(file, async () => {
          const current = await statOrNull(file);
          if (current === null || metaOf(key, current).etag !== ifMatch) {
            throw new BlobPreconditionFailedError(`etag mismatch for ${key}`, key);
          }
          await fs.rename(tmp, file);
        });
      } else {
        await fs.rename(tmp, file);
      }
    } finally {
      await fs.rm(tmp, { force: true });
    }
    return written;
  }

  async get(key: string): Promise<{ body: Uint8Array; meta: BlobMeta } | null> {
    assertValidKey(key);
    let h: FileHandle;
    try {
      h = await fs.open(this.file(key), 'r');
    } catch (e) {
      if (isAbsent(e)) return null;
      throw e;
    }
    try {
      // stat and read through one handle: the meta belongs to exactly these bytes even if a rename replaces the key.
      const st = await h.stat({ bigint: true });
      if (!st.isFile()) return null;
      const body = await h.readFile();
      return { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), meta: metaOf(key, st) };
    } finally {
      await h.close();
    }
  }

  async head(key: string): Promise<BlobMeta | null> {
    assertValidKey(key);
    const st = await statOrNull(this.file(key));
    return st === null ? null : metaOf(key, st);
  }

  async list(prefix: string, options: { cursor?: string; limit?: number } = {}): Promise<ListPage> {
    const limit = Math.max(1, Math.min(options.limit ?? 1000, 1000));
    // Walk only the deepest directory that contains every key with this prefix.
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash >= 0 ? prefix.slice(0, slash) : '';
    const keys: string[] = [];
    await walk(path.join(this.root, dirKey), dirKey, keys);
    const after = options.cursor;
    const matching = keys.filter((k) => k.startsWith(prefix) && (after === undefined || k > after)).sort();
    const pageKeys = matching.slice(0, limit);
    const blobs: BlobMeta[] = [];
    for (const k of pageKeys) {
      const st = await statOrNull(this.file(k));
      if (st !== null) blobs.push(metaOf(k, st)); // else deleted since the walk
    }
    const last = pageKeys[pageKeys.length - 1];
    return matching.length > limit && last !== undefined ? { blobs, cursor: last } : { blobs };
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      assertValidKey(key);
      await fs.rm(this.file(key), { force: true });
    }
  }

  private file(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }

  /** Run `fn` holding `<file>~lock` (exclusive create). A lock older than 10 s is from a dead process: taken over. */
  private async withLock(file: string, fn: () => Promise<void>): Promise<void> {
    const lock = `${file}~lock`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const h = await fs.open(lock, 'wx');
        await h.close();
        break;
      } catch (e) {
        if (errno(e) !== 'EEXIST') throw e;
        // The holder may release the lock between our open and this stat: absent is fine, anything else is not.
        const st = await fs.stat(lock).catch((e2: unknown) => {
          if (isAbsent(e2)) return null;
          throw e2;
        });
        if (st && Date.now() - st.mtimeMs > 10_000) await fs.rm(lock, { force: true });
        if (Date.now() > deadline) throw new BlobStoreError(`lock busy: ${lock}`);
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      }
    }
    try {
      await fn();
    } finally {
      await fs.rm(lock, { force: true });
    }
  }
}

function metaOf(key: string, st: BigIntStats): BlobMeta {
  return {
    key,
    size: Number(st.size),
    etag: `"${st.ino.toString(36)}-${st.mtimeNs.toString(36)}-${st.size.toString(36)}"`,
    uploadedAt: Number(st.mtimeMs),
  };
}

function isAbsent(e: unknown): boolean {
  const code = errno(e);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

async function statOrNull(file: string): Promise<BigIntStats | null> {
  try {
    const st = await fs.stat(file, { bigint: true });
    return st.isFile() ? st : null;
  } catch (e) {
    if (isAbsent(e)) return null;
    throw e;
  }
}

function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

async function walk(dir: string, dirKey: string, out: string[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    const code = errno(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw e;
  }
  for (const ent of entries) {
    if (ent.name.includes('~')) continue;
    const key = dirKey === '' ? ent.name : `${dirKey}/${ent.name}`;
    if (ent.isDirectory()) await walk(path.join(dir, ent.name), key, out);
    else if (ent.isFile()) out.push(key);
  }
}
