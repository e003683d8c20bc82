import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller } from '../../../server/api/root';
import { createContextInner } from '../../../server/api/trpc';
import { SweepIndexEntrySchema } from '../../../server/core/records';
import { FsBlobStore } from '../../../server/store/fs-blob-store';
import { keys } from '../../../server/store/keys';
import { CorruptRecordError } from '../../../server/core/errors';
import { SweepStore } from '../../../server/store/sweep-store';

/**
 * A store written by an older version of the code reads through the current one: the SweepRecord v1 fixture (written
 * by the v1 `createSweep`, tests/fixtures/records/README.md) is put under its key byte for byte, then read back by the
 * store and the API as a v2 record.
 */

const ID = 'swzdome0lbz-xx4q7b5c4f';
const NOW = Date.UTC(2025, 5, 1, 12, 5);
let dir: string;
let blob: FsBlobStore;
let v1Text: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'atlas-migrations-'));
  blob = new FsBlobStore(dir);
  v1Text = await readFile(new URL('../../fixtures/records/sweep-record-v1.json', import.meta.url), 'utf8');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a SweepRecord v1 in the store', () => {
  it('reads as v2 through the store, and the sweep it describes still has its 24 cells', async () => {
    await blob.put(keys.spec(ID), v1Text);
    const store = new SweepStore(blob, () => NOW);
    const sweep = await store.getSweep(ID);
    expect(sweep.schemaVersion).toBe(2);
    expect(sweep).not.toHaveProperty('cellCount');
    expect(sweep.spec.title).toBe('Demo: FCN-3-128 SGD on Fashion-MNIST');
    const status = await store.getSweepStatus(ID);
    expect(status.cells).toHaveLength(24);
    expect(status.counts.queued).toBe(24);
    // The stored bytes are not rewritten by reading.
    const stored = await blob.get(keys.spec(ID));
    expect(new TextDecoder().decode(stored?.body)).toBe(v1Text);
  });

  it('is listed by the API with its cell counts', async () => {
    await blob.put(keys.spec(ID), v1Text);
    const store = new SweepStore(blob, () => NOW);
    await store.write(keys.indexEntry(ID), SweepIndexEntrySchema, {
      schemaVersion: 1,
      id: ID,
      createdAt: Date.UTC(2025, 5, 1, 12),
      title: 'Demo: FCN-3-128 SGD on Fashion-MNIST',
      author: 'demo',
      cellCount: 24,
      etaUnit: 'inv-lambda0',
    });
    const caller = createCaller(createContextInner({ blob, caller: { loopback: true }, now: () => NOW }));
    const listed = await caller.sweeps.list({ limit: 10 });
    expect(listed.items.map((i) => [i.id, i.state, i.counts.queued])).toEqual([[ID, 'queued', 24]]);
    const byId = await caller.sweeps.byId({ id: ID });
    expect(byId.sweep.schemaVersion).toBe(2);
    expect(byId.cells).toHaveLength(24);
  });

  it('a SweepRecord of a newer version is refused with a message naming the record and both versions', async () => {
    const v99 = { ...(JSON.parse(v1Text) as object), schemaVersion: 99 };
    await blob.put(keys.spec(ID), JSON.stringify(v99));
    const store = new SweepStore(blob, () => NOW);
    const read = store.getSweep(ID);
    await expect(read).rejects.toThrow(CorruptRecordError);
    await expect(store.getSweep(ID)).rejects.toThrow(
      `corrupt record ${keys.spec(ID)}: SweepRecord has schemaVersion 99, newer than this code reads (2); read it with a newer version`,
    );
  });
});
