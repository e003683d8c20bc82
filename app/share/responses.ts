import { TRPCError } from '@trpc/server';
import { NotFoundError } from '../../server/core/errors';
import { cacheControlFor, etagMatches, type Freshness } from '../../server/core/share';
import { freshnessOf, shareEtag, type ShareSource } from '../../server/api/share-source';
import { type SweepView } from '../../server/api/routers/sweeps';
import { parseViewState, type SweepViewState } from '../lib/view-state';
import { imageQuery } from './heatmap-data';

/**
 * The HTTP side of shared images (Web-standard Request/Response only, so the handlers could move to another runtime):
 * conditional requests, cache headers by freshness, 404s. Each resource supplies its renderer.
 */

export class ShareNotFoundError extends NotFoundError {
  override name = 'ShareNotFoundError';
}

/** True for the store's "no such sweep" (any NotFoundError of server/core/errors.ts) and the API's NOT_FOUND. */
export function isNotFound(e: unknown): boolean {
  if (e instanceof TRPCError) return e.code === 'NOT_FOUND';
  return e instanceof NotFoundError;
}

export function notFound(message: string): Response {
  return new Response(`${message}\n`, {
    status: 404,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'public, max-age=0, s-maxage=10' },
  });
}

export interface Rendered {
  body: Uint8Array | string;
  contentType: string;
  /** Extra headers (e.g. the image size). */
  headers?: Record<string, string>;
}

/**
 * Serve one shared resource of a sweep's view: 304 when the client's ETag is current (for a final sweep without
 * reading any cell), else render with `render` and send it with the freshness's Cache-Control and the ETag.
 */
export async function serveShared(
  req: Request,
  o: {
    source: ShareSource;
    sweepId: string;
    resource: string;
    render: (data: SweepView, view: SweepViewState) => Promise<Rendered> | Rendered;
  },
): Promise<Response> {
  const view = parseViewState(new URL(req.url).searchParams);
  const query = imageQuery(view);
  const ifNoneMatch = req.headers.get('if-none-match');
  const base = { resource: o.resource, sweepId: o.sweepId, query };
  let freshness: Freshness;
  try {
    freshness = await o.source.freshness(o.sweepId);
  } catch (e) {
    if (isNotFound(e)) return notFound(`no sweep ${o.sweepId}`);
    throw e;
  }
  if (freshness === 'final') {
    const etag = await shareEtag({ ...base, freshness });
    if (etagMatches(ifNoneMatch, etag)) return notModified(etag, cacheControlFor('image', freshness));
  }
  let data: SweepView;
  try {
    data = await o.source.sweep(o.sweepId, { histories: view.step !== null });
  } catch (e) {
    if (isNotFound(e)) return notFound(`no sweep ${o.sweepId}`);
    throw e;
  }
  // The sweep may have finished between the check and the read: the loaded view decides.
  freshness = freshnessOf(data);
  const etag = await shareEtag({ ...base, freshness, view: data });
  const cacheControl = cacheControlFor('image', freshness);
  if (etagMatches(ifNoneMatch, etag)) return notModified(etag, cacheControl);
  const out = await o.render(data, view);
  const body = typeof out.body === 'string' ? new TextEncoder().encode(out.body) : out.body;
  return new Response(body as BodyInit, {
    status: 200,
    headers: {
      'content-type': out.contentType,
      'content-length': String(body.byteLength),
      'cache-control': cacheControl,
      etag,
      'x-content-type-options': 'nosniff',
      'x-atlas-freshness': freshness,
      ...out.headers,
    },
  });
}

function notModified(etag: string, cacheControl: string): Response {
  return new Response(null, { status: 304, headers: { etag, 'cache-control': cacheControl } });
}
