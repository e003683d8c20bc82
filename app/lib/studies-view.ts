import type { Finding, FindingStatus } from '../../server/core/findings';
import type { StudyCost } from '../../server/core/paper-presets';

/**
 * Pure helpers of the Findings section (sweep page) and the "Reproduce the paper" section (Launch page): status
 * labels and their order, the study's sibling sweeps, when to poll, and how costs and table cells are written.
 */

export type StatusIcon = 'check' | 'cross' | 'dash' | 'clock';

export interface StatusMeta {
  /** The visible label: the status is never told by colour alone. */
  label: string;
  /** A distinct shape per status (circle+check, square+cross, hollow circle+dash, dashed circle+clock). */
  icon: StatusIcon;
  /** What the status means, for the badge's tooltip. */
  meaning: string;
}

export const STATUS_META: Record<FindingStatus, StatusMeta> = {
  pass: { label: 'pass', icon: 'check', meaning: 'The prediction held on this data.' },
  fail: { label: 'fail', icon: 'cross', meaning: 'The prediction did not hold on this data.' },
  'not-applicable': {
    label: 'not applicable',
    icon: 'dash',
    meaning: 'This data cannot decide the prediction (see why in the summary).',
  },
  pending: { label: 'pending', icon: 'clock', meaning: 'Waiting for cells to finish; the check runs when they have.' },
};

/** Order of the status counts line: what needs attention first. */
export const STATUS_ORDER: readonly FindingStatus[] = ['fail', 'pass', 'pending', 'not-applicable'];

/** "1 fail · 2 pass · 1 not applicable": the non-zero counts in STATUS_ORDER, empty for no findings. */
export function statusCounts(findings: readonly Pick<Finding, 'status'>[]): string {
  return STATUS_ORDER.map((s) => ({ s, n: findings.filter((f) => f.status === s).length }))
    .filter((c) => c.n > 0)
    .map((c) => `${c.n} ${STATUS_META[c.s].label}`)
    .join(' · ');
}

export interface StudySibling {
  role: string;
  sweepId: string;
  /** The sweep's title (a link's tooltip), its role when unknown. */
  title: string;
  /** The sweep whose page this is. */
  current: boolean;
}

/** The sweeps of a study in launch order, marking the current one. */
export function studySiblings(
  study: { sweeps: readonly { role: string; sweepId: string }[]; sweepTitles: Partial<Record<string, string>> } | null,
  sweepId: string,
): StudySibling[] {
  if (!study) return [];
  return study.sweeps.map((s) => ({
    role: s.role,
    sweepId: s.sweepId,
    title: study.sweepTitles[s.sweepId] ?? s.role,
    current: s.sweepId === sweepId,
  }));
}

/** Findings refetch while the sweep itself runs (its cells finish). */
export const FINDINGS_LIVE_MS = 5000;
/** Slower refetch once this sweep is finished but a finding still waits for a sibling sweep of its study. */
export const FINDINGS_SIBLING_MS = 10_000;

/**
 * How often to refetch a sweep's findings: while the sweep runs, and after that only while some finding is pending
 * on another sweep of the study (e.g. Adam's P12 waiting for GI-Adam). Nothing else can change a finished sweep's
 * findings, so polling stops.
 */
export function findingsRefetchMs(
  findings: readonly Pick<Finding, 'status' | 'sweepIds'>[] | undefined,
  sweepId: string,
  live: boolean,
): number | false {
  if (live) return FINDINGS_LIVE_MS;
  if (findings?.some((f) => f.status === 'pending' && f.sweepIds.some((id) => id !== sweepId)))
    return FINDINGS_SIBLING_MS;
  return false;
}

/** A finding table's cell as text: null is a dash, integers as they are, other numbers to 4 significant digits. */
export function formatTableCell(v: string | number | null): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

/** Thousands separators, the same on the server and in every browser locale. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "3 sweeps · 96 cells · 98,304 cell-steps · 0 λ-measured steps". */
export function studyCostText(cost: StudyCost): string {
  return [
    plural(cost.sweeps, 'sweep', 'sweeps'),
    plural(cost.cells, 'cell', 'cells'),
    plural(cost.cellSteps, 'cell-step', 'cell-steps'),
    plural(cost.sharpnessSteps, 'λ-measured step', 'λ-measured steps'),
  ].join(' · ');
}

/**
 * A launch error as text that names the field: the input's zod issues as `field: message` lines when the server
 * sent them (errorFormatter's fieldIssues), else the server's message (domain errors already name their field).
 */
export function launchErrorText(error: {
  message: string;
  data?: { fieldIssues?: readonly { path: string; message: string }[] | null } | null;
}): string {
  const issues = error.data?.fieldIssues;
  if (issues && issues.length > 0) return issues.map((i) => `${i.path || '(input)'}: ${i.message}`).join('\n');
  return error.message;
}
