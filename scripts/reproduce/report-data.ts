import { cpus, platform, release, totalmem } from 'node:os';
import { type CellDetail, type SeriesOutput } from '../../server/api/routers/cells';
import { type SweepView } from '../../server/api/routers/sweeps';
import { type Finding } from '../../server/core/findings';
import { paperPreset, type PaperPreset } from '../../server/core/paper-presets';
import { type CellResultRecord, type StudyRecord } from '../../server/core/records';
import { isRelativeGrid } from '../../server/core/sweep-spec';
import { mapLimit } from '../../server/core/map-limit';
import { type ReproduceApi } from './api';
import { cellLabel, wantsCurves } from './charts';

/**
 * What a study's report shows, gathered through the tRPC caller (findings, sweep views, cell series) and the store
 * (per-cell results), and the facts derived from it (backends, wall time, progress).
 */

export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  os: string;
  node: string;
  memoryGb: number;
}

/** The machine that writes the report (it may not be the one that trained). */
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
      const relative = isRelativeGrid(view.sweep.spec);
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

/** A sweep's cells by T_wrm, then η, then seed (the order of the report's tables and curves). */
export function sortedCells(view: SweepView): SweepView['cells'] {
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

/** Backends, times and progress of a study's runs, from their stored results. */
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
