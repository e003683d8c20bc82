import { z } from 'zod';
import { formatZodError } from '../../server/core/errors';
import { BackendNameSchema } from '../../server/core/run-config';

/** The environment variables the CLIs read, parsed once at their entry; nothing else reads process.env. */
export const CliEnvSchema = z.object({
  /** Backend preference; `--backend` overrides it, and it overrides a config file's `backend`. */
  ATLAS_BACKEND: BackendNameSchema.optional(),
});
export type CliEnv = z.infer<typeof CliEnvSchema>;

export class CliEnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliEnvError';
  }
}

/** Parses the CLI's environment; an empty ATLAS_BACKEND counts as unset. Throws CliEnvError naming the variable. */
export function parseCliEnv(env: Readonly<Record<string, string | undefined>>): CliEnv {
  const raw = env.ATLAS_BACKEND;
  const r = CliEnvSchema.safeParse({ ATLAS_BACKEND: raw === undefined || raw === '' ? undefined : raw });
  if (!r.success) throw new CliEnvError(formatZodError(r.error));
  return r.data;
}
