import path from 'node:path';
import { z } from 'zod';
import { formatZodError } from '../core/errors';
import { type BlobStore } from './blob-store';
import { FsBlobStore } from './fs-blob-store';
import { VercelBlobStore } from './vercel-blob-store';

/**
 * The store's environment, parsed once by a zod schema at an entry point (worker CLI, API context) and passed in;
 * nothing else in server/store reads process.env. The @vercel/blob SDK itself reads VERCEL_BLOB_API_URL and
 * VERCEL_BLOB_RETRIES; they are validated here so a typo fails at start.
 */
export const StoreEnvSchema = z.object({
  ATLAS_DATA_DIR: z.string().min(1).default('.atlas'),
  BLOB_READ_WRITE_TOKEN: z
    .string()
    .regex(/^vercel_blob_rw_[A-Za-z0-9]+_\S+$/, 'a token shaped vercel_blob_rw_<storeId>_<secret>')
    .optional(),
  VERCEL_BLOB_API_URL: z.url().optional(),
  /** Access mode of the Vercel Blob store (it is fixed when the store is created). */
  ATLAS_BLOB_ACCESS: z.enum(['private', 'public']).default('private'),
  VERCEL_BLOB_RETRIES: z.coerce.number().int().min(0).max(50).optional(),
});
export type StoreEnv = z.infer<typeof StoreEnvSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parse the store's variables from an environment (pass `process.env` at the entry point). */
export function parseStoreEnv(env: Record<string, string | undefined>): StoreEnv {
  const picked = Object.fromEntries(
    Object.keys(StoreEnvSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]] as const),
  );
  const r = StoreEnvSchema.safeParse(picked);
  if (!r.success) throw new ConfigError(`invalid environment:\n${formatZodError(r.error)}`);
  return r.data;
}

/** The configured BlobStore: Vercel Blob when BLOB_READ_WRITE_TOKEN is set, else the local directory. */
export function openBlobStore(env: StoreEnv, cwd: string): BlobStore {
  if (env.BLOB_READ_WRITE_TOKEN !== undefined)
    return new VercelBlobStore(env.BLOB_READ_WRITE_TOKEN, env.ATLAS_BLOB_ACCESS);
  return new FsBlobStore(path.resolve(cwd, env.ATLAS_DATA_DIR));
}
