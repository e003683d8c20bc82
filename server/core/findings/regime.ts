import { isAdamKind } from '../curvature';
import { lambda0Of } from './cell';
import { fmt, formatEta } from './format';
import { type FindingsCell, type FindingsSweep, type FindingTable } from './model';

/** What the regime checks (P6, P7) share: which sweeps they read, the table of runs, and the count of labels. */

/** Whether a sweep measures λ^H (SGD-family runs with sharpness measured). */
export function hasSharpness(sweep: FindingsSweep): boolean {
  return sweep.spec.measure.sharpnessEvery > 0 && !isAdamKind(sweep.spec.optimizer.kind);
}

/** Finished runs of a sweep with λ0, λ^H at the end of warmup, their regime label and catapults. */
export function regimeTable(sweep: FindingsSweep): FindingTable {
  const { spec } = sweep;
  const rows = [...sweep.cells]
    .filter((c) => c.outcome !== null)
    .sort((a, b) => a.warmupSteps - b.warmupSteps || a.etaInUnits - b.etaInUnits || a.seed - b.seed)
    .map((c) => {
      const l0 = lambda0Of(sweep, c);
      const end = c.landmarks?.sharpness?.warmupEnd ?? null;
      const base: (string | number | null)[] = [
        c.warmupSteps,
        formatEta(spec, c.etaInUnits, c.etaExp),
        c.outcome ?? '—',
      ];
      const lam = [fmt(l0), end ? `${fmt(end.value)} (step ${end.step})` : '—', end && l0 ? fmt(end.value / l0) : '—'];
      return [
        ...base,
        ...lam,
        c.regime === null ? '—' : `${c.regime}${c.persistentCycle === true ? ' (persistent cycle)' : ''}`,
        c.catapults,
        c.firstCatapultStep,
      ];
    });
  return {
    columns: [
      'T_wrm',
      'η_trgt',
      'outcome',
      'λ0',
      'λ^H at warmup end',
      'ratio to λ0',
      'regime',
      'catapults',
      'first catapult step',
    ],
    rows,
  };
}

/** "C1 × 2, C2 × 1": how many runs carry each regime label. */
export function countLabels(cells: readonly FindingsCell[]): string {
  const counts = new Map<string, number>();
  for (const c of cells) {
    const k = c.regime ?? 'none';
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} × ${n}`).join(', ');
}
