import { renderHeatmapDocument, SHARE_SVG_HEIGHT, SHARE_SVG_WIDTH } from '../../../../share/heatmap-document';
import { sharedResourceRoute } from '../../../../share/shared-route';

/** The heatmap of a sweep's view as a standalone SVG document: `/api/sweeps/<id>/heatmap.svg?metric=…&cells=…`. */
export const dynamic = 'force-dynamic';

export const GET = sharedResourceRoute(() => ({
  resource: 'heatmap.svg',
  render: (data, view) => ({
    body: renderHeatmapDocument(data, view),
    contentType: 'image/svg+xml; charset=utf-8',
    // Opened directly, the document may not run or fetch anything (it has no scripts; this makes sure).
    headers: {
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'x-image-size': `${SHARE_SVG_WIDTH}x${SHARE_SVG_HEIGHT}`,
    },
  }),
}));
