import { Suspense } from 'react';
import { LaunchForm } from './launch-form';

export default function LaunchPage() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <LaunchForm />
    </Suspense>
  );
}
