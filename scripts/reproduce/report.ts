import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type StudyRecord } from '../../server/core/records';
import { type ReproduceApi } from './api';
import { curvesSvg, heatmapSvg, wantsHeatmap } from './charts';
import { collectReport, machineInfo, type MachineInfo, type ReportData } from './report-data';
import { reportMarkdown, type ReportFiles } from './report-markdown';

/**
 * The report of a study: gather everything through the tRPC caller (report-data.ts), draw the pictures with the
 * dashboard's renderers (charts.tsx), and write `<out>/<preset>-<size>-<studyId>/REPORT.md` (report-markdown.ts) with
 * the SVGs next to it.
 */

export { findingsVerdict, formatFindings, rolesOf } from './report-markdown';

/** The SVG files of a report: a heatmap per sweep that has a grid, a curves file per drawn cell. */
export function reportFileNames(data: Pick<ReportData, 'sweeps'>): ReportFiles {
  const heatmaps: ReportFiles['heatmaps'] = {};
  const curves: ReportFiles['curves'] = {};
  for (const s of data.sweeps) {
    heatmaps[s.role] = wantsHeatmap(s.view) ? `${s.role}-heatmap.svg` : null;
    curves[s.role] = Object.fromEntries(s.curves.map((c) => [c.cellId, `${s.role}-${c.cellId}-curves.svg`]));
  }
  return { heatmaps, curves };
}

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
