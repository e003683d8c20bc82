import { cellCount, SweepSpecSchema } from '../../core/sweep-spec';
import { PRESETS } from '../presets';
import { createTRPCRouter, publicProcedure } from '../trpc';

export const presetsRouter = createTRPCRouter({
  /** The Launch form's single-sweep presets (the demo; the paper's experiments are `studies.presets`), each with its cell count. */
  list: publicProcedure.query(() =>
    PRESETS.map((p) => {
      const spec = SweepSpecSchema.parse(p.spec);
      return { ...p, cellCount: cellCount(spec) };
    }),
  ),
});
