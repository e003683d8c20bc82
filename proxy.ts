import { type NextRequest, type NextResponse } from 'next/server';
import { viewerCacheHeaders } from './app/s/viewer-cache';

/**
 * Next 16 proxy (formerly middleware). Only the shared viewer (`/s/<id>`) goes through it, for its Cache-Control and
 * ETag (app/s/viewer-cache.ts); add other paths to the matcher with their own handler.
 */
export function proxy(req: NextRequest): Promise<NextResponse> {
  return viewerCacheHeaders(req);
}

export const config = { matcher: ['/s/:id'] };
