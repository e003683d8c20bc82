import { type SweepSpecInput } from '../core/sweep-spec';

/**
 * Single-sweep presets of the Launch form: the demo that `npm start` launches into an empty store (and the Sweeps
 * page offers). The paper's experiments are not here: they are studies (several sweeps launched together), defined in
 * server/core/paper-presets.ts and launched from the Launch page's "Reproduce the paper" section (studies.create).
 * Tests check that every preset parses and how many cells it has.
 */
export interface Preset {
  id: string;
  title: string;
  description: string;
  spec: SweepSpecInput;
}

export const DEMO_PRESET_ID = 'demo';

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
];
