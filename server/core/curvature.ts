import {
  type CatapultEvent,
  type CriticalLrSearch,
  type LambdaLandmark,
  type LambdaTrack,
  type Regime,
  type RegimeLabel,
} from './curvature-summary';
import type { MetricRow } from './metrics';
import type { OptimizerKind, OptimizerSpec } from './run-config';
import { warmupSavings } from './schedule';

/**
 * Pure curvature rules shared by the worker and the dashboard (PAPER §4.4, §5, §6): stability thresholds and ratios,
 * catapult-event detection, warmup-regime labels with the evidence behind them, and λ landmarks. The stored record
 * of a run's curvature measurements (λ0, the η_c search, persistent-catapult re-searches, events, regime) is in
 * curvature-summary.ts.
 */

// ---------------------------------------------------------------------------------------------------------------
// Thresholds (PAPER §4.4)

/** True for the Adam family, whose stability is set by λ^{P⁻¹H} (PAPER P8). */
export function isAdamKind(kind: OptimizerKind): boolean {
  return kind === 'adam' || kind === 'gi-adam' || kind === 'ri-adam';
}

/** Which eigenvalue decides stability for this optimizer: λ^H (SGD, SGD-M) or λ^{P⁻¹H} (Adam family). */
export function stabilityQuantity(kind: OptimizerKind): 'sharpness' | 'precondSharpness' {
  return isAdamKind(kind) ? 'precondSharpness' : 'sharpness';
}

/**
 * The constant c of the stability edge η·λ = c (PAPER §4.4): 2 for SGD; 2+2β for SGD-M late in training (2 near
 * init); (2+2β1)/(1−β1) (= 38 for β1 = 0.9) for Adam's λ^{P⁻¹H} late, and 2/(1−β1) (= 20) near init. PAPER §4.4
 * suggests 2/η near init because m₀ = 0, but with P_t = (1−β1^t)(√v̂_t+ε) the first update is
 * η·m̂₁/(√v̂₁+ε) = η(1−β1)·P₁⁻¹g, a preconditioned GD step that overshoots iff η(1−β1)·λ^{P⁻¹H} > 2.
 */
export function stabilityConstant(
  opt: Pick<OptimizerSpec, 'kind' | 'momentum' | 'beta1'>,
  phase: 'init' | 'late' = 'late',
): number {
  if (opt.kind === 'sgd') return 2;
  if (opt.kind === 'sgd-momentum') return phase === 'init' ? 2 : 2 + 2 * opt.momentum;
  return (phase === 'init' ? 2 : 2 + 2 * opt.beta1) / (1 - opt.beta1);
}

/**
 * The stability constant for the update about to be taken when the optimizer has already taken `updatesTaken`
 * updates (Optimizer.t), i.e. what r = η·λ/c should divide by at that step.
 *
 * SGD-M (heavy ball, m_t = g_t + β·m_{t−1}, θ −= η·m_t; PAPER §4.4: 2/η near init, (2+2β)/η later):
 *   c_t = 2 + 2β·(1 − β^t).
 * Both ends are exact: at t = 0 the buffer is empty, the update is a plain GD step and along an eigendirection of
 * curvature λ it multiplies the displacement by 1 − ηλ, which overshoots iff ηλ > 2; for t → ∞ the 2×2 heavy-ball
 * recurrence [[1+β−ηλ, −β], [1, 0]] has an eigenvalue −1 exactly at ηλ = 2+2β. In between, the rule scales the
 * momentum feedback 2β by how full the buffer is: after t updates it holds Σ_{k=1..t} β^k of the asymptotic weight
 * Σ_{k≥1} β^k of past gradients, the fraction 1 − β^t (time constant 1/(1−β) = 10 steps for β = 0.9; within 1% of
 * 2+2β after 44 updates). This interpolation is a modelling choice, not a theorem: it is monotone, continuous and
 * exact at both ends, unlike a hard switch whose step would be arbitrary.
 * SGD: 2 always. Adam family, by the same argument on its EMA momentum m_t = β1·m_{t−1} + (1−β1)·g_t measured
 * against P_t = (1−β1^t)(√v̂_t+ε): c_t = (2 + 2β1·(1 − β1^t))/(1−β1), exact at t = 0 (2/(1−β1) = 20: the first update
 * is η(1−β1)·P⁻¹g) and for t → ∞ ((2+2β1)/(1−β1) = 38), interpolated in between as for SGD-M.
 */
export function stabilityConstantAt(
  opt: Pick<OptimizerSpec, 'kind' | 'momentum' | 'beta1'>,
  updatesTaken: number,
): number {
  if (!(Number.isInteger(updatesTaken) && updatesTaken >= 0))
    throw new Error(`stabilityConstantAt: updatesTaken must be an integer >= 0, got ${updatesTaken}`);
  if (opt.kind === 'sgd') return 2;
  if (opt.kind === 'sgd-momentum') return 2 + 2 * opt.momentum * (1 - opt.momentum ** updatesTaken);
  return (2 + 2 * opt.beta1 * (1 - opt.beta1 ** updatesTaken)) / (1 - opt.beta1);
}

/** The reference line for raw λ^H: 2 for SGD, 2+2β for SGD-M, 2+2β1 for Adam (PAPER P8, Fig 2). */
export function rawSharpnessConstant(opt: Pick<OptimizerSpec, 'kind' | 'momentum' | 'beta1'>): number {
  if (opt.kind === 'sgd') return 2;
  return 2 + 2 * (opt.kind === 'sgd-momentum' ? opt.momentum : opt.beta1);
}

/** The threshold curve value c/η at learning rate η (e.g. 2/η, 38/η). */
export function thresholdAt(lr: number, constant: number): number {
  return constant / lr;
}

/** Stability ratio r = η·λ/c; r > 1 is past the stability edge (PAPER §5 [I]). */
export function stabilityRatio(lr: number, lambda: number, constant: number): number {
  return (lr * lambda) / constant;
}

// ---------------------------------------------------------------------------------------------------------------
// Catapult events and regimes (PAPER §5 [I] rules)

/** One step as the detectors see it: λ and r only on measured steps. */
export interface CurvaturePoint {
  step: number;
  lr: number;
  loss: number;
  lambda?: number;
  ratio?: number;
}

/** The points of a run's rows, with λ = λ^H (SGD) or λ^{P⁻¹H} (Adam) as `stabilityQuantity` says. */
export function curvaturePointsFromRows(rows: readonly MetricRow[], kind: OptimizerKind): CurvaturePoint[] {
  const q = stabilityQuantity(kind);
  return rows.map((r) => {
    const p: CurvaturePoint = { step: r.step, lr: r.lr, loss: r.loss };
    const lambda = r[q];
    if (lambda !== undefined) p.lambda = lambda;
    if (r.stabilityRatio !== undefined) p.ratio = r.stabilityRatio;
    return p;
  });
}

export interface CatapultOptions {
  /** Loss rise threshold: loss_t > (1+δ)·loss_{t−1} (default 0.1, PAPER §5). */
  delta?: number;
  /** Steps after the peak in which λ must drop (default 20). */
  window?: number;
  /** Relative λ drop that confirms a catapult (default 0.1). */
  minLambdaDrop?: number;
}

/**
 * Catapult events (PAPER §5 [I]): a step t with loss_t > (1+δ)·loss_{t−1} while r > 1, followed by a drop in λ.
 * The loss at t is of θ_t, which update t−1 produced, so r is taken as the largest measured over steps t−1 and t
 * (or the last measured before t when sharpness is sampled every k steps). A rise that continues over several
 * steps is one event. Returns every candidate, with `confirmed` telling whether λ dropped.
 */
export function detectCatapults(points: readonly CurvaturePoint[], opts: CatapultOptions = {}): CatapultEvent[] {
  const delta = opts.delta ?? 0.1;
  const window = opts.window ?? 20;
  const minDrop = opts.minLambdaDrop ?? 0.1;
  const events: CatapultEvent[] = [];
  let lastRatio: number | undefined;
  for (let i = 1; i < points.length; i++) {
    const prev = points[i - 1];
    const cur = points[i];
    if (prev === undefined || cur === undefined) continue;
    if (prev.ratio !== undefined) lastRatio = prev.ratio;
    const rs = [prev.ratio, cur.ratio].filter((r): r is number => r !== undefined && Number.isFinite(r));
    const r = rs.length > 0 ? Math.max(...rs) : lastRatio;
    if (cur.ratio !== undefined) lastRatio = cur.ratio;
    if (!(Number.isFinite(cur.loss) && Number.isFinite(prev.loss))) continue;
    if (!(cur.loss > (1 + delta) * prev.loss) || r === undefined || !(r > 1)) continue;
    // Follow the rise to its peak.
    let peak = i;
    while (peak + 1 < points.length) {
      const nx = points[peak + 1];
      const pk = points[peak];
      if (nx === undefined || pk === undefined || !(Number.isFinite(nx.loss) && nx.loss > pk.loss)) break;
      peak++;
    }
    const peakPoint = points[peak] ?? cur;
    let before: number | null = null;
    for (let j = i - 1; j <= peak; j++) {
      const l = points[j]?.lambda;
      if (l !== undefined && Number.isFinite(l)) before = before === null ? l : Math.max(before, l);
    }
    let after: number | null = null;
    for (let j = peak + 1; j < points.length; j++) {
      const p = points[j];
      if (p === undefined || p.step > peakPoint.step + window) break;
      if (p.lambda !== undefined && Number.isFinite(p.lambda))
        after = after === null ? p.lambda : Math.min(after, p.lambda);
    }
    const drop = before !== null && after !== null && before > 0 ? 1 - after / before : null;
    events.push({
      step: cur.step,
      peakStep: peakPoint.step,
      lossBefore: prev.loss,
      lossPeak: peakPoint.loss,
      ratio: r,
      lambdaBefore: before,
      lambdaAfter: after,
      lambdaDrop: drop,
      confirmed: drop !== null && drop >= minDrop,
    });
    i = peak;
  }
  return events;
}

export interface RegimeOptions extends CatapultOptions {
  /** Last step of warmup (inclusive); null when there is no warmup (T_wrm = 1). */
  warmupEndStep: number | null;
  /** |fitted ln λ change| above which the trend counts as rising/falling (default 0.1, i.e. ≈ 10%). */
  logChangeThreshold?: number;
  /** Band of r counted as "on the edge" (default [0.8, 1.2], PAPER §5). */
  band?: readonly [number, number];
  /** Steps at the start left out of the fit (e.g. the WRN first-step spike, PAPER §5); default 0. */
  skipSteps?: number;
  /** Events already detected with the same options (detected here when absent). */
  events?: readonly CatapultEvent[];
}

/**
 * The least-squares slope of ln λ per step over `fit` (points with λ > 0) and the fitted change of ln λ across it;
 * nulls with fewer than 3 points or a single step.
 */
function logLambdaTrend(fit: readonly CurvaturePoint[]): { slope: number | null; logChange: number | null } {
  if (fit.length < 3) return { slope: null, logChange: null };
  const xs = fit.map((p) => p.step);
  const ys = fit.map((p) => Math.log(p.lambda ?? NaN));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * ((ys[i] ?? NaN) - my);
    sxx += (x - mx) * (x - mx);
  });
  if (!(sxx > 0)) return { slope: null, logChange: null };
  const slope = sxy / sxx;
  return { slope, logChange: slope * ((xs[xs.length - 1] ?? 0) - (xs[0] ?? 0)) };
}

/**
 * The warmup regime of a run (PAPER §5 [I]): the slope of ln λ over the steps with r < 1 before the first catapult
 * and before r first reaches 1 gives C1 (rising), C2 (falling) or C3 (flat); a persistent cycle is more than half of
 * the post-crossing warmup steps with r in (0.8, 1.2). The evidence is returned so a reader can check the label.
 */
export function classifyRegime(points: readonly CurvaturePoint[], opts: RegimeOptions): RegimeLabel {
  const threshold = opts.logChangeThreshold ?? 0.1;
  const band: [number, number] = [opts.band?.[0] ?? 0.8, opts.band?.[1] ?? 1.2];
  const skip = opts.skipSteps ?? 0;
  const events = opts.events ?? detectCatapults(points, opts);
  const confirmed = events.filter((e) => e.confirmed);
  const firstCatapult = confirmed[0]?.step ?? null;
  const firstCrossing = points.find((p) => p.ratio !== undefined && p.ratio >= 1)?.step ?? null;

  // The natural trend is read where the LR has not yet interfered: before the first catapult and before r first
  // reaches 1 (PAPER §5: "any stretch where η_t·λ_t < 2, i.e. before the threshold is reached").
  const fitEnd = Math.min(firstCatapult ?? Infinity, firstCrossing ?? Infinity);
  const fit = points.filter(
    (p) =>
      p.step >= skip &&
      p.step < fitEnd &&
      p.lambda !== undefined &&
      p.lambda > 0 &&
      Number.isFinite(p.lambda) &&
      (p.ratio === undefined || p.ratio < 1),
  );
  const { slope, logChange } = logLambdaTrend(fit);
  let regime: Regime = 'unknown';
  if (logChange !== null) regime = logChange > threshold ? 'C1' : logChange < -threshold ? 'C2' : 'C3';

  let post = 0;
  let near = 0;
  if (firstCrossing !== null && opts.warmupEndStep !== null) {
    for (const p of points) {
      if (p.step < firstCrossing || p.step > opts.warmupEndStep || p.ratio === undefined || !Number.isFinite(p.ratio))
        continue;
      post++;
      if (p.ratio > band[0] && p.ratio < band[1]) near++;
    }
  }
  const fraction = post > 0 ? near / post : null;
  return {
    regime,
    persistentCycle: fraction === null ? null : fraction > 0.5,
    evidence: {
      slope,
      logChange,
      logChangeThreshold: threshold,
      fitPoints: fit.length,
      fitFromStep: fit[0]?.step ?? null,
      fitToStep: fit[fit.length - 1]?.step ?? null,
      firstCatapultStep: firstCatapult,
      firstCrossingStep: firstCrossing,
      catapultCount: confirmed.length,
      postCrossingPoints: post,
      nearThresholdPoints: near,
      nearThresholdFraction: fraction,
      band,
    },
  };
}

/** The landmarks of one measured series (in step order); null when it has no finite value. */
export function lambdaTrack(series: readonly LambdaLandmark[], warmupEndStep: number | null): LambdaTrack | null {
  const finite = series.filter((p) => Number.isFinite(p.value));
  const first = finite[0];
  const last = finite[finite.length - 1];
  if (first === undefined || last === undefined) return null;
  let min = first;
  let max = first;
  let warmupEnd: LambdaLandmark | null = null;
  for (const p of finite) {
    if (p.value < min.value) min = p;
    if (p.value > max.value) max = p;
    if (warmupEndStep !== null && p.step <= warmupEndStep) warmupEnd = p;
  }
  return { first, warmupEnd, last, min, max };
}

/** T_reach and T_save (PAPER §2.3) of warmup started at the searched η_c; reuses schedule.ts's warmupSavings. */
export function criticalSavings(
  search: Pick<CriticalLrSearch, 'etaC' | 'forwardPasses'>,
  etaTrgt: number,
  warmupSteps: number,
): { tReach: number; tSave: number } {
  return warmupSavings({ etaC: search.etaC, etaTrgt, warmupSteps, forwardPasses: search.forwardPasses });
}
