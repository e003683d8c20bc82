import type { RunConfigInput } from '../../../../server/core/run-config';

/** A tiny run on the synthetic Gaussian mixture (16 inputs, 4 classes), cpu backend, that trains in ~0.1 s. */
export function tinyConfig(over: Partial<RunConfigInput> = {}): RunConfigInput {
  return {
    model: { kind: 'fcn', depth: 3, width: 16 },
    data: { name: 'synthetic-gmm', synthetic: { inputDim: 16, classes: 4, trainSize: 256, testSize: 64, seed: 0 } },
    optimizer: { kind: 'sgd' },
    schedule: { etaTrgt: 0.5, warmupSteps: 5 },
    steps: 60,
    batchSize: 32,
    seed: 1,
    backend: 'cpu',
    measure: { evalEvery: 30 },
    ...over,
  };
}
