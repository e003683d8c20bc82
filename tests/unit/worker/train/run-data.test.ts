import { describe, expect, it } from 'vitest';
import { DataSpecSchema } from '../../../../server/core/run-config';
import { loadRunData } from '../../../../worker/engine/run-data';

const spec = (seed: number) =>
  DataSpecSchema.parse({
    name: 'synthetic-gmm',
    synthetic: { inputDim: 8, classes: 3, trainSize: 32, testSize: 8, seed },
  });

describe('loadRunData (one-entry cache across runs of a process)', () => {
  it('returns the same splits for an equal spec and fresh ones for another', async () => {
    const a = await loadRunData(spec(1));
    const again = await loadRunData(spec(1));
    expect(again).toBe(a);
    const b = await loadRunData(spec(2));
    expect(b).not.toBe(a);
    expect(Array.from(b.train.x.slice(0, 4))).not.toEqual(Array.from(a.train.x.slice(0, 4)));
    // One entry: going back to spec 1 loads it again — and gives the same values (loading is deterministic).
    const a2 = await loadRunData(spec(1));
    expect(a2).not.toBe(a);
    expect(a2.train.x).toEqual(a.train.x);
  });

  it('does not keep a failed load', async () => {
    const bad = DataSpecSchema.parse({ name: 'mnist', dir: '/nonexistent-atlas-dir' });
    const first = loadRunData(bad);
    await expect(first).rejects.toThrow(/nonexistent-atlas-dir/);
    const second = loadRunData(bad);
    expect(second).not.toBe(first);
    await expect(second).rejects.toThrow(/nonexistent-atlas-dir/);
  });
});
