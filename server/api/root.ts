import { cellsRouter } from './routers/cells';
import { presetsRouter } from './routers/presets';
import { studiesRouter } from './routers/studies';
import { sweepsRouter } from './routers/sweeps';
import { createCallerFactory, createTRPCRouter } from './trpc';

export const appRouter = createTRPCRouter({
  sweeps: sweepsRouter,
  cells: cellsRouter,
  presets: presetsRouter,
  studies: studiesRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side caller (server components, tests, the demo launcher): `createCaller(createContextInner(...))`. */
export const createCaller = createCallerFactory(appRouter);
