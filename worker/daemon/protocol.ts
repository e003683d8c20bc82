import { z } from 'zod';
import { CellIdSchema, SweepIdSchema } from '../../server/core/ids';
import { OutcomeSchema } from '../../server/core/outcome';
import { StoreEnvSchema } from '../../server/store/env';

/**
 * Messages between the daemon and its training processes (Node IPC, structured-clone serialization so NaN and
 * ±Infinity survive). The daemon owns the claim and its heartbeats; the child trains one job and writes its
 * chunks, progress and result under the claim's epoch.
 */

/** Any JS number, NaN and ±Infinity included (zod's number() refuses non-finite values). */
const AnyNumber = z.custom<number>((v) => typeof v === 'number', 'a number');

export const RunJobMessageSchema = z.object({
  type: z.literal('run'),
  sweepId: SweepIdSchema,
  jobId: CellIdSchema,
  epoch: z.int().min(1),
  workerId: z.string().min(1),
  storeEnv: StoreEnvSchema,
  cwd: z.string().min(1),
  chunkRows: z.int().min(1),
  chunkMs: z.int().min(0),
  progressMs: z.int().min(0),
});
export type RunJobMessage = z.infer<typeof RunJobMessageSchema>;

/** Parent → child: stop. `cancel` ends the cell with a result; `shutdown` flushes and gives the claim back; `fenced` stops writing at once. */
export const StopMessageSchema = z.object({
  type: z.literal('stop'),
  reason: z.enum(['cancel', 'shutdown', 'fenced']),
});
export type StopMessage = z.infer<typeof StopMessageSchema>;

export const ParentMessageSchema = z.discriminatedUnion('type', [RunJobMessageSchema, StopMessageSchema]);

export const ChildMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('progress'),
    step: z.int(),
    total: z.int(),
    loss: AnyNumber,
    stepsPerSec: AnyNumber,
  }),
  /** The result is written; the daemon may end the job. */
  z.object({
    type: z.literal('finished'),
    outcome: OutcomeSchema,
    lastStep: z.int().min(-1),
    summary: z.record(z.string(), AnyNumber),
    bytesPerRow: z.number(),
    rows: z.int().min(0),
    error: z.string().optional(),
  }),
  /** Stopped for shutdown with the last chunk flushed: give the claim back. */
  z.object({ type: z.literal('stopped'), lastStep: z.int().min(-1) }),
  /** Stopped because a later epoch owns the job; nothing more was written. */
  z.object({ type: z.literal('fenced') }),
]);
export type ChildMessage = z.infer<typeof ChildMessageSchema>;
