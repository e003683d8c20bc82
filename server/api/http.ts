import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { openBlobStore } from '../store/env';
import type { BlobStore } from '../store/blob-store';
import { parseApiEnv, type ApiEnv } from './env';
import { appRouter } from './root';
import { callerFromHeaders, createContextInner } from './trpc';

/**
 * The HTTP entry of the API, for the Next route handler: parses the environment once, opens the store once, and
 * builds each request's context from its headers.
 */
let opened: { env: ApiEnv; blob: BlobStore } | null = null;

function server(): { env: ApiEnv; blob: BlobStore } {
  if (!opened) {
    const env = parseApiEnv(process.env);
    opened = { env, blob: openBlobStore(env.store, process.cwd()) };
  }
  return opened;
}

/** Handle a tRPC request under `endpoint` (the fetch adapter). */
export function handleTrpcRequest(req: Request, endpoint = '/api/trpc'): Promise<Response> {
  const { env, blob } = server();
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
  const { env, blob } = server();
  return appRouter.createCaller(createContextInner({ blob, launchToken: env.ATLAS_LAUNCH_TOKEN }));
}
