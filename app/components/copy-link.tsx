'use client';

import { useState } from 'react';

/** Copies the current URL (which holds the whole view state); falls back to showing it when the clipboard is refused. */
export function CopyLinkButton() {
  const [status, setStatus] = useState<'idle' | 'copied' | 'manual'>('idle');
  const [url, setUrl] = useState('');
  const copy = async () => {
    const href = window.location.href;
    setUrl(href);
    try {
      await navigator.clipboard.writeText(href);
      setStatus('copied');
    } catch {
      setStatus('manual');
    }
    window.setTimeout(() => setStatus((s) => (s === 'copied' ? 'idle' : s)), 2000);
  };
  return (
    <span className="row" style={{ gap: 6 }}>
      <button type="button" onClick={() => void copy()} data-testid="copy-link">
        Copy link
      </button>
      <span role="status" className="muted" style={{ fontSize: 12, minWidth: 48 }}>
        {status === 'copied' ? 'Copied' : ''}
      </span>
      {status === 'manual' && (
        <input readOnly value={url} aria-label="link to this view" onFocus={(e) => e.target.select()} size={40} />
      )}
    </span>
  );
}
