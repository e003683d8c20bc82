import { createCaller } from '../../server/api/root';
import { createContextInner } from '../../server/api/trpc';
import { type BlobStore } from '../../server/store/blob-store';
import { type SweepStore } from '../../server/store/sweep-store';

/**
 * What the reproduce CLI talks to: the tRPC caller (as scripts/start.ts uses it: launches from this machine count
 * as loopback) and, for the few per-cell records no procedure returns in bulk (each run's backend and finish time),
 * the same context's store.
 */
export type Caller = ReturnType<typeof createCaller>;

export interface ReproduceApi {
  caller: Caller;
  store: SweepStore;
  /** "local directory /path" or "Vercel Blob". */
  storeLabel: string;
}

export function openReproduceApi(blob: BlobStore, storeLabel: string): ReproduceApi {
  const ctx = createContextInner({ blob, caller: { loopback: true } });
  return { caller: createCaller(ctx), store: ctx.store, storeLabel };
}
