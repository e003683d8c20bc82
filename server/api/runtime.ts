import { type BlobStore } from '../store/blob-store';
import { openBlobStore } from '../store/env';
import { parseApiEnv, type ApiEnv } from './env';

/** This process's API configuration and the store it opens. */
export interface ApiRuntime {
  env: ApiEnv;
  blob: BlobStore;
}

let runtime: ApiRuntime | null = null;

/**
 * The environment parsed once and the store opened once, on first use, for every entry of this process (the tRPC
 * route handler in http.ts, the sharing routes in share-source.ts): one configuration, one record cache. The only
 * place in server/api that reads process.env.
 */
export function apiRuntime(): ApiRuntime {
  if (runtime === null) {
    const env = parseApiEnv(process.env);
    runtime = { env, blob: openBlobStore(env.store, process.cwd()) };
  }
  return runtime;
}
