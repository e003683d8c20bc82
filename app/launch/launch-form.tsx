'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import { ErrorBox } from '../components/error-box';
import { LaunchTokenField } from '../components/launch-token';
import { estimateCompute, formatDuration, type ComputeEstimate } from '../lib/compute-estimate';
import { fieldErrors, formFromSpec, validateForm, type SpecForm } from '../lib/spec-form';
import { useTRPC } from '../trpc';
import { fieldRenderer } from './form-field';
import { SpecFieldsets } from './spec-fieldsets';

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
  const choosePreset = (id: string) => {
    const p = presets.data?.find((x) => x.id === id);
    setPresetId(id);
    if (p) {
      setForm(formFromSpec(p.spec));
      setTouched(false);
    }
  };

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
          <select aria-label="preset" value={presetId} onChange={(e) => choosePreset(e.target.value)}>
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
      <SpecFieldsets field={fieldRenderer(form, errors, set)} form={form} />
      <EstimateBar estimate={estimate} pending={create.isPending} />
      {create.error && !serverIssues && <ErrorBox title="Launch failed" message={create.error.message} />}
      {create.error?.data?.code === 'UNAUTHORIZED' && <LaunchTokenField />}
    </form>
  );
}

/** The cell count and compute estimate of a valid form, and the Launch button. */
function EstimateBar({ estimate, pending }: { estimate: ComputeEstimate | null; pending: boolean }) {
  return (
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
      <button type="submit" className="primary" disabled={pending}>
        {pending ? 'Launching…' : 'Launch'}
      </button>
    </div>
  );
}
