'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { SweepView } from '../../../server/api/routers/sweeps';
import { CopyLinkButton } from '../../components/copy-link';
import { ErrorBox } from '../../components/error-box';
import { LaunchTokenField } from '../../components/launch-token';
import { ProgressBar, StateBadge } from '../../components/status';
import { formatTime } from '../../lib/format-time';
import { useTRPC } from '../../trpc';

/** The Sweep page's title row: title, copy link, state, progress, cancel; and the spec in one line. */
export function SweepHeader({ data }: { data: SweepView }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cancel = useMutation(
    trpc.sweeps.cancel.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.sweeps.byId.queryKey({ id: data.sweep.id }) }),
    }),
  );
  const spec = data.sweep.spec;
  const m = spec.model;
  return (
    <header style={{ marginBottom: 10 }}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h1 style={{ margin: 0 }}>{spec.title}</h1>
        <div className="row">
          <CopyLinkButton />
          <StateBadge state={data.state} />
          <ProgressBar done={data.counts.done} total={data.cells.length} />
          {data.state !== 'done' && data.state !== 'cancelled' && (
            <button type="button" onClick={() => cancel.mutate({ id: data.sweep.id })} disabled={cancel.isPending}>
              Cancel sweep
            </button>
          )}
        </div>
      </div>
      <p className="muted" style={{ margin: '2px 0 0' }}>
        {spec.author} · {formatTime(data.sweep.createdAt)} · {m.kind.toUpperCase()}-{m.depth}-{m.width}{' '}
        {spec.parameterization === 'mup' ? 'μP' : 'SP'} · {spec.loss} · {spec.optimizer.kind} · batch{' '}
        {spec.batchSize || 'full'} · {spec.steps} steps · {spec.data.name}
        {spec.data.trainSubset ? ` (${spec.data.trainSubset})` : ''}
      </p>
      {cancel.error && <ErrorBox title="Cancel failed" message={cancel.error.message} />}
      {cancel.error?.data?.code === 'UNAUTHORIZED' && <LaunchTokenField />}
    </header>
  );
}
