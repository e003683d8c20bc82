import { type z } from 'zod';
import { CorruptRecordError, formatZodError, InvalidRecordError } from '../core/errors';
import { Lru } from '../core/lru';
import { stringifyRecord } from '../core/json-number';
import { type BlobMeta, type BlobStore } from './blob-store';
import { safeParseStored } from '../core/versioned';

/**
 * Typed records over a BlobStore: every JSON is validated by its zod schema before it is written and parsed by it
 * when read. `read` is the one place stored records are parsed, so an upgrade of older record versions has one home.
 * SweepStore (sweep-store.ts) builds the sweep API on top of this.
 */
export class RecordStore {
  constructor(
    readonly blob: BlobStore,
    private readonly clock: () => number = Date.now,
  ) {}

  now(): number {
    return this.clock();
  }

  /** Read and parse one record; null when absent; CorruptRecordError when it does not parse. */
  async read<S extends z.ZodType>(key: string, schema: S): Promise<{ value: z.output<S>; meta: BlobMeta } | null> {
    const got = await this.blob.get(key);
    if (got === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(got.body));
    } catch (e) {
      throw new CorruptRecordError(key, e instanceof Error ? e.message : String(e));
    }
    // Older versions are upgraded by the record's migrations; a newer one is refused with a message naming both.
    const r = safeParseStored(schema, json);
    if (!r.success) throw new CorruptRecordError(key, r.message);
    return { value: r.data, meta: got.meta };
  }

  /**
   * Like `read`, for a record whose current etag is known from a listing (or IMMUTABLE): an unchanged record is served
   * from a cache shared by every store over the same BlobStore, so a live dashboard re-reads only what changed.
   */
  async readListed<S extends z.ZodType>(key: string, etag: string, schema: S): Promise<z.output<S> | null> {
    const cache = cacheFor(this.blob);
    const hit = cache.get(key);
    if (hit && hit.etag === etag && hit.schema === schema) return hit.value as z.output<S>;
    const got = await this.read(key, schema);
    if (got) cache.set(key, { etag: etag === IMMUTABLE ? IMMUTABLE : got.meta.etag, schema, value: got.value });
    return got?.value ?? null;
  }

  /** Validate then write one record; returns the written meta (its size is the stored bytes). */
  async write<S extends z.ZodType>(
    key: string,
    schema: S,
    value: z.input<S>,
    options: { ifAbsent?: boolean; ifMatch?: string } = {},
  ): Promise<BlobMeta> {
    // Validate exactly the text that is stored: NaN/±Inf are encoded first, then read back as a reader would.
    const text = stringifyRecord(value);
    const r = schema.safeParse(JSON.parse(text));
    if (!r.success) throw new InvalidRecordError(`invalid record for ${key}:\n${formatZodError(r.error)}`);
    return this.blob.put(key, text, { ...options, contentType: 'application/json' });
  }
}

/** The etag to pass to `readListed` for records written once and never changed (done markers, results). */
export const IMMUTABLE = '(immutable)';

/**
 * The value of a read, or null when the record is corrupt; any other error (IO, not found) propagates. For readers
 * that show what they can and report the rest, where one bad record must not hide the others.
 */
export async function nullIfCorrupt<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (e) {
    if (e instanceof CorruptRecordError) return null;
    throw e;
  }
}

interface CachedRecord {
  etag: string;
  schema: z.ZodType;
  value: unknown;
}

/** Parsed records by key, one cache per BlobStore, bounded (least recently used dropped first). */
const caches = new WeakMap<BlobStore, Lru<string, CachedRecord>>();

function cacheFor(blob: BlobStore): Lru<string, CachedRecord> {
  let c = caches.get(blob);
  if (!c) {
    c = new Lru(50_000);
    caches.set(blob, c);
  }
  return c;
}
