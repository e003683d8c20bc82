import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewerCacheHeaders } from '../../../app/s/viewer-cache';
import { POST as createLink } from '../../../app/share/links/route';
import { FsBlobStore } from '../../../server/store/fs-blob-store';
import { shareSource } from '../../../server/api/share-source';
import { makeStudyId } from '../../../server/core/ids';
import { StudyRecordSchema } from '../../../server/core/records';
import { keys } from '../../../server/store/keys';
import { SweepStore } from '../../../server/store/sweep-store';
import { p1Fate, seedFinished, seedRunning, seedShareSweep, shareSpec } from './fixtures';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
let dir: string;
let finished: string;
let running: string;
/** A finished sweep whose study sibling is still running, and the sibling. */
let studyDone: string;
let studyRunning: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'atlas-viewer-'));
  process.env.ATLAS_DATA_DIR = dir;
  delete process.env.BLOB_READ_WRITE_TOKEN;
  const blob = new FsBlobStore(dir);
  finished = await seedFinished(blob, NOW);
  running = await seedRunning(blob, Date.now());
  const studyId = makeStudyId(NOW);
  const member = (role: string) => ({
    ...shareSpec(`Share fixture: study ${role}`, 4, [1, 16, 128]),
    study: { id: studyId, preset: 'adam-heatmaps', size: 'cpu' as const, role },
  });
  studyDone = await seedShareSweep(blob, { spec: member('adam'), fate: (c) => p1Fate(c, 4, 128), now: NOW });
  studyRunning = await seedShareSweep(blob, {
    spec: member('gi-adam'),
    fate: (c) => (c.etaIndex === 0 ? 'running' : p1Fate(c, 4, 128)),
    now: Date.now(),
  });
  const store = new SweepStore(blob, () => NOW);
  await store.write(keys.study(studyId), StudyRecordSchema, {
    schemaVersion: 1,
    id: studyId,
    createdAt: NOW,
    preset: 'adam-heatmaps',
    size: 'cpu',
    title: 'Share fixture study',
    author: 'share-tests',
    sweeps: [
      { role: 'adam', sweepId: studyDone },
      { role: 'gi-adam', sweepId: studyRunning },
    ],
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const get = (p: string, headers: Record<string, string> = {}) =>
  viewerCacheHeaders(new NextRequest(`http://127.0.0.1:3000${p}`, { headers: { host: '127.0.0.1:3000', ...headers } }));

async function shortLink(
  sweepId: string,
  query: string,
): Promise<{ status: number; body: { id?: string; path?: string; query?: string; error?: string } }> {
  const res = await createLink(
    new Request('http://127.0.0.1:3000/share/links', {
      method: 'POST',
      body: JSON.stringify({ sweepId, query }),
      headers: { 'content-type': 'application/json' },
    }),
  );
  return { status: res.status, body: (await res.json()) as { id?: string; path?: string; query?: string } };
}

describe('viewer cache headers (proxy)', () => {
  it('gives a finished sweep a year at the CDN with an ETag, and answers If-None-Match with 304', async () => {
    const res = await get(`/s/${finished}?metric=finalTestAcc&cells=e01-w000016-s1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-middleware-next')).toBe('1'); // the page still renders
    expect(res.headers.get('cache-control')).toBe(
      'public, max-age=60, s-maxage=31536000, stale-while-revalidate=86400',
    );
    const etag = res.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-z]{26}"$/);
    const again = await get(`/s/${finished}?metric=finalTestAcc&cells=e01-w000016-s1`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('x-middleware-next')).toBeNull();
    // Another view of the same sweep is another document.
    const other = await get(`/s/${finished}?metric=finalTrainLoss`, { 'if-none-match': etag });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).not.toBe(etag);
  });

  it('gives a running sweep seconds and no ETag', async () => {
    const res = await get(`/s/${running}`);
    expect(res.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=5, stale-while-revalidate=25');
    expect(res.headers.get('etag')).toBeNull();
  });

  it('leaves RSC fetches, unknown sweeps and other methods to Next', async () => {
    for (const p of [`/s/${finished}?_rsc=abc`, '/s/sw000000000-0000000000', '/s/0000000000zz']) {
      const res = await get(p);
      expect(res.headers.get('x-middleware-next')).toBe('1');
      expect(res.headers.get('cache-control')).toBeNull();
    }
  });

  it('resolves short links: same ETag policy, keyed by the stored view', async () => {
    const a = await shortLink(finished, 'cells=e01-w000016-s1&metric=finalTestAcc&logx=0');
    expect(a.status).toBe(201);
    expect(a.body.query).toBe('metric=finalTestAcc&cells=e01-w000016-s1');
    expect(a.body.path).toBe(`/s/${a.body.id}`);
    const res = await get(a.body.path ?? '');
    expect(res.headers.get('cache-control')).toBe(
      'public, max-age=60, s-maxage=31536000, stale-while-revalidate=86400',
    );
    expect(res.headers.get('etag')).toMatch(/^"/);
    // The same view canonicalises to the same short id.
    expect((await shortLink(finished, 'metric=finalTestAcc&cells=e01-w000016-s1')).body.id).toBe(a.body.id);
  });

  it('rejects bad short-link requests with 400/404', async () => {
    expect((await shortLink('sw000000000-0000000000', 'metric=finalTestAcc')).status).toBe(404);
    const bad = await createLink(new Request('http://127.0.0.1:3000/share/links', { method: 'POST', body: 'nope' }));
    expect(bad.status).toBe(400);
    const missing = await createLink(
      new Request('http://127.0.0.1:3000/share/links', { method: 'POST', body: JSON.stringify({ query: '' }) }),
    );
    expect(missing.status).toBe(400);
    const malformed = await createLink(
      new Request('http://127.0.0.1:3000/share/links', {
        method: 'POST',
        body: JSON.stringify({ sweepId: '../etc', query: '' }),
      }),
    );
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/sweepId/);
  });

  it('keeps a finished sweep’s viewer short-lived while another sweep of its study runs (its findings still change)', async () => {
    const res = await get(`/s/${studyDone}`);
    expect(res.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=5, stale-while-revalidate=25');
    expect(res.headers.get('etag')).toBeNull();
    // The SVG of the finished sweep itself does not depend on its study, so it stays final.
    expect(await shareSource().freshness(studyDone)).toBe('final');
    expect(await shareSource().pageFreshness(studyDone)).toBe('live');
    expect(await shareSource().pageFreshness(finished)).toBe('final');
  });
});
