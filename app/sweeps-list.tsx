'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { OptimizerKindSchema } from '../server/core/run-config';
import { DEMO_PRESET_ID } from '../server/api/presets';
import { ErrorBox } from './components/error-box';
import { formatTime } from './lib/format-time';
import { LaunchTokenField } from './components/launch-token';
import { ProgressBar, StateBadge } from './components/status';
import { useTRPC } from './trpc';

const STATES = ['queued', 'calibrating', 'running', 'done', 'cancelled'] as const;
const MODELS = ['fcn', 'cnn'] as const;
const PAGE = 20;

function pick<T extends string>(allowed: readonly T[], v: string | null): T | undefined {
  return allowed.find((a) => a === v);
}

export function SweepsList() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = {
    status: pick(STATES, params.get('status')),
    model: pick(MODELS, params.get('model')),
    optimizer: pick(OptimizerKindSchema.options, params.get('optimizer')),
    author: params.get('author')?.trim() || undefined,
  };
  const cursor = params.get('cursor') ?? undefined;
  const list = useQuery({
    ...trpc.sweeps.list.queryOptions({ ...filters, cursor, limit: PAGE }),
    refetchInterval: (q) =>
      q.state.data?.items.some((i) => i.state !== 'done' && i.state !== 'cancelled') ? 3000 : false,
    placeholderData: (prev) => prev,
  });
  const presets = useQuery(trpc.presets.list.queryOptions());
  const launch = useMutation(trpc.sweeps.create.mutationOptions({ onSuccess: (r) => router.push(`/sweeps/${r.id}`) }));

  const setParam = (key: string, value: string | undefined) => {
    const p = new URLSearchParams(params.toString());
    if (value) p.set(key, value);
    else p.delete(key);
    if (key !== 'cursor') p.delete('cursor');
    const qs = p.toString();
    router.push(qs ? `${pathname}?${qs}` : pathname);
  };
  const filtered = Object.values(filters).some((v) => v !== undefined);
  const demo = presets.data?.find((p) => p.id === DEMO_PRESET_ID);

  return (
    <div>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h1>Sweeps</h1>
        <Link className="button primary" href="/launch">
          Launch a sweep
        </Link>
      </div>
      <form className="toolbar" role="search" aria-label="filter sweeps" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={filters.status ?? ''} onChange={(e) => setParam('status', e.target.value || undefined)}>
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Model
          <select value={filters.model ?? ''} onChange={(e) => setParam('model', e.target.value || undefined)}>
            <option value="">any</option>
            {MODELS.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Optimizer
          <select value={filters.optimizer ?? ''} onChange={(e) => setParam('optimizer', e.target.value || undefined)}>
            <option value="">any</option>
            {OptimizerKindSchema.options.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Author
          <input
            key={filters.author ?? ''}
            defaultValue={filters.author ?? ''}
            placeholder="any"
            size={12}
            onKeyDown={(e) => {
              if (e.key === 'Enter') setParam('author', e.currentTarget.value.trim() || undefined);
            }}
            onBlur={(e) => {
              if ((e.target.value.trim() || undefined) !== filters.author)
                setParam('author', e.target.value.trim() || undefined);
            }}
          />
        </label>
        {filtered && (
          <button type="button" onClick={() => router.push(pathname)}>
            Clear filters
          </button>
        )}
      </form>
      {list.error && <ErrorBox title="Could not list sweeps" message={list.error.message} />}
      {list.data && list.data.items.length === 0 && !cursor && !filtered && (
        <div className="empty">
          <h2>No sweeps yet</h2>
          <p>
            Launch the demo: an FCN on Fashion-MNIST trained with SGD over a small η_trgt × T_wrm grid. It finishes in a
            few minutes on two CPU cores, and you can watch its heatmap fill in.
          </p>
          <button
            type="button"
            className="primary"
            disabled={!demo || launch.isPending}
            onClick={() => demo && launch.mutate(demo.spec)}
          >
            Launch the demo sweep{demo ? ` (${demo.cellCount} cells)` : ''}
          </button>
          {launch.error && <ErrorBox title="Launch failed" message={launch.error.message} />}
          {launch.error?.data?.code === 'UNAUTHORIZED' && <LaunchTokenField />}
        </div>
      )}
      {list.data && list.data.items.length === 0 && (cursor || filtered) && (
        <p className="muted">No sweeps match these filters.</p>
      )}
      {list.data && list.data.items.length > 0 && (
        <table className="list">
          <thead>
            <tr>
              <th>Title</th>
              <th>Author</th>
              <th>Model</th>
              <th>Optimizer</th>
              <th>Grid</th>
              <th>Status</th>
              <th>Progress</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((s) => (
              <tr key={s.id} data-testid="sweep-row">
                <td>
                  <Link href={`/sweeps/${s.id}`}>{s.title}</Link>
                  {s.study ? (
                    <span className="study-tag" title={`study ${s.study.id}`}>
                      {s.study.preset} · {s.study.role} · {s.study.size}
                    </span>
                  ) : null}
                </td>
                <td>{s.author}</td>
                <td>{s.model}</td>
                <td>{s.optimizer}</td>
                <td>
                  {s.grid.etas} η × {s.grid.warmups} T_wrm{s.grid.seeds > 1 ? ` × ${s.grid.seeds} seeds` : ''}
                </td>
                <td>
                  <StateBadge state={s.state} />
                </td>
                <td>
                  <ProgressBar done={s.counts.done} total={s.counts.total} />
                </td>
                <td>
                  <time dateTime={new Date(s.createdAt).toISOString()}>{formatTime(s.createdAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="row" aria-label="pages" style={{ marginTop: 10 }}>
        {cursor && (
          <button type="button" onClick={() => router.back()}>
            ← Newer
          </button>
        )}
        {list.data?.nextCursor && (
          <button type="button" onClick={() => setParam('cursor', list.data?.nextCursor ?? undefined)}>
            Older →
          </button>
        )}
      </nav>
    </div>
  );
}
