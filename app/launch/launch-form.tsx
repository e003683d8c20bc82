'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { BackendNameSchema, DatasetNameSchema, OptimizerKindSchema } from '../../server/core/run-config';
import { ErrorBox } from '../components/error-box';
import { LaunchTokenField } from '../components/launch-token';
import { estimateCompute, formatDuration } from '../lib/compute-estimate';
import { fieldErrors, formFromSpec, validateForm, type SpecForm } from '../lib/spec-form';
import { useTRPC } from '../trpc';

type Option = string | { value: string; label: string };

export function LaunchForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const presets = useQuery(trpc.presets.list.queryOptions());
  const [presetId, setPresetId] = useState<string>(params.get('preset') ?? 'demo');
  const [form, setForm] = useState<SpecForm | null>(null);
  const [touched, setTouched] = useState(false);
  const create = useMutation(trpc.sweeps.create.mutationOptions({ onSuccess: (r) => router.push(`/sweeps/${r.id}`) }));

  useEffect(() => {
    if (form !== null || !presets.data) return;
    // An unknown ?preset= (e.g. an old link to a paper preset, now a study launched below) falls back to the first one.
    const p = presets.data.find((x) => x.id === presetId) ?? presets.data[0];
    if (p) {
      setPresetId(p.id);
      setForm(formFromSpec(p.spec));
    }
  }, [presets.data, presetId, form]);

  const check = useMemo(() => (form ? validateForm(form) : null), [form]);
  const serverIssues = create.error?.data?.fieldIssues ?? null;
  const errors: Record<string, string> = {
    ...(check && !check.ok && touched ? check.errors : {}),
    ...(serverIssues && form ? fieldErrors(serverIssues, form) : {}),
  };
  const estimate = check?.ok ? estimateCompute(check.spec, 2) : null;

  if (presets.error) return <ErrorBox title="Could not load presets" message={presets.error.message} />;
  if (!form) return <p className="muted">Loading presets…</p>;

  const set = (key: string, value: string | boolean) => {
    setTouched(true);
    setForm((f) => ({ ...(f ?? {}), [key]: value }));
  };
  const field = (
    key: string,
    label: string,
    opts: { options?: readonly Option[]; hint?: string; size?: number } = {},
  ): ReactNode => {
    const id = `f-${key.replace(/\./g, '-')}`;
    const err = errors[key];
    const v = form[key];
    return (
      <div className="field" key={key}>
        <span>
          <label htmlFor={id}>{label}</label>
          {opts.hint && <span className="muted"> · {opts.hint}</span>}
        </span>
        {typeof v === 'boolean' ? (
          <input
            id={id}
            type="checkbox"
            checked={v}
            onChange={(e) => set(key, e.target.checked)}
            aria-invalid={err ? true : undefined}
            style={{ alignSelf: 'flex-start' }}
          />
        ) : opts.options ? (
          <select
            id={id}
            value={v ?? ''}
            onChange={(e) => set(key, e.target.value)}
            aria-invalid={err ? true : undefined}
            aria-describedby={err ? `${id}-err` : undefined}
          >
            {opts.options.map((o) => {
              const { value, label: l } = typeof o === 'string' ? { value: o, label: o } : o;
              return (
                <option key={value} value={value}>
                  {l}
                </option>
              );
            })}
          </select>
        ) : (
          <input
            id={id}
            value={v ?? ''}
            size={opts.size}
            onChange={(e) => set(key, e.target.value)}
            aria-invalid={err ? true : undefined}
            aria-describedby={err ? `${id}-err` : undefined}
          />
        )}
        {err && (
          <span className="field-error" id={`${id}-err`} data-field={key}>
            {err}
          </span>
        )}
      </div>
    );
  };
  const optKind = form['optimizer.kind'];
  const adamLike = optKind === 'adam' || optKind === 'gi-adam' || optKind === 'ri-adam';
  const etaKind = form['etaGrid.kind'];
  const mode = form['etaInit.mode'];

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        if (check?.ok) create.mutate(check.spec);
      }}
      noValidate
    >
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id="custom-sweep">Launch a sweep of your own</h2>
        <label className="row" style={{ gap: 6 }}>
          Preset
          <select
            aria-label="preset"
            value={presetId}
            onChange={(e) => {
              const p = presets.data?.find((x) => x.id === e.target.value);
              setPresetId(e.target.value);
              if (p) {
                setForm(formFromSpec(p.spec));
                setTouched(false);
              }
            }}
          >
            {presets.data?.map((p) => (
              <option key={p.id} value={p.id}>
                {p.title}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted" style={{ marginTop: 0 }}>
        {presets.data?.find((p) => p.id === presetId)?.description}
      </p>
      {errors['(form)'] && <ErrorBox title="Invalid sweep" message={errors['(form)']} />}
      <fieldset>
        <legend>Sweep</legend>
        <div className="form-grid">
          {field('title', 'Title', { size: 40 })}
          {field('author', 'Author')}
          {field('backend', 'Backend', { options: BackendNameSchema.options })}
        </div>
      </fieldset>
      <fieldset>
        <legend>Model, data, loss</legend>
        <div className="form-grid">
          {field('model.kind', 'Model', {
            options: [
              { value: 'fcn', label: 'FCN' },
              { value: 'cnn', label: 'Myrtle CNN' },
            ],
          })}
          {field('model.depth', 'Depth', { hint: form['model.kind'] === 'cnn' ? '5, 7 or 10' : 'layers' })}
          {field('model.width', 'Width')}
          {field('parameterization', 'Parameterization', {
            options: [
              { value: 'sp', label: 'SP' },
              { value: 'mup', label: 'μP' },
            ],
          })}
          {field('loss', 'Loss', {
            options: [
              { value: 'mse', label: 'MSE' },
              { value: 'xent', label: 'cross-entropy' },
            ],
          })}
          {field('data.name', 'Dataset', { options: DatasetNameSchema.options })}
          {field('data.trainSubset', 'Train subset', { hint: 'first N examples; empty = all' })}
          {field('data.testSubset', 'Test subset')}
          {field('data.mupInputScaling', 'Scale inputs by 1/√d (μP)')}
        </div>
      </fieldset>
      <fieldset>
        <legend>Optimizer and budget</legend>
        <div className="form-grid">
          {field('optimizer.kind', 'Optimizer', { options: OptimizerKindSchema.options })}
          {optKind === 'sgd-momentum' && field('optimizer.momentum', 'Momentum β')}
          {adamLike && field('optimizer.beta1', 'β1')}
          {adamLike && field('optimizer.beta2', 'β2')}
          {adamLike && field('optimizer.eps', 'ε')}
          {field('batchSize', 'Batch size', { hint: '0 = full batch' })}
          {field('steps', 'Steps')}
          {field('after', 'After warmup', {
            options: [
              { value: 'constant', label: 'constant' },
              { value: 'cosine', label: 'cosine to η/10' },
            ],
          })}
        </div>
      </fieldset>
      <fieldset>
        <legend>Grid</legend>
        <div className="form-grid">
          {field('etaGrid.kind', 'η_trgt grid', {
            options: [
              { value: 'pow2', label: 'powers of 2' },
              { value: 'explicit', label: 'explicit values' },
            ],
          })}
          {etaKind === 'explicit' && field('etaGrid.values', 'η values', { hint: 'comma-separated', size: 30 })}
          {etaKind === 'pow2' &&
            field('etaGrid.unit', 'Unit', {
              options: [
                { value: 'inv-lambda0', label: '× 1/λ0 (measured)' },
                { value: 'absolute', label: 'absolute' },
              ],
            })}
          {etaKind === 'pow2' && field('etaGrid.base', 'Base', { hint: 'η = base·2^x' })}
          {etaKind === 'pow2' && field('etaGrid.fromExp', 'x from')}
          {etaKind === 'pow2' && field('etaGrid.toExp', 'x to')}
          {etaKind === 'pow2' && field('etaGrid.stepExp', 'x step')}
          {field('warmupGrid', 'T_wrm values', { hint: 'comma-separated; 1 = constant LR', size: 30 })}
          {field('etaInit.mode', 'η_init', {
            options: [
              { value: 'zero', label: '0' },
              { value: 'value', label: 'a value' },
              { value: 'critical', label: 'η_c (catapult search)' },
              { value: 'persistent', label: 'persistent catapult' },
            ],
          })}
          {mode === 'value' && field('etaInit.value', 'η_init value')}
          {(mode === 'critical' || mode === 'persistent') && field('etaInit.eta0', 'Search start η0')}
          {(mode === 'critical' || mode === 'persistent') &&
            field('etaInit.delta', 'Tolerance δ', { hint: 'empty = 0.1 SGD / 0.01 Adam' })}
          {field('seeds', 'Seeds', { hint: 'comma-separated' })}
        </div>
      </fieldset>
      <fieldset>
        <legend>Measurements</legend>
        <div className="form-grid">
          {field('measure.evalEvery', 'Test metrics every', { hint: 'steps; 0 = at the end' })}
          {field('measure.sharpnessEvery', 'λ^H every', { hint: 'steps; 0 = never' })}
          {field('measure.lambda0', 'Measure λ0 at init')}
          {field('measure.lambda0Batches', 'λ0 batches')}
        </div>
      </fieldset>
      <div className="estimate row" data-testid="estimate" style={{ justifyContent: 'space-between' }}>
        <span>
          {estimate ? (
            <>
              <strong>{estimate.cells}</strong> cells · {estimate.totalSteps.toLocaleString()} steps · ≈{' '}
              {estimate.gflop < 1000
                ? `${estimate.gflop.toFixed(0)} GFLOP`
                : `${(estimate.gflop / 1000).toFixed(1)} TFLOP`}{' '}
              · roughly <strong>{formatDuration(estimate.seconds)}</strong> on 2 CPU cores{' '}
              <span className="muted">(order of magnitude)</span>
            </>
          ) : (
            <span className="field-error">Fix the fields marked above to see the cell count and estimate.</span>
          )}
        </span>
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Launching…' : 'Launch'}
        </button>
      </div>
      {create.error && !serverIssues && <ErrorBox title="Launch failed" message={create.error.message} />}
      {create.error?.data?.code === 'UNAUTHORIZED' && <LaunchTokenField />}
    </form>
  );
}
