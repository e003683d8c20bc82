import { Suspense } from 'react';
import { SweepsList } from './sweeps-list';

export default function HomePage() {
  return (
    <Suspense fallback={<p className="muted">Loading sweeps…</p>}>
      <SweepsList />
    </Suspense>
  );
}
