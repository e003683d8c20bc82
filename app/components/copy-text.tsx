'use client';

import { useState, type CSSProperties } from 'react';

export type CopyStatus = 'idle' | 'copied' | 'manual';

/**
 * Copy a text to the clipboard, remembering it and whether that worked: `manual` when the browser refused (the
 * page then shows the text to copy by hand). With `resetAfterMs`, "Copied" clears itself after that long.
 */
export function useCopyText(resetAfterMs?: number): {
  status: CopyStatus;
  text: string;
  copy: (text: string) => Promise<void>;
} {
  const [status, setStatus] = useState<CopyStatus>('idle');
  const [text, setText] = useState('');
  const copy = async (value: string) => {
    setText(value);
    try {
      await navigator.clipboard.writeText(value);
      setStatus('copied');
    } catch {
      setStatus('manual');
    }
    if (resetAfterMs !== undefined)
      window.setTimeout(() => setStatus((s) => (s === 'copied' ? 'idle' : s)), resetAfterMs);
  };
  return { status, text, copy };
}

/** What follows a copy button: "Copied", or the text in a field to copy by hand when the clipboard was refused. */
export function CopyFeedback(props: { status: CopyStatus; text: string; label: string; statusStyle?: CSSProperties }) {
  return (
    <>
      <span role="status" className="muted" style={{ fontSize: 12, ...props.statusStyle }}>
        {props.status === 'copied' ? 'Copied' : ''}
      </span>
      {props.status === 'manual' && (
        <input readOnly value={props.text} aria-label={props.label} onFocus={(e) => e.target.select()} size={40} />
      )}
    </>
  );
}
