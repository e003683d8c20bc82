import { z } from 'zod';
import { heatmapMetric } from './heatmap';
import { SweepIdSchema } from './ids';
import { type SweepSpec } from './sweep-spec';
import { versioned } from './versioned';

/**
 * Sharing, pure: content-addressed short-link ids and their stored record, ETags and the Cache-Control
 * policy of shared responses, share titles and the Markdown snippet. Isomorphic (Web Crypto only). The view state
 * itself is the Sweep page's URL state (app/lib/view-state.ts); a share link carries its canonical query.
 */

/** Bump when the rendered SVG/PNG/HTML of the same data changes, so ETags of old renders stop matching. */
export const SHARE_RENDER_VERSION = 1;

// ---- short links --------------------------------------------------------------------------------------------

const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';
export const SHORT_LINK_ID_LENGTH = 12;

/** Short ids: 12 Crockford-style base32 characters (60 bits of a SHA-256); never contain "-", unlike sweep ids. */
export const ShortLinkIdSchema = z
  .string()
  .regex(new RegExp(`^[${BASE32}]{${SHORT_LINK_ID_LENGTH}}$`), `${SHORT_LINK_ID_LENGTH} characters of ${BASE32}`);
export type ShortLinkId = z.infer<typeof ShortLinkIdSchema>;

export const SHORT_LINK_RECORD_SCHEMA_VERSION = 1 as const;

/** A stored short link: the sweep and the canonical view query it stands for. Immutable once written. */
export const ShortLinkRecordSchema = versioned({
  name: 'ShortLinkRecord',
  version: SHORT_LINK_RECORD_SCHEMA_VERSION,
  schema: z.object({
    schemaVersion: z.literal(SHORT_LINK_RECORD_SCHEMA_VERSION),
    id: ShortLinkIdSchema,
    sweepId: SweepIdSchema,
    /** The view's canonical query string (the Sweep page's URL state, defaults left out), no leading "?". */
    query: z
      .string()
      .max(2000)
      .refine((q) => !q.startsWith('?'), 'no leading "?"'),
    createdAt: z.int().min(0),
  }),
  migrations: {},
});
export type ShortLinkRecord = z.infer<typeof ShortLinkRecordSchema>;

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

function base32(bytes: Uint8Array, chars: number): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
    if (out.length >= chars) break;
  }
  return out;
}

/** Content-addressed short id of a view of a sweep: the same sweep and canonical query always give the same id. */
export async function shortLinkId(sweepId: string, canonicalQuery: string): Promise<ShortLinkId> {
  return base32(await sha256(`share-link/v1\n${sweepId}\n${canonicalQuery}`), SHORT_LINK_ID_LENGTH);
}

// ---- caching ------------------------------------------------------------------------------------------------

/** final: every cell has its result, nothing can change; live: cells are queued or training. */
export type Freshness = 'final' | 'live';

/**
 * Cache-Control of shared responses. Final images never change at their URL: immutable for a year. Final viewer
 * HTML: a CDN keeps it a year, browsers revalidate after a minute (a redeploy changes the page's script URLs).
 * Live responses: a few seconds at the CDN, then served stale while it refetches, so a busy link still costs one
 * render per few seconds.
 */
export function cacheControlFor(kind: 'image' | 'page', freshness: Freshness): string {
  if (freshness === 'live') return 'public, max-age=0, s-maxage=5, stale-while-revalidate=25';
  return kind === 'image'
    ? 'public, max-age=31536000, immutable'
    : 'public, max-age=60, s-maxage=31536000, stale-while-revalidate=86400';
}

/** A strong ETag over the given parts (render version included by the caller's parts). */
export async function makeEtag(parts: readonly string[]): Promise<string> {
  return `"${base32(await sha256(parts.join('\n')), 26)}"`;
}

/** If-None-Match semantics (RFC 9110 §13.1.2, weak comparison): true when the client's copy is current. */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  const v = ifNoneMatch.trim();
  if (v === '*') return true;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  const want = opaque(etag);
  return v.split(',').some((t) => opaque(t) === want);
}

// ---- titles and Markdown ------------------------------------------------------------------------------------

const OPTIMIZER_NAMES: Record<SweepSpec['optimizer']['kind'], string> = {
  sgd: 'SGD',
  'sgd-momentum': 'SGD-momentum',
  adam: 'Adam',
  'gi-adam': 'GI-Adam',
  'ri-adam': 'RI-Adam',
};

/** "FCN-4-512 SP mse · SGD" — the model and optimizer part of a share title. */
export function describeSweep(spec: Pick<SweepSpec, 'model' | 'parameterization' | 'loss' | 'optimizer'>): string {
  const m = spec.model;
  const param = spec.parameterization === 'mup' ? 'μP' : 'SP';
  const model = `${m.kind.toUpperCase()}-${m.depth}-${m.width}`;
  return `${model} ${param} ${spec.loss} · ${OPTIMIZER_NAMES[spec.optimizer.kind]}`;
}

/** "<model> · <optimizer> · <metric label>" — the title on the SVG, the OG card and the Markdown alt text. */
export function shareTitle(
  spec: Pick<SweepSpec, 'model' | 'parameterization' | 'loss' | 'optimizer'>,
  metric: string,
): string {
  return `${describeSweep(spec)} · ${heatmapMetric(metric)?.label ?? metric}`;
}

/**
 * Text safe as a Markdown image label inside a link label: brackets become parentheses and backslashes slashes
 * (escaped brackets nested in a link label are read differently by different renderers), one line.
 */
function safeLabel(text: string): string {
  return text.replace(/\[/g, '(').replace(/\]/g, ')').replace(/\\/g, '/').replace(/\s+/g, ' ');
}

/** A URL safe inside Markdown's (...) destination: parentheses, spaces and angle brackets percent-encoded. */
function escapeDestination(url: string): string {
  return url.replace(/[()<> ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** `[![title](svg-url)](viewer-url)`: the heatmap image, linking to the viewer, for a PR comment. */
export function markdownSnippet(o: { title: string; imageUrl: string; viewerUrl: string }): string {
  return `[![${safeLabel(o.title)}](${escapeDestination(o.imageUrl)})](${escapeDestination(o.viewerUrl)})`;
}
