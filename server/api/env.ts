import { z } from 'zod';
import { formatZodError } from '../core/errors';
import { ConfigError, parseStoreEnv, type StoreEnv } from '../store/env';

/**
 * The API's environment, parsed once per process by `apiRuntime()` (runtime.ts, the one reader of process.env in
 * server/api) or by a test, and passed into the context.
 */
export const ApiEnvSchema = z.object({
  /** When set, sweeps.create and sweeps.cancel require `Authorization: Bearer <token>`; else loopback only. */
  ATLAS_LAUNCH_TOKEN: z.string().min(8, 'use at least 8 characters').optional(),
});
export type ApiEnv = z.infer<typeof ApiEnvSchema> & { store: StoreEnv };

/** Parse the API's and the store's variables from an environment (pass `process.env`). */
export function parseApiEnv(env: Record<string, string | undefined>): ApiEnv {
  const r = ApiEnvSchema.safeParse({
    ATLAS_LAUNCH_TOKEN: env.ATLAS_LAUNCH_TOKEN === '' ? undefined : env.ATLAS_LAUNCH_TOKEN,
  });
  if (!r.success) throw new ConfigError(`invalid environment:\n${formatZodError(r.error)}`);
  return { ...r.data, store: parseStoreEnv(env) };
}
