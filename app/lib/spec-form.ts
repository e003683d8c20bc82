import { type z } from 'zod';
import { SweepSpecSchema, type SweepSpecInput } from '../../server/core/sweep-spec';

/**
 * The Launch form as flat fields keyed by their SweepSpec path ("model.width", "etaGrid.fromExp"), so zod's issue
 * paths map straight onto the inputs that caused them. Numbers and lists are kept as the text the user typed and
 * converted only when the spec is built; what does not parse stays visible as the field's error.
 */
export type SpecForm = Record<string, string | boolean>;

const num = (v: unknown): string => (typeof v === 'number' ? String(v) : '');
const list = (v: unknown): string => (Array.isArray(v) ? v.join(', ') : '');

/** Fill the form from a (preset) SweepSpec input. */
export function formFromSpec(input: SweepSpecInput): SpecForm {
  const s = SweepSpecSchema.parse(input);
  const f: SpecForm = {
    title: s.title,
    author: s.author,
    'model.kind': s.model.kind,
    'model.depth': num(s.model.depth),
    'model.width': num(s.model.width),
    parameterization: s.parameterization,
    loss: s.loss,
    'data.name': s.data.name,
    'data.trainSubset': num(s.data.trainSubset),
    'data.testSubset': num(s.data.testSubset),
    'data.mupInputScaling': s.data.mupInputScaling,
    'optimizer.kind': s.optimizer.kind,
    'optimizer.momentum': num(s.optimizer.momentum),
    'optimizer.beta1': num(s.optimizer.beta1),
    'optimizer.beta2': num(s.optimizer.beta2),
    'optimizer.eps': num(s.optimizer.eps),
    batchSize: num(s.batchSize),
    steps: num(s.steps),
    after: s.after,
    'etaGrid.kind': s.etaGrid.kind,
    'etaGrid.values': s.etaGrid.kind === 'explicit' ? list(s.etaGrid.values) : '',
    'etaGrid.unit': s.etaGrid.kind === 'pow2' ? s.etaGrid.unit : 'inv-lambda0',
    'etaGrid.base': s.etaGrid.kind === 'pow2' ? num(s.etaGrid.base) : '1',
    'etaGrid.fromExp': s.etaGrid.kind === 'pow2' ? num(s.etaGrid.fromExp) : '0',
    'etaGrid.toExp': s.etaGrid.kind === 'pow2' ? num(s.etaGrid.toExp) : '5',
    'etaGrid.stepExp': s.etaGrid.kind === 'pow2' ? num(s.etaGrid.stepExp) : '1',
    warmupGrid: list(s.warmupGrid),
    'etaInit.mode': s.etaInit.mode,
    'etaInit.value': s.etaInit.mode === 'value' ? num(s.etaInit.value) : '',
    'etaInit.eta0': s.etaInit.mode === 'critical' || s.etaInit.mode === 'persistent' ? num(s.etaInit.eta0) : '0.0001',
    'etaInit.delta': s.etaInit.mode === 'critical' || s.etaInit.mode === 'persistent' ? num(s.etaInit.delta) : '',
    seeds: list(s.seeds),
    'measure.evalEvery': num(s.measure.evalEvery),
    'measure.sharpnessEvery': num(s.measure.sharpnessEvery),
    'measure.lambda0': s.measure.lambda0,
    'measure.lambda0Batches': num(s.measure.lambda0Batches),
    backend: s.backend,
  };
  return f;
}

function text(f: SpecForm, k: string): string {
  const v = f[k];
  return typeof v === 'string' ? v.trim() : '';
}

/** A number field: empty → undefined (the schema's default applies), otherwise Number (NaN fails with the field's path). */
function optNum(f: SpecForm, k: string): number | undefined {
  const t = text(f, k);
  return t === '' ? undefined : Number(t);
}

function numList(f: SpecForm, k: string): number[] {
  const t = text(f, k);
  return t === ''
    ? []
    : t
        .split(/[\s,]+/)
        .filter(Boolean)
        .map(Number);
}

/** Build the SweepSpec input the form describes (not yet validated). */
export function specFromForm(f: SpecForm): Record<string, unknown> {
  const etaKind = text(f, 'etaGrid.kind');
  const mode = text(f, 'etaInit.mode');
  const optKind = text(f, 'optimizer.kind');
  return {
    title: text(f, 'title'),
    author: text(f, 'author'),
    model: { kind: text(f, 'model.kind'), depth: optNum(f, 'model.depth'), width: optNum(f, 'model.width') },
    parameterization: text(f, 'parameterization'),
    loss: text(f, 'loss'),
    data: {
      name: text(f, 'data.name'),
      trainSubset: optNum(f, 'data.trainSubset'),
      testSubset: optNum(f, 'data.testSubset'),
      mupInputScaling: f['data.mupInputScaling'] === true,
    },
    optimizer: {
      kind: optKind,
      momentum: optNum(f, 'optimizer.momentum'),
      beta1: optNum(f, 'optimizer.beta1'),
      beta2: optNum(f, 'optimizer.beta2'),
      eps: optNum(f, 'optimizer.eps'),
    },
    batchSize: optNum(f, 'batchSize'),
    steps: optNum(f, 'steps'),
    after: text(f, 'after'),
    etaGrid:
      etaKind === 'explicit'
        ? { kind: 'explicit', values: numList(f, 'etaGrid.values') }
        : {
            kind: 'pow2',
            unit: text(f, 'etaGrid.unit'),
            base: optNum(f, 'etaGrid.base'),
            fromExp: optNum(f, 'etaGrid.fromExp'),
            toExp: optNum(f, 'etaGrid.toExp'),
            stepExp: optNum(f, 'etaGrid.stepExp'),
          },
    warmupGrid: numList(f, 'warmupGrid'),
    etaInit:
      mode === 'value'
        ? { mode, value: optNum(f, 'etaInit.value') }
        : mode === 'critical' || mode === 'persistent'
          ? { mode, eta0: optNum(f, 'etaInit.eta0'), delta: optNum(f, 'etaInit.delta') }
          : { mode: 'zero' },
    seeds: numList(f, 'seeds'),
    measure: {
      evalEvery: optNum(f, 'measure.evalEvery'),
      sharpnessEvery: optNum(f, 'measure.sharpnessEvery'),
      lambda0: f['measure.lambda0'] === true,
      lambda0Batches: optNum(f, 'measure.lambda0Batches'),
    },
    backend: text(f, 'backend'),
  };
}

/** Issue paths → the form field that shows them: the longest field key that is a prefix of the path. */
export function fieldErrors(
  issues: readonly { path: readonly PropertyKey[] | string; message: string }[],
  form: SpecForm,
): Record<string, string> {
  const keys = Object.keys(form).sort((a, b) => b.length - a.length);
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const path = typeof issue.path === 'string' ? issue.path : issue.path.map(String).join('.');
    const field =
      keys.find((k) => path === k || path.startsWith(`${k}.`)) ??
      (path === '' ? '(form)' : (path.split('.')[0] ?? '(form)'));
    const prefix = path !== field && path.startsWith(`${field}.`) ? `${path.slice(field.length + 1)}: ` : '';
    out[field] = out[field] ? `${out[field]}; ${prefix}${issue.message}` : `${prefix}${issue.message}`;
  }
  return out;
}

/** Validate the form with the same schema the server checks. */
export function validateForm(
  f: SpecForm,
): { ok: true; spec: z.output<typeof SweepSpecSchema> } | { ok: false; errors: Record<string, string> } {
  const r = SweepSpecSchema.safeParse(specFromForm(f));
  if (r.success) return { ok: true, spec: r.data };
  return { ok: false, errors: fieldErrors(r.error.issues, f) };
}
