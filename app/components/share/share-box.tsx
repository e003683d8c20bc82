'use client';

import { useState } from 'react';
import { markdownSnippet } from '../../../server/core/share';
import { type SweepViewState } from '../../lib/view-state';
import { sharePaths } from '../../share/heatmap-data';
import { useShortLink } from './use-short-link';

/**
 * Copy the current view for a review: `[![title](svg-url)](viewer-url)` for a pull-request comment, or the viewer
 * link alone for chat. Both use a short link (stored once, content-addressed) created on click; when that fails
 * the long URL still carries the whole view. The snippet is also shown as text, so it can be copied by hand (and
 * read without JavaScript, with the long URL the server rendered).
 */
export function ShareBox(props: { sweepId: string; view: SweepViewState; title: string; origin: string }) {
  const { sweepId, view, title, origin } = props;
  const paths = sharePaths(sweepId, view);
  const longViewer = `${origin}${paths.viewer}`;
  const imageUrl = `${origin}${paths.svg}`;
  const link = useShortLink(sweepId, view, origin);
  const [status, setStatus] = useState('');
  const viewerUrl = link.current ?? longViewer;
  const snippet = markdownSnippet({ title, imageUrl, viewerUrl });

  const copy = async (what: 'markdown' | 'link') => {
    const url = await link.resolve();
    const text = what === 'markdown' ? markdownSnippet({ title, imageUrl, viewerUrl: url }) : url;
    try {
      await navigator.clipboard.writeText(text);
      setStatus(what === 'markdown' ? 'Markdown copied' : 'Link copied');
    } catch {
      setStatus('Select the text below and copy it');
    }
  };

  return (
    <section className="panel share-box" aria-label="share">
      <div className="toolbar">
        <button type="button" onClick={() => void copy('markdown')} data-testid="copy-markdown">
          Copy Markdown
        </button>
        <button type="button" onClick={() => void copy('link')} data-testid="copy-short-link">
          Copy link
        </button>
        <span role="status" className="muted" style={{ fontSize: 12 }}>
          {status}
        </span>
      </div>
      <label className="muted" style={{ fontSize: 12, display: 'block' }}>
        Markdown for a pull request or issue
        <textarea
          readOnly
          rows={3}
          value={snippet}
          data-testid="markdown-snippet"
          style={{ width: '100%', fontFamily: 'monospace', fontSize: 12 }}
          onFocus={(e) => e.target.select()}
        />
      </label>
      <p className="muted" style={{ fontSize: 12, margin: '4px 0 0' }}>
        Images: <a href={paths.svg}>SVG</a> · <a href={paths.png}>PNG</a> · <a href={`${paths.png}&dpr=2`}>PNG 2×</a> ·{' '}
        <a href={paths.og}>preview card</a> · data: <a href={paths.json}>JSON</a>
      </p>
    </section>
  );
}
