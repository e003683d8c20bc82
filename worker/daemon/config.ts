import { availableParallelism, hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { SweepIdSchema, WorkerIdSchema } from '../../server/core/ids';
import { ConfigError, parseStoreEnv, type StoreEnv } from '../../server/store/env';

/**
 * The worker daemon's configuration, parsed once at the entry point from flags and environment (flags win).
 *   --concurrency N      ATLAS_WORKER_CONCURRENCY   training processes at once (default: one per core)
 *   --worker-id ID       ATLAS_WORKER_ID            default <hostname>-<pid>
 *   --lease-ms MS        ATLAS_LEASE_MS             a claim not renewed for this long may be taken over (30000)
 *   --heartbeat-ms MS    ATLAS_HEARTBEAT_MS         lease renewal period (default lease/3)
 *   --poll-ms MS         ATLAS_POLL_MS              idle polling period (2000)
 *   --chunk-rows N       ATLAS_CHUNK_ROWS           rows per metric chunk (500) …
 *   --chunk-ms MS        ATLAS_CHUNK_MS             … or this long, whichever first (10000)
 *   --progress-ms MS     ATLAS_PROGRESS_MS          progress object period (3000)
 *   --exit-when-idle     ATLAS_EXIT_WHEN_IDLE=1     stop once no sweep has claimable work and nothing runs
 *   --sweeps ID,ID       ATLAS_WORKER_SWEEPS        train only these sweeps (e.g. one study's); default: every active sweep
 * plus the store's ATLAS_DATA_DIR / BLOB_READ_WRITE_TOKEN / VERCEL_BLOB_API_URL (server/store/env.ts).
 */
export const WorkerConfigSchema = z
  .object({
    concurrency: z.coerce.number().int().min(1).max(256),
    workerId: WorkerIdSchema,
    leaseMs: z.coerce.number().int().min(200).max(3_600_000).default(30_000),
    heartbeatMs: z.coerce.number().int().min(50).max(600_000).optional(),
    pollMs: z.coerce.number().int().min(50).max(600_000).default(2_000),
    chunkRows: z.coerce.number().int().min(1).max(100_000).default(500),
    chunkMs: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
    progressMs: z.coerce.number().int().min(0).max(600_000).default(3_000),
    exitWhenIdle: z.boolean().default(false),
    /** Only these sweeps (comma-separated ids); undefined = every active sweep. */
    sweeps: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x.length > 0),
      )
      .pipe(z.array(SweepIdSchema).min(1, 'at least one sweep id'))
      .optional(),
  })
  .transform((c) => ({
    ...c,
    heartbeatMs: c.heartbeatMs ?? Math.max(50, Math.floor(c.leaseMs / 3)),
  }))
  .refine((c) => c.heartbeatMs < c.leaseMs, {
    message: 'heartbeat must be shorter than the lease',
    path: ['heartbeatMs'],
  });
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;

/** Flag and environment variable of each field, for error messages. */
const SOURCES: Record<string, readonly [string, string]> = {
  concurrency: ['concurrency', 'ATLAS_WORKER_CONCURRENCY'],
  workerId: ['worker-id', 'ATLAS_WORKER_ID'],
  leaseMs: ['lease-ms', 'ATLAS_LEASE_MS'],
  heartbeatMs: ['heartbeat-ms', 'ATLAS_HEARTBEAT_MS'],
  pollMs: ['poll-ms', 'ATLAS_POLL_MS'],
  chunkRows: ['chunk-rows', 'ATLAS_CHUNK_ROWS'],
  chunkMs: ['chunk-ms', 'ATLAS_CHUNK_MS'],
  progressMs: ['progress-ms', 'ATLAS_PROGRESS_MS'],
  exitWhenIdle: ['exit-when-idle', 'ATLAS_EXIT_WHEN_IDLE'],
  sweeps: ['sweeps', 'ATLAS_WORKER_SWEEPS'],
};

export interface WorkerSetup {
  config: WorkerConfig;
  storeEnv: StoreEnv;
}

/** Parse argv (without node and script) and the environment; throws ConfigError naming each bad field. */
export function parseWorkerSetup(argv: readonly string[], env: Record<string, string | undefined>): WorkerSetup {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        concurrency: { type: 'string' },
        'worker-id': { type: 'string' },
        'lease-ms': { type: 'string' },
        'heartbeat-ms': { type: 'string' },
        'poll-ms': { type: 'string' },
        'chunk-rows': { type: 'string' },
        'chunk-ms': { type: 'string' },
        'progress-ms': { type: 'string' },
        'exit-when-idle': { type: 'boolean' },
        sweeps: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new ConfigError(e instanceof Error ? e.message : String(e));
  }
  const pick = (flag: string, name: string): string | boolean | undefined => {
    const v = values[flag] ?? env[name];
    return v === '' ? undefined : v;
  };
  const r = WorkerConfigSchema.safeParse({
    concurrency: pick('concurrency', 'ATLAS_WORKER_CONCURRENCY') ?? availableParallelism(),
    workerId:
      pick('worker-id', 'ATLAS_WORKER_ID') ??
      `${hostname()
        .replace(/[^A-Za-z0-9._:-]/g, '-')
        .slice(0, 60)}-${process.pid}`,
    leaseMs: pick('lease-ms', 'ATLAS_LEASE_MS'),
    heartbeatMs: pick('heartbeat-ms', 'ATLAS_HEARTBEAT_MS'),
    pollMs: pick('poll-ms', 'ATLAS_POLL_MS'),
    chunkRows: pick('chunk-rows', 'ATLAS_CHUNK_ROWS'),
    chunkMs: pick('chunk-ms', 'ATLAS_CHUNK_MS'),
    progressMs: pick('progress-ms', 'ATLAS_PROGRESS_MS'),
    exitWhenIdle: values['exit-when-idle'] === true || env.ATLAS_EXIT_WHEN_IDLE === '1',
    sweeps: pick('sweeps', 'ATLAS_WORKER_SWEEPS'),
  });
  if (!r.success) {
    // Name the flag and the variable the user actually typed, not the internal field.
    const lines = r.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? '');
      const src = SOURCES[field];
      return `${src ? `--${src[0]} / ${src[1]}` : field}: ${issue.message}`;
    });
    throw new ConfigError(`invalid worker configuration:\n${lines.join('\n')}`);
  }
  return { config: r.data, storeEnv: parseStoreEnv(env) };
}
