/**
 * Min/max-bucket downsampling of a step series (USERS.md: spikes must not "appear and vanish"). The first and
 * last points and any requested steps (warmup end, catapults, the divergence step) are always kept; the rest of
 * the budget goes to equal-width index buckets, each keeping its minimum and maximum. A non-finite value (NaN,
 * ±Inf: a diverged step) counts as the bucket's extreme, so it is never dropped in favour of a finite one.
 */

export interface Series {
  steps: number[];
  values: number[];
}

export interface DownsampleOptions {
  /** Upper bound on the returned points (≥ 2). */
  maxPoints: number;
  /** Steps that must survive when present in the series (warmup end, catapult steps, divergence step). */
  keepSteps?: readonly number[];
}

/** Downsample `series` (steps ascending) to at most `maxPoints` points with min/max buckets; see the module doc. */
export function downsampleSeries(series: Series, opts: DownsampleOptions): Series {
  const { steps, values } = series;
  const n = Math.min(steps.length, values.length);
  const maxPoints = Math.max(2, Math.floor(opts.maxPoints));
  if (n <= maxPoints) return { steps: steps.slice(0, n), values: values.slice(0, n) };

  const keep = new Set<number>([0, n - 1]);
  const wanted = [...new Set(opts.keepSteps ?? [])].sort((a, b) => a - b);
  // Half the budget at most for forced points, spread evenly if there are more of them than that.
  const forced = wanted.map((s) => indexOfStep(steps, n, s)).filter((i): i is number => i !== null);
  const forcedBudget = Math.max(0, Math.floor(maxPoints / 2) - 2);
  const stride = forced.length > forcedBudget ? forced.length / Math.max(1, forcedBudget) : 1;
  for (let k = 0; k < forced.length && keep.size < forcedBudget + 2; k += stride) {
    const i = forced[Math.floor(k)];
    if (i !== undefined) keep.add(i);
  }

  const buckets = Math.floor((maxPoints - keep.size) / 2);
  if (buckets > 0) {
    // Buckets cover the interior (1 … n−2); the endpoints are already kept.
    const lo = 1;
    const span = n - 2;
    for (let b = 0; b < buckets; b++) {
      const start = lo + Math.floor((b * span) / buckets);
      const end = lo + Math.floor(((b + 1) * span) / buckets);
      if (end <= start) continue;
      const [iMin, iMax] = extremes(values, start, end);
      keep.add(iMin);
      keep.add(iMax);
    }
  }
  const idx = [...keep].sort((a, b) => a - b);
  // Forced points may have coincided with bucket picks, so the set can only be smaller than the budget, never larger.
  return {
    steps: idx.map((i) => steps[i] ?? NaN),
    values: idx.map((i) => values[i] ?? NaN),
  };
}

function indexOfStep(steps: readonly number[], n: number, s: number): number | null {
  let lo = 0;
  let hi = n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = steps[mid] ?? NaN;
    if (v === s) return mid;
    if (v < s) lo = mid + 1;
    else hi = mid - 1;
  }
  return null;
}

/** Indices of the minimum and maximum in values[start, end); a non-finite value wins the maximum. */
function extremes(values: readonly number[], start: number, end: number): [number, number] {
  let iMin = start;
  let iMax = start;
  let vMin = Infinity;
  let vMax = -Infinity;
  let nonFinite = -1;
  for (let i = start; i < end; i++) {
    const v = values[i] ?? NaN;
    if (!Number.isFinite(v)) {
      if (nonFinite < 0) nonFinite = i;
      continue;
    }
    if (v < vMin) {
      vMin = v;
      iMin = i;
    }
    if (v > vMax) {
      vMax = v;
      iMax = i;
    }
  }
  if (nonFinite >= 0) {
    iMax = nonFinite;
    if (vMin === Infinity) iMin = nonFinite;
  }
  return [iMin, iMax];
}
