import { type SweepView } from '../../server/api/routers/sweeps';
import { type Finding, type FindingStatus } from '../../server/core/findings';
import { formatEtaInUnits, formatNumber } from '../../server/core/heatmap';
import { sizeNote } from '../../server/core/paper-presets';
import { isRelativeGrid } from '../../server/core/sweep-spec';
import { viewMetricLabel } from '../../app/lib/heatmap-model';
import { reportHeatmapMetric } from './charts';
import { formatDuration } from './progress';
import { runFacts, sortedCells, type MachineInfo, type ReportData, type ReportSweep } from './report-data';

/** The text of a report, pure: the findings for the terminal, and REPORT.md. */

export interface ReportFiles {
  /** Per sweep role: the heatmap file name (relative to the report), or null. */
  heatmaps: Record<string, string | null>;
  /** Per sweep role: cellId → curves file name. */
  curves: Record<string, Record<string, string>>;
}

const STATUS_MARK: Record<FindingStatus, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  'not-applicable': '➖ not applicable',
  pending: '⏳ pending',
};

/** Markdown table cell: no line breaks, pipes escaped. */
function md(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  const s = typeof v === 'number' ? formatNumber(v) : v;
  return s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function mdTable(columns: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const head = `| ${columns.map(md).join(' | ')} |`;
  const sep = `|${columns.map(() => '---').join('|')}|`;
  return [head, sep, ...rows.map((r) => `| ${columns.map((_, i) => md(r[i])).join(' | ')} |`)].join('\n');
}

export function countStatuses(findings: readonly Finding[]): Record<FindingStatus, number> {
  const n: Record<FindingStatus, number> = { pass: 0, fail: 0, 'not-applicable': 0, pending: 0 };
  for (const f of findings) n[f.status]++;
  return n;
}

/** One line saying how the claims came out (a failed claim is a result, not an error). */
export function findingsVerdict(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'No claim check applies to this study.';
  const n = countStatuses(findings);
  const parts = [`${n.pass} of ${findings.length} claim checks passed`];
  if (n.fail > 0)
    parts.push(
      `${n.fail} FAILED (${findings
        .filter((f) => f.status === 'fail')
        .map((f) => f.claim)
        .join(', ')})`,
    );
  if (n['not-applicable'] > 0) parts.push(`${n['not-applicable']} not applicable`);
  if (n.pending > 0) parts.push(`${n.pending} pending`);
  return `${parts.join(', ')}.`;
}

/** Roles of the sweeps a finding used (`heatmap`, `adam + gi-adam`), from a sweep id → role map. */
export function findingRoles(f: Pick<Finding, 'sweepIds'>, roleOf: ReadonlyMap<string, string>): string {
  return f.sweepIds.map((id) => roleOf.get(id) ?? id).join(' + ');
}

/** Sweep id → role of a report's sweeps. */
export function rolesOf(data: Pick<ReportData, 'sweeps'>): Map<string, string> {
  return new Map(data.sweeps.map((s) => [s.view.sweep.id, s.role]));
}

/** The findings for the terminal: status, title (with the sweeps it used) and summary of each. */
export function formatFindings(findings: readonly Finding[], roleOf: ReadonlyMap<string, string> = new Map()): string {
  const label: Record<FindingStatus, string> = {
    pass: 'PASS',
    fail: 'FAIL',
    'not-applicable': 'N/A ',
    pending: 'PEND',
  };
  const lines = findings.map(
    (f) => `  ${label[f.status]}  ${f.title} [${findingRoles(f, roleOf)}]\n        ${f.summary}`,
  );
  return [...lines, `  ${findingsVerdict(findings)}`].join('\n');
}

/** A sweep's setup in one line: model, loss, optimizer, data, batch, steps, the η grid, T_wrm values, seeds. */
function specLine(view: SweepView): string {
  const s = view.sweep.spec;
  const grid = s.etaGrid;
  const etas =
    grid.kind === 'explicit'
      ? `η ∈ {${grid.values.map(formatNumber).join(', ')}}`
      : isRelativeGrid(s)
        ? `η = 2^x/λ0, x = ${grid.fromExp}…${grid.toExp}${grid.base !== 1 ? ` (× ${grid.base})` : ''}`
        : `η = ${formatNumber(grid.base)}·2^x, x = ${grid.fromExp}…${grid.toExp}`;
  const data = `${s.data.name}${s.data.trainSubset ? ` (${s.data.trainSubset} train)` : ''}`;
  const init = s.etaInit.mode === 'zero' ? '' : `, η_init ${s.etaInit.mode}`;
  return [
    `${s.model.kind.toUpperCase()}-${s.model.depth}-${s.model.width} ${s.parameterization === 'mup' ? 'μP' : 'SP'}`,
    `${s.loss}`,
    `${s.optimizer.kind}`,
    data,
    s.batchSize === 0 ? 'full batch' : `batch ${s.batchSize}`,
    `${s.steps} steps${s.after === 'cosine' ? ' + cosine' : ''}`,
    `${etas}${init}`,
    `T_wrm ∈ {${s.warmupGrid.join(', ')}}`,
    s.seeds.length > 1 ? `seeds ${s.seeds.join(', ')}` : null,
  ]
    .filter((p) => p !== null)
    .join(' · ');
}

function outcomeCounts(view: SweepView): string {
  const n = new Map<string, number>();
  for (const c of view.cells) n.set(c.state, (n.get(c.state) ?? 0) + 1);
  return [...n].map(([k, v]) => `${v} ${k}`).join(', ');
}

/** REPORT.md (pure). */
export function reportMarkdown(data: ReportData, o: { machine: MachineInfo; date: Date; files: ReportFiles }): string {
  const roleOf = rolesOf(data);
  const out: string[] = [`# ${data.study.title}`, ''];
  out.push(...headerLines(data, o.machine, o.date), ...aboutLines(data), ...findingsLines(data.findings, data, roleOf));
  out.push('## Sweeps', '');
  for (const s of data.sweeps) out.push(...sweepLines(s, o.files));
  return `${out.join('\n').trimEnd()}\n`;
}

/** Date, study, machine, backends and wall time, and a warning while cells are unfinished. */
function headerLines(data: ReportData, machine: MachineInfo, date: Date): string[] {
  const { study } = data;
  const facts = runFacts(data);
  const backendText =
    facts.backends.length === 0
      ? 'none recorded yet'
      : facts.backends.map((b) => `\`${b.backend}\`${b.device ? ` (${b.device})` : ''} × ${b.cells} cells`).join(', ');
  const out = [
    `- **Date:** ${date.toISOString()} (study launched ${new Date(study.createdAt).toISOString()})`,
    `- **Study:** \`${study.id}\` — preset \`${study.preset}\`, size \`${study.size}\`, by ${study.author}; store: ${data.storeLabel}`,
    `- **Machine:** ${machine.cpuModel} × ${machine.cpuCount} cores, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node} (the machine that wrote this report)`,
    `- **Backend:** ${backendText}`,
    `- **Wall time:** ${facts.wallTimeMs === null ? '—' : formatDuration(facts.wallTimeMs)} from launch to the last result (${facts.finished}/${facts.total} cells finished; ${formatDuration(facts.cellTimeMs)} of cell time in all)`,
    '',
  ];
  if (facts.finished < facts.total) {
    out.push(
      `> **Unfinished:** ${facts.total - facts.finished} of ${facts.total} cells have no result yet; their findings are pending. Re-run \`npm run reproduce -- --study ${study.id}\` once they finish.`,
      '',
    );
  }
  return out;
}

/** What the study reproduces and how its size is scaled. */
function aboutLines({ study, preset }: Pick<ReportData, 'study' | 'preset'>): string[] {
  // The description stored at launch wins over the preset's current text (presets are code and change).
  const about =
    study.about ??
    (preset ? { figure: preset.figure, reproduces: preset.reproduces, scaling: sizeNote(preset, study.size) } : null);
  if (!about) return [];
  return [
    `## What it reproduces (${about.figure})`,
    '',
    about.reproduces,
    '',
    study.size === 'cpu' ? '## How the `cpu` size is scaled' : '## Size',
    '',
    about.scaling,
    '',
  ];
}

/** The verdict, a table of the claim checks, then each check with its prediction, criterion and numbers. */
function findingsLines(
  findings: readonly Finding[],
  { preset }: Pick<ReportData, 'preset'>,
  roleOf: ReadonlyMap<string, string>,
): string[] {
  const out = ['## Findings', '', findingsVerdict(findings), ''];
  if (preset && preset.claims.length > 0) {
    out.push(
      `This preset is made to decide ${preset.claims.join(', ')}; every other check that applies to its sweeps is listed too.`,
      '',
    );
  }
  if (findings.length > 0) {
    const rows = findings.map((f) => [f.claim, findingRoles(f, roleOf), STATUS_MARK[f.status], f.summary]);
    out.push(mdTable(['Claim', 'Sweeps', 'Status', 'Summary'], rows), '');
  }
  for (const f of findings) {
    out.push(`### ${f.title} — ${findingRoles(f, roleOf)}`, '');
    out.push(`- **Status:** ${STATUS_MARK[f.status]}`);
    out.push(`- **Prediction:** ${f.prediction}`);
    out.push(`- **Criterion:** ${f.criterion}`);
    out.push(`- **Sweeps:** ${f.sweepIds.map((id) => `${roleOf.get(id) ?? '?'} (\`${id}\`)`).join(', ')}`, '');
    out.push(f.summary, '');
    if (f.table) out.push(mdTable(f.table.columns, f.table.rows), '');
  }
  return out;
}

/** One sweep: id, state, setup, λ0, its heatmap with caption, its cells' table and curves. */
function sweepLines(s: ReportSweep, files: ReportFiles): string[] {
  const v = s.view;
  const out = [
    `### ${s.role}: ${v.sweep.spec.title}`,
    '',
    `- **Sweep:** \`${v.sweep.id}\` (${v.state}; ${outcomeCounts(v)}) — in the dashboard: \`/sweeps/${v.sweep.id}\``,
    `- **Setup:** ${specLine(v)}`,
  ];
  if (v.lambda0 !== null) out.push(`- **λ0 (calibration):** ${formatNumber(v.lambda0)}`);
  out.push('');
  const heat = files.heatmaps[s.role];
  if (heat) {
    // The caption names what the picture draws, as its legend does.
    const metric = viewMetricLabel({ metric: reportHeatmapMetric(v), step: null });
    out.push(
      `![${s.role} heatmap: ${metric}](${heat})`,
      '',
      `*${metric} over η_trgt × T_wrm; hatched: diverged or failed; red line: the trainability boundary.*`,
      '',
    );
  }
  out.push(cellsTable(v), '');
  const curveFiles = files.curves[s.role] ?? {};
  if (s.curves.length > 0) {
    const q = s.curves[0]?.detail.thresholds.precond != null ? 'λ^{P⁻¹H}' : 'λ^H';
    out.push(`#### Curves: train loss, and ${q} against its stability threshold`, '');
    for (const c of s.curves) {
      const file = curveFiles[c.cellId];
      if (file) out.push(`**${c.label}**`, '', `![${s.role} ${c.label}](${file})`, '');
    }
  }
  return out;
}

/** A sweep's cells: T_wrm, η (in grid units and absolute), outcome and key numbers. */
function cellsTable(v: SweepView): string {
  const relative = isRelativeGrid(v.sweep.spec);
  return mdTable(
    [
      'T_wrm',
      relative ? 'η_trgt (·1/λ0)' : 'η_trgt',
      'η_trgt',
      'outcome',
      'best test acc',
      'final train loss',
      'final train acc',
    ],
    sortedCells(v).map((c) => [
      c.warmupSteps,
      relative ? formatEtaInUnits(c) : formatNumber(c.etaInUnits),
      c.etaTrgt,
      c.state,
      c.values.bestTestAcc ?? null,
      c.values.finalTrainLoss ?? null,
      c.values.finalTrainAcc ?? null,
    ]),
  );
}
