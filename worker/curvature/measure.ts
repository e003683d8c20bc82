import * as tf from '@tensorflow/tfjs';
import { type Lambda0Measurement } from '../../server/core/curvature-summary';
import { RunConfigSchema, type LossKind, type RunConfig, type RunConfigInput } from '../../server/core/run-config';
import { BatchStream } from '../data/batches';
import { mixSeed } from '../data/prng';
import { lossAndGrads } from '../engine/grad';
import { modelAtInit } from '../engine/model-at-init';
import type { Batch, Model } from '../engine/types';
import type { GradientAt } from './hvp';
import { warmStart } from './lanczos';
import { estimateSharpness, type SharpnessEstimate, type SharpnessOptions } from './sharpness';

/**
 * Sharpness of a model on a batch (PAPER §4.1–4.3), wired to the engine's loss and gradient, and λ0 = the mean of
 * λ^H over several batches at init (PAPER §2.4), both inside a run (hooks.ts) and standalone for a sweep's
 * calibration (`measureLambda0`).
 */

export interface SharpnessAtArgs extends SharpnessOptions {
  model: Model;
  params: readonly tf.Tensor[];
  batch: Batch;
  lossKind: LossKind;
  /** Diagonal of P for λ^{P⁻¹H}; null/absent for λ^H. */
  preconditioner?: readonly tf.Tensor[] | null;
  /** Differentiate the gated network when the model offers it (default true; see below). */
  gating?: boolean;
}

/**
 * Displacement norm for HVPs through the gated network: it has no kinks, so the step only trades O(ε²) truncation
 * against float32 rounding, and 1e-3 is the better side (per-vector error 3e-4 at 1e-3 against 5e-3 at 1e-4 on the
 * test MLP, tests/unit/worker/curvature/hvp.test.ts).
 */
export const GATED_FD_EPS = 1e-3;

/**
 * λ^H (or λ^{P⁻¹H}) of `model` at `params` on `batch`.
 *
 * ReLU networks: a unit whose pre-activation changes sign between θ±εv puts a jump into the gradient difference, an
 * error ∝ 1/ε that no ε avoids on a real network (measured on FCN-4-512 / Fashion-MNIST at init, B = 256, against a
 * float64 R-operator reference λ = 77.74: ε = 1e-3 → 3.9% off with 129 flips along the top direction, 1e-4 → 76%
 * off with 24, 1e-5 → 191% off with 1). So when the model offers `applyGated`, the HVP differentiates the network with
 * its ReLUs frozen into the 0/1 gates of θ: it equals the model at θ, its Hessian there is the ReLU network's Hessian
 * (what jvp-of-grad computes, PAPER §4.2), and it has no kinks. `fdFlips` then counts the units that would have
 * flipped along the returned eigenvector (information, not an error). Models with pre-activations but no gating get
 * every product checked and retried with ε/10 on flips; other models are differentiated as they are.
 */
export function sharpnessAt(args: SharpnessAtArgs): SharpnessEstimate {
  const { model, batch, lossKind } = args;
  const pre = model.reluPreActivations?.bind(model);
  const preActivationsAt = pre === undefined ? undefined : (p: readonly tf.Tensor[]) => pre(p, batch.x);
  const gated = model.applyGated?.bind(model);
  if (gated !== undefined && pre !== undefined && args.gating !== false) {
    const gatesAt = model.gatesAt?.bind(model);
    const gates =
      gatesAt !== undefined
        ? gatesAt(args.params, batch.x)
        : tf.tidy(() => pre(args.params, batch.x).map((z) => tf.cast(tf.greater(z, 0), 'float32')));
    const frozen: Model = {
      spec: model.spec,
      parameterization: model.parameterization,
      paramSpecs: model.paramSpecs,
      paramCount: model.paramCount,
      inputShape: model.inputShape,
      numClasses: model.numClasses,
      init: (seed) => model.init(seed),
      apply: (p, x) => gated(p, x, gates),
    };
    try {
      return estimateSharpness({
        ...args,
        eps: args.eps ?? GATED_FD_EPS,
        flipCheck: args.flipCheck ?? 'ritz',
        gradAt: (p) => lossAndGrads(frozen, p, batch, lossKind),
        preActivationsAt,
      });
    } finally {
      tf.dispose(gates);
    }
  }
  const gradAt: GradientAt = (p) => lossAndGrads(model, p, batch, lossKind);
  return estimateSharpness({ ...args, gradAt, preActivationsAt });
}

/** λ0 over `count` batches from `draw` (each disposed after use), at `params`. */
export function lambda0FromBatches(args: {
  model: Model;
  params: readonly tf.Tensor[];
  lossKind: LossKind;
  count: number;
  draw: () => Batch;
  options?: SharpnessOptions;
}): Lambda0Measurement {
  const perBatch: number[] = [];
  const iterations: number[] = [];
  const converged: boolean[] = [];
  let start: Float64Array | undefined;
  for (let i = 0; i < args.count; i++) {
    const batch = args.draw();
    try {
      const est = sharpnessAt({
        ...args.options,
        lanczos: {
          ...args.options?.lanczos,
          start: start === undefined ? args.options?.lanczos?.start : warmStart(start, 93 + i),
        },
        model: args.model,
        params: args.params,
        batch,
        lossKind: args.lossKind,
      });
      perBatch.push(est.value);
      iterations.push(est.iterations);
      converged.push(est.converged);
      // Batches share most of their top eigenvector at init: a warm start saves iterations.
      start = est.vector;
    } finally {
      tf.dispose([batch.x, batch.y]);
    }
  }
  const lambda0 = perBatch.reduce((a, b) => a + b, 0) / Math.max(1, perBatch.length);
  return { lambda0, perBatch, iterations, converged, quantity: 'sharpness' };
}

/** Salt of the batch stream λ0 calibration draws from (independent of the training order). */
const LAMBDA0_SALT = 0x1a3b0;

/**
 * λ0^H of a run config at init (PAPER §2.4: mean of λ_max over `measure.lambda0Batches` random minibatches of size
 * B, same init seed as the runs), for a sweep's η grid in units of 1/λ0. Loads the backend, data and model itself.
 */
export async function measureLambda0(
  input: RunConfigInput | RunConfig,
  options?: SharpnessOptions,
): Promise<Lambda0Measurement & { backend: string; device: string }> {
  const config = RunConfigSchema.parse(input);
  const { info, data, model, params } = await modelAtInit(config);
  try {
    const stream = new BatchStream(data.train, config.batchSize, mixSeed(config.dataSeed ?? config.seed, LAMBDA0_SALT));
    const m = lambda0FromBatches({
      model,
      params,
      lossKind: config.loss,
      count: config.measure.lambda0Batches,
      draw: () => stream.next(),
      options,
    });
    return { ...m, backend: info.backend, device: info.device };
  } finally {
    tf.dispose(params);
  }
}
