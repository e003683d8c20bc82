import { etaGridSize, SweepSpecSchema } from '../../core/sweep-spec';
import { PRESETS } from '../presets';
import { createTRPCRouter, publicProcedure } from '../trpc';

export const presetsRouter = createTRPCRouter({
  /** The Launch page's presets, each with its cell count. */
  list: publicProcedure.query(() =>
    PRESETS.map((p) => {
      const spec = SweepSpecSchema.parse(p.spec);
      return { ...p, cellCount: etaGridSize(spec.etaGrid) * spec.warmupGrid.length * spec.seeds.length };
    }),
  ),
});
