import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NextResponse, type NextRequest } from 'next/server';
import { cacheControlFor, etagMatches, ShortLinkIdSchema } from '../../server/core/share';
import { shareEtag, shareSource } from '../../server/api/share-source';
import { parseViewState, serializeViewState } from '../lib/view-state';
import { isNotFound } from '../share/responses';

/**
 * Cache headers of the viewer page, applied in the proxy because a page cannot set response headers and
 * Next marks dynamic pages `private, no-store`. A finished sweep's viewer gets a long CDN lifetime and an ETag over
 * (build, host, sweep, view), and a matching If-None-Match is answered 304 here without rendering or reading a
 * cell; a running sweep's gets a few seconds. React Server Component fetches (`_rsc`) keep Next's own headers.
 */

let buildId: string | null = null;

/** The build's id (ETags of the HTML change on redeploy, since the page's script URLs do). */
function currentBuildId(): string {
  if (buildId === null) {
    try {
      buildId = readFileSync(path.join(process.cwd(), '.next', 'BUILD_ID'), 'utf8').trim();
    } catch {
      buildId = 'dev';
    }
  }
  return buildId;
}

export async function viewerCacheHeaders(req: NextRequest): Promise<NextResponse> {
  const url = req.nextUrl;
  const id = /^\/s\/([^/]+)$/.exec(url.pathname)?.[1];
  if ((req.method !== 'GET' && req.method !== 'HEAD') || id === undefined || url.searchParams.has('_rsc'))
    return NextResponse.next();
  const source = shareSource();
  try {
    let sweepId = id;
    let query = serializeViewState(parseViewState(url.searchParams));
    if (ShortLinkIdSchema.safeParse(id).success) {
      const link = await source.links.resolve(id);
      if (link === null) return NextResponse.next(); // the page answers 404
      sweepId = link.sweepId;
      query = link.query;
    }
    const freshness = await source.pageFreshness(sweepId);
    const cacheControl = cacheControlFor('page', freshness);
    if (freshness === 'live') {
      const res = NextResponse.next();
      res.headers.set('cache-control', cacheControl);
      return res;
    }
    const etag = await shareEtag({
      resource: `viewer:${currentBuildId()}:${req.headers.get('host') ?? ''}:${id}`,
      sweepId,
      query,
      freshness,
    });
    if (etagMatches(req.headers.get('if-none-match'), etag)) {
      return new NextResponse(null, { status: 304, headers: { etag, 'cache-control': cacheControl } });
    }
    const res = NextResponse.next();
    res.headers.set('cache-control', cacheControl);
    res.headers.set('etag', etag);
    return res;
  } catch (e) {
    if (isNotFound(e)) return NextResponse.next();
    throw e;
  }
}
