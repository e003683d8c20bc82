import { etaGridSize, type SweepSpec } from '../../server/core/sweep-spec';

/**
 * A rough compute estimate for the Launch page: FLOPs per training step of the model (forward + backward ≈ 3×
 * forward), plus sharpness measurements (≈ 20 Lanczos iterations × 2 gradient evaluations each, i.e. ≈ 40 steps,
 * every k steps), at a sustained rate per core measured on this kind of machine (FACTS.md: TF.js wasm dense
 * training with explicit-transpose gradients ≈ 30 GFLOP/s; native OpenBLAS faster). It is an order-of-magnitude
 * guide, labelled as such on the page.
 */

export const ASSUMED_GFLOPS_PER_CORE = 30;
const LANCZOS_STEP_EQUIVALENTS = 40;

function inputShape(spec: SweepSpec): { dim: number; side: number; channels: number; classes: number } {
  switch (spec.data.name) {
    case 'cifar10':
      return { dim: 3072, side: 32, channels: 3, classes: 10 };
    case 'synthetic-teacher':
    case 'synthetic-gmm':
      return { dim: spec.data.synthetic.inputDim, side: 0, channels: 0, classes: spec.data.synthetic.classes };
    default:
      return { dim: 784, side: 28, channels: 1, classes: 10 };
  }
}

/** Multiply-adds of one forward pass for one example. */
export function forwardMacs(spec: SweepSpec): number {
  const { dim, side, channels, classes } = inputShape(spec);
  const m = spec.model;
  if (m.kind === 'fcn') {
    if (m.depth === 1) return dim * classes;
    return dim * m.width + (m.depth - 2) * m.width * m.width + m.width * classes;
  }
  // Myrtle CNN: `depth` 3×3 convs over three stages (w at full size, 2w at 1/2, 4w at 1/4), split evenly.
  const s = Math.max(side, 8);
  const perStage = Math.max(1, Math.round(m.depth / 3));
  let macs = 0;
  let cin = Math.max(1, channels);
  [1, 2, 4].forEach((mult, stage) => {
    const hw = (s / 2 ** stage) ** 2;
    const cout = m.width * mult;
    for (let i = 0; i < perStage; i++) {
      macs += hw * 9 * cin * cout;
      cin = cout;
    }
  });
  return macs + cin * classes;
}

export interface ComputeEstimate {
  cells: number;
  totalSteps: number;
  /** GFLOP in all (training and sharpness measurements). */
  gflop: number;
  /** Wall time in seconds with `cores` workers at ASSUMED_GFLOPS_PER_CORE each. */
  seconds: number;
}

/** Cells, steps and an order-of-magnitude time for a sweep on `cores` CPU cores. */
export function estimateCompute(spec: SweepSpec, cores = 2): ComputeEstimate {
  const cells = etaGridSize(spec.etaGrid) * spec.warmupGrid.length * spec.seeds.length;
  const batch = spec.batchSize === 0 ? (spec.data.trainSubset ?? 60_000) : spec.batchSize;
  const stepFlop = 2 * 3 * forwardMacs(spec) * batch;
  const k = spec.measure.sharpnessEvery;
  const measureFactor = 1 + (k > 0 ? LANCZOS_STEP_EQUIVALENTS / k : 0);
  const totalSteps = cells * spec.steps;
  const gflop = (totalSteps * stepFlop * measureFactor) / 1e9;
  return { cells, totalSteps, gflop, seconds: gflop / (ASSUMED_GFLOPS_PER_CORE * Math.max(1, cores)) };
}

/** "45 s", "12 min", "3.2 h", "2.1 days". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}
