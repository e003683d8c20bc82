import { z } from 'zod';
import { BackendNameSchema, ModelSpecSchema } from '../../server/core/run-config';

/**
 * What one benchmark row measures, and what it reports. Each row runs in a fresh child process so that its peak
 * memory (the process's RSS high-water mark) is its own.
 */

const ConcreteBackendSchema = BackendNameSchema.exclude(['auto']);

export const RowSpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('train'),
    backend: ConcreteBackendSchema,
    model: ModelSpecSchema,
    batch: z.int().min(1),
    /** 'auto' = the project's ops (custom gradients on wasm); 'tf' = TF.js's own gradients everywhere. */
    grads: z.enum(['auto', 'tf']),
    steps: z.int().min(1),
    warmup: z.int().min(0).default(2),
  }),
  z.object({
    kind: z.literal('matmul'),
    backend: ConcreteBackendSchema,
    m: z.int().min(1),
    k: z.int().min(1),
    n: z.int().min(1),
    reps: z.int().min(1),
  }),
  z.object({
    /** The forward convolutions of a CNN alone (same shapes as its layers): the conv ceiling of the backend. */
    kind: z.literal('conv-forward'),
    backend: ConcreteBackendSchema,
    model: ModelSpecSchema,
    batch: z.int().min(1),
    reps: z.int().min(1),
  }),
]);
export type RowSpec = z.infer<typeof RowSpecSchema>;

export const RowResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    backend: z.string(),
    device: z.string(),
    /** Median wall time of one step (train) or one operation (matmul; conv-forward: every conv layer once). */
    ms: z.number(),
    /** 10th percentile: less sensitive than the median to other processes on a shared machine. */
    p10Ms: z.number(),
    /**
     * Median CPU time (user + system) of this process per step: on a shared machine it stays close to the wall time
     * the step would take on an idle one, because time spent waiting for a core is not counted.
     */
    cpuMs: z.number(),
    flops: z.number(),
    gflops: z.number(),
    peakRssMB: z.number(),
    samples: z.int(),
    ref: z
      .object({ what: z.string(), ms: z.number(), p10Ms: z.number(), cpuMs: z.number(), flops: z.number() })
      .optional(),
  }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type RowResult = z.infer<typeof RowResultSchema>;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The q-quantile (nearest rank) of a non-empty sample. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}
