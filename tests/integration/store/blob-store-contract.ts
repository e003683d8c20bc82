import { describe, expect, it } from 'vitest';
import {
  BlobExistsError,
  BlobPreconditionFailedError,
  BlobStoreError,
  listAll,
  type BlobStore,
} from '../../../server/store/blob-store';

/**
 * The BlobStore contract: every adapter runs this same suite (fs on a temp dir, Vercel Blob against the loopback
 * emulator). `fresh()` returns an empty store.
 */
export function blobStoreContract(name: string, fresh: () => Promise<BlobStore>): void {
  const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);

  describe(`BlobStore contract: ${name}`, () => {
    it('round-trips bytes and strings; absent keys read as null', async () => {
      const s = await fresh();
      const meta = await s.put('a/b/c.json', '{"x":1}');
      expect(meta).toMatchObject({ key: 'a/b/c.json', size: 7 });
      const bin = Uint8Array.from([0, 255, 1, 128]);
      await s.put('a/bin', bin);
      const got = await s.get('a/b/c.json');
      expect(text(got?.body)).toBe('{"x":1}');
      expect(got?.meta.etag).toBe(meta.etag);
      expect(Array.from((await s.get('a/bin'))?.body ?? [])).toEqual([0, 255, 1, 128]);
      expect(await s.get('a/none')).toBeNull();
      expect(await s.head('a/none')).toBeNull();
      const h = await s.head('a/b/c.json');
      expect(h).toMatchObject({ key: 'a/b/c.json', size: 7, etag: meta.etag });
    });

    it('overwrites by default and changes the etag', async () => {
      const s = await fresh();
      const m1 = await s.put('k.json', 'one');
      const m2 = await s.put('k.json', 'two!');
      expect(m2.etag).not.toBe(m1.etag);
      expect(text((await s.get('k.json'))?.body)).toBe('two!');
      expect((await s.head('k.json'))?.size).toBe(4);
    });

    it('create-if-absent: the second create fails with BlobExistsError and leaves the first', async () => {
      const s = await fresh();
      await s.put('claim-000001.json', 'first', { ifAbsent: true });
      await expect(s.put('claim-000001.json', 'second', { ifAbsent: true })).rejects.toBeInstanceOf(BlobExistsError);
      expect(text((await s.get('claim-000001.json'))?.body)).toBe('first');
    });

    it('create-if-absent: of 8 concurrent creators exactly one wins', async () => {
      const s = await fresh();
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => s.put('race.json', `w${i}`, { ifAbsent: true })),
      );
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(BlobExistsError);
      expect(text((await s.get('race.json'))?.body)).toBe(`w${winners[0]}`);
    });

    it('if-match: writes with the current etag, refuses a stale one or an absent key', async () => {
      const s = await fresh();
      const m1 = await s.put('lease.json', 'v1');
      const m2 = await s.put('lease.json', 'v2', { ifMatch: m1.etag });
      expect(text((await s.get('lease.json'))?.body)).toBe('v2');
      await expect(s.put('lease.json', 'v3', { ifMatch: m1.etag })).rejects.toBeInstanceOf(BlobPreconditionFailedError);
      expect(text((await s.get('lease.json'))?.body)).toBe('v2');
      await expect(s.put('nothing.json', 'x', { ifMatch: m2.etag })).rejects.toBeInstanceOf(
        BlobPreconditionFailedError,
      );
      expect(await s.head('nothing.json')).toBeNull();
    });

    it('if-match: of 6 concurrent writers holding the same etag exactly one wins', async () => {
      const s = await fresh();
      const m = await s.put('cas.json', 'v0');
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => s.put('cas.json', `w${i}`, { ifMatch: m.etag })),
      );
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      expect(text((await s.get('cas.json'))?.body)).toBe(`w${winners[0]}`);
    });

    it('lists by prefix in ascending order, paginated', async () => {
      const s = await fresh();
      for (const k of [
        'p/x/3.json',
        'p/x/1.json',
        'p/x/2.json',
        'p/x/5/deep.json',
        'p/x/4.json',
        'p/xy.json',
        'p/y/1.json',
        'q.json',
      ]) {
        await s.put(k, k);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await s.list('p/x/', { cursor, limit: 2 });
        expect(page.blobs.length).toBeLessThanOrEqual(2);
        seen.push(...page.blobs.map((b) => b.key));
        cursor = page.cursor;
        pages++;
      } while (cursor !== undefined);
      expect(seen).toEqual(['p/x/1.json', 'p/x/2.json', 'p/x/3.json', 'p/x/4.json', 'p/x/5/deep.json']);
      expect(pages).toBe(3);
      // A prefix need not end at a segment boundary.
      expect((await listAll(s, 'p/x')).map((b) => b.key)).toEqual([...seen, 'p/xy.json']);
      const one = (await s.list('p/y/')).blobs[0];
      expect(one).toMatchObject({ key: 'p/y/1.json', size: 'p/y/1.json'.length });
      expect(one?.etag).toBe((await s.head('p/y/1.json'))?.etag);
      expect((await s.list('nothing/')).blobs).toEqual([]);
    });

    it('deletes keys and ignores absent ones', async () => {
      const s = await fresh();
      await s.put('d/1.json', '1');
      await s.put('d/2.json', '2');
      await s.delete(['d/1.json', 'd/missing.json']);
      expect(await s.get('d/1.json')).toBeNull();
      expect((await listAll(s, 'd/')).map((b) => b.key)).toEqual(['d/2.json']);
      // A deleted key can be created again (create-if-absent).
      await s.put('d/1.json', 'again', { ifAbsent: true });
      expect(text((await s.get('d/1.json'))?.body)).toBe('again');
    });

    it('rejects keys that could escape the layout', async () => {
      const s = await fresh();
      for (const bad of ['', '/abs', 'a//b', 'a/../b', 'a/./b', 'trailing/', 'sp ace', 'tilde~x']) {
        await expect(s.put(bad, 'x')).rejects.toBeInstanceOf(BlobStoreError);
      }
    });
  });
}
