'use client';

import { useState } from 'react';
import { serializeViewState, type SweepViewState } from '../../lib/view-state';

/**
 * The short link of a view, created on demand (POST /share/links; content-addressed, so asking twice is harmless).
 * `resolve()` returns the absolute viewer URL — the short one, or the long one when the store could not be written
 * (the long URL carries the same view). `current` is the short URL once known for this exact view.
 */
export function useShortLink(
  sweepId: string,
  view: SweepViewState,
  origin: string,
): { current: string | null; resolve: () => Promise<string> } {
  const [short, setShort] = useState<{ query: string; url: string } | null>(null);
  const query = serializeViewState(view);
  const longUrl = `${origin}/s/${encodeURIComponent(sweepId)}${query ? `?${query}` : ''}`;
  const resolve = async (): Promise<string> => {
    if (short?.query === query) return short.url;
    try {
      const res = await fetch('/share/links', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sweepId, query }),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { path: string };
      const url = `${origin}${body.path}`;
      setShort({ query, url });
      return url;
    } catch {
      return longUrl;
    }
  };
  return { current: short?.query === query ? short.url : null, resolve };
}
