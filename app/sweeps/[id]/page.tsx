import { TRPCError } from '@trpc/server';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { serverCaller } from '../../../server/api/http';
import { SweepView } from './sweep-view';

export const dynamic = 'force-dynamic';

/** Server-prefetches the sweep so the heatmap is in the first HTML (no client fetch waterfall before it draws). */
export default async function SweepPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  let initial: Awaited<ReturnType<ReturnType<typeof serverCaller>['sweeps']['byId']>> | null = null;
  try {
    initial = await serverCaller().sweeps.byId({ id });
  } catch (e) {
    if (e instanceof TRPCError && e.code === 'NOT_FOUND') notFound();
    initial = null; // anything else: the client fetches and shows the error
  }
  return (
    <Suspense fallback={<p className="muted">Loading sweep…</p>}>
      {/* Keyed by id: moving to a sibling sweep of a study starts from a fresh view, not the previous sweep's. */}
      <SweepView key={id} id={id} initial={initial} />
    </Suspense>
  );
}
