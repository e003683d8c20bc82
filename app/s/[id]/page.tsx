import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { shareTitle, ShortLinkIdSchema } from '../../../server/core/share';
import { shareSource } from '../../../server/api/share-source';
import { type SweepView } from '../../../server/api/routers/sweeps';
import { type Finding } from '../../../server/core/findings';
import { parseViewState, type SweepViewState } from '../../lib/view-state';
import { viewMetric } from '../../lib/heatmap-model';
import { sharePaths, shareSubtitle } from '../../share/heatmap-data';
import { isNotFound } from '../../share/responses';
import { ShareViewer } from './share-viewer';

/**
 * The read-only viewer of a shared view: `/s/<sweepId>?<view state>` (the Sweep page's URL state) or `/s/<shortId>`
 * (a stored view). Rendered on the server, so it reads without JavaScript; carries og: and twitter: tags whose image
 * is the view's preview card, so a pasted link unfurls with the heatmap.
 */
export const dynamic = 'force-dynamic';

type SearchParams = Record<string, string | string[] | undefined>;
interface Props {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParams>;
}

interface Shared {
  data: SweepView;
  findings: Finding[];
  view: SweepViewState;
  shortId: string | null;
  origin: string;
}

function toParams(sp: SearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(sp)) {
    if (typeof v === 'string') out.set(k, v);
    else if (v?.[0] !== undefined) out.set(k, v[0]);
  }
  return out;
}

/** Origin of this request as the client sees it (for absolute og:image and snippet URLs). */
async function requestOrigin(): Promise<string> {
  const h = await headers();
  const host = h.get('x-forwarded-host') ?? h.get('host') ?? 'localhost:3000';
  const local = /^(localhost|127\.|\[::1\])/.test(host);
  const proto = h.get('x-forwarded-proto')?.split(',')[0]?.trim() ?? (local ? 'http' : 'https');
  return `${proto}://${host}`;
}

/** Resolve the id (sweep or short link) and load the sweep once per request (metadata and page share it). */
const loadShared = cache(async (id: string, search: string): Promise<Shared> => {
  const source = shareSource();
  let sweepId = id;
  let query = search;
  let shortId: string | null = null;
  if (ShortLinkIdSchema.safeParse(id).success) {
    const link = await source.links.resolve(id);
    if (link === null) notFound();
    sweepId = link.sweepId;
    query = link.query;
    shortId = link.id;
  }
  const view = parseViewState(new URLSearchParams(query));
  let data: SweepView;
  try {
    // Progress histories only draw the heatmap at a step; without one they would be most of the page's bytes.
    data = await source.sweep(sweepId, { histories: view.step !== null });
  } catch (e) {
    if (isNotFound(e)) notFound();
    throw e;
  }
  const { findings } = await source.findings(sweepId);
  return { data, findings, view, shortId, origin: await requestOrigin() };
});

async function shared(props: Props): Promise<Shared> {
  const [{ id }, sp] = await Promise.all([props.params, props.searchParams]);
  return loadShared(id, toParams(sp).toString());
}

export async function generateMetadata(props: Props): Promise<Metadata> {
  const { data, view, shortId, origin } = await shared(props);
  const title = shareTitle(data.sweep.spec, viewMetric(view).key);
  const description = shareSubtitle(data, view);
  const paths = sharePaths(data.sweep.id, view, shortId ?? undefined);
  const image = { url: `${origin}${paths.og}`, width: 1200, height: 630, alt: `Heatmap: ${title}` };
  return {
    title: `${title} — Warmup Atlas`,
    description,
    // Sweep ids are unguessable on purpose; a shared link should not surface in search results.
    robots: { index: false, follow: false },
    alternates: { canonical: `${origin}${sharePaths(data.sweep.id, view).viewer}` },
    openGraph: {
      type: 'website',
      siteName: 'Warmup Atlas',
      title,
      description,
      url: `${origin}${paths.viewer}`,
      images: [image],
    },
    twitter: { card: 'summary_large_image', title, description, images: [image] },
  };
}

export default async function SharePage(props: Props) {
  const { data, findings, view, origin } = await shared(props);
  return <ShareViewer data={data} findings={findings} initialView={view} origin={origin} />;
}
