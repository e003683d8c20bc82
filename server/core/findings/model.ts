import { type PlacedCell } from '../grid';
import { type LambdaLandmarks, type Regime } from '../curvature-summary';
import { type Outcome } from '../outcome';
import { type SweepSpec } from '../sweep-spec';

/**
 * The shared model of the claim checks: the cells and sweeps they read, the findings they return, and the shape of a
 * check (its claim, its text, and the findings it draws from a study's sweeps).
 */

/** The claims checked, in the order findings are listed (PAPER.md §1's numbering; Fig 7 last). */
export const CLAIM_IDS = ['P1', 'P6', 'P7', 'P12', 'P13', 'Fig7'] as const;
export type ClaimId = (typeof CLAIM_IDS)[number];

export type FindingStatus = 'pass' | 'fail' | 'not-applicable' | 'pending';

/** One finished (or unfinished) cell as the checks need it. */
export interface FindingsCell extends PlacedCell {
  /** null while the cell has not finished. */
  outcome: Outcome | null;
  finalTrainAcc: number | null;
  bestTestAcc: number | null;
  /** The run's own λ0 measurement (mean over batches) and which eigenvalue it is. */
  lambda0: number | null;
  lambda0Quantity: 'sharpness' | 'precondSharpness' | null;
  etaC: number | null;
  /** 0-based step of the run's `warmup-end` event (first update at η_trgt), null without one. */
  warmupEndEventStep: number | null;
  /** Step at which the train loss became non-finite, null if it never did. */
  divergenceStep: number | null;
  landmarks: LambdaLandmarks | null;
  regime: Regime | null;
  persistentCycle: boolean | null;
  catapults: number | null;
  firstCatapultStep: number | null;
  /** Persistent catapult warmup: first step at η_trgt, null if never reached or not persistent. */
  persistentReachedStep: number | null;
  /** The train loss at step 0 and its peak over the next EARLY_STEPS steps (read only where a check needs it). */
  earlyLoss: EarlyLoss | null;
}

/** The train loss at step 0 and its peak over the next steps (cell.ts's EARLY_STEPS). */
export interface EarlyLoss {
  loss0: number;
  /** Largest loss of steps 1…EARLY_STEPS (NaN/+∞ when the run diverged there). */
  peak: number;
  peakStep: number;
}

export interface FindingsSweep {
  sweepId: string;
  /** Role inside its study (spec.study.role), null for a sweep launched on its own. */
  role: string | null;
  title: string;
  spec: SweepSpec;
  /** The sweep's λ0 calibration (relative grids), null otherwise. */
  lambda0: number | null;
  /** Cancelled: its unfinished cells will never have results. */
  cancelled: boolean;
  cells: FindingsCell[];
}

/** Rows of numbers behind a finding; cells are text or finite numbers (JSON-safe). */
export interface FindingTable {
  columns: string[];
  rows: (string | number | null)[][];
}

export interface Finding {
  claim: ClaimId;
  /** Short title, e.g. "P1: warmup moves the trainability boundary right". */
  title: string;
  /** What the paper predicts (PAPER.md §1). */
  prediction: string;
  /** What decides pass or fail here, with its tolerance. */
  criterion: string;
  status: FindingStatus;
  /** One or two sentences with the decisive numbers (or why it is pending / not applicable). */
  summary: string;
  /** The sweeps whose cells it used. */
  sweepIds: string[];
  table: FindingTable | null;
}

/** What the paper predicts and what decides pass or fail. */
export interface ClaimText {
  prediction: string;
  criterion: string;
}

/**
 * One claim check. Its preconditions live in `findings`: a sweep (or pair of sweeps) it does not apply to yields no
 * finding, so a claim a preset promises but no sweep can decide is listed with `text` as not applicable.
 */
export interface ClaimCheck<C extends ClaimId = ClaimId> {
  claim: C;
  text: ClaimText;
  /** The findings over a study's sweeps (or one sweep alone), in sweep order. */
  findings(sweeps: readonly FindingsSweep[]): Finding[];
}

/** A check's `findings` from a check of one sweep, which may read the study's other sweeps (null: not applicable). */
export function eachSweep(
  check: (sweep: FindingsSweep, others: readonly FindingsSweep[]) => Finding | null,
): (sweeps: readonly FindingsSweep[]) => Finding[] {
  return (sweeps) =>
    sweeps.flatMap((s) => {
      const f = check(
        s,
        sweeps.filter((o) => o !== s),
      );
      return f === null ? [] : [f];
    });
}

/** The fixed part of a finding: its claim, title, the claim's prediction and criterion, and its sweeps. */
export function header(claim: ClaimId, title: string, sweepIds: string[], text: ClaimText) {
  return { claim, title, prediction: text.prediction, criterion: text.criterion, sweepIds };
}

function unfinished(cells: readonly FindingsCell[]): number {
  return cells.filter((c) => c.outcome === null).length;
}

/**
 * Whether a check must wait: `pending` while cells of its sweeps have not finished, or `not-applicable` when a
 * cancelled sweep left cells without a result (they never will have one); null when every cell has finished.
 */
export function waitFor(
  sweeps: readonly FindingsSweep[],
): { status: FindingStatus; summary: string; table: null } | null {
  const total = sweeps.reduce((n, s) => n + s.cells.length, 0);
  const left = sweeps.reduce((n, s) => n + unfinished(s.cells), 0);
  if (left === 0) return null;
  if (sweeps.some((s) => s.cancelled && unfinished(s.cells) > 0)) {
    return {
      status: 'not-applicable',
      summary: `The sweep was cancelled with ${left} of ${total} cells unfinished; the check needs all of them.`,
      table: null,
    };
  }
  return {
    status: 'pending',
    summary: `${left} of ${total} cells have not finished; the check runs when they have.`,
    table: null,
  };
}

/** Whether two sweeps share their η grid and T_wrm values (cells of one have twins in the other). */
export function sameGrid(a: SweepSpec, b: SweepSpec): boolean {
  return (
    JSON.stringify(a.etaGrid) === JSON.stringify(b.etaGrid) &&
    JSON.stringify([...a.warmupGrid].sort()) === JSON.stringify([...b.warmupGrid].sort())
  );
}
