import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter, createCaller } from '../../../../server/api/root';
import { nonFiniteTransformer } from '../../../../server/api/transformer';
import { callerFromHeaders, createContextInner } from '../../../../server/api/trpc';
import { FsBlobStore } from '../../../../server/store/fs-blob-store';
import { keys } from '../../../../server/store/keys';
import { SweepStore } from '../../../../server/store/sweep-store';
import { encodeChunkRows, MetricChunkSchema } from '../../../../server/core/metric-chunk';
import { FIXTURE_LAMBDA0, FIXTURE_SPEC, seedFixtureSweep } from '../../../e2e/seed-store';

let dir: string;
let blob: FsBlobStore;
let sweepId: string;
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'atlas-api-'));
  blob = new FsBlobStore(dir);
  sweepId = await seedFixtureSweep(blob, { now: NOW });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const local = () => createCaller(createContextInner({ blob, caller: { loopback: true }, now: () => NOW + 1000 }));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TRPCError) return e.code;
    throw e;
  }
  return 'OK';
}

describe('presets.list', () => {
  it('offers the demo (6 η × 4 T_wrm = 24 cells) and none of the paper experiments, which are studies.presets', async () => {
    const presets = await local().presets.list();
    expect(presets.map((p) => ({ id: p.id, cellCount: p.cellCount }))).toEqual([{ id: 'demo', cellCount: 24 }]);
    const paper = await local().studies.presets();
    expect(paper.length).toBeGreaterThan(0);
    expect(paper.map((p) => p.id).filter((id) => presets.some((p) => p.id === id))).toEqual([]);
  });
});

describe('sweeps.byId', () => {
  it('returns every cell with its heatmap state, values, absolute η and history', async () => {
    const v = await local().sweeps.byId({ id: sweepId, histories: true });
    expect(v.sweep.id).toBe(sweepId);
    expect(v.lambda0).toBe(FIXTURE_LAMBDA0);
    expect(v.cells).toHaveLength(12);
    expect(v.state).toBe('running');
    const at = (e: number, w: number) => v.cells.find((c) => c.etaIndex === e && c.warmupSteps === w);
    expect(at(3, 1)?.state).toBe('diverged');
    expect(at(3, 1)?.divergedAtStep).toBe(8); // fixtureDivergenceStep(3, 1) = 5 + 3
    expect(at(3, 128)?.state).toBe('failed');
    expect(at(1, 128)?.state).toBe('running');
    expect(at(0, 128)?.state).toBe('queued');
    const trained = at(1, 16);
    expect(trained?.state).toBe('trained');
    // η = 2^1 / λ0 = 2/40 exactly.
    expect(trained?.etaTrgt).toBeCloseTo(0.05, 12);
    // Final loss of the fixture curve at step 299: 0.05 + 0.45·e^(−299/50).
    expect(trained?.values.finalTrainLoss).toBeCloseTo(0.05 + 0.45 * Math.exp(-299 / 50), 6);
    // max λ^H over the history is λ0 at step 0.
    expect(trained?.values.maxSharpness).toBe(FIXTURE_LAMBDA0);
    expect(trained?.history?.step[0]).toBe(0);
    // A running cell shows its latest train loss under the summary name.
    expect(at(1, 128)?.values.finalTrainLoss).toBeCloseTo(0.05 + 0.45 * Math.exp(-150 / 50), 6);
    expect(Number.isNaN(at(3, 1)?.values.finalTrainLoss)).toBe(true);
  });

  it('leaves the histories out unless asked (they are most of the payload)', async () => {
    const v = await local().sweeps.byId({ id: sweepId });
    expect(v.cells.every((c) => c.history === null)).toBe(true);
    expect(v.cells.find((c) => c.cellId === 'e01-w000016-s1')?.values.maxSharpness).toBe(FIXTURE_LAMBDA0);
  });

  it('is NOT_FOUND for an unknown sweep', async () => {
    expect(await codeOf(local().sweeps.byId({ id: 'sw000000000-0000000000' }))).toBe('NOT_FOUND');
  });
});

describe('cells', () => {
  const cellId = 'e01-w000016-s1';

  it('byId gives the warmup end, recorded catapults and the SGD reference line 2/η', async () => {
    const d = await local().cells.byId({ sweepId, cellId });
    expect(d.markers).toEqual({ warmupEnd: 15, divergence: null, catapults: [] });
    expect(d.thresholds).toEqual({ sharpness: 2, precond: null });
    expect(d.result?.outcome).toBe('trained');
    const constant = await local().cells.byId({ sweepId, cellId: 'e01-w000001-s1' });
    expect(constant.markers).toEqual({ warmupEnd: null, divergence: null, catapults: [12] });
  });

  it('gives Adam its two reference lines: (2+2β1)/η for λ^H and (2+2β1)/((1−β1)η) = 38/η for λ^{P⁻¹H}', async () => {
    // A store of its own, so the listing tests below see only their sweeps.
    const adamDir = await mkdtemp(path.join(os.tmpdir(), 'atlas-api-adam-'));
    const caller = createCaller(createContextInner({ blob: new FsBlobStore(adamDir), caller: { loopback: true } }));
    const adam = await caller.sweeps.create({
      ...FIXTURE_SPEC,
      title: 'Adam',
      optimizer: { kind: 'adam' },
      etaGrid: { kind: 'explicit', values: [1e-3] },
      warmupGrid: [1],
    });
    const d = await caller.cells.byId({ sweepId: adam.id, cellId: 'e00-w000001-s1' });
    expect(d.thresholds.sharpness).toBeCloseTo(3.8, 12);
    expect(d.thresholds.precond).toBeCloseTo(38, 12);
    expect(d.cell.state).toBe('queued');
    expect(d.result).toBeNull();
    await rm(adamDir, { recursive: true, force: true });
  });

  it('series labels the regime from the rows: the fixture λ falls 40 → 24, so C2 (sharpness reduction)', async () => {
    const s = await local().cells.series({ sweepId, cellId });
    expect(s.regime?.regime).toBe('C2');
    expect(s.regime?.evidence.logChange).toBeLessThan(-0.1);
  });

  it('series detects a catapult where the loss triples at r = η·λ/2 > 1 and λ then drops', async () => {
    // η index 2 (η = 4/40 = 0.1), T_wrm = 16: at step 12 the LR is 0.1·13/16 and λ ≈ 40·(1 − 0.4·0.1) = 38.4,
    // so r ≈ 1.56 > 1; λ drops by 40% after the spike.
    const s = await local().cells.series({ sweepId, cellId: 'e02-w000016-s1' });
    expect(s.markers.catapults).toEqual([12]);
    // η index 1: r ≈ (0.05·13/16)·38.4/2 = 0.78 < 1 at the same spike, so it is not a catapult.
    expect((await local().cells.series({ sweepId, cellId })).markers.catapults).toEqual([]);
  });

  it('series downsamples to ≤ maxPoints, keeping the first/last steps and the warmup end', async () => {
    const s = await local().cells.series({ sweepId, cellId, maxPoints: 50 });
    expect(s.rowCount).toBe(300);
    const loss = s.series.loss;
    expect(loss?.steps.length).toBeLessThanOrEqual(50);
    expect(loss?.steps[0]).toBe(0);
    expect(loss?.steps.at(-1)).toBe(299);
    expect(loss?.steps).toContain(15); // warmup end is always kept
    // lr at update 0 with T_wrm = 16: η_trgt/16 = (2/40)/16.
    expect(s.series.lr?.values[0]).toBeCloseTo(0.05 / 16, 12);
    // Sharpness measured every 10 steps plus step 11: 31 points, kept whole.
    expect(s.series.sharpness?.steps).toHaveLength(31);
  });

  it('series of a diverged cell ends at the divergence step with its NaN loss', async () => {
    const s = await local().cells.series({ sweepId, cellId: 'e03-w000001-s1' });
    expect(s.markers.divergence).toBe(8);
    expect(s.series.loss?.steps.at(-1)).toBe(8);
    expect(Number.isNaN(s.series.loss?.values.at(-1))).toBe(true);
  });

  it('is NOT_FOUND for a cell that is not in the grid', async () => {
    expect(await codeOf(local().cells.byId({ sweepId, cellId: 'e09-w000016-s1' }))).toBe('NOT_FOUND');
  });
});

describe('sweeps.create / cancel / list', () => {
  it('refuses launch from a non-loopback caller without a token, and a wrong token when one is set', async () => {
    const remote = createCaller(createContextInner({ blob, caller: { loopback: false } }));
    expect(await codeOf(remote.sweeps.create(FIXTURE_SPEC))).toBe('UNAUTHORIZED');
    const tokened = (token: string | null) =>
      createCaller(createContextInner({ blob, launchToken: 'secret-token', caller: { loopback: true, token } }));
    expect(await codeOf(tokened(null).sweeps.cancel({ id: sweepId }))).toBe('UNAUTHORIZED');
    expect(await codeOf(tokened('wrong-token!').sweeps.cancel({ id: sweepId }))).toBe('UNAUTHORIZED');
  });

  it('launches, lists newest first with filters and cursors, and cancels', async () => {
    const caller = local();
    const a = await createCaller(
      createContextInner({ blob, caller: { loopback: true }, now: () => NOW + 10_000 }),
    ).sweeps.create({ ...FIXTURE_SPEC, title: 'A', author: 'Ann' });
    const b = await createCaller(
      createContextInner({ blob, caller: { loopback: true }, now: () => NOW + 20_000 }),
    ).sweeps.create({
      ...FIXTURE_SPEC,
      title: 'B',
      optimizer: { kind: 'adam' },
      etaGrid: { kind: 'explicit', values: [1e-3, 1e-2] },
    });
    expect(b.cellCount).toBe(6);
    const page1 = await caller.sweeps.list({ limit: 2 });
    expect(page1.items.map((i) => i.title)).toEqual(['B', 'A']);
    expect(page1.items[0]).toMatchObject({
      optimizer: 'adam',
      state: 'queued',
      counts: { total: 6, done: 0 },
      grid: { etas: 2, warmups: 3, seeds: 1 },
    });
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await caller.sweeps.list({ limit: 2, cursor: page1.nextCursor ?? undefined });
    expect(page2.items.map((i) => i.id)).toEqual([sweepId]);
    expect(page2.items[0]).toMatchObject({
      state: 'running',
      model: 'FCN-3-64 SP mse',
      counts: { total: 12, done: 10, running: 1, queued: 1 },
    });
    expect(page2.nextCursor).toBeNull();
    expect((await caller.sweeps.list({ author: 'ANN' })).items.map((i) => i.id)).toEqual([a.id]);
    expect((await caller.sweeps.list({ optimizer: 'adam' })).items.map((i) => i.id)).toEqual([b.id]);
    expect((await caller.sweeps.list({ status: 'running' })).items.map((i) => i.id)).toEqual([sweepId]);
    await caller.sweeps.cancel({ id: a.id });
    expect((await caller.sweeps.list({ status: 'cancelled' })).items.map((i) => i.id)).toEqual([a.id]);
  });
});

describe('HTTP: error formatting and credentials', () => {
  async function post(
    pathname: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: unknown }> {
    const req = new Request(`http://localhost:3000/api/trpc/${pathname}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        host: 'localhost:3000',
        'x-forwarded-for': '127.0.0.1',
        ...headers,
      },
      body: JSON.stringify(nonFiniteTransformer.serialize(body)),
    });
    const res = await fetchRequestHandler({
      endpoint: '/api/trpc',
      req,
      router: appRouter,
      createContext: () => createContextInner({ blob, caller: callerFromHeaders(req.headers) }),
    });
    return { status: res.status, json: await res.json() };
  }

  it('answers a bad SweepSpec with 400 and the issue paths of the offending fields', async () => {
    const bad = { ...FIXTURE_SPEC, steps: 0, etaGrid: { kind: 'pow2', unit: 'absolute', fromExp: 3, toExp: 1 } };
    const { status, json } = await post('sweeps.create', bad);
    expect(status).toBe(400);
    const data = (
      json as {
        error: { data: { fieldIssues: { path: string }[]; zodError: { fieldErrors: Record<string, string[]> } } };
      }
    ).error.data;
    const paths = data.fieldIssues.map((i) => i.path);
    expect(paths).toContain('steps');
    expect(data.zodError.fieldErrors.steps?.length).toBe(1);
  });

  it('treats forwarded non-loopback callers as remote: 401 on launch', async () => {
    const { status } = await post('sweeps.create', FIXTURE_SPEC, { 'x-forwarded-for': '203.0.113.9' });
    expect(status).toBe(401);
    expect(callerFromHeaders(new Headers({ host: 'example.org', 'x-forwarded-for': '127.0.0.1' })).loopback).toBe(
      false,
    );
    expect(
      callerFromHeaders(new Headers({ host: '[::1]:3000', 'x-forwarded-for': '::1', authorization: 'Bearer abc' })),
    ).toEqual({ token: 'abc', loopback: true });
  });
});

describe('series cache', () => {
  it('re-reads a running cell only when a chunk is appended', async () => {
    const cellId = 'e01-w000128-s1'; // running fixture cell: rows 0…150 in two chunks
    const first = await local().cells.series({ sweepId, cellId });
    expect(first.rowCount).toBe(151);
    // Rewrite the FIRST chunk (never done in practice: chunks are append-only). The key (epoch, chunk count, last
    // chunk's etag) is unchanged, so the cached series is served: proof the repeat did not re-read the rows.
    const store = new SweepStore(blob);
    const bogus = Array.from({ length: 128 }, (_, i) => ({
      step: i,
      lr: 0.05,
      loss: 123,
      acc: 0.5,
      gradNorm: 1,
      paramNorm: 10,
    }));
    await store.write(keys.chunk(sweepId, cellId, 1, 0), MetricChunkSchema, {
      schemaVersion: 1,
      sweepId,
      cellId,
      epoch: 1,
      seq: 0,
      ...encodeChunkRows(bogus),
    });
    expect(await local().cells.series({ sweepId, cellId })).toEqual(first);
    const rows = Array.from({ length: 10 }, (_, i) => ({
      step: 151 + i,
      lr: 0.05,
      loss: 0.1,
      acc: 0.5,
      gradNorm: 1,
      paramNorm: 10,
    }));
    await store.write(keys.chunk(sweepId, cellId, 1, 2), MetricChunkSchema, {
      schemaVersion: 1,
      sweepId,
      cellId,
      epoch: 1,
      seq: 2,
      ...encodeChunkRows(rows),
    });
    const after = await local().cells.series({ sweepId, cellId });
    expect(after.rowCount).toBe(161);
    expect(after.series.loss?.steps.at(-1)).toBe(160);
    // Re-read from the store: the rewritten first chunk now shows.
    expect(after.series.loss?.values[0]).toBe(123);
  });

  it('serves a finished cell again without re-reading its chunks (they are immutable once done)', async () => {
    const cellId = 'e00-w000016-s1';
    const first = await local().cells.series({ sweepId, cellId, maxPoints: 40 });
    // Remove the chunks: a second read from the store would now find no rows.
    const { readdir, rm: rmFile } = await import('node:fs/promises');
    const epochDir = path.join(dir, 'sweeps', sweepId, 'cells', cellId, 'e000001');
    for (const f of await readdir(epochDir)) if (f.startsWith('metrics-')) await rmFile(path.join(epochDir, f));
    expect((await new FsBlobStore(dir).list(`sweeps/${sweepId}/cells/${cellId}/e000001/metrics-`)).blobs).toHaveLength(
      0,
    );
    const again = await local().cells.series({ sweepId, cellId, maxPoints: 40 });
    expect(again.rowCount).toBe(300);
    expect(again).toEqual(first);
    // A different maxPoints is a different entry, computed from the (now empty) store.
    expect((await local().cells.series({ sweepId, cellId, maxPoints: 41 })).rowCount).toBe(0);
  });
});
