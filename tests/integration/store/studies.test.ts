import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller } from '../../../server/api/root';
import { createContextInner } from '../../../server/api/trpc';
import { InvalidRecordError } from '../../../server/core/errors';
import { gridCells } from '../../../server/core/grid';
import { paperPreset, PAPER_PRESETS, type PaperPreset } from '../../../server/core/paper-presets';
import { cellCount, SweepSpecSchema } from '../../../server/core/sweep-spec';
import { FsBlobStore } from '../../../server/store/fs-blob-store';
import { createStudyFromPreset, getStudy, sweepFindings } from '../../../server/store/studies';
import { SweepStore } from '../../../server/store/sweep-store';

/** Launching a paper preset as a study through the API, and the findings of its sweeps before any cell ran. */

let dir: string;
let store: SweepStore;
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const caller = (loopback = true) =>
  createCaller(createContextInner({ blob: store.blob, now: () => NOW, caller: { loopback } }));

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'atlas-studies-'));
  store = new SweepStore(new FsBlobStore(dir), () => NOW);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('studies', () => {
  it('launches every sweep of a preset with its role, then the study record', async () => {
    const preset = paperPreset('adam-heatmaps') as PaperPreset;
    const { id, sweeps } = await caller().studies.create({ preset: 'adam-heatmaps', size: 'cpu', author: 'ada' });
    expect(sweeps.map((s) => s.role)).toEqual(['adam', 'gi-adam']);
    const study = await getStudy(store, id);
    expect(study).toMatchObject({ preset: 'adam-heatmaps', size: 'cpu', author: 'ada', sweeps });
    for (const s of sweeps) {
      const rec = await store.getSweep(s.sweepId);
      expect(rec.spec.study).toEqual({ id, preset: 'adam-heatmaps', size: 'cpu', role: s.role });
      expect(rec.spec.author).toBe('ada');
      expect(rec.spec.optimizer.kind).toBe(s.role);
      expect(cellCount(rec.spec)).toBe(gridCells(SweepSpecSchema.parse(preset.sizes.cpu[0]?.spec)).length);
    }
    // The sweeps list names each sweep's study and role.
    const listed = await caller().sweeps.list({ limit: 10 });
    expect(listed.items.map((i) => i.study)).toEqual(
      [...sweeps]
        .sort((a, b) => (a.sweepId < b.sweepId ? -1 : 1))
        .map((s) => ({ id, preset: 'adam-heatmaps', size: 'cpu', role: s.role })),
    );
    // Before any cell ran, the sweep's findings are its study's, all pending, with counts from the grid.
    const adam = sweeps[0]?.sweepId as string;
    const { study: s2, findings } = await sweepFindings(store, adam);
    expect(s2?.id).toBe(id);
    expect(findings.map((f) => [f.claim, f.status])).toEqual([
      ['P1', 'pending'],
      ['P12', 'pending'],
    ]);
    const cells = cellCount((await store.getSweep(adam)).spec);
    expect(findings[0]?.summary).toBe(`${cells} of ${cells} cells have not finished; the check runs when they have.`);
  });

  it('rejects an unknown preset or size naming the field, and writes nothing for a preset with a bad sweep', async () => {
    await expect(caller().studies.create({ preset: 'fig-99', size: 'cpu' })).rejects.toThrow(
      /preset: unknown paper preset 'fig-99'/,
    );
    // @ts-expect-error: an invalid size is what the test sends
    await expect(caller().studies.create({ preset: 'fig3-heatmaps', size: 'huge' })).rejects.toThrow(/size/);
    await expect(caller(false).studies.create({ preset: 'fig3-heatmaps', size: 'cpu' })).rejects.toThrow(
      /UNAUTHORIZED|launch/i,
    );
    const before = (await store.listSweeps({ limit: 100 })).sweeps.length;
    const base = paperPreset('fig3-heatmaps') as PaperPreset;
    const good = base.sizes.cpu[0];
    if (good === undefined) throw new Error('fig3-heatmaps has no cpu sweep');
    const broken: PaperPreset = {
      ...base,
      sizes: { ...base.sizes, cpu: [good, { role: 'bad', spec: { ...good.spec, title: '' } }] },
    };
    await expect(createStudyFromPreset(store, broken, 'cpu')).rejects.toThrow(InvalidRecordError);
    await expect(createStudyFromPreset(store, broken, 'cpu')).rejects.toThrow(/sweep 1 \(bad\):\n.*title/);
    expect((await store.listSweeps({ limit: 100 })).sweeps.length).toBe(before);
  });

  it('serves the presets with their costs at both sizes', async () => {
    const list = await caller(false).studies.presets();
    expect(list.map((p) => p.id)).toEqual(PAPER_PRESETS.map((p) => p.id));
    for (const p of list) {
      const preset = paperPreset(p.id) as PaperPreset;
      const cells = preset.sizes.cpu.reduce((n, s) => n + gridCells(SweepSpecSchema.parse(s.spec)).length, 0);
      expect(p.cost.cpu.cells).toBe(cells);
      expect(p.cost.cpu.sweeps).toBe(preset.sizes.cpu.length);
    }
  });
});
