import type * as tf from '@tensorflow/tfjs';
import type { LossKind, ModelSpec, OptimizerKind, Parameterization } from '../../server/core/run-config';

/**
 * The contracts between the parts of the training engine. Models are functional: parameters are a flat list of
 * tensors passed in, so optimizers (explicit update rules), finite-difference Hessian-vector products and the η_c
 * probe can evaluate the same model at any θ without touching hidden state.
 */

export interface ParamSpec {
  /** e.g. "dense0/kernel", "conv2/bias". */
  name: string;
  shape: number[];
}

export interface Model {
  readonly spec: ModelSpec;
  readonly parameterization: Parameterization;
  readonly paramSpecs: readonly ParamSpec[];
  /** Total number of scalar parameters (sum over paramSpecs). */
  readonly paramCount: number;
  /** Shape of one example, e.g. [784] for an FCN or [28, 28, 1] for the CNN. */
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  /** Fresh parameters, deterministic in `seed` (PAPER §3.2 initialization). The caller owns the tensors. */
  init(seed: number): tf.Tensor[];
  /** Logits [batch, classes]; differentiable with respect to `params`. */
  apply(params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor2D;
  /**
   * Optional: the pre-activations z of every ReLU (in any shapes) of the forward pass, so that finite-difference
   * Hessian-vector products can count the units whose sign flips between θ±εv (worker/curvature/hvp.ts; a flip
   * puts a kink inside the difference). Models without it get estimates with `fdFlips` unreported.
   */
  reluPreActivations?(params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor[];
  /**
   * Optional: the forward pass with every ReLU replaced by a fixed 0/1 gate (z ⊙ gate instead of relu(z)), the gates
   * shaped like `reluPreActivations`' output. With the gates of θ this equals `apply` at θ, and its Hessian there is the
   * ReLU network's Hessian, but it has no kinks, so finite-difference HVPs through it cannot be spoiled by units that
   * flip sign between θ±εv (worker/curvature/measure.ts; measured on FCN-4-512: 76% off at ε = 1e-4 without it).
   */
  applyGated?(params: readonly tf.Tensor[], x: tf.Tensor, gates: readonly tf.Tensor[]): tf.Tensor2D;
  /**
   * Optional: the gates `applyGated` expects at θ, for models whose gated pass freezes more than the ReLUs (the CNN
   * also freezes its max-pool routing). Absent: the gates are z > 0 of `reluPreActivations` (the FCN). The caller owns
   * the tensors.
   */
  gatesAt?(params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor[];
}

/** A minibatch: inputs [B, ...inputShape] and (soft) one-hot targets [B, K]. The consumer disposes it. */
export interface Batch {
  x: tf.Tensor;
  y: tf.Tensor2D;
}

export type LossFn = (logits: tf.Tensor2D, targets: tf.Tensor2D) => tf.Scalar;

export interface LossAndGrads {
  loss: tf.Scalar;
  /** Train accuracy on the batch: argmax(logits) == argmax(targets). */
  accuracy: tf.Scalar;
  grads: tf.Tensor[];
}

/** Optimizer written as explicit update rules (PAPER §3.5, §7) so that its state is inspectable. */
export interface Optimizer {
  readonly kind: OptimizerKind;
  /** Number of updates taken so far (t in the bias corrections). */
  readonly t: number;
  /**
   * Take one update with learning rate `lr`: returns the new parameters (kept tensors the caller owns) and
   * advances the state. The old `params` are not disposed here.
   */
  step(params: readonly tf.Tensor[], grads: readonly tf.Tensor[], lr: number): tf.Tensor[];
  /**
   * The parameters one update with `lr` would give from the current state, without changing the state
   * ("Opt(η, θ0)" of PAPER §6.1).
   */
  peek(params: readonly tf.Tensor[], grads: readonly tf.Tensor[], lr: number): tf.Tensor[];
  /**
   * Diagonal of the preconditioner P of the update about to be taken with gradient `grads` (PAPER §4.1:
   * (1−β1^t)(√v̂_t+ε) for Adam with v_t including g_t), or null for the identity (SGD).
   */
  preconditioner(grads: readonly tf.Tensor[]): tf.Tensor[] | null;
  /** Norms of the state for the row (Adam: ‖m‖, ‖v‖). */
  stateNorms(): { mNorm?: number; vNorm?: number };
  dispose(): void;
}

export type { LossKind };
