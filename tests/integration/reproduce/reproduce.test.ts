import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type PaperPreset } from '../../../server/core/paper-presets';
import { type SweepSpecInput } from '../../../server/core/sweep-spec';
import { FsBlobStore } from '../../../server/store/fs-blob-store';
import { createStudyFromPreset } from '../../../server/store/studies';
import { openReproduceApi } from '../../../scripts/reproduce/api';
import { spawnWorkers, studyWorkerArgs, type Fleet } from '../../../scripts/reproduce/fleet';
import { formatProgress, type StudyProgress } from '../../../scripts/reproduce/progress';
import { formatFindings, reportDirName, rolesOf, writeStudyReport } from '../../../scripts/reproduce/report';
import { waitForStudy } from '../../../scripts/reproduce/watch';

/**
 * `npm run reproduce` end to end on synthetic data, through the functions the CLI uses: a tiny study (a 6 × 2
 * λ0-relative SGD heatmap and a 2-cell mechanism sweep with λ^H every step) is launched on a temp store, two real
 * worker daemons calibrate λ0 and train every cell, the claim checks run, and the report is written with its SVGs.
 */

const dirs: string[] = [];
let fleet: Fleet | null = null;
afterAll(async () => {
  await fleet?.stop(10_000);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const base = {
  author: 'test',
  model: { kind: 'fcn', depth: 2, width: 16 },
  parameterization: 'sp',
  loss: 'mse',
  data: { name: 'synthetic-gmm', synthetic: { inputDim: 8, classes: 4, trainSize: 128, testSize: 64 } },
  optimizer: { kind: 'sgd' },
  batchSize: 0,
  backend: 'cpu',
} as const satisfies Partial<SweepSpecInput>;

const TINY: PaperPreset = {
  id: 'tiny-e2e',
  title: 'Tiny end-to-end study',
  figure: 'Fig 3 (tiny)',
  reproduces: 'A 6 × 2 SGD heatmap in units of 1/λ0 and two mechanism runs, on a synthetic Gaussian mixture.',
  cpuScaling: 'FCN-2-16 on 128 synthetic points, full batch, at most 40 steps.',
  claims: ['P1', 'P6'],
  sizes: {
    cpu: [
      {
        role: 'heatmap',
        spec: {
          ...base,
          title: 'Tiny heatmap: FCN-2-16 GD, MSE',
          steps: 40,
          etaGrid: { kind: 'pow2', unit: 'inv-lambda0', base: 1, fromExp: 0, toExp: 5, stepExp: 1 },
          warmupGrid: [1, 16],
          measure: { evalEvery: 20, sharpnessEvery: 0, lambda0: true, lambda0Batches: 1 },
        },
      },
      {
        role: 'mechanism',
        spec: {
          ...base,
          title: 'Tiny mechanism: FCN-2-16 GD, MSE, η = 4/λ0',
          steps: 30,
          etaGrid: { kind: 'pow2', unit: 'inv-lambda0', base: 1, fromExp: 2, toExp: 2, stepExp: 1 },
          warmupGrid: [1, 16],
          measure: { evalEvery: 10, sharpnessEvery: 1, lambda0: true, lambda0Batches: 1 },
        },
      },
    ],
    paper: [],
  },
};

describe('npm run reproduce, end to end on synthetic data', () => {
  it('calibrates λ0, trains every cell with two worker daemons, decides P1 and writes REPORT.md with a heatmap and curves', async () => {
    const t0 = Date.now();
    const dir = await mkdtemp(path.join(tmpdir(), 'atlas-reproduce-'));
    dirs.push(dir);
    const dataDir = path.join(dir, 'store');
    const outDir = path.join(dir, 'reports');
    const api = openReproduceApi(new FsBlobStore(dataDir), `local directory ${dataDir}`);
    const study = await createStudyFromPreset(api.store, TINY, 'cpu', { author: 'e2e' });
    expect(study.sweeps.map((s) => s.role)).toEqual(['heatmap', 'mechanism']);

    // Someone else's sweep in the same store: the study's workers (--sweeps) leave it queued.
    const heatmap = TINY.sizes.cpu[0];
    if (heatmap === undefined) throw new Error('TINY has no cpu sweep');
    const other = await api.store.createSweep({ ...heatmap.spec, title: 'not part of the study', author: 'someone' });

    const logFile = path.join(dir, 'workers.log');
    fleet = spawnWorkers(2, {
      env: { ...process.env, ATLAS_DATA_DIR: dataDir, BLOB_READ_WRITE_TOKEN: '' },
      logFile,
      extraArgs: ['--poll-ms', '200', '--progress-ms', '500', ...studyWorkerArgs(study)],
    });
    const seen: StudyProgress[] = [];
    const final = await waitForStudy(api, study.id, { fleet, intervalMs: 500, onProgress: (p) => seen.push(p) }).catch(
      async (e: unknown) => {
        throw new Error(`${String(e)}\nworkers:\n${await readFile(logFile, 'utf8').catch(() => '')}`);
      },
    );
    const trainedAt = Date.now();
    expect(final.finished).toBe(true);
    expect(final.done).toBe(14);
    expect(formatProgress(final, trainedAt - t0, 0)).toMatch(
      /heatmap 12\/12 · mechanism 2\/2 · 14\/14 cells · 100% of steps · ETA ~0:00$/,
    );
    // The workers exit on their own once nothing is left (--exit-when-idle).
    await fleet.allExited;
    expect(fleet.workers.map((w) => w.exitCode)).toEqual([0, 0]);
    const untouched = await api.store.getSweepStatus(other.id);
    expect(untouched.counts.queued).toBe(untouched.cells.length);
    expect(untouched.calibration).toBeNull();

    const report = await writeStudyReport(api, study.id, { outDir, date: new Date(Date.UTC(2025, 0, 2)) });
    const { findings, sweeps } = report.data;

    // Every cell finished, with a result (not an error).
    for (const s of sweeps) {
      expect(s.view.state).toBe('done');
      expect(s.view.lambda0).toBeGreaterThan(0);
      for (const c of s.view.cells) {
        expect(c.jobState, `${s.role} ${c.cellId}`).toBe('done');
        expect(
          ['trained', 'diverged', 'failed'],
          `${s.role} ${c.cellId}: ${s.results[c.cellId]?.error ?? ''}`,
        ).toContain(c.state);
      }
    }
    // The grid reaches past the boundary: the largest η diverges without warmup.
    const heat = sweeps.find((s) => s.role === 'heatmap');
    const topNoWarmup = heat?.view.cells.find((c) => c.warmupSteps === 1 && c.etaInUnits === 32);
    expect(topNoWarmup?.state).toBe('diverged');

    // P1 is decided (pass or fail), with one boundary row per T_wrm.
    const p1 = findings.find((f) => f.claim === 'P1');
    expect(p1, JSON.stringify(findings, null, 1)).toBeDefined();
    expect(['pass', 'fail']).toContain(p1?.status);
    expect(p1?.table?.rows.map((r) => r[0])).toEqual([1, 16]);
    expect(findings.every((f) => f.status !== 'pending')).toBe(true);
    expect(formatFindings(findings, rolesOf(report.data))).toMatch(
      new RegExp(`${p1?.status === 'pass' ? 'PASS' : 'FAIL'}  P1: .* \\[heatmap\\]\\n`),
    );

    // The report: files where the CLI puts them, the findings table row of P1, the criterion and per-sweep images.
    expect(report.dir).toBe(path.join(outDir, reportDirName(study)));
    expect(report.dir.endsWith(`tiny-e2e-cpu-${study.id}`)).toBe(true);
    const mechanismCells = sweeps.find((s) => s.role === 'mechanism')?.view.cells.map((c) => c.cellId) ?? [];
    expect((await readdir(report.dir)).sort()).toEqual(
      [
        'REPORT.md',
        'heatmap-heatmap.svg',
        'mechanism-heatmap.svg',
        ...mechanismCells.map((id) => `mechanism-${id}-curves.svg`),
      ].sort(),
    );
    const md = await readFile(report.reportPath, 'utf8');
    expect(md).toMatch(/^# Tiny end-to-end study \(cpu size\)\n/);
    expect(md).toContain('**Date:** 2025-01-02T00:00:00.000Z');
    expect(md).toMatch(/\*\*Backend:\*\* `cpu`.* × 14 cells/);
    expect(md).toMatch(/\*\*Wall time:\*\* \d+:\d\d from launch to the last result \(14\/14 cells finished/);
    expect(md).toContain('| Claim | Sweeps | Status | Summary |');
    expect(md).toContain(`| P1 | heatmap | ${p1?.status === 'pass' ? '✅ pass' : '❌ fail'} | ${p1?.summary ?? '?'} |`);
    expect(md).toContain(`- **Criterion:** ${p1?.criterion ?? '?'}`);
    expect(md).toContain(
      '| T_wrm | largest trainable η_trgt | first untrainable η_trgt | trained above it | trained / finished / cells |',
    );
    expect(md).toContain('![heatmap heatmap: best test accuracy](heatmap-heatmap.svg)');
    for (const id of mechanismCells) expect(md).toContain(`(mechanism-${id}-curves.svg)`);

    // The heatmap SVG is the dashboard's: one rect per cell, coloured by best test accuracy.
    const svg = await readFile(path.join(report.dir, 'heatmap-heatmap.svg'), 'utf8');
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const cellRects = [...svg.matchAll(/<rect [^>]*data-cell-id="([^"]+)"/g)].map((m) => m[1]);
    expect(cellRects.sort()).toEqual(heat?.view.cells.map((c) => c.cellId).sort());
    expect(svg).toContain('best test accuracy');

    // Curves: loss and λ^H with the 2/η(t) threshold, both drawn (non-empty paths).
    const curves = await readFile(path.join(report.dir, `mechanism-${mechanismCells[0] ?? ''}-curves.svg`), 'utf8');
    expect(curves.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')).toBe(true);
    expect(curves).toContain('λ^H (solid) and the stability threshold 2/η(t) (dashed)');
    for (const key of ['loss', 'sharpness', 'threshold'])
      expect(curves).toMatch(new RegExp(`data-key="${key}" d="M[^"]+"`));

    const total = (Date.now() - t0) / 1000;
    console.log(
      `reproduce e2e: trained in ${((trainedAt - t0) / 1000).toFixed(1)} s, report in ${((Date.now() - trainedAt) / 1000).toFixed(1)} s, ${seen.length} progress polls`,
    );
    expect(total).toBeLessThan(110);
  });
});
