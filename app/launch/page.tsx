import { Suspense } from 'react';
import { LaunchForm } from './launch-form';
import { PaperPresets } from './paper-presets';

/** The paper's experiments (launched as studies) first, then the form for a sweep of one's own. */
export default function LaunchPage() {
  return (
    <>
      <h1>Launch</h1>
      <PaperPresets />
      <Suspense fallback={<p className="muted">Loading…</p>}>
        <LaunchForm />
      </Suspense>
    </>
  );
}
