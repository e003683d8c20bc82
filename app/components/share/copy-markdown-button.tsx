'use client';

import { markdownSnippet, shareTitle } from '../../../server/core/share';
import { type SweepSpec } from '../../../server/core/sweep-spec';
import { type SweepViewState } from '../../lib/view-state';
import { sharePaths } from '../../share/heatmap-data';
import { CopyFeedback, useCopyText } from '../copy-text';
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
  const { status, text, copy } = useCopyText();
  const copySnippet = async () => {
    const snippet = markdownSnippet({
      title: shareTitle(spec, view.metric),
      imageUrl: `${origin}${sharePaths(sweepId, view).svg}`,
      viewerUrl: await link.resolve(),
    });
    await copy(snippet);
  };
  return (
    <span className="row" style={{ gap: 6 }}>
      <button
        type="button"
        onClick={() => void copySnippet()}
        data-testid="copy-markdown-button"
        title="Copy [![heatmap](svg)](viewer link) for a pull request"
      >
        Copy Markdown
      </button>
      <CopyFeedback status={status} text={text} label="Markdown of this view" />
    </span>
  );
}
