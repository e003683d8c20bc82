import { type SweepSpecInput } from '../core/sweep-spec';

/**
 * Sweep presets offered on the Launch page (and the demo that `npm start` launches into an empty store). Each is a
 * SweepSpec input; tests check that every one parses and how many cells it has.
 */
export interface Preset {
  id: string;
  title: string;
  description: string;
  spec: SweepSpecInput;
}

export const DEMO_PRESET_ID = 'demo';

/** The Adam failure-boundary sweep; the GI-Adam preset is the same sweep with only the optimizer changed (P12). */
const ADAM_FAILURE_SPEC: SweepSpecInput = {
  title: 'Adam SP xent failure boundary',
  author: 'atlas',
  model: { kind: 'fcn', depth: 4, width: 512 },
  parameterization: 'sp',
  loss: 'xent',
  data: { name: 'fashion-mnist', trainSubset: 5000 },
  optimizer: { kind: 'adam' },
  batchSize: 128,
  steps: 5000,
  after: 'cosine',
  etaGrid: { kind: 'pow2', unit: 'absolute', base: 1e-5, fromExp: 4, toExp: 14, stepExp: 1 },
  warmupGrid: [1, 64, 1024],
  seeds: [1],
  measure: { evalEvery: 500, sharpnessEvery: 50 },
};

export const PRESETS: readonly Preset[] = [
  {
    id: DEMO_PRESET_ID,
    title: 'Demo: FCN on Fashion-MNIST, SGD, MSE (minutes on 2 cores)',
    description:
      'FCN-3-128 in SP on 2,048 Fashion-MNIST images, SGD batch 128, 400 steps; η = 2^x/λ0 for x = 0…5 against T_wrm ∈ {1, 16, 64, 256}. λ^H every 25 steps, test metrics every 100. 24 cells.',
    spec: {
      title: 'Demo: FCN-3-128 SGD on Fashion-MNIST',
      author: 'demo',
      model: { kind: 'fcn', depth: 3, width: 128 },
      parameterization: 'sp',
      loss: 'mse',
      data: { name: 'fashion-mnist', trainSubset: 2048, testSubset: 1000 },
      optimizer: { kind: 'sgd' },
      batchSize: 128,
      steps: 400,
      etaGrid: { kind: 'pow2', unit: 'inv-lambda0', base: 1, fromExp: 0, toExp: 5, stepExp: 1 },
      warmupGrid: [1, 16, 64, 256],
      seeds: [1],
      measure: { evalEvery: 100, sharpnessEvery: 25, lambda0: true, lambda0Batches: 4 },
    },
  },
  {
    id: 'sgd-sp-mse',
    title: 'SGD phase diagram, SP + MSE (Fig 3a analogue)',
    description:
      'FCN-4-512 in SP on 5,000 Fashion-MNIST images, SGD batch 128, 10^4 steps; η = 2^x/λ0 for x = 0…7 against T_wrm ∈ {1, 64, 256, 1024}. Expect the divergence boundary to move right as T_wrm grows (PAPER P1).',
    spec: {
      title: 'SGD SP MSE phase diagram',
      author: 'atlas',
      model: { kind: 'fcn', depth: 4, width: 512 },
      parameterization: 'sp',
      loss: 'mse',
      data: { name: 'fashion-mnist', trainSubset: 5000 },
      optimizer: { kind: 'sgd' },
      batchSize: 128,
      steps: 10_000,
      etaGrid: { kind: 'pow2', unit: 'inv-lambda0', base: 1, fromExp: 0, toExp: 7, stepExp: 1 },
      warmupGrid: [1, 64, 256, 1024],
      seeds: [1],
      measure: { evalEvery: 500, sharpnessEvery: 0, lambda0: true, lambda0Batches: 10 },
    },
  },
  {
    id: 'mup-xent',
    title: 'Flat init: μP + cross-entropy (Fig 3b analogue)',
    description:
      'FCN-4-512 in μP, softmax cross-entropy, SGD; η = 2^x/λ0 for x = 0…7. PAPER P3(ii): the best accuracy is already reached without warmup; warmup widens the band of good η.',
    spec: {
      title: 'SGD μP xent phase diagram',
      author: 'atlas',
      model: { kind: 'fcn', depth: 4, width: 512 },
      parameterization: 'mup',
      loss: 'xent',
      data: { name: 'fashion-mnist', trainSubset: 5000, mupInputScaling: true },
      optimizer: { kind: 'sgd' },
      batchSize: 128,
      steps: 10_000,
      etaGrid: { kind: 'pow2', unit: 'inv-lambda0', base: 1, fromExp: 0, toExp: 7, stepExp: 1 },
      warmupGrid: [1, 64, 256, 1024],
      seeds: [1],
      measure: { evalEvery: 500, sharpnessEvery: 0, lambda0: true, lambda0Batches: 10 },
    },
  },
  {
    id: 'adam-failure',
    title: 'Adam failure boundary, SP + xent (Fig 4 / P9 analogue)',
    description:
      'FCN-4-512 in SP with Adam and cosine decay; η = 2^x·1e-5 for x = 4…14 against T_wrm ∈ {1, 64, 1024}. Adam fails (loss stuck near its initial value) rather than diverging; λ^{P⁻¹H} every 50 steps against 38/η.',
    spec: ADAM_FAILURE_SPEC,
  },
  {
    id: 'gi-adam',
    title: 'GI-Adam (v₀ = g₀²), same grid as the Adam preset (P12)',
    description: 'As the Adam preset with GI-Adam: the failure boundary should move to larger η_trgt.',
    spec: { ...ADAM_FAILURE_SPEC, title: 'GI-Adam SP xent failure boundary', optimizer: { kind: 'gi-adam' } },
  },
  {
    id: 'eta-c-init',
    title: 'Warmup from η_c (T_save heatmap, Fig 5 analogue)',
    description: 'SGD SP MSE with η_init = η_c from the forward-pass catapult search (PAPER §6.1); colour by T_save.',
    spec: {
      title: 'Warmup from η_c',
      author: 'atlas',
      model: { kind: 'fcn', depth: 4, width: 512 },
      parameterization: 'sp',
      loss: 'mse',
      data: { name: 'fashion-mnist', trainSubset: 5000 },
      optimizer: { kind: 'sgd' },
      batchSize: 128,
      steps: 5000,
      etaGrid: { kind: 'pow2', unit: 'inv-lambda0', base: 1, fromExp: 0, toExp: 6, stepExp: 1 },
      warmupGrid: [64, 256, 1024],
      etaInit: { mode: 'critical', eta0: 1e-4, delta: 0.1 },
      seeds: [1],
      measure: { evalEvery: 500, sharpnessEvery: 0, lambda0: true, lambda0Batches: 10 },
    },
  },
];
