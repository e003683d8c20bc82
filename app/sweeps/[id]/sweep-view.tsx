'use client';

import { useQuery } from '@tanstack/react-query';
import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import type { SweepView as SweepViewData } from '../../../server/api/routers/sweeps';
import { ErrorBox } from '../../components/error-box';
import { parseViewState, serializeViewState, type SweepViewState } from '../../lib/view-state';
import { useTRPC } from '../../trpc';
import { CellPanel } from './cell-panel';
import { FindingsPanel } from './findings-panel';
import { HeatmapPanel } from './heatmap-panel';
import { SweepHeader } from './sweep-header';

const LIVE_MS = 2000;

function useSweepQuery(id: string, histories: boolean, initial: SweepViewData | null) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.sweeps.byId.queryOptions({ id, histories }),
    // The server component's prefetch (without histories) seeds the first render.
    initialData: !histories && initial ? initial : undefined,
    // Live while anything can still change; the previous data stays on screen while refetching (no layout shift).
    refetchInterval: (q) =>
      q.state.data && q.state.data.state !== 'done' && q.state.data.state !== 'cancelled' ? LIVE_MS : false,
    placeholderData: (prev) => prev,
  });
}

/**
 * The page's view state: held in React state for immediate feedback and mirrored into the URL (the shareable
 * truth); a URL changed from outside (back/forward, a pasted link) is read back in.
 */
function useUrlViewState(): [SweepViewState, (patch: Partial<SweepViewState>) => void] {
  const pathname = usePathname();
  const search = useSearchParams().toString();
  const [view, setViewState] = useState<SweepViewState>(() => parseViewState(new URLSearchParams(search)));
  useEffect(() => {
    setViewState((cur) => {
      const fromUrl = parseViewState(new URLSearchParams(search));
      return serializeViewState(fromUrl) === serializeViewState(cur) ? cur : fromUrl;
    });
  }, [search]);
  const setView = useCallback(
    (patch: Partial<SweepViewState>) => {
      const next = { ...view, ...patch };
      setViewState(next);
      const qs = serializeViewState(next);
      // The native History API updates the URL without a server round trip (view state is client-only).
      window.history.replaceState(null, '', qs ? `${pathname}?${qs}` : pathname);
    },
    [view, pathname],
  );
  return [view, setView];
}

export function SweepView({ id, initial }: { id: string; initial: SweepViewData | null }) {
  const [view, setView] = useUrlViewState();
  // Histories (the bulk of the payload) are fetched only while the step slider shows an earlier step.
  const q = useSweepQuery(id, view.step !== null, initial);
  const data = q.data;
  if (q.error) return <ErrorBox title="Could not load this sweep" message={q.error.message} />;
  if (!data) return <p className="muted">Loading sweep…</p>;
  const live = data.state !== 'done' && data.state !== 'cancelled';
  return (
    <div>
      <SweepHeader data={data} />
      <div className="sweep-layout">
        <HeatmapPanel id={id} data={data} view={view} setView={setView} />
        {/* The right column: the selected cells, then the claim checks that involve this sweep (visible on first load
            at 1280×800, when no cell is selected yet). */}
        <div className="side-column">
          <CellPanel
            sweepId={id}
            cellIds={view.cells}
            logx={view.logx}
            cells={data.cells}
            onLogx={(logx) => setView({ logx })}
            onRemove={(cellId) => setView({ cells: view.cells.filter((c) => c !== cellId) })}
            live={live}
          />
          <FindingsPanel sweepId={id} live={live} />
        </div>
      </div>
    </div>
  );
}
