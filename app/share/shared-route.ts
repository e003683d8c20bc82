import { shareSource } from '../../server/api/share-source';
import { serveShared, type Rendered } from './responses';
import { type SweepView } from '../../server/api/routers/sweeps';
import { type SweepViewState } from '../lib/view-state';

/** What one shared resource of a request is: its name in the ETag, and how it renders a sweep's view. */
export interface SharedResource {
  resource: string;
  render: (data: SweepView, view: SweepViewState) => Promise<Rendered> | Rendered;
}

/**
 * The GET handler of a `/api/sweeps/<id>/<resource>` route: the sweep from the configured share source, served by
 * serveShared (conditional requests, cache headers by freshness, 404s). `resourceOf` may read the request (e.g. `dpr`).
 */
export function sharedResourceRoute(
  resourceOf: (req: Request) => SharedResource,
): (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response> {
  return async (req, ctx) => {
    const { id } = await ctx.params;
    return serveShared(req, { source: shareSource(), sweepId: id, ...resourceOf(req) });
  };
}
