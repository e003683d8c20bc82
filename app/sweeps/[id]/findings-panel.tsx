'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Fragment, useEffect, useRef } from 'react';
import { ErrorBox } from '../../components/error-box';
import { FindingsList } from '../../components/findings-list';
import { findingsRefetchMs, statusCounts, studySiblings } from '../../lib/studies-view';
import { useTRPC } from '../../trpc';

/**
 * The claim checks (server/core/findings/) that involve this sweep: its study's when it belongs to one (so Adam's
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
    <section
      className="panel findings"
      aria-labelledby="findings-heading"
      aria-busy={q.isPending}
      data-testid="findings"
    >
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id="findings-heading" style={{ margin: 0 }}>
          Findings
        </h2>
        <span className="muted" data-testid="findings-counts">
          {data ? statusCounts(data.findings) : ''}
        </span>
      </div>
      {data?.study && <StudyLine title={data.study.title} siblings={siblings} />}
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
          None of the paper’s claim checks applies to this sweep. P1 needs a T_wrm grid starting at 1 with linear
          warmup; P6 and P7 need λ^H measured during training; P12, P13 and Fig 7 compare sweeps of a study (launch one
          under “Reproduce the paper” on the Launch page).
        </p>
      ) : (
        <FindingsList findings={data.findings} />
      )}
    </section>
  );
}

/** The study a sweep belongs to, with links to its sibling sweeps by role. */
function StudyLine({ title, siblings }: { title: string; siblings: ReturnType<typeof studySiblings> }) {
  return (
    <div className="study-line" data-testid="study">
      <span>
        Study: <strong>{title}</strong>
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
  );
}
