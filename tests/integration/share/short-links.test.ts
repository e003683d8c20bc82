import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShortLinks } from '../../../server/api/share-links';
import { shortLinkId } from '../../../server/core/share';
import { FsBlobStore } from '../../../server/store/fs-blob-store';
import { keys } from '../../../server/store/keys';
import { CorruptRecordError, InvalidRecordError, SweepNotFoundError } from '../../../server/core/errors';
import { SweepStore } from '../../../server/store/sweep-store';
import { seedFinished } from './fixtures';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
let dir: string;
let blob: FsBlobStore;
let sweepId: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'atlas-links-'));
  blob = new FsBlobStore(dir);
  sweepId = await seedFinished(blob, NOW);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ShortLinks', () => {
  it('stores a view once under its content address and resolves it', async () => {
    let t = NOW + 5;
    const links = new ShortLinks(new SweepStore(blob, () => t));
    const query = 'metric=finalTestAcc&cells=e01-w000016-s1%2Ce02-w000016-s1&step=64';
    const rec = await links.create(sweepId, query);
    expect(rec).toEqual({
      schemaVersion: 1,
      id: await shortLinkId(sweepId, query),
      sweepId,
      query,
      createdAt: NOW + 5,
    });
    const stored = await blob.get(keys.shortLink(rec.id));
    expect(JSON.parse(new TextDecoder().decode(stored?.body))).toEqual(rec);
    // Same view again (with a leading "?"): same id, the first record stays.
    t = NOW + 99;
    const again = await links.create(sweepId, `?${query}`);
    expect(again).toEqual(rec);
    expect(await links.resolve(rec.id)).toEqual(rec);
  });

  it('returns null for unknown or malformed ids', async () => {
    const links = new ShortLinks(new SweepStore(blob));
    expect(await links.resolve('0000000000zz')).toBeNull();
    expect(await links.resolve('../../etc')).toBeNull();
    expect(await links.resolve(sweepId)).toBeNull();
  });

  it('refuses unknown sweeps and over-long queries', async () => {
    const links = new ShortLinks(new SweepStore(blob));
    await expect(links.create('sw000000000-0000000000', 'metric=finalTrainLoss')).rejects.toBeInstanceOf(
      SweepNotFoundError,
    );
    await expect(links.create(sweepId, `metric=finalTrainLoss&x=${'a'.repeat(2000)}`)).rejects.toBeInstanceOf(
      InvalidRecordError,
    );
  });

  it('does not follow a record whose content was changed after it was stored', async () => {
    const links = new ShortLinks(new SweepStore(blob));
    const rec = await links.create(sweepId, 'metric=bestTrainLoss');
    await writeFile(path.join(dir, keys.shortLink(rec.id)), JSON.stringify({ ...rec, query: 'metric=finalTestAcc' }));
    await expect(links.resolve(rec.id)).rejects.toBeInstanceOf(CorruptRecordError);
  });
});
