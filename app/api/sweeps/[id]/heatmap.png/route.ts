import { renderHeatmapDocument } from '../../../../share/heatmap-document';
import { svgToPng } from '../../../../share/raster';
import { sharedResourceRoute } from '../../../../share/shared-route';

/**
 * The same heatmap as heatmap.svg, rasterised (for chats that do not show SVG): 720×540 px, or twice that with
 * `dpr=2` (`scale` is the colour scale of the view).
 */
export const dynamic = 'force-dynamic';

export const GET = sharedResourceRoute((req) => {
  const scale = new URL(req.url).searchParams.get('dpr') === '2' ? 2 : 1;
  return {
    resource: `heatmap.png@${scale}x`,
    render: (data, view) => {
      const { png, width, height } = svgToPng(renderHeatmapDocument(data, view), scale);
      return { body: png, contentType: 'image/png', headers: { 'x-image-size': `${width}x${height}` } };
    },
  };
});
