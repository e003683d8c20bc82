import { initTRPC } from '@trpc/server';
import { z, ZodError } from 'zod';
import type { BlobStore } from '../store/blob-store';
import { SweepStore } from '../store/sweep-store';
import { LaunchUnauthorizedError, toTRPCError } from './errors';
import { nonFiniteTransformer } from './transformer';

/**
 * tRPC, initialised once. Context is built from plain values (`createContextInner`) so router tests call
 * procedures through `createCaller` on a real store with nothing of Next mocked; the route handler derives the
 * caller's credentials from the request (`callerFromHeaders`).
 */

export interface CallerInfo {
  /** Bearer token presented, if any. */
  token: string | null;
  /** True when the request came from this machine. */
  loopback: boolean;
}

export interface Context {
  store: SweepStore;
  /** ATLAS_LAUNCH_TOKEN, when configured. */
  launchToken: string | undefined;
  caller: CallerInfo;
  now: () => number;
}

/** A context from plain values: the blob store to read, the configured token, the caller, the clock. */
export function createContextInner(opts: {
  blob: BlobStore;
  launchToken?: string;
  caller?: Partial<CallerInfo>;
  now?: () => number;
}): Context {
  return {
    store: new SweepStore(opts.blob, opts.now ?? Date.now),
    launchToken: opts.launchToken,
    caller: { token: opts.caller?.token ?? null, loopback: opts.caller?.loopback ?? false },
    now: opts.now ?? Date.now,
  };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/;

/**
 * Credentials of an HTTP request. Next sets `x-forwarded-for` to the socket's address unless a proxy already did;
 * a client can forge that header, so "loopback" also requires a loopback Host, and npm start binds to 127.0.0.1.
 * Anything exposed beyond this machine must set ATLAS_LAUNCH_TOKEN.
 */
export function callerFromHeaders(headers: Headers): CallerInfo {
  const auth = headers.get('authorization');
  const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : null;
  const forwarded = (headers.get('x-forwarded-for') ?? '').split(',').map((s) => s.trim());
  const host = (headers.get('host') ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const loopback = forwarded.length > 0 && forwarded.every((a) => LOOPBACK.test(a)) && LOOPBACK.test(host);
  return { token, loopback };
}

/** Field-level problems of a bad input: each issue's path joined with dots, for inline form errors. */
export interface FieldIssue {
  path: string;
  message: string;
}

const t = initTRPC.context<Context>().create({
  transformer: nonFiniteTransformer,
  errorFormatter({ shape, error }) {
    const zodError = error.code === 'BAD_REQUEST' && error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      data: {
        ...shape.data,
        zodError: zodError ? z.flattenError(zodError) : null,
        fieldIssues: zodError
          ? zodError.issues.map((i): FieldIssue => ({ path: i.path.map(String).join('.'), message: i.message }))
          : null,
      },
    };
  },
});

/** Maps domain errors thrown by resolvers to tRPC codes (see errors.ts). */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const mapped = toTRPCError(result.error.cause);
    if (mapped) throw mapped;
  }
  return result;
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(mapErrors);

/** Launch and cancel: the launch token when configured, else loopback only. */
export const launchProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const { launchToken, caller } = ctx;
  if (launchToken !== undefined) {
    if (caller.token === null || !constantTimeEqual(caller.token, launchToken))
      throw new LaunchUnauthorizedError('a valid launch token is required (Authorization: Bearer …)');
  } else if (!caller.loopback) {
    throw new LaunchUnauthorizedError('launching is allowed from this machine only unless ATLAS_LAUNCH_TOKEN is set');
  }
  return next();
});

/** String equality whose time does not depend on where the strings differ (token checks). */
function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}
