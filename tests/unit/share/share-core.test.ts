import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import {
  cacheControlFor,
  describeSweep,
  etagMatches,
  makeEtag,
  markdownSnippet,
  shareTitle,
  shortLinkId,
  ShortLinkIdSchema,
  ShortLinkRecordSchema,
} from '../../../server/core/share';

const SWEEP = 'sw1ygr2pqbz-k3m9x0d2aq';

describe('short link ids', () => {
  it('are content-addressed: 12 base32 characters, equal for equal input, different otherwise', async () => {
    const a = await shortLinkId(SWEEP, 'metric=finalTestAcc&cells=e01-w000016-s1');
    expect(a).toMatch(/^[0-9a-hjkmnp-tv-z]{12}$/);
    expect(ShortLinkIdSchema.safeParse(a).success).toBe(true);
    expect(await shortLinkId(SWEEP, 'metric=finalTestAcc&cells=e01-w000016-s1')).toBe(a);
    expect(await shortLinkId(SWEEP, 'metric=finalTestAcc&cells=e01-w000016-s2')).not.toBe(a);
    expect(await shortLinkId('sw1ygr2pqbz-k3m9x0d2ar', 'metric=finalTestAcc&cells=e01-w000016-s1')).not.toBe(a);
  });

  it('are the first 60 bits of SHA-256("share-link/v1\\n<sweep>\\n<query>") in base32', async () => {
    // Independent computation with Node's crypto of the same definition.
    const { createHash } = await import('node:crypto');
    const digest = createHash('sha256').update(`share-link/v1\n${SWEEP}\nmetric=finalTrainLoss`).digest();
    const bits = [...digest.subarray(0, 8)]
      .map((b) => b.toString(2).padStart(8, '0'))
      .join('')
      .slice(0, 60);
    const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
    const expected = (bits.match(/.{5}/g) ?? []).map((g) => alphabet[parseInt(g, 2)]).join('');
    expect(await shortLinkId(SWEEP, 'metric=finalTrainLoss')).toBe(expected);
  });

  it('never look like sweep ids (no dash), and the record schema checks its fields', () => {
    expect(ShortLinkIdSchema.safeParse(SWEEP).success).toBe(false);
    const ok = { schemaVersion: 1, id: 'abc0123456xy', sweepId: SWEEP, query: 'metric=finalTestAcc', createdAt: 0 };
    expect(ShortLinkRecordSchema.safeParse(ok).success).toBe(true);
    expect(ShortLinkRecordSchema.safeParse({ ...ok, schemaVersion: 2 }).success).toBe(false);
    expect(ShortLinkRecordSchema.safeParse({ ...ok, query: '?metric=x' }).success).toBe(false);
    expect(ShortLinkRecordSchema.safeParse({ ...ok, query: 'x'.repeat(2001) }).success).toBe(false);
    expect(ShortLinkRecordSchema.safeParse({ ...ok, id: 'ABC0123456XY' }).success).toBe(false);
  });
});

describe('caching', () => {
  it('is immutable for final images, CDN-long for final pages, seconds for live ones', () => {
    expect(cacheControlFor('image', 'final')).toBe('public, max-age=31536000, immutable');
    expect(cacheControlFor('page', 'final')).toBe(
      'public, max-age=60, s-maxage=31536000, stale-while-revalidate=86400',
    );
    expect(cacheControlFor('image', 'live')).toBe('public, max-age=0, s-maxage=5, stale-while-revalidate=25');
    expect(cacheControlFor('page', 'live')).toBe(cacheControlFor('image', 'live'));
  });

  it('matches If-None-Match lists, weak tags and "*" (RFC 9110 weak comparison)', async () => {
    const etag = await makeEtag(['v1', 'heatmap.svg', SWEEP]);
    expect(etag).toMatch(/^"[0-9a-z]{26}"$/);
    expect(await makeEtag(['v1', 'heatmap.svg', SWEEP])).toBe(etag);
    expect(await makeEtag(['v2', 'heatmap.svg', SWEEP])).not.toBe(etag);
    expect(etagMatches(null, etag)).toBe(false);
    expect(etagMatches(etag, etag)).toBe(true);
    expect(etagMatches(`W/${etag}`, etag)).toBe(true);
    expect(etagMatches(`"a", ${etag} ,"b"`, etag)).toBe(true);
    expect(etagMatches('*', etag)).toBe(true);
    expect(etagMatches('"a", "b"', etag)).toBe(false);
    expect(etagMatches(etag.slice(0, -2) + '"', etag)).toBe(false);
  });
});

describe('titles', () => {
  it('names model, parameterization, loss, optimizer and metric', () => {
    const spec = {
      model: { kind: 'fcn', depth: 4, width: 512 },
      parameterization: 'mup',
      loss: 'xent',
      optimizer: { kind: 'gi-adam' },
    } as const;
    expect(describeSweep(spec as never)).toBe('FCN-4-512 μP xent · GI-Adam');
    expect(shareTitle(spec as never, 'finalTestAcc')).toBe('FCN-4-512 μP xent · GI-Adam · final test accuracy');
    expect(shareTitle({ ...spec, optimizer: { kind: 'sgd' } } as never, 'maxSharpness')).toBe(
      'FCN-4-512 μP xent · SGD · max λ^H',
    );
  });
});

describe('markdownSnippet', () => {
  const imageUrl = `https://atlas.example/api/sweeps/${SWEEP}/heatmap.svg?metric=finalTrainLoss&cells=e01-w000016-s1%2Ce02-w000001-s1`;
  const viewerUrl = 'https://atlas.example/s/abc0123456xy';

  it('is [![title](svg)](viewer)', () => {
    expect(markdownSnippet({ title: 'FCN-4-512 SP mse · SGD · final train loss', imageUrl, viewerUrl })).toBe(
      `[![FCN-4-512 SP mse · SGD · final train loss](${imageUrl})](${viewerUrl})`,
    );
  });

  it('renders in a Markdown renderer (GFM) as a link to the viewer around the heatmap image', () => {
    const md = markdownSnippet({ title: 'FCN-4-512 SP mse · SGD · final [train] loss', imageUrl, viewerUrl });
    const html = marked.parse(`Warmup results:\n\n${md}\n`, { gfm: true, async: false });
    const escapedImage = imageUrl.replace(/&/g, '&amp;');
    expect(html).toContain(
      `<a href="${viewerUrl}"><img src="${escapedImage}" alt="FCN-4-512 SP mse · SGD · final (train) loss"></a>`,
    );
  });

  it('keeps the link intact when URLs or titles contain Markdown syntax', () => {
    const md = markdownSnippet({
      title: 'a ] b ( c )',
      imageUrl: 'https://x.test/a b(1).svg',
      viewerUrl: 'https://x.test/s/(x)',
    });
    expect(md).toBe('[![a ) b ( c )](https://x.test/a%20b%281%29.svg)](https://x.test/s/%28x%29)');
    const html = marked.parse(md, { async: false });
    expect(html).toContain(
      '<a href="https://x.test/s/%28x%29"><img src="https://x.test/a%20b%281%29.svg" alt="a ) b ( c )"></a>',
    );
  });
});
