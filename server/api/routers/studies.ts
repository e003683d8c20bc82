import { z } from 'zod';
import { PAPER_PRESETS, studyCost } from '../../core/paper-presets';
import { SlugSchema, StudySizeSchema } from '../../core/sweep-spec';
import { createStudy, getStudy, studyFindings, sweepFindings } from '../../store/studies';
import { createTRPCRouter, launchProcedure, publicProcedure } from '../trpc';

/** Paper presets and their studies: launch one, read its sweeps, and the claim checks' findings. */
export const studiesRouter = createTRPCRouter({
  /** The paper presets with what each reproduces, its claims and its cost at both sizes. */
  presets: publicProcedure.query(() =>
    PAPER_PRESETS.map((p) => ({
      id: p.id,
      title: p.title,
      figure: p.figure,
      reproduces: p.reproduces,
      cpuScaling: p.cpuScaling,
      claims: [...p.claims],
      cost: { cpu: studyCost(p, 'cpu'), paper: studyCost(p, 'paper') },
      roles: { cpu: p.sizes.cpu.map((s) => s.role), paper: p.sizes.paper.map((s) => s.role) },
    })),
  ),

  /** Launch a preset at a size: all its sweeps are validated before any is written. */
  create: launchProcedure
    .input(
      z.object({
        preset: SlugSchema,
        size: StudySizeSchema.default('cpu'),
        author: z.string().trim().min(1).max(80).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const study = await createStudy(ctx.store, input.preset, input.size, { author: input.author });
      return { id: study.id, sweeps: study.sweeps };
    }),

  byId: publicProcedure
    .input(z.object({ id: z.string().max(100) }))
    .query(({ ctx, input }) => getStudy(ctx.store, input.id)),

  /** Every claim check of a study. */
  findings: publicProcedure
    .input(z.object({ id: z.string().max(100) }))
    .query(({ ctx, input }) => studyFindings(ctx.store, input.id)),

  /** The claim checks that involve one sweep (its study's, or its own when it has none). */
  sweepFindings: publicProcedure
    .input(z.object({ sweepId: z.string().max(100) }))
    .query(({ ctx, input }) => sweepFindings(ctx.store, input.sweepId)),
});
