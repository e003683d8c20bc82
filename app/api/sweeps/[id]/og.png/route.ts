import { OG_HEIGHT, OG_WIDTH, renderOgCard } from '../../../../share/og-card';
import { sharedResourceRoute } from '../../../../share/shared-route';

/** The Open Graph card of a sweep's view (1200×630 PNG), referenced by the viewer page's og:image and twitter:image. */
export const dynamic = 'force-dynamic';

export const GET = sharedResourceRoute(() => ({
  resource: 'og.png',
  render: async (data, view) => ({
    body: await renderOgCard(data, view),
    contentType: 'image/png',
    headers: { 'x-image-size': `${OG_WIDTH}x${OG_HEIGHT}` },
  }),
}));
