import { ImageResponse } from 'next/og';
import { shareTitle } from '../../server/core/share';
import { type SweepViewState } from '../lib/view-state';
import { renderHeatmapDocument } from './heatmap-document';
import { viewMetric } from '../lib/heatmap-model';
import { shareSubtitle, type SharedSweep } from './heatmap-data';
import { shareFonts, svgToPng } from './raster';

/**
 * The Open Graph card of a shared view (1200×630, what chats and social sites unfurl): the title and subtitle set by
 * next/og, and the heatmap as a PNG from the same SVG document. The heatmap goes in as a raster because next/og's
 * renderer has no fonts for text inside an embedded SVG; DejaVu Sans is passed so no glyph is fetched from the
 * network.
 */
export const OG_WIDTH = 1200;
export const OG_HEIGHT = 630;
const HEATMAP_W = 760;
const HEATMAP_H = 500;

export async function renderOgCard(data: SharedSweep, view: SweepViewState): Promise<Uint8Array> {
  const heatmap = svgToPng(
    renderHeatmapDocument(data, view, { width: HEATMAP_W, height: HEATMAP_H, titleBand: false }),
  );
  const src = `data:image/png;base64,${Buffer.from(heatmap.png).toString('base64')}`;
  const [regular, bold] = shareFonts().buffers;
  const title = shareTitle(data.sweep.spec, viewMetric(view).key);
  const response = new ImageResponse(
    <div
      style={{
        width: '100%',
        height: '100%',
        display: 'flex',
        flexDirection: 'column',
        background: '#ffffff',
        padding: '28px 36px',
        fontFamily: 'DejaVu Sans',
      }}
    >
      <div style={{ display: 'flex', fontSize: 34, fontWeight: 700, color: '#111111' }}>{title}</div>
      <div style={{ display: 'flex', fontSize: 22, color: '#444444', marginTop: 8 }}>{shareSubtitle(data, view)}</div>
      <div style={{ display: 'flex', flex: 1, alignItems: 'center', justifyContent: 'space-between', marginTop: 12 }}>
        {/* next/og lays out with satori, which takes plain <img> elements. */}
        <img src={src} width={HEATMAP_W} height={HEATMAP_H} alt="" />
        <div style={{ display: 'flex', flexDirection: 'column', width: 320, fontSize: 22, color: '#333333' }}>
          <div style={{ display: 'flex', fontWeight: 700, fontSize: 26 }}>Warmup Atlas</div>
          <div style={{ display: 'flex', marginTop: 10 }}>
            Learning-rate warmup sweeps (Kalra &amp; Barkeshli, NeurIPS 2024)
          </div>
          <div
            style={{ display: 'flex', marginTop: 18 }}
          >{`${data.counts.done}/${data.cells.length} cells finished`}</div>
          {view.cells.length > 0 && (
            <div
              style={{ display: 'flex', marginTop: 8 }}
            >{`${view.cells.length} cell${view.cells.length > 1 ? 's' : ''} selected`}</div>
          )}
        </div>
      </div>
    </div>,
    {
      width: OG_WIDTH,
      height: OG_HEIGHT,
      fonts: [
        ...(regular ? [{ name: 'DejaVu Sans', data: regular, weight: 400 as const, style: 'normal' as const }] : []),
        ...(bold ? [{ name: 'DejaVu Sans', data: bold, weight: 700 as const, style: 'normal' as const }] : []),
      ],
    },
  );
  return new Uint8Array(await response.arrayBuffer());
}
