/**
 * Log-spaced step selection for the progress history (heatmap-over-time): every step below `2·perOctave`, then
 * about `perOctave` steps per doubling, so 10^5 steps keep ~150 points and early catapults stay visible.
 */

/** True when `step` belongs to the log-spaced set: step < 2·perOctave, or step = round(2^(k/perOctave)) for some k. */
export function isLogSpacedStep(step: number, perOctave = 8): boolean {
  if (!Number.isInteger(step) || step < 0) return false;
  if (step < 2 * perOctave) return true;
  const k = Math.round(perOctave * Math.log2(step));
  for (const kk of [k - 1, k, k + 1]) if (Math.round(2 ** (kk / perOctave)) === step) return true;
  return false;
}

/** The log-spaced steps in [0, maxStep], ascending. */
export function logSpacedSteps(maxStep: number, perOctave = 8): number[] {
  const out: number[] = [];
  for (let s = 0; s <= Math.min(maxStep, 2 * perOctave - 1); s++) out.push(s);
  for (let k = Math.ceil(perOctave * Math.log2(2 * perOctave)); ; k++) {
    const s = Math.round(2 ** (k / perOctave));
    if (s > maxStep) break;
    if (s > (out[out.length - 1] ?? -1)) out.push(s);
  }
  return out;
}
