'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { OptimizerKindSchema } from '../server/core/run-config';
import { DEMO_PRESET_ID, type Preset } from '../server/api/presets';
import { type SweepListItem } from '../server/api/routers/sweeps';
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

interface Filters {
  status: (typeof STATES)[number] | undefined;
  model: (typeof MODELS)[number] | undefined;
  optimizer: (typeof OptimizerKindSchema.options)[number] | undefined;
  author: string | undefined;
}

/** Set (or clear, with undefined) one URL parameter of the list; any filter change goes back to the first page. */
type SetParam = (key: string, value: string | undefined) => void;

export function SweepsList() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters: Filters = {
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
  const setParam: SetParam = (key, value) => {
    const p = new URLSearchParams(params.toString());
    if (value) p.set(key, value);
    else p.delete(key);
    if (key !== 'cursor') p.delete('cursor');
    const qs = p.toString();
    router.push(qs ? `${pathname}?${qs}` : pathname);
  };
  // Fetched with the list (not when the empty state shows), so the demo button is ready as soon as it appears.
  const presets = useQuery(trpc.presets.list.queryOptions());
  const filtered = Object.values(filters).some((v) => v !== undefined);
  const items = list.data?.items;

  return (
    <div>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h1>Sweeps</h1>
        <Link className="button primary" href="/launch">
          Launch a sweep
        </Link>
      </div>
      <FilterBar filters={filters} setParam={setParam} onClear={filtered ? () => router.push(pathname) : null} />
      {list.error && <ErrorBox title="Could not list sweeps" message={list.error.message} />}
      {items && items.length === 0 && !cursor && !filtered && (
        <LaunchDemo demo={presets.data?.find((p) => p.id === DEMO_PRESET_ID)} />
      )}
      {items && items.length === 0 && (cursor || filtered) && <p className="muted">No sweeps match these filters.</p>}
      {items && items.length > 0 && <SweepTable items={items} />}
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

/** One filter of the list: "any" or one of `options`, kept in the URL parameter `param`. */
function FilterSelect(props: {
  label: string;
  param: string;
  value: string | undefined;
  options: readonly string[];
  setParam: SetParam;
}) {
  return (
    <label>
      {props.label}
      <select value={props.value ?? ''} onChange={(e) => props.setParam(props.param, e.target.value || undefined)}>
        <option value="">any</option>
        {props.options.map((s) => (
          <option key={s}>{s}</option>
        ))}
      </select>
    </label>
  );
}

function FilterBar({
  filters,
  setParam,
  onClear,
}: {
  filters: Filters;
  setParam: SetParam;
  onClear: (() => void) | null;
}) {
  return (
    <form className="toolbar" role="search" aria-label="filter sweeps" onSubmit={(e) => e.preventDefault()}>
      <FilterSelect label="Status" param="status" value={filters.status} options={STATES} setParam={setParam} />
      <FilterSelect label="Model" param="model" value={filters.model} options={MODELS} setParam={setParam} />
      <FilterSelect
        label="Optimizer"
        param="optimizer"
        value={filters.optimizer}
        options={OptimizerKindSchema.options}
        setParam={setParam}
      />
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
      {onClear && (
        <button type="button" onClick={onClear}>
          Clear filters
        </button>
      )}
    </form>
  );
}

/** The empty store's call to action: launch the demo sweep. */
function LaunchDemo({ demo }: { demo: (Preset & { cellCount: number }) | undefined }) {
  const trpc = useTRPC();
  const router = useRouter();
  const launch = useMutation(trpc.sweeps.create.mutationOptions({ onSuccess: (r) => router.push(`/sweeps/${r.id}`) }));
  return (
    <div className="empty">
      <h2>No sweeps yet</h2>
      <p>
        Launch the demo: an FCN on Fashion-MNIST trained with SGD over a small η_trgt × T_wrm grid. It finishes in a few
        minutes on two CPU cores, and you can watch its heatmap fill in.
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
  );
}

function SweepTable({ items }: { items: readonly SweepListItem[] }) {
  return (
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
        {items.map((s) => (
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
  );
}
