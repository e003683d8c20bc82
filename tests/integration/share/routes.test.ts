import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getJson } from '../../../app/api/sweeps/[id]/heatmap.json/route';
import { GET as getOg } from '../../../app/api/sweeps/[id]/og.png/route';
import { GET as getPng } from '../../../app/api/sweeps/[id]/heatmap.png/route';
import { GET as getSvg } from '../../../app/api/sweeps/[id]/heatmap.svg/route';
import { FsBlobStore } from '../../../server/store/fs-blob-store';
import { seedDivergedHeavy, seedFinished, seedRunning } from './fixtures';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
let dir: string;
let finished: string;
let running: string;
let heavy: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'atlas-share-'));
  // The routes open the configured store once per process (as in production): point it at the temp directory.
  process.env.ATLAS_DATA_DIR = dir;
  delete process.env.BLOB_READ_WRITE_TOKEN;
  const blob = new FsBlobStore(dir);
  finished = await seedFinished(blob, NOW);
  // Its leases run a day from now, so the running cells stay running whenever the test runs.
  running = await seedRunning(blob, Date.now());
  heavy = await seedDivergedHeavy(blob, NOW);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const req = (p: string, headers: Record<string, string> = {}) => new Request(`http://localhost:3000${p}`, { headers });

/** Round numbers with two or more decimals to one, so snapshots do not churn on float noise. */
function roundNumbers(svg: string): string {
  return svg.replace(/-?\d+\.\d{2,}/g, (m) => String(Math.round(Number(m) * 10) / 10));
}

async function snapshot(name: string, svg: string): Promise<void> {
  const file = path.join(import.meta.dirname, '__snapshots__', `${name}.svg`);
  if (process.env.SAVE_SHARE_ARTIFACTS) await writeFile(path.join(os.tmpdir(), `share-${name}.svg`), svg);
  await expect(roundNumbers(svg)).toMatchFileSnapshot(file);
}

describe('heatmap.svg', () => {
  it('renders a finished sweep as a standalone SVG document with immutable caching', async () => {
    const res = await getSvg(
      req(`/api/sweeps/${finished}/heatmap.svg?metric=finalTrainLoss&cells=e01-w000016-s1`),
      ctx(finished),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-z]{26}"$/);
    const svg = await res.text();
    expect(
      svg.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="720" height="540"',
      ),
    ).toBe(true);
    expect(svg).not.toMatch(/<script|<style|href="http|xlink:href="http|@import|<foreignObject/);
    expect(svg).toContain('FCN-3-64 SP mse · SGD · final train loss');
    expect(svg).toContain('Share fixture: finished · done · 12/12 cells finished · λ0 = 40');
    // 12 cells, 4 of them diverged (cross-hatch) and one failed; the boundary line; the selected cell outlined.
    expect(svg.match(/<rect class="cell /g)).toHaveLength(12);
    expect(svg.match(/class="cell cell--diverged"/g)).toHaveLength(3);
    expect(svg.match(/fill="url\(#share-diverged\)"/g)?.length).toBeGreaterThanOrEqual(3);
    expect(svg).toContain('class="cell cell--failed"');
    expect(svg).toContain('class="boundary"');
    expect(svg).toContain('class="cell cell--trained cell--selected" data-key="1:1" data-cell-id="e01-w000016-s1"');
    await snapshot('finished', svg);
  });

  it('renders a running sweep with short caching, its running and queued cells marked', async () => {
    const res = await getSvg(req(`/api/sweeps/${running}/heatmap.svg?metric=finalTrainLoss`), ctx(running));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=5, stale-while-revalidate=25');
    const svg = await res.text();
    expect(svg).toContain('Share fixture: running · running · 9/12 cells finished');
    expect(svg.match(/class="cell cell--running"/g)).toHaveLength(2);
    expect(svg.match(/class="cell cell--queued"/g)).toHaveLength(1);
    await snapshot('running', svg);
  });

  it('renders a divergence-heavy sweep: diverged cells hatched, the frontier drawn', async () => {
    const res = await getSvg(req(`/api/sweeps/${heavy}/heatmap.svg?metric=bestTrainLoss&scale=linear`), ctx(heavy));
    const svg = await res.text();
    expect(svg.match(/class="cell cell--diverged"/g)).toHaveLength(13);
    expect(svg.match(/class="cell cell--trained"/g)).toHaveLength(7);
    expect(svg).toContain('best train loss');
    expect(svg).not.toContain('(log scale)');
    // The frontier moves right as T_wrm grows: one polyline with horizontal steps.
    const d = /class="boundary" d="([^"]+)"/.exec(svg)?.[1] ?? '';
    expect(d.split('L').length).toBeGreaterThanOrEqual(5);
    await snapshot('diverged-heavy', svg);
  });

  it('draws the heatmap at a step from the progress histories', async () => {
    const res = await getSvg(req(`/api/sweeps/${finished}/heatmap.svg?metric=finalTrainLoss&step=150`), ctx(finished));
    const svg = await res.text();
    // By step 150 the three diverged cells (NaN from steps 6–26) have diverged; the other nine were still training.
    expect(svg.match(/class="cell cell--diverged"/g)).toHaveLength(3);
    expect(svg.match(/class="cell cell--running"/g)).toHaveLength(9);
    expect(svg).toContain('train loss at step 150');
    expect(svg).toContain('Share fixture: finished · done · 12/12 cells finished · λ0 = 40 · step 150');
  });

  it('answers a matching If-None-Match with 304 (finished and running), a stale one with 200', async () => {
    for (const id of [finished, running]) {
      const url = `/api/sweeps/${id}/heatmap.svg?metric=finalTrainLoss`;
      const first = await getSvg(req(url), ctx(id));
      const etag = first.headers.get('etag') ?? '';
      const again = await getSvg(req(url, { 'if-none-match': etag }), ctx(id));
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(await again.text()).toBe('');
      const weak = await getSvg(req(url, { 'if-none-match': `"nope", W/${etag}` }), ctx(id));
      expect(weak.status).toBe(304);
      const stale = await getSvg(req(url, { 'if-none-match': '"0000"' }), ctx(id));
      expect(stale.status).toBe(200);
    }
  });

  it('gives different views different ETags, the same view the same', async () => {
    const etag = async (q: string) =>
      (await getSvg(req(`/api/sweeps/${finished}/heatmap.svg?${q}`), ctx(finished))).headers.get('etag');
    expect(await etag('metric=finalTrainLoss')).toBe(await etag('metric=finalTrainLoss&logx=1'));
    expect(await etag('metric=finalTrainLoss')).not.toBe(await etag('metric=finalTestAcc'));
    expect(await etag('metric=finalTrainLoss')).not.toBe(await etag('metric=finalTrainLoss&cells=e00-w000001-s1'));
  });

  it('is 404 for an unknown or malformed sweep id', async () => {
    for (const id of ['sw000000000-0000000000', 'nope', '..%2F..%2Fetc']) {
      const res = await getSvg(req(`/api/sweeps/${id}/heatmap.svg`), ctx(id));
      expect(res.status).toBe(404);
    }
  });
});

describe('heatmap.json', () => {
  it('serves the grid behind the picture, NaN kept as a string, cached like the images', async () => {
    const res = await getJson(req(`/api/sweeps/${finished}/heatmap.json?metric=finalTrainLoss`), ctx(finished));
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const body = (await res.json()) as {
      etas: number[];
      warmups: number[];
      etaUnit: string;
      lambda0: number;
      cells: { col: number; row: number; state: string; value: number | string; cellIds: string[] }[];
    };
    expect(body.etas).toEqual([1, 2, 4, 8]);
    expect(body.warmups).toEqual([1, 16, 128]);
    expect(body.etaUnit).toBe('inv-lambda0');
    expect(body.lambda0).toBe(40);
    expect(body.cells).toHaveLength(12);
    const at = (col: number, row: number) => body.cells.find((c) => c.col === col && c.row === row);
    expect(at(3, 0)).toMatchObject({ state: 'diverged', value: 'NaN', cellIds: ['e03-w000001-s1'] });
    expect(at(3, 2)).toMatchObject({ state: 'failed', value: 2.3 });
    // Trained cell (η index 1, T_wrm 16): floor 0.4/(1 + 1 + 2) + 0.45·e^(−199/15) at its last step 199.
    expect(at(1, 1)?.value).toBeCloseTo(0.1 + 0.45 * Math.exp(-199 / 15), 9);
    const live = await getJson(req(`/api/sweeps/${running}/heatmap.json`), ctx(running));
    expect(live.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=5, stale-while-revalidate=25');
  });
});

/** Width and height from a PNG's IHDR chunk (PNG spec §11.2.2), after checking the signature. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  sig.forEach((b, i) => expect(bytes[i]).toBe(b));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(view.getUint32(8)).toBe(13); // IHDR length
  expect(String.fromCharCode(...bytes.slice(12, 16))).toBe('IHDR');
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

describe('heatmap.png and og.png', () => {
  it('rasterises the same heatmap at 720×540 (and 1440×1080 with dpr=2)', async () => {
    const res = await getPng(
      req(`/api/sweeps/${finished}/heatmap.png?metric=finalTrainLoss&cells=e01-w000016-s1`),
      ctx(finished),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const png = new Uint8Array(await res.arrayBuffer());
    expect(pngSize(png)).toEqual({ width: 720, height: 540 });
    expect(res.headers.get('x-image-size')).toBe('720x540');
    if (process.env.SAVE_SHARE_ARTIFACTS) await writeFile(path.join(os.tmpdir(), 'share-finished.png'), png);
    const big = await getPng(req(`/api/sweeps/${finished}/heatmap.png?metric=finalTrainLoss&dpr=2`), ctx(finished));
    expect(pngSize(new Uint8Array(await big.arrayBuffer()))).toEqual({ width: 1440, height: 1080 });
    const live = await getPng(req(`/api/sweeps/${running}/heatmap.png`), ctx(running));
    expect(live.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=5, stale-while-revalidate=25');
  });

  it('renders the Open Graph card at 1200×630 without fetching anything', async () => {
    const realFetch = globalThis.fetch;
    const fetched: string[] = [];
    // next/og loads its own wasm through fetch of a data: URL; anything else would be the network.
    globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.startsWith('data:')) return realFetch(input, init);
      fetched.push(url);
      return Promise.reject(new Error('no network in tests'));
    };
    try {
      const res = await getOg(
        req(`/api/sweeps/${running}/og.png?metric=finalTrainLoss&cells=e00-w000001-s1`),
        ctx(running),
      );
      expect(res.status).toBe(200);
      const png = new Uint8Array(await res.arrayBuffer());
      expect(pngSize(png)).toEqual({ width: 1200, height: 630 });
      if (process.env.SAVE_SHARE_ARTIFACTS) await writeFile(path.join(os.tmpdir(), 'share-og.png'), png);
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(fetched).toEqual([]);
  });
});
