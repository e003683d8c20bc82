import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, platform, release, totalmem } from 'node:os';
import path from 'node:path';
import { type CellDetail, type SeriesOutput } from '../../server/api/routers/cells';
import { type SweepView } from '../../server/api/routers/sweeps';
import { type Finding, type FindingStatus } from '../../server/core/findings';
import { formatLog2Tick, formatNumber } from '../../server/core/heatmap';
import { mapLimit } from '../../server/core/map-limit';
import { paperPreset, sizeNote, type PaperPreset } from '../../server/core/paper-presets';
import { type CellResultRecord, type StudyRecord } from '../../server/core/records';
import { type ReproduceApi } from './api';
import { cellLabel, curvesSvg, heatmapSvg, reportHeatmapMetric, wantsCurves, wantsHeatmap } from './charts';
import { formatDuration } from './progress';

/**
 * The report of a study: gather everything through the tRPC caller (findings, sweep views, cell series), draw the
 * pictures with the dashboard's renderers (charts.tsx), and write `<out>/<preset>-<size>-<studyId>/REPORT.md` with
 * the SVGs next to it. `reportMarkdown` and `formatFindings` are pure.
 */

export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  os: string;
  node: string;
  memoryGb: number;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() || 'unknown CPU',
    cpuCount: list.length,
    os: `${platform()} ${release()}`,
    node: process.version,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
}

export interface ReportCurves {
  cellId: string;
  label: string;
  detail: CellDetail;
  series: SeriesOutput;
}

export interface ReportSweep {
  role: string;
  view: SweepView;
  /** Each cell's stored result (null while it has none). */
  results: Record<string, CellResultRecord | null>;
  curves: ReportCurves[];
}

export interface ReportData {
  study: StudyRecord;
  preset: PaperPreset | undefined;
  findings: Finding[];
  sweeps: ReportSweep[];
  storeLabel: string;
}

/** Everything the report shows, read through the caller (and the store for per-cell results). */
export async function collectReport(api: ReproduceApi, studyId: string): Promise<ReportData> {
  const { study, findings } = await api.caller.studies.findings({ id: studyId });
  if (study === null) throw new Error(`study ${studyId} not found`);
  const sweeps = await Promise.all(
    study.sweeps.map(async ({ role, sweepId }): Promise<ReportSweep> => {
      const view = await api.caller.sweeps.byId({ id: sweepId });
      const resultList = await mapLimit(view.cells, 8, (c) =>
        c.jobState === 'done' ? api.store.getCellResult(sweepId, c.cellId) : Promise.resolve(null),
      );
      const results = Object.fromEntries(view.cells.map((c, i) => [c.cellId, resultList[i] ?? null]));
      const relative = view.sweep.spec.etaGrid.kind === 'pow2' && view.sweep.spec.etaGrid.unit === 'inv-lambda0';
      const curves = wantsCurves(view)
        ? await mapLimit(sortedCells(view), 4, async (c): Promise<ReportCurves | null> => {
            const [detail, series] = await Promise.all([
              api.caller.cells.byId({ sweepId, cellId: c.cellId }),
              api.caller.cells.series({ sweepId, cellId: c.cellId }),
            ]);
            // A cell that never trained a step (still queued) has nothing to draw.
            return series.rowCount > 0 ? { cellId: c.cellId, label: cellLabel(c, relative), detail, series } : null;
          })
        : [];
      return { role, view, results, curves: curves.filter((c): c is ReportCurves => c !== null) };
    }),
  );
  return { study, preset: paperPreset(study.preset), findings, sweeps, storeLabel: api.storeLabel };
}

function sortedCells(view: SweepView): SweepView['cells'] {
  return [...view.cells].sort(
    (a, b) => a.warmupSteps - b.warmupSteps || a.etaInUnits - b.etaInUnits || a.seed - b.seed,
  );
}

// ---- facts derived from the results ---------------------------------------------------------------------------

export interface RunFacts {
  /** e.g. [{ backend: 'atlas-native', device: 'cpu …', cells: 12 }]. */
  backends: { backend: string; device: string; cells: number }[];
  /** Study creation → last result, null before any result. */
  wallTimeMs: number | null;
  /** Σ of the runs' own wall times. */
  cellTimeMs: number;
  finished: number;
  total: number;
  lastFinishedAt: number | null;
}

export function runFacts(data: Pick<ReportData, 'study' | 'sweeps'>): RunFacts {
  const backends = new Map<string, { backend: string; device: string; cells: number }>();
  let last: number | null = null;
  let cellTimeMs = 0;
  let finished = 0;
  let total = 0;
  for (const s of data.sweeps) {
    for (const c of s.view.cells) {
      total++;
      const r = s.results[c.cellId];
      if (!r) continue;
      finished++;
      last = Math.max(last ?? 0, r.finishedAt);
      if (r.run) {
        cellTimeMs += r.run.wallTimeMs;
        const key = `${r.run.backend}\u0000${r.run.device}`;
        const b = backends.get(key) ?? { backend: r.run.backend, device: r.run.device, cells: 0 };
        b.cells++;
        backends.set(key, b);
      }
    }
  }
  return {
    backends: [...backends.values()].sort((a, b) => b.cells - a.cells),
    wallTimeMs: last === null ? null : last - data.study.createdAt,
    cellTimeMs,
    finished,
    total,
    lastFinishedAt: last,
  };
}

// ---- text ------------------------------------------------------------------------------------------------------

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

function specLine(view: SweepView): string {
  const s = view.sweep.spec;
  const grid = s.etaGrid;
  const etas =
    grid.kind === 'explicit'
      ? `η ∈ {${grid.values.map(formatNumber).join(', ')}}`
      : grid.unit === 'inv-lambda0'
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

export interface ReportFiles {
  /** Per sweep role: the heatmap file name (relative to the report), or null. */
  heatmaps: Record<string, string | null>;
  /** Per sweep role: cellId → curves file name. */
  curves: Record<string, Record<string, string>>;
}

export function reportFileNames(data: Pick<ReportData, 'sweeps'>): ReportFiles {
  const heatmaps: ReportFiles['heatmaps'] = {};
  const curves: ReportFiles['curves'] = {};
  for (const s of data.sweeps) {
    heatmaps[s.role] = wantsHeatmap(s.view) ? `${s.role}-heatmap.svg` : null;
    curves[s.role] = Object.fromEntries(s.curves.map((c) => [c.cellId, `${s.role}-${c.cellId}-curves.svg`]));
  }
  return { heatmaps, curves };
}

/** REPORT.md (pure). */
export function reportMarkdown(data: ReportData, o: { machine: MachineInfo; date: Date; files: ReportFiles }): string {
  const { study, preset, findings } = data;
  const facts = runFacts(data);
  const roleOf = rolesOf(data);
  const out: string[] = [];
  out.push(`# ${study.title}`, '');
  const backendText =
    facts.backends.length === 0
      ? 'none recorded yet'
      : facts.backends.map((b) => `\`${b.backend}\`${b.device ? ` (${b.device})` : ''} × ${b.cells} cells`).join(', ');
  out.push(
    `- **Date:** ${o.date.toISOString()} (study launched ${new Date(study.createdAt).toISOString()})`,
    `- **Study:** \`${study.id}\` — preset \`${study.preset}\`, size \`${study.size}\`, by ${study.author}; store: ${data.storeLabel}`,
    `- **Machine:** ${o.machine.cpuModel} × ${o.machine.cpuCount} cores, ${o.machine.memoryGb} GB, ${o.machine.os}, Node ${o.machine.node} (the machine that wrote this report)`,
    `- **Backend:** ${backendText}`,
    `- **Wall time:** ${facts.wallTimeMs === null ? '—' : formatDuration(facts.wallTimeMs)} from launch to the last result (${facts.finished}/${facts.total} cells finished; ${formatDuration(facts.cellTimeMs)} of cell time in all)`,
    '',
  );
  if (facts.finished < facts.total) {
    out.push(
      `> **Unfinished:** ${facts.total - facts.finished} of ${facts.total} cells have no result yet; their findings are pending. Re-run \`npm run reproduce -- --study ${study.id}\` once they finish.`,
      '',
    );
  }
  // The description stored at launch wins over the preset's current text (presets are code and change).
  const about =
    study.about ??
    (preset
      ? {
          figure: preset.figure,
          reproduces: preset.reproduces,
          scaling: sizeNote(preset, study.size),
        }
      : null);
  if (about) {
    out.push(`## What it reproduces (${about.figure})`, '', about.reproduces, '');
    out.push(study.size === 'cpu' ? '## How the `cpu` size is scaled' : '## Size', '', about.scaling, '');
  }
  out.push('## Findings', '', findingsVerdict(findings), '');
  if (preset && preset.claims.length > 0) {
    out.push(
      `This preset is made to decide ${preset.claims.join(', ')}; every other check that applies to its sweeps is listed too.`,
      '',
    );
  }
  if (findings.length > 0) {
    out.push(
      mdTable(
        ['Claim', 'Sweeps', 'Status', 'Summary'],
        findings.map((f) => [f.claim, findingRoles(f, roleOf), STATUS_MARK[f.status], f.summary]),
      ),
      '',
    );
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
  out.push('## Sweeps', '');
  for (const s of data.sweeps) {
    const v = s.view;
    out.push(`### ${s.role}: ${v.sweep.spec.title}`, '');
    out.push(
      `- **Sweep:** \`${v.sweep.id}\` (${v.state}; ${outcomeCounts(v)}) — in the dashboard: \`/sweeps/${v.sweep.id}\``,
    );
    out.push(`- **Setup:** ${specLine(v)}`);
    if (v.lambda0 !== null) out.push(`- **λ0 (calibration):** ${formatNumber(v.lambda0)}`);
    out.push('');
    const heat = o.files.heatmaps[s.role];
    if (heat) {
      const metric = reportHeatmapMetric(v) === 'bestTestAcc' ? 'best test accuracy' : 'final train loss';
      out.push(
        `![${s.role} heatmap: ${metric}](${heat})`,
        '',
        `*${metric} over η_trgt × T_wrm; hatched: diverged or failed; red line: the trainability boundary.*`,
        '',
      );
    }
    const relative = v.sweep.spec.etaGrid.kind === 'pow2' && v.sweep.spec.etaGrid.unit === 'inv-lambda0';
    out.push(
      mdTable(
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
          relative ? `${formatLog2Tick(c.etaInUnits)}` : formatNumber(c.etaInUnits),
          c.etaTrgt,
          c.state,
          c.values.bestTestAcc ?? null,
          c.values.finalTrainLoss ?? null,
          c.values.finalTrainAcc ?? null,
        ]),
      ),
      '',
    );
    const curveFiles = o.files.curves[s.role] ?? {};
    if (s.curves.length > 0) {
      const q = s.curves[0]?.detail.thresholds.precond != null ? 'λ^{P⁻¹H}' : 'λ^H';
      out.push(`#### Curves: train loss, and ${q} against its stability threshold`, '');
      for (const c of s.curves) {
        const file = curveFiles[c.cellId];
        if (file) out.push(`**${c.label}**`, '', `![${s.role} ${c.label}](${file})`, '');
      }
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

// ---- writing -----------------------------------------------------------------------------------------------------

export function reportDirName(study: Pick<StudyRecord, 'preset' | 'size' | 'id'>): string {
  return `${study.preset}-${study.size}-${study.id}`;
}

export interface WrittenReport {
  dir: string;
  reportPath: string;
  /** Every file written, relative to `dir` (REPORT.md first). */
  files: string[];
  data: ReportData;
}

/** Gather and write the report of a study under `outDir`. */
export async function writeStudyReport(
  api: ReproduceApi,
  studyId: string,
  o: { outDir: string; machine?: MachineInfo; date?: Date },
): Promise<WrittenReport> {
  const data = await collectReport(api, studyId);
  const dir = path.join(o.outDir, reportDirName(data.study));
  await mkdir(dir, { recursive: true });
  const files = reportFileNames(data);
  const written: string[] = ['REPORT.md'];
  for (const s of data.sweeps) {
    const heat = files.heatmaps[s.role];
    if (heat) {
      await writeFile(path.join(dir, heat), heatmapSvg(s.view));
      written.push(heat);
    }
    for (const c of s.curves) {
      const file = files.curves[s.role]?.[c.cellId];
      if (!file) continue;
      await writeFile(
        path.join(dir, file),
        curvesSvg({ sweepTitle: s.view.sweep.spec.title, label: c.label, detail: c.detail, series: c.series }),
      );
      written.push(file);
    }
  }
  const reportPath = path.join(dir, 'REPORT.md');
  await writeFile(
    reportPath,
    reportMarkdown(data, { machine: o.machine ?? machineInfo(), date: o.date ?? new Date(), files }),
  );
  return { dir, reportPath, files: written, data };
}
