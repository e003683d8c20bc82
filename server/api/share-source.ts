import { makeEtag, SHARE_RENDER_VERSION, type Freshness } from '../core/share';
import { cellCount, isRelativeGrid } from '../core/sweep-spec';
import { type BlobStore } from '../store/blob-store';
import { openBlobStore } from '../store/env';
import { getStudy, StudyNotFoundError, type StudyFindings } from '../store/studies';
import { SweepStore } from '../store/sweep-store';
import { parseApiEnv } from './env';
import { createCaller } from './root';
import { type SweepView } from './routers/sweeps';
import { ShortLinks } from './share-links';
import { createContextInner } from './trpc';
import { sweepStateFromScan } from './views';

/**
 * What the sharing routes read: a sweep through the same `sweeps.byId` procedure the Sweep page uses, a
 * cheap "is it final?" check from one listing (so a revalidation of a finished sweep answers 304 without reading
 * cells), and the short links. Built over any BlobStore so tests pass a temporary directory.
 */
export class ShareSource {
  readonly store: SweepStore;
  readonly links: ShortLinks;
  private readonly caller: ReturnType<typeof createCaller>;

  constructor(blob: BlobStore, now: () => number = Date.now) {
    this.store = new SweepStore(blob, now);
    this.links = new ShortLinks(this.store);
    this.caller = createCaller(createContextInner({ blob, now }));
  }

  /**
   * The sweep as the Sweep page sees it (NOT_FOUND as a TRPCError for an unknown id); with `histories` the cells'
   * progress histories too (needed only to draw the heatmap at a step).
   */
  async sweep(id: string, options: { histories?: boolean } = {}): Promise<SweepView> {
    return this.caller.sweeps.byId({ id, histories: options.histories ?? false });
  }

  /**
   * final when every cell has its result (nothing can change any more); live otherwise. Reads the spec and lists
   * the control prefix only (SweepNotFoundError for an unknown id).
   */
  async freshness(id: string): Promise<Freshness> {
    const sweep = await this.store.getSweep(id);
    const scan = await this.store.scanControl(sweep.id);
    return sweepStateFromScan(scan, cellCount(sweep.spec), isRelativeGrid(sweep.spec)).state === 'done'
      ? 'final'
      : 'live';
  }

  /** The claim checks that involve a sweep (its study's), as the Sweep page shows them. */
  async findings(id: string): Promise<StudyFindings> {
    return this.caller.studies.sweepFindings({ sweepId: id });
  }

  /**
   * Freshness of the viewer page, which also shows the sweep's findings: those can read the other sweeps of its study
   * (P12 compares Adam with GI-Adam), so the page is final only when every sweep of the study is.
   */
  async pageFreshness(id: string): Promise<Freshness> {
    if ((await this.freshness(id)) === 'live') return 'live';
    const sweep = await this.store.getSweep(id);
    if (!sweep.spec.study) return 'final';
    let siblings: string[];
    try {
      siblings = (await getStudy(this.store, sweep.spec.study.id)).sweeps
        .map((s) => s.sweepId)
        .filter((s) => s !== sweep.id);
    } catch (e) {
      // The study record is written after its sweeps: until it exists, more sweeps may join.
      if (e instanceof StudyNotFoundError) return 'live';
      throw e;
    }
    for (const s of siblings) if ((await this.freshness(s)) === 'live') return 'live';
    return 'final';
  }
}

/** final iff every cell of the loaded sweep is done (same rule as `freshness`, from a loaded view). */
export function freshnessOf(view: Pick<SweepView, 'state'>): Freshness {
  return view.state === 'done' ? 'final' : 'live';
}

/**
 * ETag of a shared response. A final sweep's bytes depend only on the render version, the resource, the sweep and
 * the view; a live sweep's also on every cell's state, epoch, step and last progress write.
 */
export async function shareEtag(o: {
  resource: string;
  sweepId: string;
  query: string;
  freshness: Freshness;
  view?: Pick<SweepView, 'cells' | 'lambda0'>;
}): Promise<string> {
  const parts = [`v${SHARE_RENDER_VERSION}`, o.resource, o.sweepId, o.query, o.freshness];
  if (o.freshness === 'live') {
    if (!o.view) throw new Error('a live sweep needs its loaded view for an ETag');
    parts.push(`λ0=${o.view.lambda0 ?? ''}`);
    for (const c of o.view.cells)
      parts.push(`${c.cellId}:${c.jobState}:${c.epoch ?? ''}:${c.step}:${c.updatedAt ?? ''}`);
  }
  return makeEtag(parts);
}

let opened: ShareSource | null = null;

/** This process's ShareSource over the configured store (environment parsed once, as the tRPC entry does). */
export function shareSource(): ShareSource {
  if (!opened) {
    const env = parseApiEnv(process.env);
    opened = new ShareSource(openBlobStore(env.store, process.cwd()));
  }
  return opened;
}
