/**
 * `npm run reproduce -- <preset> [--size cpu|paper] [--workers N] [--out DIR] [--author NAME]`: reproduce one of
 * the paper's experiments end to end. Launches the preset's study through the tRPC caller, trains it with N local
 * worker daemons over the configured store (ATLAS_DATA_DIR, default .atlas/; Vercel Blob when BLOB_READ_WRITE_TOKEN
 * is set, so the same command joins a remote fleet), shows progress, then prints the claim checks' findings and
 * writes a Markdown report with heatmaps and curves under reports/. `--list` shows the presets; `--study <id>`
 * (re)writes the report of an existing study, `--resume` trains what is left of it first.
 * Exit codes: 0 run complete (whatever the claims' verdicts), 1 error or interrupted, 2 bad command line.
 */
import { availableParallelism } from 'node:os';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PAPER_PRESETS, paperPreset, studyCost, type PaperPreset, type StudyCost } from '../server/core/paper-presets';
import { type StudyRecord } from '../server/core/records';
import { type StudySize } from '../server/core/sweep-spec';
import { openBlobStore, parseStoreEnv, type StoreEnv } from '../server/store/env';
import { getStudy } from '../server/store/studies';
import { openReproduceApi, type ReproduceApi } from './reproduce/api';
import { parseReproduceArgs, UsageError, USAGE, type ReproduceCommand } from './reproduce/args';
import { spawnWorkers, studyWorkerArgs, type Fleet } from './reproduce/fleet';
import { EtaTracker, formatProgress, formatDuration, type StudyProgress } from './reproduce/progress';
import { reportDirName, writeStudyReport } from './reproduce/report';
import { formatFindings, rolesOf } from './reproduce/report-markdown';
import { readStudyProgress, waitForStudy } from './reproduce/watch';

const err = (s: string) => process.stderr.write(s);
const out = (s: string) => process.stdout.write(s);

function costLine(c: StudyCost): string {
  const sharp = c.sharpnessSteps > 0 ? `, λ measured on ${c.sharpnessSteps.toLocaleString('en-US')} steps` : '';
  return `${c.sweeps} sweep${c.sweeps === 1 ? '' : 's'}, ${c.cells} cells, ${c.cellSteps.toLocaleString('en-US')} training steps${sharp}`;
}

function listPresets(): void {
  for (const p of PAPER_PRESETS) {
    out(`${p.id}\n  ${p.title}\n  claims: ${p.claims.join(', ')}\n`);
    for (const size of ['cpu', 'paper'] as const) out(`  ${size.padEnd(5)}  ${costLine(studyCost(p, size))}\n`);
    out('\n');
  }
}

function describePreset(p: PaperPreset, size: StudySize): void {
  err(`${p.title}\n`);
  err(`Reproduces (${p.figure}): ${p.reproduces}\n`);
  if (size === 'cpu') err(`CPU size: ${p.cpuScaling}\n`);
  err(`Cost (${size}): ${costLine(studyCost(p, size))}; claims checked: ${p.claims.join(', ')}\n`);
}

function storeLabel(env: StoreEnv, dataDir: string): string {
  return env.BLOB_READ_WRITE_TOKEN !== undefined ? 'Vercel Blob' : `local directory ${dataDir}`;
}

/** Progress on stderr: one rewritten line on a terminal, a plain line every few seconds otherwise. */
function progressPrinter(startedAt: number): { print: (p: StudyProgress) => void; end: () => void } {
  const tty = process.stderr.isTTY === true;
  let lastPlain = 0;
  let wrote = false;
  const eta = new EtaTracker();
  return {
    print(p) {
      const now = Date.now();
      const line = formatProgress(p, now - startedAt, eta.observe(p.fraction, now));
      if (tty) {
        const width = process.stderr.columns || 120;
        err(`\r${line.length >= width ? `${line.slice(0, width - 2)}…` : line}\x1b[K`);
        wrote = true;
      } else if (Date.now() - lastPlain >= 10_000 || p.finished) {
        lastPlain = Date.now();
        err(`[reproduce] ${line}\n`);
      }
    },
    end() {
      if (tty && wrote) err('\n');
      wrote = false;
    },
  };
}

/** Where and how a run trains: the report folder root, the local worker count, the store the workers open. */
interface RunContext {
  outDir: string;
  workers: number;
  storeEnv: StoreEnv;
  dataDir: string;
}

/** Ctrl-C (or SIGTERM) once: stop gracefully through `abort`; twice: exit now. Handled from `listen()` on. */
function interruptHandler(): {
  abort: AbortController;
  interrupted: () => boolean;
  listen: () => void;
  dispose: () => void;
} {
  const abort = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) {
      err('\n[reproduce] second interrupt: exiting now\n');
      process.exit(130);
    }
    interrupted = true;
    abort.abort(new Error('interrupted'));
  };
  return {
    abort,
    interrupted: () => interrupted,
    listen: () => {
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
    },
    dispose: () => {
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigint);
    },
  };
}

/** Start the local worker daemons of a study (none with --workers 0), logging to `logFile`. */
async function startFleet(
  api: ReproduceApi,
  studyId: string,
  o: RunContext & { logFile: string; interrupted: () => boolean },
): Promise<Fleet> {
  const study = await getStudy(api.store, studyId);
  const fleet: Fleet = spawnWorkers(o.workers, {
    env: { ...process.env, ATLAS_DATA_DIR: o.dataDir },
    logFile: o.logFile,
    extraArgs: studyWorkerArgs(study),
    onExit: (w, code, signal) => {
      if (code !== 0 && !o.interrupted())
        err(`\n[reproduce] worker ${w.index + 1} (pid ${w.pid}) exited with ${code ?? signal}; see ${o.logFile}\n`);
    },
  });
  if (o.workers > 0)
    err(
      `[reproduce] ${o.workers} worker daemon${o.workers === 1 ? '' : 's'} (pids ${fleet.workers.map((w) => w.pid).join(', ')}), log: ${o.logFile}\n`,
    );
  else err('[reproduce] --workers 0: waiting for an existing fleet to train the study\n');
  return fleet;
}

/** After an interrupt or an error: stop the workers and say how to go on. Exit code 1. */
async function stopUnfinished(fleet: Fleet, studyId: string, interrupted: boolean, e: unknown): Promise<number> {
  if (interrupted) {
    const alive = fleet.alive().length;
    err(
      `[reproduce] interrupted: stopping ${alive} worker${alive === 1 ? '' : 's'} (SIGTERM by pid; running cells flush and give back their claims)…\n`,
    );
    const stopped = await fleet.stop(20_000);
    if (!stopped)
      err(
        `[reproduce] some workers are still stopping: pids ${fleet
          .alive()
          .map((w) => w.pid)
          .join(', ')}\n`,
      );
    err(`[reproduce] study ${studyId} is unfinished. Resume: npm run reproduce -- --study ${studyId} --resume\n`);
    return 1;
  }
  await fleet.stop(20_000);
  err(`[reproduce] error: ${e instanceof Error ? e.message : String(e)}\n`);
  err(`[reproduce] the report of what finished: npm run reproduce -- --study ${studyId}\n`);
  return 1;
}

/** Train what is left of a study with local workers, showing progress, then write its report. */
async function trainAndReport(
  api: ReproduceApi,
  study: Pick<StudyRecord, 'id' | 'preset' | 'size'>,
  o: RunContext,
): Promise<number> {
  const reportDir = path.join(o.outDir, reportDirName(study));
  await mkdir(reportDir, { recursive: true });
  const startedAt = Date.now();
  const before = await readStudyProgress(api, study.id);
  if (before.finished) return writeReport(api, study.id, o.outDir);
  const signals = interruptHandler();
  const logFile = path.join(reportDir, 'workers.log');
  const fleet = await startFleet(api, study.id, { ...o, logFile, interrupted: signals.interrupted });
  signals.listen();
  const progress = progressPrinter(startedAt);
  try {
    const final = await waitForStudy(api, study.id, {
      fleet,
      intervalMs: process.stderr.isTTY ? 2_000 : 5_000,
      onProgress: progress.print,
      signal: signals.abort.signal,
    });
    progress.end();
    err(`[reproduce] all ${final.total} cells finished in ${formatDuration(Date.now() - startedAt)}\n`);
  } catch (e) {
    progress.end();
    return await stopUnfinished(fleet, study.id, signals.interrupted(), e);
  } finally {
    signals.dispose();
  }
  // Every cell of the study is done; workers left idle (or busy with other sweeps of the store) are not needed.
  await fleet.stop(20_000);
  return writeReport(api, study.id, o.outDir);
}

async function writeReport(api: ReproduceApi, studyId: string, outDir: string): Promise<number> {
  const report = await writeStudyReport(api, studyId, { outDir });
  const { findings, sweeps } = report.data;
  const unfinished = sweeps.reduce((n, s) => n + s.view.cells.filter((c) => c.jobState !== 'done').length, 0);
  out(
    `\nFindings of ${report.data.study.title} (study ${studyId}):\n${formatFindings(findings, rolesOf(report.data))}\n`,
  );
  if (unfinished > 0) out(`\nNote: ${unfinished} cells are unfinished; their findings are pending.\n`);
  out(
    `\nReport: ${report.reportPath} (${report.files.length - 1} SVG file${report.files.length === 2 ? '' : 's'} beside it)\n`,
  );
  return 0;
}

async function main(command: ReproduceCommand): Promise<number> {
  if (command.kind === 'help') {
    out(`${USAGE}\n\npresets: ${PAPER_PRESETS.map((p) => p.id).join(', ')}\n`);
    return 0;
  }
  if (command.kind === 'list') {
    listPresets();
    return 0;
  }
  const storeEnv = parseStoreEnv(process.env);
  const dataDir = path.resolve(process.cwd(), storeEnv.ATLAS_DATA_DIR);
  const api = openReproduceApi(
    openBlobStore({ ...storeEnv, ATLAS_DATA_DIR: dataDir }, process.cwd()),
    storeLabel(storeEnv, dataDir),
  );
  const outDir = path.resolve(process.cwd(), command.out);
  const run: RunContext = { outDir, workers: command.workers, storeEnv, dataDir };

  if (command.kind === 'report') {
    const study = await api.caller.studies.byId({ id: command.studyId });
    const preset = paperPreset(study.preset);
    if (preset) describePreset(preset, study.size);
    if (!command.resume) return writeReport(api, command.studyId, outDir);
    return trainAndReport(api, study, run);
  }

  const preset = paperPreset(command.preset);
  if (!preset) throw new UsageError(`unknown preset '${command.preset}'`);
  describePreset(preset, command.size);
  const created = await api.caller.studies.create({ preset: preset.id, size: command.size, author: command.author });
  const study = await api.caller.studies.byId({ id: created.id });
  err(
    `[reproduce] launched study ${study.id} on ${api.storeLabel}: ${study.sweeps.map((s) => `${s.role} ${s.sweepId}`).join(', ')}\n`,
  );
  return trainAndReport(api, study, run);
}

let command: ReproduceCommand;
try {
  command = parseReproduceArgs(process.argv.slice(2), availableParallelism());
} catch (e) {
  if (e instanceof UsageError) {
    err(`reproduce: ${e.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  throw e;
}
main(command).then(
  (code) => process.exit(code),
  (e: unknown) => {
    err(`reproduce: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
