'use client';

import { useState } from 'react';
import { markdownSnippet, shareTitle } from '../../../server/core/share';
import { type SweepSpec } from '../../../server/core/sweep-spec';
import { type SweepViewState } from '../../lib/view-state';
import { sharePaths } from '../../share/heatmap-data';
import { useShortLink } from './use-short-link';

/**
 * One button for any page that shows a sweep's heatmap (e.g. the Sweep page's toolbar): copies
 * `[![title](svg-url)](viewer-url)` for `view`, with a short viewer link. Falls back to showing the snippet when
 * the clipboard is refused.
 */
export function CopyMarkdownButton({
  sweepId,
  spec,
  view,
}: {
  sweepId: string;
  spec: Pick<SweepSpec, 'model' | 'parameterization' | 'loss' | 'optimizer'>;
  view: SweepViewState;
}) {
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  const link = useShortLink(sweepId, view, origin);
  const [status, setStatus] = useState<'idle' | 'copied' | 'manual'>('idle');
  const [text, setText] = useState('');
  const copy = async () => {
    const snippet = markdownSnippet({
      title: shareTitle(spec, view.metric),
      imageUrl: `${origin}${sharePaths(sweepId, view).svg}`,
      viewerUrl: await link.resolve(),
    });
    setText(snippet);
    try {
      await navigator.clipboard.writeText(snippet);
      setStatus('copied');
    } catch {
      setStatus('manual');
    }
  };
  return (
    <span className="row" style={{ gap: 6 }}>
      <button
        type="button"
        onClick={() => void copy()}
        data-testid="copy-markdown-button"
        title="Copy [![heatmap](svg)](viewer link) for a pull request"
      >
        Copy Markdown
      </button>
      <span role="status" className="muted" style={{ fontSize: 12 }}>
        {status === 'copied' ? 'Copied' : ''}
      </span>
      {status === 'manual' && (
        <input readOnly value={text} aria-label="Markdown of this view" onFocus={(e) => e.target.select()} size={40} />
      )}
    </span>
  );
}
