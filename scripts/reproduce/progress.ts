import { type SweepView } from '../../server/api/routers/sweeps';

/**
 * Progress of a study while it trains (pure): per sweep, cells done / total and running cells; overall, the elapsed
 * time and a rough ETA from the fraction of training steps done so far (done cells count all their steps, running
 * cells the steps they reached). λ0 calibration and data loading are not counted, so the first ETAs run long.
 */

export interface SweepProgress {
  role: string;
  total: number;
  done: number;
  running: number;
  /** Some cell cannot finish: the sweep was cancelled or its calibration failed. */
  stuck: 'cancelled' | 'blocked' | null;
  calibrating: boolean;
  stepsDone: number;
  stepsTotal: number;
}

export interface StudyProgress {
  sweeps: SweepProgress[];
  done: number;
  total: number;
  running: number;
  /** Fraction of all training steps done, 0…1. */
  fraction: number;
  finished: boolean;
}

/** Progress of one sweep from its `sweeps.byId` view. */
export function sweepProgress(
  role: string,
  view: Pick<SweepView, 'sweep' | 'cells' | 'counts' | 'calibrationState' | 'state'>,
): SweepProgress {
  let stepsDone = 0;
  let stepsTotal = 0;
  for (const c of view.cells) {
    const total = c.totalSteps ?? view.sweep.spec.steps;
    stepsTotal += total;
    if (c.jobState === 'done') stepsDone += total;
    else stepsDone += Math.min(total, Math.max(0, c.step + 1));
  }
  const stuck =
    view.counts.blocked > 0 ? 'blocked' : view.state === 'cancelled' || view.counts.cancelled > 0 ? 'cancelled' : null;
  return {
    role,
    total: view.cells.length,
    done: view.counts.done,
    running: view.counts.running,
    stuck,
    calibrating: view.calibrationState !== null && view.calibrationState !== 'done',
    stepsDone,
    stepsTotal,
  };
}

export function studyProgress(sweeps: SweepProgress[]): StudyProgress {
  const sum = (f: (s: SweepProgress) => number) => sweeps.reduce((a, s) => a + f(s), 0);
  const stepsTotal = sum((s) => s.stepsTotal);
  const done = sum((s) => s.done);
  const total = sum((s) => s.total);
  return {
    sweeps,
    done,
    total,
    running: sum((s) => s.running),
    fraction: stepsTotal > 0 ? sum((s) => s.stepsDone) / stepsTotal : 0,
    finished: done === total,
  };
}

/** 75 s → "1:15", 3725 s → "1:02:05". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * Rough time left from the rate of progress since the first observation (so a resumed study's earlier steps do not
 * count as speed); null until ~2% of the steps were done since then (before that it mostly measures start-up).
 */
export class EtaTracker {
  private start: { fraction: number; at: number } | null = null;

  observe(fraction: number, now: number): number | null {
    if (this.start === null) this.start = { fraction, at: now };
    if (fraction >= 1) return 0;
    const gained = fraction - this.start.fraction;
    if (!(gained >= 0.02)) return null;
    return ((now - this.start.at) * (1 - fraction)) / gained;
  }
}

/** One progress line: `1:04 · sp 3/4 (1 running) · mup 0/4 (measuring λ0) · 3/8 cells · 41% of steps · ETA ~3:10`. */
export function formatProgress(p: StudyProgress, elapsedMs: number, etaMs: number | null): string {
  const parts = p.sweeps.map((s) => {
    if (s.stuck) return `${s.role} ${s.done}/${s.total} ${s.stuck}`;
    if (s.calibrating) return `${s.role} 0/${s.total} (measuring λ0)`;
    return `${s.role} ${s.done}/${s.total}${s.running > 0 ? ` (${s.running} running)` : ''}`;
  });
  return [
    formatDuration(elapsedMs),
    ...parts,
    `${p.done}/${p.total} cells`,
    `${Math.floor(p.fraction * 100)}% of steps`,
    etaMs === null ? 'ETA …' : `ETA ~${formatDuration(etaMs)}`,
  ].join(' · ');
}
