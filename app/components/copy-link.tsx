'use client';

import { CopyFeedback, useCopyText } from './copy-text';

/** Copies the current URL (which holds the whole view state); falls back to showing it when the clipboard is refused. */
export function CopyLinkButton() {
  const { status, text, copy } = useCopyText(2000);
  return (
    <span className="row" style={{ gap: 6 }}>
      <button type="button" onClick={() => void copy(window.location.href)} data-testid="copy-link">
        Copy link
      </button>
      <CopyFeedback status={status} text={text} label="link to this view" statusStyle={{ minWidth: 48 }} />
    </span>
  );
}
