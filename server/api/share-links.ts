import { CorruptRecordError } from '../core/errors';
import {
  shortLinkId,
  ShortLinkIdSchema,
  ShortLinkRecordSchema,
  type ShortLinkRecord,
  SHORT_LINK_RECORD_SCHEMA_VERSION,
} from '../core/share';
import { BlobExistsError } from '../store/blob-store';
import { keys } from '../store/keys';
import { type SweepStore } from '../store/sweep-store';

/**
 * Short links: a view of a sweep stored once, immutable, under a content-addressed id — the same sweep
 * and view always give the same id, so creating a link twice writes nothing new, and a link never changes meaning.
 * Records go through the store's typed write/read (validated both ways) under `keys.shortLink`.
 */
export class ShortLinks {
  constructor(private readonly store: SweepStore) {}

  /**
   * Store the view `canonicalQuery` of sweep `sweepId` (SweepNotFoundError when it does not exist). The caller
   * canonicalises the query (parse then serialise the view state), so equivalent views share one id. Returns the
   * stored record; an over-long query is an InvalidRecordError from the store's validation.
   */
  async create(sweepId: string, canonicalQuery: string): Promise<ShortLinkRecord> {
    const sweep = await this.store.getSweep(sweepId);
    const canonical = canonicalQuery.replace(/^\?/, '');
    const id = await shortLinkId(sweep.id, canonical);
    const record: ShortLinkRecord = {
      schemaVersion: SHORT_LINK_RECORD_SCHEMA_VERSION,
      id,
      sweepId: sweep.id,
      query: canonical,
      createdAt: this.store.now(),
    };
    try {
      await this.store.write(keys.shortLink(id), ShortLinkRecordSchema, record, { ifAbsent: true });
      return record;
    } catch (e) {
      if (!(e instanceof BlobExistsError)) throw e;
      // Someone stored this view before: the first record stays (same content, earlier createdAt).
      const existing = await this.resolve(id);
      if (existing === null) throw e;
      return existing;
    }
  }

  /**
   * The record of a short id, or null when the id is malformed or unknown. A record whose content does not hash to
   * its id (hand-edited, or written by something else) is reported as corrupt rather than followed.
   */
  async resolve(id: string): Promise<ShortLinkRecord | null> {
    const parsed = ShortLinkIdSchema.safeParse(id);
    if (!parsed.success) return null;
    const key = keys.shortLink(parsed.data);
    const got = await this.store.read(key, ShortLinkRecordSchema);
    if (got === null) return null;
    const expected = await shortLinkId(got.value.sweepId, got.value.query);
    if (expected !== got.value.id || got.value.id !== parsed.data)
      throw new CorruptRecordError(key, `content hashes to ${expected}, not ${parsed.data}`);
    return got.value;
  }
}
