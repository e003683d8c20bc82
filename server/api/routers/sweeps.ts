import { z } from 'zod';
import { SweepIdSchema } from '../../core/ids';
import { type SweepIndexEntry } from '../../core/records';
import { OptimizerKindSchema } from '../../core/run-config';
import { cellCount, etaGridSize, isRelativeGrid, SweepSpecSchema, type StudyRef } from '../../core/sweep-spec';
import { type SweepStatus, type SweepStore } from '../../store/sweep-store';
import { createTRPCRouter, launchProcedure, publicProcedure } from '../trpc';
import { sweepStateFromScan, toCellView, type CellView, type SweepCounts, type SweepState } from '../views';

export const SweepStateSchema = z.enum(['queued', 'calibrating', 'running', 'done', 'cancelled']);

/** Resumable position in the listing: the store's page cursor (null = first page) and how many entries of that page were consumed. */
const ListCursorSchema = z.object({ c: z.string().nullable(), s: z.int().min(0) });
type ListCursor = z.infer<typeof ListCursorSchema>;

function encodeCursor(c: ListCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export const SweepListInputSchema = z.object({
  cursor: z
    .string()
    .max(2000)
    .transform((s, ctx): ListCursor => {
      let json: unknown = null;
      try {
        json = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
      } catch {
        // reported below
      }
      const r = ListCursorSchema.safeParse(json);
      if (r.success) return r.data;
      ctx.addIssue({ code: 'custom', message: 'not a cursor returned by sweeps.list' });
      return z.NEVER;
    })
    .optional(),
  limit: z.int().min(1).max(100).default(20),
  status: SweepStateSchema.optional(),
  model: z.enum(['fcn', 'cnn']).optional(),
  optimizer: OptimizerKindSchema.optional(),
  author: z.string().trim().min(1).max(80).optional(),
});
export type SweepListInput = z.input<typeof SweepListInputSchema>;

export interface SweepListItem {
  id: string;
  createdAt: number;
  title: string;
  author: string;
  modelKind: string;
  /** e.g. "FCN-4-512 SP mse". */
  model: string;
  optimizer: string;
  grid: { etas: number; warmups: number; seeds: number };
  etaUnit: SweepIndexEntry['etaUnit'];
  /** The paper preset's study the sweep belongs to (its role in it), null when launched on its own. */
  study: StudyRef | null;
  state: SweepState;
  counts: SweepCounts;
}

const STORE_PAGE = 100;

async function listItem(store: SweepStore, entry: SweepIndexEntry): Promise<SweepListItem> {
  const [sweep, scan] = await Promise.all([store.getSweep(entry.id), store.scanControl(entry.id)]);
  const spec = sweep.spec;
  const { state, counts } = sweepStateFromScan(scan, cellCount(spec), isRelativeGrid(spec));
  return {
    id: entry.id,
    createdAt: entry.createdAt,
    title: entry.title,
    author: entry.author,
    modelKind: spec.model.kind,
    model: `${spec.model.kind.toUpperCase()}-${spec.model.depth}-${spec.model.width} ${spec.parameterization === 'mup' ? 'μP' : 'SP'} ${spec.loss}`,
    optimizer: spec.optimizer.kind,
    grid: { etas: etaGridSize(spec.etaGrid), warmups: spec.warmupGrid.length, seeds: spec.seeds.length },
    etaUnit: entry.etaUnit,
    study: spec.study ?? null,
    state,
    counts,
  };
}

export interface SweepView {
  sweep: SweepStatus['sweep'];
  state: SweepState;
  cancelled: SweepStatus['cancelled'];
  lambda0: number | null;
  calibrationState: SweepStatus['calibrationState'];
  counts: SweepStatus['counts'];
  cells: CellView[];
}

export function sweepStateOf(status: SweepStatus): SweepState {
  const n = status.cells.length;
  if (status.counts.done >= n) return 'done';
  if (status.cancelled) return 'cancelled';
  if (status.calibrationState !== null && status.calibration === null)
    return status.calibrationState === 'running' ? 'calibrating' : status.counts.done > 0 ? 'running' : 'queued';
  return status.counts.done + status.counts.running + status.counts.stalled > 0 ? 'running' : 'queued';
}

export const sweepsRouter = createTRPCRouter({
  /** Sweeps newest first, filtered, one page at a time. */
  list: publicProcedure.input(SweepListInputSchema).query(async ({ ctx, input }) => {
    const items: SweepListItem[] = [];
    let pos: ListCursor = input.cursor ?? { c: null, s: 0 };
    const author = input.author?.toLowerCase();
    for (;;) {
      const page = await ctx.store.listSweeps({ cursor: pos.c ?? undefined, limit: STORE_PAGE });
      const entries = page.sweeps.slice(pos.s);
      let consumed = pos.s;
      for (const entry of entries) {
        consumed++;
        if (author !== undefined && entry.author.toLowerCase() !== author) continue;
        const item = await listItem(ctx.store, entry);
        if (input.status !== undefined && item.state !== input.status) continue;
        if (input.model !== undefined && item.modelKind !== input.model) continue;
        if (input.optimizer !== undefined && item.optimizer !== input.optimizer) continue;
        items.push(item);
        if (items.length === input.limit) {
          const more = consumed < page.sweeps.length || page.cursor !== undefined;
          return { items, nextCursor: more ? encodeCursor({ c: pos.c, s: consumed }) : null };
        }
      }
      if (page.cursor === undefined) return { items, nextCursor: null };
      pos = { c: page.cursor, s: 0 };
    }
  }),

  /**
   * One sweep with every cell's state and summary values; with `histories`, also each cell's log-spaced progress
   * history (the step slider's data, most of the payload: ~0.6 MB for 16×16 cells).
   */
  byId: publicProcedure
    .input(z.object({ id: z.string().max(100), histories: z.boolean().default(false) }))
    .query(async ({ ctx, input }): Promise<SweepView> => {
      const status = await ctx.store.getSweepStatus(input.id);
      return {
        sweep: status.sweep,
        state: sweepStateOf(status),
        cancelled: status.cancelled,
        lambda0: status.calibration?.lambda0 ?? null,
        calibrationState: status.calibrationState,
        counts: status.counts,
        cells: status.cells.map((c) => toCellView(c, { history: input.histories })),
      };
    }),

  /** Launch a sweep: validated by the same SweepSpecSchema the Launch form uses. */
  create: launchProcedure.input(SweepSpecSchema).mutation(async ({ ctx, input }) => {
    const record = await ctx.store.createSweep(input);
    return { id: record.id, cellCount: cellCount(record.spec) };
  }),

  /** Cancel a sweep (idempotent); running cells stop at their next chunk. */
  cancel: launchProcedure.input(z.object({ id: SweepIdSchema })).mutation(async ({ ctx, input }) => {
    return ctx.store.cancelSweep(input.id);
  }),
});
