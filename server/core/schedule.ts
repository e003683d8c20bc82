import { type ScheduleSpec } from './run-config';

/**
 * Learning-rate schedules of PAPER.md §2, as pure functions of the 0-based update counter s (the LR applied at
 * update s). Linear warmup uses the authors' exact indexing (§2.1): the first update uses
 * η_init + (η_trgt−η_init)/T_wrm, update T_wrm−1 uses η_trgt, and T_wrm = 1 is a constant LR. When warmup starts at
 * η_c (§2.3), the ramp adds η_trgt·(s+1)/T_wrm (not (η_trgt−η_init)·…), capped at η_trgt. After warmup: constant, or
 * cosine decay to η_trgt/10 with T_cos = T − T_wrm + 1 and c = s − T_wrm + 2 (§2.2, as the authors' code does).
 */
export interface LrSchedule {
  etaTrgt: number;
  /** T_wrm ≥ 1. */
  warmupSteps: number;
  /** η_init: 0, a given value, or the measured η_c. */
  etaInit: number;
  /** True when η_init is the critical η_c, which selects the §2.3 ramp. */
  startsAtCritical: boolean;
  after: 'constant' | 'cosine';
  /** T, the total number of updates (needed by cosine decay). */
  totalSteps: number;
}

/**
 * The schedule of a run from its config (PAPER §2): `etaInit` is what warmup starts from — 0, the configured value,
 * or the η_c the search found (pass `etaC`; without one a 'critical' run starts from 0, as before its search).
 */
export function scheduleFor(
  config: { steps: number; schedule: Pick<ScheduleSpec, 'etaTrgt' | 'warmupSteps' | 'etaInit' | 'after'> },
  etaC: number | null = null,
): LrSchedule {
  const init = config.schedule.etaInit;
  return {
    etaTrgt: config.schedule.etaTrgt,
    warmupSteps: config.schedule.warmupSteps,
    etaInit: init.mode === 'value' ? init.value : init.mode === 'critical' ? (etaC ?? 0) : 0,
    startsAtCritical: init.mode === 'critical',
    after: config.schedule.after,
    totalSteps: config.steps,
  };
}

/** Ratio η_min/η_trgt of the cosine decay (PAPER §2.2). */
export const COSINE_FLOOR = 0.1;

/** The learning rate applied at 0-based update `s`. */
export function lrAt(s: number, p: LrSchedule): number {
  const { etaTrgt, warmupSteps: tw, etaInit } = p;
  if (s < tw) {
    const ramp = p.startsAtCritical ? etaTrgt : etaTrgt - etaInit;
    return Math.min(etaTrgt, etaInit + (ramp * (s + 1)) / tw);
  }
  if (p.after === 'constant') return etaTrgt;
  const etaMin = COSINE_FLOOR * etaTrgt;
  const tCos = p.totalSteps - tw + 1;
  const c = s - tw + 2;
  const frac = Math.min(1, c / tCos);
  return etaMin + (etaTrgt - etaMin) * 0.5 * (1 + Math.cos(Math.PI * frac));
}

/**
 * First 0-based update at which the LR reaches η_trgt (so warmup has ended), for linear warmups: T_wrm − 1 for a
 * ramp from below, earlier when it starts at η_c.
 */
export function warmupEndStep(p: LrSchedule): number {
  for (let s = 0; s < p.warmupSteps; s++) if (lrAt(s, p) >= p.etaTrgt) return s;
  return p.warmupSteps - 1;
}

/**
 * PAPER §2.3: steps to reach η_trgt and steps saved when warmup starts at η_c,
 * T_reach = T_wrm·(1 − η_c/η_trgt) (at least 1), T_save = T_wrm·(η_c/η_trgt) − T_fp/2, where T_fp is the number of
 * forward passes the η_c search cost (one training step ≈ 2 forward passes).
 */
export function warmupSavings(opts: { etaC: number; etaTrgt: number; warmupSteps: number; forwardPasses: number }): {
  tReach: number;
  tSave: number;
} {
  const ratio = Math.min(1, opts.etaC / opts.etaTrgt);
  return {
    tReach: Math.max(1, opts.warmupSteps * (1 - ratio)),
    tSave: opts.warmupSteps * ratio - opts.forwardPasses / 2,
  };
}
