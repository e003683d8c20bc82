import { once } from 'node:events';
import { open, writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { formatZodError } from '../../server/core/errors';
import { type RunResult } from '../../server/core/metrics';
import { stringifyRecord } from '../../server/core/json-number';
import { RunConfigSchema, type RunConfig } from '../../server/core/run-config';
import type { TrainHooks } from '../engine/train-hooks';
import { CliEnvError, parseCliEnv } from './env';
import { formatSummary, ProgressReporter } from './progress';
import { buildConfigInput, CliUsageError, flagFor, parseTrainArgs, readConfigFile, USAGE } from './train-args';

/** Exit codes: a diverged or failed run is a result, not an error of the tool. */
export const EXIT = { ok: 0, error: 1, usage: 2, cancelled: 130 } as const;

export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
  /** Hooks that replace the curvature module's, field by field (tests). */
  hooks?: TrainHooks;
}

/** Config problems, one per line, each naming the field, the flag that sets it, and what is allowed. */
export function describeConfigErrors(error: Parameters<typeof formatZodError>[0]): string {
  const lines = formatZodError(error).split('\n');
  return lines
    .map((line, i) => {
      const issue = error.issues[i];
      const flag = issue === undefined ? undefined : flagFor(issue.path.map(String).join('.'));
      if (flag === undefined) return `  ${line}`;
      const cut = line.indexOf(': ');
      return cut < 0 ? `  ${line} (${flag})` : `  ${line.slice(0, cut)} (${flag})${line.slice(cut)}`;
    })
    .join('\n');
}

/** Validates everything the flags say, before any work. Returns the config or an error text. */
export async function resolveTrainConfig(
  argv: readonly string[],
  env: CliIo['env'],
): Promise<
  | { ok: true; config: RunConfig; args: ReturnType<typeof parseTrainArgs> }
  | { ok: false; help: boolean; message: string }
> {
  try {
    const args = parseTrainArgs(argv);
    if (args.help) return { ok: false, help: true, message: USAGE };
    const { ATLAS_BACKEND } = parseCliEnv(env);
    const base = args.configFile === undefined ? {} : await readConfigFile(args.configFile);
    const r = RunConfigSchema.safeParse(buildConfigInput(base, args, ATLAS_BACKEND));
    if (!r.success) return { ok: false, help: false, message: `invalid run config:\n${describeConfigErrors(r.error)}` };
    return { ok: true, config: r.data, args };
  } catch (e) {
    if (e instanceof CliUsageError || e instanceof CliEnvError) return { ok: false, help: false, message: e.message };
    throw e;
  }
}

/** Writes lines with back-pressure; to a file opened up front (so a bad path fails before training) or a stream. */
async function openRowSink(
  out: string | undefined,
  stdout: Writable,
): Promise<{ write(line: string): Promise<void>; close(): Promise<void> }> {
  const stream: Writable = out === undefined ? stdout : (await open(out, 'w')).createWriteStream();
  return {
    async write(line) {
      if (!stream.write(line)) await once(stream, 'drain');
    },
    async close() {
      if (out === undefined) return;
      stream.end();
      await once(stream, 'finish');
    },
  };
}

/** `npm run train`: returns the exit code. Progress and the summary go to stderr; rows to --out or stdout. */
export async function runTrainCli(argv: readonly string[], io: CliIo): Promise<number> {
  const resolved = await resolveTrainConfig(argv, io.env);
  if (!resolved.ok) {
    if (resolved.help) {
      io.stdout.write(`${resolved.message}\n`);
      return EXIT.ok;
    }
    io.stderr.write(`${resolved.message}\nSee \`npm run train -- --help\` for the flags.\n`);
    return EXIT.usage;
  }
  const { config, args } = resolved;
  let sink: Awaited<ReturnType<typeof openRowSink>>;
  try {
    sink = await openRowSink(args.out, io.stdout);
  } catch (e) {
    io.stderr.write(
      `--out ${args.out ?? ''}: cannot open it for writing (${e instanceof Error ? e.message : String(e)})\n`,
    );
    return EXIT.usage;
  }
  const c = config;
  io.stderr.write(
    `training ${c.model.kind}-${c.model.depth}-${c.model.width} (${c.parameterization}, ${c.loss}) on ${c.data.name} with ${c.optimizer.kind}, ` +
      `η_trgt ${c.schedule.etaTrgt}, T_wrm ${c.schedule.warmupSteps}, ${c.steps} steps, batch ${c.batchSize === 0 ? 'full' : c.batchSize}\n`,
  );
  // TF.js, the engine and the curvature hooks (λ0, η_c, persistent catapult, sharpness) load only now, so a bad
  // config is rejected at once.
  const { curvatureHooks } = await import('../curvature/hooks');
  const { trainRun } = await import('../engine/train');
  const progress = args.quiet ? null : new ProgressReporter(io.stderr);
  let result: RunResult;
  try {
    result = await trainRun(config, {
      signal: io.signal,
      hooks: { ...curvatureHooks, ...io.hooks },
      onRow: (row) => sink.write(`${stringifyRecord(row)}\n`),
      onProgress: (p) => progress?.update(p),
    });
  } finally {
    progress?.finish();
    await sink.close();
  }
  if (args.result !== undefined) await writeFile(args.result, `${stringifyRecord(result)}\n`);
  io.stderr.write(`${formatSummary(result)}\n`);
  if (args.out !== undefined) io.stderr.write(`rows      ${args.out}\n`);
  if (result.outcome === 'error') return EXIT.error;
  if (result.outcome === 'cancelled') return EXIT.cancelled;
  return EXIT.ok;
}
