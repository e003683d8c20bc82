import { parseArgs } from 'node:util';
import { PAPER_PRESETS, paperPreset } from '../../server/core/paper-presets';
import { StudyIdSchema } from '../../server/core/ids';
import { type StudySize } from '../../server/core/sweep-spec';

/**
 * Command line of `npm run reproduce` (pure: argv and the core count in, a command or a UsageError out).
 *
 *   npm run reproduce -- <preset> [--size cpu|paper] [--workers N] [--out DIR] [--author NAME]
 *   npm run reproduce -- --list
 *   npm run reproduce -- --study <id> [--out DIR] [--resume [--workers N]]
 */

export const USAGE = `usage:
  npm run reproduce -- <preset> [--size cpu|paper] [--workers N] [--out DIR] [--author NAME]
      launch the preset's study, train it with N local worker daemons (default: one per core), print the
      findings and write <out>/<preset>-<size>-<studyId>/REPORT.md (default out: reports/)
  npm run reproduce -- --list
      the presets, what each reproduces and its cost at both sizes
  npm run reproduce -- --study <id> [--out DIR] [--resume [--workers N]]
      (re)write the report of an existing study; with --resume, first train what is left of it

  --workers 0 launches and waits for an existing fleet (e.g. workers on Vercel Blob) without starting any here.`;

/** A bad command line: the message names the offending argument; exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type ReproduceCommand =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'run'; preset: string; size: StudySize; workers: number; out: string; author: string | undefined }
  | { kind: 'report'; studyId: string; out: string; resume: boolean; workers: number };

export const DEFAULT_OUT = 'reports';

/** Upper bound on local worker daemons (each trains one cell at a time). */
export const MAX_WORKERS = 64;

function presetList(): string {
  return PAPER_PRESETS.map((p) => p.id).join(', ');
}

function parseWorkers(raw: string | undefined, cores: number): number {
  if (raw === undefined) return Math.max(1, Math.min(cores, MAX_WORKERS));
  if (!/^\d+$/.test(raw.trim()) || Number(raw) > MAX_WORKERS) {
    throw new UsageError(`--workers: expected a whole number from 0 to ${MAX_WORKERS}, got '${raw}'`);
  }
  return Number(raw);
}

/** Parse argv (without node and the script). `cores`: the default worker count (os.availableParallelism()). */
export function parseReproduceArgs(argv: readonly string[], cores: number): ReproduceCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    // node:util names the option in its message ("Unknown option '--x'", "Option '--size <value>' argument missing").
    throw new UsageError(
      e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/s, '') : String(e),
    );
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.list) {
    if (positionals.length > 0 || values.study !== undefined) throw new UsageError('--list takes no preset or --study');
    return { kind: 'list' };
  }
  const out = values.out ?? DEFAULT_OUT;
  if (out.trim() === '') throw new UsageError('--out: expected a directory');
  const workers = parseWorkers(values.workers, cores);
  if (values.study !== undefined) {
    if (positionals.length > 0)
      throw new UsageError(`--study writes the report of an existing study: drop the preset '${positionals[0]}'`);
    const id = StudyIdSchema.safeParse(values.study);
    if (!id.success) throw new UsageError(`--study: '${values.study}' is not a study id (like st1ygr2pqbz-k3m9x0d2aq)`);
    if (values.size !== undefined)
      throw new UsageError('--size: a study already has its size; drop --size with --study');
    if (values.workers !== undefined && !values.resume)
      throw new UsageError('--workers goes with --resume when --study is given');
    return { kind: 'report', studyId: id.data, out, resume: values.resume ?? false, workers };
  }
  if (values.resume) throw new UsageError('--resume goes with --study <id>');
  if (positionals.length === 0) throw new UsageError(`missing preset: one of ${presetList()}`);
  if (positionals.length > 1) throw new UsageError(`one preset at a time, got ${positionals.join(' ')}`);
  const preset = positionals[0] as string;
  if (paperPreset(preset) === undefined) throw new UsageError(`unknown preset '${preset}': one of ${presetList()}`);
  const size = values.size ?? 'cpu';
  if (size !== 'cpu' && size !== 'paper') throw new UsageError(`--size: expected cpu or paper, got '${size}'`);
  const author = values.author?.trim();
  if (values.author !== undefined && (author === undefined || author.length === 0 || author.length > 80)) {
    throw new UsageError('--author: expected a name of 1 to 80 characters');
  }
  return { kind: 'run', preset, size, workers, out, author };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      size: { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string' },
      author: { type: 'string' },
      list: { type: 'boolean' },
      study: { type: 'string' },
      resume: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
}
