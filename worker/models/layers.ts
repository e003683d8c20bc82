import * as tf from '@tensorflow/tfjs';
import type { Parameterization } from '../../server/core/run-config';

/**
 * Per-layer initialization variance and forward multiplier of PAPER §3.2 (σ_w² = 2 hidden, 1 readout; biases 0):
 * - SP: Var(W) = σ²/fan_in, multiplier 1.
 * - μP hidden: Var(W) = σ²/fan_out, output multiplied by √(fan_out/fan_in).
 * - μP readout: Var(W) = 1/fan_in, output multiplied by √(1/fan_in).
 * The multiplier scales the layer's whole output x·W + b, as the authors' muDense/muReadout do (bias included).
 * For convolutions fan_in = k·k·C_in and fan_out = k·k·C_out (the authors' muConv uses H·W·C of the input
 * activation instead; not mirrored, see PAPER §3.2).
 */
export interface LayerScaling {
  variance: number;
  multiplier: number;
}

export const SIGMA_W2_HIDDEN = 2;
export const SIGMA_W2_READOUT = 1;

export function layerScaling(
  p: Parameterization,
  role: 'hidden' | 'readout',
  fanIn: number,
  fanOut: number,
): LayerScaling {
  const sigma2 = role === 'hidden' ? SIGMA_W2_HIDDEN : SIGMA_W2_READOUT;
  if (p === 'sp') return { variance: sigma2 / fanIn, multiplier: 1 };
  if (role === 'hidden') return { variance: sigma2 / fanOut, multiplier: Math.sqrt(fanOut / fanIn) };
  return { variance: sigma2 / fanIn, multiplier: Math.sqrt(1 / fanIn) };
}

export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Layer i's output op(a, W_i, b_i)·multiplier (before any ReLU), its weights read from a model's flat parameter list
 * [W_0, b_0, W_1, b_1, …]; `inputGrad` is false when `a` is the input data.
 */
export function scaledLayer<A extends tf.Tensor, W extends tf.Tensor, Z extends tf.Tensor>(
  op: (a: A, w: W, b: tf.Tensor1D, options: { inputGrad: boolean }) => Z,
  a: A,
  params: readonly tf.Tensor[],
  i: number,
  scaling: LayerScaling,
  inputGrad: boolean,
): Z {
  const z = op(a, params[2 * i] as W, params[2 * i + 1] as tf.Tensor1D, { inputGrad });
  return scaling.multiplier === 1 ? z : tf.mul<Z>(z, scaling.multiplier);
}
