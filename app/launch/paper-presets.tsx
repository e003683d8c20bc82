'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import type { inferRouterOutputs } from '@trpc/server';
import { useState } from 'react';
import type { AppRouter } from '../../server/api/root';
import type { StudySize } from '../../server/core/sweep-spec';
import { ErrorBox } from '../components/error-box';
import { LaunchTokenField } from '../components/launch-token';
import { launchErrorText, studyCostText } from '../lib/studies-view';
import { useTRPC } from '../trpc';

const SIZES: readonly { value: StudySize; label: string; hint: string }[] = [
  { value: 'cpu', label: 'cpu', hint: 'scaled to finish on a 2-core machine' },
  { value: 'paper', label: 'paper', hint: 'the paper’s settings, for a GPU fleet' },
];

/**
 * "Reproduce the paper": the paper's experiments (server/core/paper-presets.ts via studies.presets), each launched
 * as a study (its sweeps side by side) at the chosen size; the page then moves to the study's first sweep, whose
 * Findings section shows the claim checks.
 */
export function PaperPresets() {
  const trpc = useTRPC();
  const presets = useQuery(trpc.studies.presets.queryOptions());
  return (
    <section className="paper-presets" aria-labelledby="paper-presets-heading">
      <h2 id="paper-presets-heading">Reproduce the paper</h2>
      <p className="muted" style={{ marginTop: 0, maxWidth: '120ch' }}>
        Each experiment of Kalra &amp; Barkeshli (NeurIPS 2024) launches as a study: its sweeps side by side (SP next to
        μP, Adam next to GI-Adam, …), whose claim checks appear under Findings on each sweep’s page.{' '}
        <strong>cpu</strong> is scaled down to finish on a 2-core machine; <strong>paper</strong> uses the paper’s
        settings (GPU workers with CIFAR-10 mounted). <a href="#custom-sweep">Or design a sweep of your own ↓</a>
      </p>
      {presets.error ? (
        <ErrorBox title="Could not load the paper presets" message={presets.error.message} />
      ) : !presets.data ? (
        <div className="preset-grid" aria-busy="true">
          <span role="status" className="sr-only">
            Loading the paper presets…
          </span>
          {[0, 1, 2].map((i) => (
            <div key={i} className="preset-placeholder" aria-hidden="true" />
          ))}
        </div>
      ) : (
        <ul className="preset-grid">
          {presets.data.map((p) => (
            <PresetCard key={p.id} preset={p} />
          ))}
        </ul>
      )}
    </section>
  );
}

type PresetView = inferRouterOutputs<AppRouter>['studies']['presets'][number];

function PresetCard({ preset: p }: { preset: PresetView }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [size, setSize] = useState<StudySize>('cpu');
  const create = useMutation(
    trpc.studies.create.mutationOptions({
      onSuccess: (r) => {
        const first = r.sweeps[0];
        if (first) router.push(`/sweeps/${first.sweepId}`);
      },
    }),
  );
  const titleId = `preset-${p.id}-title`;
  return (
    <li className="panel preset-card" data-testid="paper-preset" data-preset={p.id}>
      <h3 id={titleId}>{p.title}</h3>
      <p className="muted">
        {p.figure} · claims {p.claims.join(', ')}
      </p>
      <p>{p.reproduces}</p>
      <fieldset>
        <legend>Size</legend>
        {SIZES.map((s) => (
          <label key={s.value} title={s.hint}>
            <input
              type="radio"
              name={`size-${p.id}`}
              value={s.value}
              checked={size === s.value}
              onChange={() => setSize(s.value)}
            />
            {s.label}
          </label>
        ))}
      </fieldset>
      <p data-testid="preset-cost">
        <strong>{size}:</strong> {studyCostText(p.cost[size])}
        <span className="muted"> ({p.roles[size].join(', ')})</span>
      </p>
      <p className="muted preset-note">
        <strong>CPU scaling:</strong> {p.cpuScaling}
      </p>
      <div className="preset-actions">
        <button
          type="button"
          className="primary"
          aria-describedby={titleId}
          disabled={create.isPending}
          onClick={() => create.mutate({ preset: p.id, size })}
        >
          {create.isPending ? 'Launching…' : `Launch ${size} study`}
        </button>
      </div>
      {create.error && <ErrorBox title="Launch failed" message={launchErrorText(create.error)} />}
      {create.error?.data?.code === 'UNAUTHORIZED' && <LaunchTokenField />}
    </li>
  );
}
