import { sharedGridJson } from '../../../../share/heatmap-data';
import { sharedResourceRoute } from '../../../../share/shared-route';

/**
 * The data behind a view's heatmap (`/api/sweeps/<id>/heatmap.json?metric=…`): the aggregated grid with each cell's
 * state, value (NaN/±Infinity as strings) and cell ids, cached like the images (immutable once the sweep is final).
 */
export const dynamic = 'force-dynamic';

export const GET = sharedResourceRoute(() => ({
  resource: 'heatmap.json',
  render: (data, view) => ({
    body: JSON.stringify(sharedGridJson(data, view)),
    contentType: 'application/json; charset=utf-8',
  }),
}));
