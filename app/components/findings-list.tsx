import type { Finding, FindingStatus } from '../../server/core/findings';
import { formatTableCell, STATUS_META, type StatusIcon } from '../lib/studies-view';

/**
 * Claim-check findings (server/core/findings/) as a list: status badge, title, summary, and a native <details>
 * with the prediction, the criterion and the numbers. No hooks: the Sweep page's panel and the server-rendered share
 * viewer (which reads without JavaScript) both use it.
 */
export function FindingsList({ findings }: { findings: readonly Finding[] }) {
  return (
    <ul className="findings-list">
      {findings.map((f, i) => (
        <FindingItem key={`${f.claim}-${i}`} finding={f} />
      ))}
    </ul>
  );
}

function FindingItem({ finding: f }: { finding: Finding }) {
  const hasDetails = f.prediction !== '' || f.criterion !== '' || f.table !== null;
  return (
    <li className="finding" data-testid="finding" data-claim={f.claim} data-status={f.status}>
      <div className="finding-head">
        <StatusBadge status={f.status} />
        <h3 className="finding-title">{f.title}</h3>
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
  const common = {
    width: 14,
    height: 14,
    viewBox: '0 0 14 14',
    'aria-hidden': true,
    focusable: false,
    className: 'finding-icon',
  } as const;
  switch (icon) {
    case 'check': // filled circle, white tick
      return (
        <svg {...common}>
          <circle cx="7" cy="7" r="6.5" fill="currentColor" />
          <path
            d="M3.8 7.2 6 9.4 10.3 4.8"
            fill="none"
            stroke="#fff"
            strokeWidth="1.8"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
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
