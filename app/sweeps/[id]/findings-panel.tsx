'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Fragment, useEffect, useRef } from 'react';
import type { Finding, FindingStatus } from '../../../server/core/findings';
import { ErrorBox } from '../../components/error-box';
import { findingsRefetchMs, formatTableCell, STATUS_META, statusCounts, studySiblings, type StatusIcon } from '../../lib/studies-view';
import { useTRPC } from '../../trpc';

/**
 * The claim checks (server/core/findings.ts) that involve this sweep: its study's when it belongs to one (so Adam's
 * page shows the P12 comparison with GI-Adam), else the checks that apply to it alone. Fetched on the client after
 * the heatmap (the checks read every finished cell's result), refetched while the sweep runs.
 */
export function FindingsPanel({ sweepId, live }: { sweepId: string; live: boolean }) {
  const trpc = useTRPC();
  const q = useQuery({
    ...trpc.studies.sweepFindings.queryOptions({ sweepId }),
    refetchInterval: (query) => findingsRefetchMs(query.state.data?.findings, sweepId, live),
    placeholderData: (prev) => prev,
  });
  // When the sweep stops running, fetch once more: the last cells may have finished after the previous poll.
  const { refetch } = q;
  const wasLive = useRef(live);
  useEffect(() => {
    if (wasLive.current && !live) void refetch();
    wasLive.current = live;
  }, [live, refetch]);

  const data = q.data;
  const siblings = studySiblings(data?.study ?? null, sweepId);
  return (
    <section className="panel findings" aria-labelledby="findings-heading" aria-busy={q.isPending} data-testid="findings">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id="findings-heading" style={{ margin: 0 }}>
          Findings
        </h2>
        <span className="muted" data-testid="findings-counts">
          {data ? statusCounts(data.findings) : ''}
        </span>
      </div>
      {data?.study && (
        <div className="study-line" data-testid="study">
          <span>
            Study: <strong>{data.study.title}</strong>
          </span>
          <nav aria-label="sweeps of this study" className="study-roles">
            {siblings.map((s, i) => (
              <Fragment key={s.sweepId}>
                {i > 0 && (
                  <span className="muted" aria-hidden="true">
                    {' ↔ '}
                  </span>
                )}
                {s.current ? (
                  <strong aria-current="page" title={s.title}>
                    {s.role} <span className="muted">(this sweep)</span>
                  </strong>
                ) : (
                  <Link href={`/sweeps/${s.sweepId}`} title={s.title}>
                    {s.role}
                  </Link>
                )}
              </Fragment>
            ))}
          </nav>
        </div>
      )}
      {q.error ? (
        <ErrorBox title="Could not load the findings" message={q.error.message} />
      ) : !data ? (
        <div className="findings-skeleton">
          <span role="status" className="sr-only">
            Loading findings…
          </span>
          <div className="finding-placeholder" aria-hidden="true" />
          <div className="finding-placeholder" aria-hidden="true" />
        </div>
      ) : data.findings.length === 0 ? (
        <p className="muted">
          None of the paper’s claim checks applies to this sweep. P1 needs a T_wrm grid starting at 1 with linear warmup; P6 and P7 need λ^H measured
          during training; P12, P13 and Fig 7 compare sweeps of a study (launch one under “Reproduce the paper” on the Launch page).
        </p>
      ) : (
        <ul className="findings-list">
          {data.findings.map((f, i) => (
            <FindingItem key={`${f.claim}-${i}`} finding={f} />
          ))}
        </ul>
      )}
    </section>
  );
}

function FindingItem({ finding: f }: { finding: Finding }) {
  const hasDetails = f.prediction !== '' || f.criterion !== '' || f.table !== null;
  return (
    <li className="finding" data-testid="finding" data-claim={f.claim} data-status={f.status}>
      <div className="finding-head">
        <StatusBadge status={f.status} />
        <h3 className="finding-title">
          {f.title}
        </h3>
      </div>
      <p className="finding-summary">{f.summary}</p>
      {hasDetails && (
        <details>
          <summary>Prediction, criterion{f.table ? ' and numbers' : ''}</summary>
          <dl className="finding-dl">
            {f.prediction !== '' && (
              <>
                <dt>Prediction</dt>
                <dd>{f.prediction}</dd>
              </>
            )}
            {f.criterion !== '' && (
              <>
                <dt>Criterion</dt>
                <dd>{f.criterion}</dd>
              </>
            )}
          </dl>
          {f.table && (
            // Wide tables scroll inside the panel; the region is focusable so the keyboard can scroll it too.
            <div className="table-scroll" role="region" aria-label={`${f.claim} numbers`} tabIndex={0}>
              <table className="list finding-table">
                <thead>
                  <tr>
                    {f.table.columns.map((c) => (
                      <th key={c} scope="col">
                        {c}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {f.table.rows.map((row, r) => (
                    <tr key={r}>
                      {row.map((v, c) => (
                        <td key={c}>{formatTableCell(v)}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </details>
      )}
    </li>
  );
}

/** Status as text plus a distinct shape; the colour only repeats what both already say. */
export function StatusBadge({ status }: { status: FindingStatus }) {
  const meta = STATUS_META[status];
  return (
    <span className={`finding-status finding-status--${status}`} data-testid="finding-status" title={meta.meaning}>
      <StatusIconSvg icon={meta.icon} />
      {meta.label}
    </span>
  );
}

function StatusIconSvg({ icon }: { icon: StatusIcon }) {
  const common = { width: 14, height: 14, viewBox: '0 0 14 14', 'aria-hidden': true, focusable: false, className: 'finding-icon' } as const;
  switch (icon) {
    case 'check': // filled circle, white tick
      return (
        <svg {...common}>
          <circle cx="7" cy="7" r="6.5" fill="currentColor" />
          <path d="M3.8 7.2 6 9.4 10.3 4.8" fill="none" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      );
    case 'cross': // filled square, white cross
      return (
        <svg {...common}>
          <rect x="0.5" y="0.5" width="13" height="13" rx="1.5" fill="currentColor" />
          <path d="M4.2 4.2 9.8 9.8M9.8 4.2 4.2 9.8" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" />
        </svg>
      );
    case 'dash': // hollow circle, bar
      return (
        <svg {...common}>
          <circle cx="7" cy="7" r="5.8" fill="none" stroke="currentColor" strokeWidth="1.4" />
          <path d="M4 7h6" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
        </svg>
      );
    case 'clock': // dashed circle, clock hands
      return (
        <svg {...common}>
          <circle cx="7" cy="7" r="5.8" fill="none" stroke="currentColor" strokeWidth="1.4" strokeDasharray="2.2 1.6" />
          <path d="M7 3.8V7l2.2 1.4" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
        </svg>
      );
  }
}
