export function ProgressBar({ done, total }: { done: number; total: number }) {
  const pct = total > 0 ? Math.round((100 * done) / total) : 0;
  return (
    <span className="row" style={{ gap: 6 }}>
      <span
        className="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-label="cells finished"
      >
        <span style={{ width: `${pct}%` }} />
      </span>
      <span className="muted" style={{ fontSize: 12 }}>
        {done}/{total}
      </span>
    </span>
  );
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge badge--${state}`}>{state}</span>;
}
