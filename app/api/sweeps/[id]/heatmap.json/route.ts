import { shareSource } from '../../../../../server/api/share-source';
import { sharedGridJson } from '../../../../share/heatmap-data';
import { serveShared } from '../../../../share/responses';

/**
 * The data behind a view's heatmap (`/api/sweeps/<id>/heatmap.json?metric=…`): the aggregated grid with each cell's
 * state, value (NaN/±Infinity as strings) and cell ids, cached like the images (immutable once the sweep is final).
 */
export const dynamic = 'force-dynamic';

export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await ctx.params;
  return serveShared(req, {
    source: shareSource(),
    sweepId: id,
    resource: 'heatmap.json',
    render: (data, view) => ({
      body: JSON.stringify(sharedGridJson(data, view)),
      contentType: 'application/json; charset=utf-8',
    }),
  });
}
