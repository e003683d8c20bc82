import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from './root';
import { apiRuntime } from './runtime';
import { callerFromHeaders, createContextInner } from './trpc';

/**
 * The HTTP entry of the API, for the Next route handler: the process's environment and store (runtime.ts, parsed and
 * opened once), and each request's context built from its headers.
 */

/** Handle a tRPC request under `endpoint` (the fetch adapter). */
export function handleTrpcRequest(req: Request, endpoint = '/api/trpc'): Promise<Response> {
  const { env, blob } = apiRuntime();
  return fetchRequestHandler({
    endpoint,
    req,
    router: appRouter,
    createContext: () =>
      createContextInner({ blob, launchToken: env.ATLAS_LAUNCH_TOKEN, caller: callerFromHeaders(req.headers) }),
  });
}

/** A server-side caller with this process's store, for server components (reads; it carries no launch rights). */
export function serverCaller(): ReturnType<typeof appRouter.createCaller> {
  const { env, blob } = apiRuntime();
  return appRouter.createCaller(createContextInner({ blob, launchToken: env.ATLAS_LAUNCH_TOKEN }));
}
