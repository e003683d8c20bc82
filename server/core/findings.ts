import { isAdamKind } from './curvature';
import { type LambdaLandmarks, type Regime } from './curvature-summary';
import { type CellCoord } from './grid';
import { formatNumber } from './heatmap';
import { type RunResult } from './metrics';
import { type Outcome } from './outcome';
import { type SweepSpec } from './sweep-spec';

/**
 * Claim checks: pure functions that decide, from a sweep's results (or a study's sweeps side by side),
 * whether a prediction of PAPER.md §1 held. Each finding says pass / fail / not applicable / pending, with the
 * criterion and the numbers it used; nothing is asserted without data: a check whose cells are not all finished is
 * `pending`, and one whose data cannot decide it is `not-applicable` with the reason.
 *
 *   P1    the largest trainable η_trgt is non-decreasing in T_wrm and larger at the longest T_wrm than at T_wrm = 1
 *   P6    SP (sharpness reduction): λ^H at the end of warmup is below λ0; regime label per run
 *   P7    μP (progressive sharpening): warmup runs are labelled C1; regime label per run
 *   P12   GI-Adam's boundary at T_wrm = 1 is right of Adam's; λ0^{P⁻¹H} ratio GI-Adam/Adam ≈ √(1−β2)
 *   P13   with η_init = η_c, T_reach = 1 when η_trgt ≤ η_c and T_reach < T_wrm otherwise
 *   Fig7  persistent catapult warmup trains larger η_trgt than linear warmup
 */

export const CLAIM_IDS = ['P1', 'P6', 'P7', 'P12', 'P13', 'Fig7'] as const;
export type ClaimId = (typeof CLAIM_IDS)[number];

export type FindingStatus = 'pass' | 'fail' | 'not-applicable' | 'pending';

/** One finished (or unfinished) cell as the checks need it. */
export interface FindingsCell {
  cellId: string;
  /** η in the grid's unit (multiples of 1/λ0 for relative grids). */
  eta: number;
  /** Absolute η_trgt, null while a relative grid waits for λ0. */
  etaTrgt: number | null;
  warmupSteps: number;
  seed: number;
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

/** Steps after step 0 in which an initial loss spike is looked for (Adam's comes at step 1; PAPER P12, Fig 2). */
export const EARLY_STEPS = 10;
/** A rise above (1 + δ)·L₀ is a spike: the δ of PAPER §5's catapult detector. */
export const SPIKE_DELTA = 0.1;

export interface EarlyLoss {
  loss0: number;
  /** Largest loss of steps 1…EARLY_STEPS (NaN/+∞ when the run diverged there). */
  peak: number;
  peakStep: number;
}

/** L₀ and the early peak of a run from its rows (step-ordered); null without a step-0 row or a later one. */
export function earlyLossOf(rows: readonly { step: number; loss: number }[]): EarlyLoss | null {
  const first = rows.find((r) => r.step === 0);
  if (first === undefined) return null;
  let peak: { loss: number; step: number } | null = null;
  for (const r of rows) {
    if (r.step < 1 || r.step > EARLY_STEPS) continue;
    // A non-finite loss is the largest possible peak.
    if (peak === null || !Number.isFinite(r.loss) || r.loss > peak.loss)
      peak = { loss: Number.isFinite(r.loss) ? r.loss : Infinity, step: r.step };
    if (!Number.isFinite(r.loss)) break;
  }
  return peak === null ? null : { loss0: first.loss, peak: peak.loss, peakStep: peak.step };
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

// ---- building the input from stored results -------------------------------------------------------------------

/** A cell of the checks from its grid coordinates and, once finished, its outcome and RunResult. */
export function findingsCell(
  coord: Pick<CellCoord, 'cellId' | 'etaInUnits' | 'warmupSteps' | 'seed'>,
  etaTrgt: number | null,
  outcome: Outcome | null,
  run: RunResult | null,
  rows: readonly { step: number; loss: number }[] | null = null,
): FindingsCell {
  const curv = run?.curvature ?? null;
  const regime = curv?.regime ?? null;
  const warmupEnd = run?.events.find((e) => e.kind === 'warmup-end') ?? null;
  return {
    cellId: coord.cellId,
    eta: coord.etaInUnits,
    etaTrgt,
    warmupSteps: coord.warmupSteps,
    seed: coord.seed,
    outcome,
    finalTrainAcc: run?.finalTrainAcc ?? null,
    bestTestAcc: run?.bestTestAcc ?? null,
    lambda0: curv?.lambda0?.lambda0 ?? run?.lambda0 ?? null,
    lambda0Quantity: curv?.lambda0?.quantity ?? (run?.lambda0 != null ? 'sharpness' : null),
    etaC: run?.etaC ?? null,
    warmupEndEventStep: warmupEnd === null ? null : warmupEnd.step,
    divergenceStep: run?.divergence?.step ?? null,
    landmarks: curv?.landmarks ?? null,
    regime: regime?.regime ?? null,
    persistentCycle: regime?.persistentCycle ?? null,
    catapults: curv === null ? null : curv.catapults.length,
    firstCatapultStep: curv?.catapults[0]?.step ?? null,
    persistentReachedStep: curv?.persistent?.reachedTargetStep ?? null,
    earlyLoss: rows === null ? null : earlyLossOf(rows),
  };
}

/** Whether the claim checks need a cell's rows (its early losses): full-batch Adam-family runs at T_wrm = 1. */
export function needsEarlyLoss(spec: SweepSpec, warmupSteps: number): boolean {
  return spec.batchSize === 0 && isAdamKind(spec.optimizer.kind) && warmupSteps === 1;
}

// ---- formatting -------------------------------------------------------------------------------------------------

function isRelative(spec: SweepSpec): boolean {
  return spec.etaGrid.kind === 'pow2' && spec.etaGrid.unit === 'inv-lambda0';
}

/** An η in its grid's unit: 2^x/λ0 (x as stored) for relative grids, else 3 significant digits. */
export function formatEta(spec: SweepSpec, eta: number): string {
  if (isRelative(spec)) {
    const x = Math.log2(eta);
    const xs = Math.abs(x - Math.round(x)) < 1e-9 ? String(Math.round(x)) : x.toFixed(2);
    return `2^${xs}/λ0`;
  }
  return fmt(eta);
}

/** A number as the heatmap labels it (heatmap.ts's formatNumber), '—' when not measured. */
function fmt(v: number | null): string {
  return v === null ? '—' : formatNumber(v);
}

function median(values: readonly number[]): number | null {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

/** "(N octaves)" between two η values (log₂ ratio), singular for one. */
function octavesText(from: number, to: number): string {
  const n = Math.log2(to / from);
  return ` (${fmt(n)} ${Math.abs(n) === 1 ? 'octave' : 'octaves'})`;
}

// ---- trainability boundaries -----------------------------------------------------------------------------------

/**
 * The trainability boundary of one T_wrm row, as the paper draws it (PAPER §9.1: "the η sweep for a given T_wrm stops
 * at the first divergence or failure"): scanning η upward, the last η at which every seed trained before the first η
 * at which a seed diverged or failed.
 */
export interface RowBoundary {
  warmupSteps: number;
  /** Last η (grid units) before the first untrainable one at which every seed trained; null when the first η fails. */
  largestTrained: number | null;
  /** The first η (ascending) where a seed diverged or failed; null when none did. */
  firstUntrainable: { eta: number; outcome: Outcome } | null;
  /** No η of the grid is untrainable and the largest trained: the true boundary is beyond the grid. */
  censored: boolean;
  /** η values above the first untrainable one where every seed still trained (a noisy edge; not the boundary). */
  trainedAbove: number;
  trained: number;
  finished: number;
  total: number;
}

/**
 * Boundary per T_wrm row (ascending), over the cells with `outcome` known; error and cancelled cells decide nothing
 * (the scan passes over them).
 */
export function rowBoundaries(cells: readonly FindingsCell[]): RowBoundary[] {
  const etas = [...new Set(cells.map((c) => c.eta))].sort((a, b) => a - b);
  const maxEta = etas[etas.length - 1];
  const warmups = [...new Set(cells.map((c) => c.warmupSteps))].sort((a, b) => a - b);
  return warmups.map((w) => {
    const row = cells.filter((c) => c.warmupSteps === w);
    const byEta = new Map<number, FindingsCell[]>();
    for (const c of row) byEta.set(c.eta, [...(byEta.get(c.eta) ?? []), c]);
    let largestTrained: number | null = null;
    let firstUntrainable: RowBoundary['firstUntrainable'] = null;
    let trained = 0;
    let trainedAbove = 0;
    for (const eta of etas) {
      const group = byEta.get(eta) ?? [];
      const allTrained = group.length > 0 && group.every((c) => c.outcome === 'trained');
      if (allTrained) trained++;
      if (firstUntrainable !== null) {
        if (allTrained) trainedAbove++;
        continue;
      }
      const bad = group.find((c) => c.outcome === 'diverged' || c.outcome === 'failed');
      if (bad?.outcome) firstUntrainable = { eta, outcome: bad.outcome };
      else if (allTrained) largestTrained = eta;
    }
    return {
      warmupSteps: w,
      largestTrained,
      firstUntrainable,
      censored: firstUntrainable === null && largestTrained !== null && largestTrained === maxEta,
      trainedAbove,
      trained,
      finished: row.filter((c) => c.outcome !== null).length,
      total: row.length,
    };
  });
}

function boundaryText(spec: SweepSpec, b: RowBoundary): string {
  if (b.largestTrained === null) return 'none trains';
  return `${formatEta(spec, b.largestTrained)}${b.censored ? ' (grid edge)' : ''}`;
}

/** Comparable value of a boundary: nothing trained = −∞. */
function boundaryValue(b: RowBoundary): number {
  return b.largestTrained ?? -Infinity;
}

function unfinished(cells: readonly FindingsCell[]): number {
  return cells.filter((c) => c.outcome === null).length;
}

/**
 * Whether a check must wait: `pending` while cells of its sweeps have not finished, or `not-applicable` when a
 * cancelled sweep left cells without a result (they never will have one); null when every cell has finished.
 */
function waitFor(sweeps: readonly FindingsSweep[]): { status: FindingStatus; summary: string; table: null } | null {
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

function boundaryTable(spec: SweepSpec, rows: readonly RowBoundary[]): FindingTable {
  return {
    columns: [
      'T_wrm',
      'largest trainable η_trgt',
      'first untrainable η_trgt',
      'trained above it',
      'trained / finished / cells',
    ],
    rows: rows.map((b) => [
      b.warmupSteps,
      boundaryText(spec, b),
      b.firstUntrainable ? `${formatEta(spec, b.firstUntrainable.eta)} (${b.firstUntrainable.outcome})` : '—',
      b.trainedAbove,
      `${b.trained} / ${b.finished} / ${b.total}`,
    ]),
  };
}

/** The fixed part of a finding: its claim, title, the claim's prediction and criterion (or `text`), and its sweeps. */
function header(
  claim: ClaimId,
  title: string,
  sweepIds: string[],
  text: { prediction: string; criterion: string } = CLAIM_TEXT[claim],
) {
  return { claim, title, prediction: text.prediction, criterion: text.criterion, sweepIds };
}

// ---- P1 ---------------------------------------------------------------------------------------------------------

const P1_PREDICTION =
  'Warmup lets larger η_trgt train: the largest trainable η_trgt (the divergence or failure boundary) moves right as T_wrm grows (PAPER P1).';
const P1_CRITERION =
  'Per T_wrm row, scanning η_trgt upward, the last η_trgt at which every seed trained before the first one where a seed diverged or failed (PAPER §9.1: the η sweep of a row stops there; a run that trains above it is counted but does not move the boundary). Pass: non-decreasing from row to row, and strictly larger at the longest T_wrm than at T_wrm = 1.';

/**
 * P1 for one sweep with linear warmups from 0 (or a fixed η_init), T_wrm = 1 among ≥ 2 warmups and ≥ 2 η values;
 * null when it does not apply.
 */
export function checkP1(sweep: FindingsSweep): Finding | null {
  const { spec } = sweep;
  const mode = spec.etaInit.mode;
  if (mode === 'critical' || mode === 'persistent') return null;
  const warmups = [...new Set(spec.warmupGrid)].sort((a, b) => a - b);
  if (warmups.length < 2 || warmups[0] !== 1) return null;
  // A boundary needs an η axis: single-η mechanism sweeps (Fig 1) are not heatmaps.
  if (new Set(sweep.cells.map((c) => c.eta)).size < 2) return null;
  const base = header('P1', 'P1: warmup moves the trainability boundary right', [sweep.sweepId]);
  const wait = waitFor([sweep]);
  if (wait) return { ...base, ...wait };
  const rows = rowBoundaries(sweep.cells);
  const table = boundaryTable(spec, rows);
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first === undefined || last === undefined) return null;
  if (first.censored) {
    return {
      ...base,
      status: 'not-applicable',
      summary: `Every η_trgt of the grid trains already at T_wrm = 1 (up to ${boundaryText(spec, first)}): the grid does not reach the boundary, so it cannot move. Extend the η grid.`,
      table,
    };
  }
  const drops: string[] = [];
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1] as RowBoundary;
    const b = rows[i] as RowBoundary;
    if (boundaryValue(b) < boundaryValue(a))
      drops.push(`T_wrm ${a.warmupSteps} → ${b.warmupSteps}: ${boundaryText(spec, a)} → ${boundaryText(spec, b)}`);
  }
  const larger = boundaryValue(last) > boundaryValue(first);
  const moved =
    first.largestTrained !== null && last.largestTrained !== null
      ? octavesText(first.largestTrained, last.largestTrained)
      : '';
  const path = rows.map((b) => `T_wrm ${b.warmupSteps}: ${boundaryText(spec, b)}`).join('; ');
  const pass = drops.length === 0 && larger;
  let summary = `Largest trainable η_trgt — ${path}.`;
  if (pass) summary += ` The boundary moves right from T_wrm = 1 to ${last.warmupSteps}${moved} and never moves left.`;
  else if (!larger) summary += ` The boundary at T_wrm = ${last.warmupSteps} is not right of the one at T_wrm = 1.`;
  if (drops.length > 0) summary += ` It moves left at ${drops.join(', ')}.`;
  return { ...base, status: pass ? 'pass' : 'fail', summary, table };
}

// ---- P6 / P7 ----------------------------------------------------------------------------------------------------

function regimeTable(sweep: FindingsSweep, withLambda: boolean): FindingTable {
  const { spec } = sweep;
  const rows = [...sweep.cells]
    .filter((c) => c.outcome !== null)
    .sort((a, b) => a.warmupSteps - b.warmupSteps || a.eta - b.eta || a.seed - b.seed)
    .map((c) => {
      const l0 = lambda0Of(sweep, c);
      const end = c.landmarks?.sharpness?.warmupEnd ?? null;
      const base: (string | number | null)[] = [c.warmupSteps, formatEta(spec, c.eta), c.outcome ?? '—'];
      const lam = withLambda
        ? [fmt(l0), end ? `${fmt(end.value)} (step ${end.step})` : '—', end && l0 ? fmt(end.value / l0) : '—']
        : [];
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
      ...(withLambda ? ['λ0', 'λ^H at warmup end', 'ratio to λ0'] : []),
      'regime',
      'catapults',
      'first catapult step',
    ],
    rows,
  };
}

/** λ0 of a run: its own measurement of λ^H, else the sweep's calibration, else its first measured λ^H. */
function lambda0Of(sweep: FindingsSweep, c: FindingsCell): number | null {
  if (c.lambda0 !== null && c.lambda0Quantity === 'sharpness') return c.lambda0;
  return sweep.lambda0 ?? c.landmarks?.sharpness?.first.value ?? null;
}

function hasSharpness(sweep: FindingsSweep): boolean {
  return sweep.spec.measure.sharpnessEvery > 0 && !isAdamKind(sweep.spec.optimizer.kind);
}

const P6_PREDICTION =
  'Large initialisations (SP) are in the sharpness-reduction regime: λ^H falls during warmup even when the run is stable, and catapults come later and smaller as T_wrm grows (PAPER P6, §5 C2).';
const P6_CRITERION =
  'Every SP run with warmup (T_wrm > 1) that trained: λ^H at its last measurement before the end of warmup is below λ0 (the run’s own λ0, else the sweep’s calibration, else its first λ^H). Diverged runs are listed but not counted.';

export function checkP6(sweep: FindingsSweep): Finding | null {
  if (sweep.spec.parameterization !== 'sp' || !hasSharpness(sweep)) return null;
  const base = header('P6', 'P6: SP runs reduce sharpness during warmup', [sweep.sweepId]);
  const wait = waitFor([sweep]);
  if (wait) return { ...base, ...wait };
  const table = regimeTable(sweep, true);
  const judged = sweep.cells.filter(
    (c) => c.outcome === 'trained' && c.warmupSteps > 1 && c.landmarks?.sharpness?.warmupEnd,
  );
  if (judged.length === 0) {
    return {
      ...base,
      status: 'not-applicable',
      summary: 'No SP run with warmup trained with λ^H measured during warmup.',
      table,
    };
  }
  const ratios = judged.map((c) => {
    const end = c.landmarks?.sharpness?.warmupEnd?.value ?? NaN;
    const l0 = lambda0Of(sweep, c) ?? NaN;
    return { c, ratio: end / l0 };
  });
  const above = ratios.filter((r) => !(r.ratio < 1));
  const labels = countLabels(judged);
  const range = `${fmt(Math.min(...ratios.map((r) => r.ratio)))}–${fmt(Math.max(...ratios.map((r) => r.ratio)))}`;
  // P6's other half (later catapults with longer warmups) is reported, not judged.
  const timing = [...judged]
    .filter((c) => c.firstCatapultStep !== null)
    .sort((a, b) => a.warmupSteps - b.warmupSteps)
    .map((c) => `${c.firstCatapultStep ?? ''} (T_wrm ${c.warmupSteps})`);
  const timingText = timing.length > 0 ? ` First catapult at step ${timing.join(', ')}.` : '';
  const summary =
    (above.length === 0
      ? `In all ${judged.length} SP warmup runs that trained, λ^H at the end of warmup is below λ0 (ratio ${range}). Regimes: ${labels}.`
      : `In ${above.length} of ${judged.length} SP warmup runs λ^H at the end of warmup is not below λ0 (${above.map((r) => `T_wrm ${r.c.warmupSteps}: ratio ${fmt(r.ratio)}`).join(', ')}). Regimes: ${labels}.`) +
    timingText;
  return { ...base, status: above.length === 0 ? 'pass' : 'fail', summary, table };
}

function countLabels(cells: readonly FindingsCell[]): string {
  const counts = new Map<string, number>();
  for (const c of cells) {
    const k = c.regime ?? 'none';
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} × ${n}`).join(', ');
}

const P7_PREDICTION =
  'Flat initialisations (μP) are in the progressive-sharpening regime: λ^H rises until η_t·λ^H reaches 2, then the run stays on the edge (η_t ≈ 2/λ^H) for the rest of warmup (PAPER P7, §5 C1).';
const P7_CRITERION =
  'Regime labels (PAPER §5 [I]: slope of ln λ^H before the first catapult, where η·λ < 2) of the μP runs with warmup that trained. Pass: more than half are C1.';

export function checkP7(sweep: FindingsSweep): Finding | null {
  if (sweep.spec.parameterization !== 'mup' || !hasSharpness(sweep)) return null;
  const base = header('P7', 'P7: μP runs sharpen progressively', [sweep.sweepId]);
  const wait = waitFor([sweep]);
  if (wait) return { ...base, ...wait };
  const table = regimeTable(sweep, true);
  const judged = sweep.cells.filter(
    (c) => c.outcome === 'trained' && c.warmupSteps > 1 && c.regime !== null && c.regime !== 'unknown',
  );
  if (judged.length === 0)
    return { ...base, status: 'not-applicable', summary: 'No μP run with warmup trained with a regime label.', table };
  const c1 = judged.filter((c) => c.regime === 'C1');
  const cycles = c1.filter((c) => c.persistentCycle === true).length;
  const pass = c1.length * 2 > judged.length;
  const summary = `${c1.length} of ${judged.length} μP warmup runs are labelled C1 (${cycles} with a persistent cycle at the edge); all labels: ${countLabels(judged)}.`;
  return { ...base, status: pass ? 'pass' : 'fail', summary, table };
}

// ---- P12 --------------------------------------------------------------------------------------------------------

const P12B_PREDICTION =
  'GI-Adam (v₀ = g₀²) moves the failure boundary to larger η_trgt: without warmup it trains where Adam fails (PAPER P12, P9).';
const P12B_CRITERION =
  'Adam and GI-Adam sweeps on the same grid: the boundary at T_wrm = 1 (the last η_trgt that trains before the first failure, as for P1). Pass: GI-Adam’s is larger than Adam’s.';
const P12L_PREDICTION =
  'GI-Adam cuts the initial preconditioned sharpness λ0^{P⁻¹H} by a factor of about √(1−β2) ≈ 0.032 (PAPER P12).';
const P12L_CRITERION =
  'Median over runs of λ^{P⁻¹H} at step 0 (or the λ0^{P⁻¹H} measurement), GI-Adam / Adam. Pass: within a factor of 3 of √(1−β2). The factor is exact only for full-batch runs with |g| ≫ ε; minibatch runs use a different first batch for v₀, and coordinates with |g| ≲ ε keep Adam’s ε floor.';

function sameGrid(a: SweepSpec, b: SweepSpec): boolean {
  return (
    JSON.stringify(a.etaGrid) === JSON.stringify(b.etaGrid) &&
    JSON.stringify([...a.warmupGrid].sort()) === JSON.stringify([...b.warmupGrid].sort())
  );
}

/** λ0^{P⁻¹H} of a run: its λ0 measurement when that is preconditioned, else its first measured λ^{P⁻¹H}. */
function precondLambda0(c: FindingsCell): number | null {
  if (c.lambda0 !== null && c.lambda0Quantity === 'precondSharpness') return c.lambda0;
  return c.landmarks?.precondSharpness?.first.value ?? null;
}

export function checkP12(sweeps: readonly FindingsSweep[]): Finding[] {
  const out: Finding[] = [];
  for (const adam of sweeps.filter((s) => s.spec.optimizer.kind === 'adam')) {
    const gi = sweeps.find(
      (s) =>
        s.spec.optimizer.kind === 'gi-adam' &&
        sameGrid(s.spec, adam.spec) &&
        s.spec.parameterization === adam.spec.parameterization,
    );
    if (gi === undefined) continue;
    const ids = [adam.sweepId, gi.sweepId];
    for (const f of [checkP12Boundary(adam, gi, ids), checkP12Lambda0(adam, gi, ids), checkP12Spike(adam, gi, ids)])
      if (f !== null) out.push(f);
  }
  return out;
}

/** P12's first part: GI-Adam's boundary at T_wrm = 1 is right of Adam's (sweeps with an η axis and T_wrm = 1). */
function checkP12Boundary(adam: FindingsSweep, gi: FindingsSweep, ids: string[]): Finding | null {
  if (new Set(adam.cells.map((c) => c.eta)).size < 2 || !adam.spec.warmupGrid.includes(1)) return null;
  const base = header('P12', 'P12: GI-Adam trains larger η_trgt than Adam without warmup', ids);
  const wait = waitFor([adam, gi]);
  if (wait) return { ...base, ...wait };
  const a = rowBoundaries(adam.cells);
  const g = rowBoundaries(gi.cells);
  const a1 = a.find((r) => r.warmupSteps === 1);
  const g1 = g.find((r) => r.warmupSteps === 1);
  const table: FindingTable = {
    columns: ['T_wrm', 'Adam: largest trainable η_trgt', 'GI-Adam: largest trainable η_trgt'],
    rows: a.map((r) => {
      const other = g.find((x) => x.warmupSteps === r.warmupSteps);
      return [r.warmupSteps, boundaryText(adam.spec, r), other ? boundaryText(gi.spec, other) : '—'];
    }),
  };
  if (a1 === undefined || g1 === undefined)
    return { ...base, status: 'not-applicable', summary: 'One of the sweeps has no T_wrm = 1 cells.', table };
  if (a1.censored) {
    return {
      ...base,
      status: 'not-applicable',
      summary: `Adam trains every η_trgt of the grid at T_wrm = 1 (up to ${boundaryText(adam.spec, a1)}); extend the grid to find its boundary.`,
      table,
    };
  }
  const pass = boundaryValue(g1) > boundaryValue(a1);
  const diff =
    a1.largestTrained !== null && g1.largestTrained !== null ? octavesText(a1.largestTrained, g1.largestTrained) : '';
  return {
    ...base,
    status: pass ? 'pass' : 'fail',
    summary: `At T_wrm = 1 the largest trainable η_trgt is ${boundaryText(adam.spec, a1)} for Adam and ${boundaryText(gi.spec, g1)} for GI-Adam${diff}.${pass ? '' : ' GI-Adam’s boundary is not to the right.'}`,
    table,
  };
}

/** P12's second part: λ0^{P⁻¹H} of GI-Adam over Adam's, against √(1−β2) (sweeps that measure it). */
function checkP12Lambda0(adam: FindingsSweep, gi: FindingsSweep, ids: string[]): Finding | null {
  const adamL0 = adam.cells.map(precondLambda0).filter((v): v is number => v !== null);
  const giL0 = gi.cells.map(precondLambda0).filter((v): v is number => v !== null);
  if (adamL0.length === 0 && giL0.length === 0 && adam.spec.measure.sharpnessEvery === 0) return null;
  const base = header('P12', 'P12: GI-Adam lowers the initial λ^{P⁻¹H} by √(1−β2)', ids, {
    prediction: P12L_PREDICTION,
    criterion: P12L_CRITERION,
  });
  const wait = waitFor([adam, gi]);
  if (wait) return { ...base, ...wait };
  const ma = median(adamL0);
  const mg = median(giL0);
  const expected = Math.sqrt(1 - gi.spec.optimizer.beta2);
  const range = (v: number[]) => [fmt(v.length ? Math.min(...v) : null), fmt(v.length ? Math.max(...v) : null)];
  const table: FindingTable = {
    columns: ['optimizer', 'runs', 'median λ0^{P⁻¹H}', 'min', 'max'],
    rows: [
      ['Adam', adamL0.length, fmt(ma), ...range(adamL0)],
      ['GI-Adam', giL0.length, fmt(mg), ...range(giL0)],
    ],
  };
  if (ma === null || mg === null || ma <= 0)
    return { ...base, status: 'not-applicable', summary: 'λ^{P⁻¹H} at init was not measured in both sweeps.', table };
  const ratio = mg / ma;
  const pass = ratio >= expected / 3 && ratio <= expected * 3;
  return {
    ...base,
    status: pass ? 'pass' : 'fail',
    summary: `λ0^{P⁻¹H}: Adam ${fmt(ma)}, GI-Adam ${fmt(mg)}; ratio ${fmt(ratio)} against √(1−β2) = ${fmt(expected)} (×${fmt(ratio / expected)}).`,
    table,
  };
}

const P12S_PREDICTION =
  'GI-Adam removes the loss spike of Adam’s first steps at T_wrm = 1 (PAPER P12, §6.2, Fig 6 against Fig 2).';
const P12S_CRITERION = `Full-batch Adam and GI-Adam runs at T_wrm = 1 on the same η: the peak train loss of steps 1…${EARLY_STEPS} over L₀ (full batch, so the loss is deterministic). A peak above (1 + ${SPIKE_DELTA})·L₀ is a spike (PAPER §5’s δ). Pass: at every η where Adam spikes, GI-Adam does not. Not applicable when Adam spikes at no η.`;

function spikeRatio(c: FindingsCell): number | null {
  const e = c.earlyLoss;
  return e === null ? null : e.peak / e.loss0;
}

/** P12's third part: GI-Adam removes Adam's initial loss spike (full-batch runs without warmup). */
function checkP12Spike(adam: FindingsSweep, gi: FindingsSweep, ids: string[]): Finding | null {
  if (adam.spec.batchSize !== 0 || !adam.spec.warmupGrid.includes(1)) return null;
  const base = header('P12', 'P12: GI-Adam removes Adam’s initial loss spike', ids, {
    prediction: P12S_PREDICTION,
    criterion: P12S_CRITERION,
  });
  const wait = waitFor([adam, gi]);
  if (wait) return { ...base, ...wait };
  const pairs = adam.cells
    .filter((a) => a.warmupSteps === 1)
    .map((a) => ({ a, g: gi.cells.find((g) => g.warmupSteps === 1 && g.eta === a.eta && g.seed === a.seed) ?? null }))
    .sort((x, y) => x.a.eta - y.a.eta);
  const spikes = (r: number | null) => r !== null && !(r <= 1 + SPIKE_DELTA);
  const table: FindingTable = {
    columns: ['η', 'Adam: L₀', 'Adam: peak / L₀ (step)', 'GI-Adam: L₀', 'GI-Adam: peak / L₀ (step)'],
    rows: pairs.map(({ a, g }) => [
      formatEta(adam.spec, a.eta),
      fmt(a.earlyLoss?.loss0 ?? null),
      a.earlyLoss ? `${fmt(spikeRatio(a))} (${a.earlyLoss.peakStep})` : '—',
      fmt(g?.earlyLoss?.loss0 ?? null),
      g?.earlyLoss ? `${fmt(spikeRatio(g))} (${g.earlyLoss.peakStep})` : '—',
    ]),
  };
  const measured = pairs.filter(({ a, g }) => a.earlyLoss !== null && g?.earlyLoss != null);
  if (measured.length === 0)
    return { ...base, status: 'not-applicable', summary: 'The runs’ early losses could not be read.', table };
  const adamSpikes = measured.filter(({ a }) => spikes(spikeRatio(a)));
  const describe = ({ a, g }: (typeof pairs)[number]) =>
    `η ${formatEta(adam.spec, a.eta)}: Adam ×${fmt(spikeRatio(a))}, GI-Adam ×${g ? fmt(spikeRatio(g)) : '—'}`;
  if (adamSpikes.length === 0) {
    return {
      ...base,
      status: 'not-applicable',
      summary: `Adam shows no initial spike at any η (${measured.map(describe).join('; ')}), so there is none to remove.`,
      table,
    };
  }
  const kept = adamSpikes.filter(({ g }) => g === null || spikes(spikeRatio(g)));
  const summary =
    kept.length === 0
      ? `Adam’s loss spikes in its first ${EARLY_STEPS} steps at ${adamSpikes.length} η and GI-Adam’s does not: ${adamSpikes.map(describe).join('; ')}.`
      : `GI-Adam spikes too where Adam does: ${kept.map(describe).join('; ')}.`;
  return { ...base, status: kept.length === 0 ? 'pass' : 'fail', summary, table };
}

// ---- P13 --------------------------------------------------------------------------------------------------------

const P13_PREDICTION =
  'Starting warmup at η_init = η_c (forward-pass loss-catapult search) reaches η_trgt sooner: at step 1 when η_trgt ≤ η_c, and after T_reach = T_wrm·(1 − η_c/η_trgt) < T_wrm steps otherwise (PAPER P13, §2.3).';
const P13_CRITERION =
  'Per finished run with η_init = η_c: T_reach = 1 + the step of its first update at η_trgt (its warmup-end event). Pass: T_reach = 1 for every run with η_trgt ≤ η_c, T_reach < T_wrm for every run with η_trgt > η_c. A run that diverged before its rate reached η_trgt has no T_reach: it is listed and counted apart (a trainability cost, compared with η_init = 0), not judged.';

export function checkP13(sweep: FindingsSweep, siblings: readonly FindingsSweep[] = []): Finding | null {
  if (sweep.spec.etaInit.mode !== 'critical') return null;
  const zero = siblings.find((s) => s.spec.etaInit.mode === 'zero' && sameGrid(s.spec, sweep.spec));
  const base = header(
    'P13',
    'P13: warmup from η_c reaches η_trgt sooner',
    zero ? [sweep.sweepId, zero.sweepId] : [sweep.sweepId],
  );
  const wait = waitFor([sweep]);
  if (wait) return { ...base, ...wait };
  const judged = sweep.cells.filter(
    (c) => c.etaC !== null && c.etaTrgt !== null && c.outcome !== 'error' && c.outcome !== 'cancelled',
  );
  const zeroOutcome = (c: FindingsCell) =>
    zero?.cells.find((z) => z.eta === c.eta && z.warmupSteps === c.warmupSteps && z.seed === c.seed)?.outcome ?? null;
  const rows = judged
    .sort((a, b) => a.warmupSteps - b.warmupSteps || a.eta - b.eta)
    .map((c) => {
      const etaC = c.etaC as number;
      const etaTrgt = c.etaTrgt as number;
      const tReach = c.warmupEndEventStep === null ? null : c.warmupEndEventStep + 1;
      const below = etaTrgt <= etaC;
      // Diverged before the schedule reached η_trgt: no T_reach to judge.
      const divergedFirst = tReach === null && c.divergenceStep !== null;
      const ok = tReach !== null && (below ? tReach === 1 : tReach < c.warmupSteps);
      const l0 = lambda0Of(sweep, c);
      return { c, etaC, etaTrgt, tReach, below, ok, divergedFirst, l0 };
    });
  const table: FindingTable = {
    columns: [
      'T_wrm',
      'η_trgt',
      'η_c',
      'η_c·λ0',
      'η_trgt ≤ η_c',
      'T_reach',
      'T_wrm·(1 − η_c/η_trgt)',
      'outcome',
      ...(zero ? ['outcome from η_init = 0'] : []),
    ],
    rows: rows.map((r) => [
      r.c.warmupSteps,
      formatEta(sweep.spec, r.c.eta),
      fmt(r.etaC),
      r.l0 === null ? '—' : fmt(r.etaC * r.l0),
      r.below ? 'yes' : 'no',
      r.divergedFirst ? `diverged at step ${r.c.divergenceStep ?? '?'}` : r.tReach,
      fmt(Math.max(1, r.c.warmupSteps * (1 - Math.min(1, r.etaC / r.etaTrgt)))),
      r.c.outcome ?? '—',
      ...(zero ? [zeroOutcome(r.c) ?? '—'] : []),
    ]),
  };
  if (rows.length === 0) return { ...base, status: 'not-applicable', summary: 'No run recorded an η_c search.', table };
  const judgedRows = rows.filter((r) => !r.divergedFirst);
  const early = rows.filter((r) => r.divergedFirst);
  const bad = judgedRows.filter((r) => !r.ok);
  const nBelow = judgedRows.filter((r) => r.below).length;
  const etaCs = rows.map((r) => r.etaC * (r.l0 ?? NaN)).filter(Number.isFinite);
  const etaCText = etaCs.length ? ` η_c·λ0 ranges ${fmt(Math.min(...etaCs))}–${fmt(Math.max(...etaCs))}.` : '';
  let cmp = '';
  if (zero) {
    const trainedC = rows.filter((r) => r.c.outcome === 'trained').length;
    const trainedZ = rows.filter((r) => zeroOutcome(r.c) === 'trained').length;
    cmp = ` Trained: ${trainedC} of ${rows.length} from η_c, ${trainedZ} from 0.`;
  }
  const earlyText =
    early.length === 0
      ? ''
      : ` ${early.length} diverged before reaching η_trgt (${early
          .slice(0, 4)
          .map(
            (r) =>
              `T_wrm ${r.c.warmupSteps}, η_trgt ${formatEta(sweep.spec, r.c.eta)}, step ${r.c.divergenceStep ?? '?'}${zero ? `; from η_init = 0: ${zeroOutcome(r.c) ?? '—'}` : ''}`,
          )
          .join('; ')}).`;
  if (judgedRows.length === 0)
    return {
      ...base,
      status: 'not-applicable',
      summary: `Every run diverged before reaching η_trgt.${earlyText}`,
      table,
    };
  const summary =
    bad.length === 0
      ? `${nBelow} runs with η_trgt ≤ η_c reached it at step 1; ${judgedRows.length - nBelow} with η_trgt > η_c reached it in fewer than T_wrm steps.${earlyText}${etaCText}${cmp}`
      : `${bad.length} of ${judgedRows.length} runs did not: ${bad
          .slice(0, 4)
          .map(
            (r) => `T_wrm ${r.c.warmupSteps}, η_trgt ${formatEta(sweep.spec, r.c.eta)}: T_reach ${r.tReach ?? 'never'}`,
          )
          .join('; ')}.${earlyText}${etaCText}${cmp}`;
  return { ...base, status: bad.length === 0 ? 'pass' : 'fail', summary, table };
}

// ---- Fig 7 ------------------------------------------------------------------------------------------------------

const FIG7_PREDICTION =
  'Persistent catapult warmup (PAPER §6.2, Algorithm 3) trains larger η_trgt than linear warmup (PAPER Fig 7).';
const FIG7_CRITERION =
  'Largest trainable η_trgt of the persistent-catapult sweep against each linear-warmup row of a sibling sweep on the same η grid. Pass: larger than the T_wrm = 1 row’s and at least the largest of the warmup rows’.';

export function checkFig7(sweep: FindingsSweep, siblings: readonly FindingsSweep[]): Finding | null {
  if (sweep.spec.etaInit.mode !== 'persistent') return null;
  const linear = siblings.find(
    (s) => s.spec.etaInit.mode === 'zero' && JSON.stringify(s.spec.etaGrid) === JSON.stringify(sweep.spec.etaGrid),
  );
  const base = header(
    'Fig7',
    'Fig 7: persistent catapult warmup vs linear warmup',
    linear ? [sweep.sweepId, linear.sweepId] : [sweep.sweepId],
  );
  if (linear === undefined)
    return {
      ...base,
      status: 'not-applicable',
      summary: 'No linear-warmup sweep on the same η grid to compare with.',
      table: null,
    };
  const wait = waitFor([sweep, linear]);
  if (wait) return { ...base, ...wait };
  const p = rowBoundaries(sweep.cells.map((c) => ({ ...c, warmupSteps: 0 })))[0];
  const rows = rowBoundaries(linear.cells);
  if (p === undefined) return null;
  const reached = sweep.cells
    .filter((c) => c.outcome === 'trained')
    .map((c) => c.persistentReachedStep)
    .filter((s): s is number => s !== null);
  const table: FindingTable = {
    columns: ['warmup', 'largest trainable η_trgt', 'first untrainable η_trgt'],
    rows: [
      [
        `persistent catapult (median step at η_trgt: ${fmt(median(reached))})`,
        boundaryText(sweep.spec, p),
        p.firstUntrainable ? `${formatEta(sweep.spec, p.firstUntrainable.eta)} (${p.firstUntrainable.outcome})` : '—',
      ],
      ...rows.map((r) => [
        `linear, T_wrm = ${r.warmupSteps}`,
        boundaryText(linear.spec, r),
        r.firstUntrainable ? `${formatEta(linear.spec, r.firstUntrainable.eta)} (${r.firstUntrainable.outcome})` : '—',
      ]),
    ],
  };
  const constant = rows.find((r) => r.warmupSteps === 1);
  const warm = rows.filter((r) => r.warmupSteps > 1);
  const bestWarm = warm.length ? Math.max(...warm.map(boundaryValue)) : -Infinity;
  const beatsConstant = constant === undefined || boundaryValue(p) > boundaryValue(constant);
  const pass = beatsConstant && boundaryValue(p) >= bestWarm;
  const summary = `Largest trainable η_trgt: persistent ${boundaryText(sweep.spec, p)}; linear ${rows.map((r) => `T_wrm ${r.warmupSteps}: ${boundaryText(linear.spec, r)}`).join(', ')}.`;
  return { ...base, status: pass ? 'pass' : 'fail', summary, table };
}

// ---- all checks ---------------------------------------------------------------------------------------------------

/** Each claim's prediction and criterion, for a claim a preset promises that its data cannot decide. */
const CLAIM_TEXT: Record<ClaimId, { prediction: string; criterion: string }> = {
  P1: { prediction: P1_PREDICTION, criterion: P1_CRITERION },
  P6: { prediction: P6_PREDICTION, criterion: P6_CRITERION },
  P7: { prediction: P7_PREDICTION, criterion: P7_CRITERION },
  P12: { prediction: P12B_PREDICTION, criterion: P12B_CRITERION },
  P13: { prediction: P13_PREDICTION, criterion: P13_CRITERION },
  Fig7: { prediction: FIG7_PREDICTION, criterion: FIG7_CRITERION },
};

/**
 * Every check that applies to a study's sweeps (or one sweep alone), in claim order. Claims a preset promises but the
 * data cannot decide appear as `not-applicable` (pass `claims`), so a study always shows what it was for.
 */
export function computeFindings(sweeps: readonly FindingsSweep[], claims: readonly ClaimId[] = []): Finding[] {
  const out: Finding[] = [];
  for (const s of sweeps) {
    const others = sweeps.filter((o) => o !== s);
    for (const f of [checkP1(s), checkP6(s), checkP7(s), checkP13(s, others), checkFig7(s, others)])
      if (f !== null) out.push(f);
  }
  out.push(...checkP12(sweeps));
  for (const claim of claims) {
    if (!out.some((f) => f.claim === claim)) {
      out.push({
        ...header(
          claim,
          `${claim}: no data to decide it`,
          sweeps.map((s) => s.sweepId),
        ),
        status: 'not-applicable',
        summary: 'None of the study’s sweeps has the cells this check needs.',
        table: null,
      });
    }
  }
  const order = (c: ClaimId) => CLAIM_IDS.indexOf(c);
  return out.sort((a, b) => order(a.claim) - order(b.claim));
}

/** The findings that used a given sweep. */
export function findingsOfSweep(findings: readonly Finding[], sweepId: string): Finding[] {
  return findings.filter((f) => f.sweepIds.includes(sweepId));
}
