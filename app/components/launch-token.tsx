'use client';

import { useState } from 'react';

export const LAUNCH_TOKEN_KEY = 'atlas-launch-token';

/** Shown when the server answered 401: the ATLAS_LAUNCH_TOKEN, kept in this tab's sessionStorage and sent as a bearer token. */
export function LaunchTokenField() {
  const [value, setValue] = useState('');
  const [saved, setSaved] = useState(false);
  return (
    <div className="row" style={{ marginTop: 8 }}>
      <label className="row" style={{ gap: 6 }}>
        Launch token
        <input type="password" value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" size={24} />
      </label>
      <button
        type="button"
        onClick={() => {
          window.sessionStorage.setItem(LAUNCH_TOKEN_KEY, value.trim());
          setSaved(true);
        }}
      >
        Use token
      </button>
      <span role="status" className="muted">
        {saved ? 'Saved for this tab; launch again.' : 'This server requires ATLAS_LAUNCH_TOKEN to launch or cancel.'}
      </span>
    </div>
  );
}
