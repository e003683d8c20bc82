import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { BackendName } from '../../server/core/run-config';

/**
 * Command-line flags of `npm run train`: a JSON config file (`--config`) and flags for the common fields, which
 * override it. Everything here is turned into a plain config object; RunConfigSchema judges it afterwards.
 */

type Target = { path: string[]; kind: 'number' | 'string' };

/** Flag → config field. Numbers that do not parse are passed on as text, so the schema names the field. */
export const FIELD_FLAGS: Readonly<Record<string, Target>> = {
  model: { path: ['model', 'kind'], kind: 'string' },
  depth: { path: ['model', 'depth'], kind: 'number' },
  width: { path: ['model', 'width'], kind: 'number' },
  param: { path: ['parameterization'], kind: 'string' },
  loss: { path: ['loss'], kind: 'string' },
  optimizer: { path: ['optimizer', 'kind'], kind: 'string' },
  momentum: { path: ['optimizer', 'momentum'], kind: 'number' },
  beta1: { path: ['optimizer', 'beta1'], kind: 'number' },
  beta2: { path: ['optimizer', 'beta2'], kind: 'number' },
  eps: { path: ['optimizer', 'eps'], kind: 'number' },
  eta: { path: ['schedule', 'etaTrgt'], kind: 'number' },
  warmup: { path: ['schedule', 'warmupSteps'], kind: 'number' },
  after: { path: ['schedule', 'after'], kind: 'string' },
  steps: { path: ['steps'], kind: 'number' },
  batch: { path: ['batchSize'], kind: 'number' },
  seed: { path: ['seed'], kind: 'number' },
  'data-seed': { path: ['dataSeed'], kind: 'number' },
  dataset: { path: ['data', 'name'], kind: 'string' },
  'data-dir': { path: ['data', 'dir'], kind: 'string' },
  subset: { path: ['data', 'trainSubset'], kind: 'number' },
  'test-subset': { path: ['data', 'testSubset'], kind: 'number' },
  'eval-every': { path: ['measure', 'evalEvery'], kind: 'number' },
  'sharpness-every': { path: ['measure', 'sharpnessEvery'], kind: 'number' },
  backend: { path: ['backend'], kind: 'string' },
};

export const USAGE = `Usage: npm run train -- [--config run.json] [flags]

Trains one run of Warmup Atlas and writes one JSON row per step (NDJSON).

Flags (each overrides the same field of --config):
  --model fcn|cnn  --depth N  --width N  --param sp|mup  --loss mse|xent
  --optimizer sgd|sgd-momentum|adam|gi-adam|ri-adam  --momentum B  --beta1 B  --beta2 B  --eps E
  --eta η_trgt  --warmup T_wrm  --eta-init η|zero|critical|persistent  --after constant|cosine
  --steps N  --batch B (0 = full batch)  --seed N  --data-seed N
  --dataset fashion-mnist|mnist|cifar10|synthetic-teacher|synthetic-gmm  --data-dir DIR
  --subset N (first N training examples)  --test-subset N  --mup-input-scaling
  --eval-every E  --sharpness-every K  --lambda0  --backend auto|tfjs-node-gpu|tfjs-node|atlas-native|wasm|cpu
  (critical/persistent warmup, --sharpness-every and --lambda0 use the curvature module, PAPER §4–§6)
Output:
  --out FILE      rows as NDJSON (default: stdout)
  --result FILE   the RunResult as JSON
  --quiet         no progress bar
Environment: ATLAS_BACKEND (overridden by --backend).`;

export interface TrainCliArgs {
  help: boolean;
  configFile: string | undefined;
  /** Field flags as [config path, raw value]. */
  fields: { flag: string; path: string[]; value: number | string }[];
  /** --eta-init: a number (start value), or zero | critical | persistent. */
  etaInit: number | string | undefined;
  mupInputScaling: boolean;
  lambda0: boolean;
  out: string | undefined;
  result: string | undefined;
  quiet: boolean;
}

export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

function toNumber(raw: string): number | string {
  const n = Number(raw);
  return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
}

/** Parses argv (without node and script); throws CliUsageError for unknown or malformed flags. */
export function parseTrainArgs(argv: readonly string[]): TrainCliArgs {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    help: { type: 'boolean' },
    config: { type: 'string' },
    'eta-init': { type: 'string' },
    'mup-input-scaling': { type: 'boolean' },
    lambda0: { type: 'boolean' },
    out: { type: 'string' },
    result: { type: 'string' },
    quiet: { type: 'boolean' },
  };
  for (const flag of Object.keys(FIELD_FLAGS)) options[flag] = { type: 'string' };
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new CliUsageError(e instanceof Error ? e.message : String(e));
  }
  const str = (k: string): string | undefined => {
    const v = values[k];
    return typeof v === 'string' ? v : undefined;
  };
  const fields: TrainCliArgs['fields'] = [];
  for (const [flag, t] of Object.entries(FIELD_FLAGS)) {
    const raw = str(flag);
    if (raw !== undefined) fields.push({ flag, path: t.path, value: t.kind === 'number' ? toNumber(raw) : raw });
  }
  const etaInit = str('eta-init');
  return {
    help: values.help === true,
    configFile: str('config'),
    fields,
    etaInit: etaInit === undefined ? undefined : toNumber(etaInit),
    mupInputScaling: values['mup-input-scaling'] === true,
    lambda0: values.lambda0 === true,
    out: str('out'),
    result: str('result'),
    quiet: values.quiet === true,
  };
}

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function setPath(obj: Json, path: readonly string[], value: unknown): void {
  let cur = obj;
  path.slice(0, -1).forEach((k) => {
    const next = cur[k];
    if (isObject(next)) cur = next;
    else {
      const fresh: Json = {};
      cur[k] = fresh;
      cur = fresh;
    }
  });
  const last = path.at(-1);
  if (last !== undefined) cur[last] = value;
}

/** Reads the --config file as a JSON object; throws CliUsageError naming the file. */
export async function readConfigFile(file: string): Promise<Json> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new CliUsageError(`--config ${file}: cannot read it (${e instanceof Error ? e.message : String(e)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CliUsageError(`--config ${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObject(parsed)) throw new CliUsageError(`--config ${file}: must hold a JSON object`);
  return parsed;
}

/**
 * The config object the flags describe: the file's object (if any), then `env` backend, then the flags on top.
 * Model flags without --model keep the file's kind, or default to fcn.
 */
export function buildConfigInput(base: Json, args: TrainCliArgs, envBackend: BackendName | undefined): Json {
  const cfg: Json = structuredClone(base);
  if (envBackend !== undefined) cfg.backend = envBackend;
  for (const f of args.fields) setPath(cfg, f.path, f.value);
  if (args.etaInit !== undefined) setPath(cfg, ['schedule', 'etaInit'], etaInitFromFlag(args.etaInit));
  if (args.mupInputScaling) setPath(cfg, ['data', 'mupInputScaling'], true);
  if (args.lambda0) setPath(cfg, ['measure', 'lambda0'], true);
  // An absent schedule is reported as its required field (schedule.etaTrgt ← --eta), not as a missing object.
  if (cfg.schedule === undefined) cfg.schedule = {};
  const model = cfg.model;
  if (isObject(model) && model.kind === undefined) model.kind = 'fcn';
  return cfg;
}

/** --eta-init's value as an etaInit object; anything else goes to the schema as a value, which names the field. */
function etaInitFromFlag(v: number | string): Json {
  if (v === 'zero' || v === 'critical' || v === 'persistent') return { mode: v };
  return { mode: 'value', value: v };
}

/** The flag that sets a config path, e.g. "schedule.etaTrgt" → "--eta", for error messages. */
export function flagFor(path: string): string | undefined {
  if (path === 'schedule.etaInit.value' || path === 'schedule.etaInit') return '--eta-init';
  if (path === 'data.mupInputScaling') return '--mup-input-scaling';
  if (path === 'measure.lambda0') return '--lambda0';
  if (path === 'schedule') return '--eta';
  const hit = Object.entries(FIELD_FLAGS).find(([, t]) => t.path.join('.') === path);
  return hit === undefined ? undefined : `--${hit[0]}`;
}
