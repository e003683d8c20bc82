import { shareTitle } from '../../server/core/share';
import { HeatmapSvg } from '../charts/heatmap-svg';
import { type SweepViewState } from '../lib/view-state';
import { layoutViewHeatmap, viewMetric } from '../lib/heatmap-model';
import { shareSubtitle, type SharedSweep } from './heatmap-data';
import { svgMarkup } from './svg-markup';

/**
 * The heatmap of a shared view as a standalone SVG document: the interactive chart's own component (HeatmapSvg over
 * the view's layout from app/lib/heatmap-model.ts, serialised by svg-markup.ts) under a title band, on a white
 * background (GitHub's dark theme would otherwise show black text on black), with presentation attributes only — no
 * CSS, no scripts, no external references, generic font families — so GitHub-flavoured Markdown, chat clients and
 * resvg all show it as an image.
 */

export const SHARE_SVG_WIDTH = 720;
export const SHARE_SVG_HEIGHT = 540;
const TITLE_BAND = 50;

/** The SVG document text (with XML declaration) of a view of a sweep. */
export function renderHeatmapDocument(
  data: SharedSweep,
  view: SweepViewState,
  options: { width?: number; height?: number; titleBand?: boolean } = {},
): string {
  const width = options.width ?? SHARE_SVG_WIDTH;
  const height = options.height ?? SHARE_SVG_HEIGHT;
  const band = options.titleBand === false ? 0 : TITLE_BAND;
  const metric = viewMetric(view);
  const title = shareTitle(data.sweep.spec, metric.key);
  const layout = layoutViewHeatmap(data, view, { width, height: height - band });
  const markup = svgMarkup(
    <svg
      xmlns="http://www.w3.org/2000/svg"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      fontFamily="system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif"
    >
      <title>{`${title} — ${shareSubtitle(data, view)}`}</title>
      <rect width={width} height={height} fill="#ffffff" />
      {band > 0 && (
        <g className="share-title">
          <text x={16} y={21} fontSize="15" fontWeight="700" fill="#111111">
            {title}
          </text>
          <text x={16} y={40} fontSize="12" fill="#444444">
            {shareSubtitle(data, view)}
          </text>
        </g>
      )}
      <g transform={`translate(0 ${band})`}>
        <HeatmapSvg layout={layout} idPrefix="share" selectedIds={view.cells} title={title} />
      </g>
    </svg>,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${markup}\n`;
}
