import * as tf from '@tensorflow/tfjs';
import type { Parameterization } from '../../server/core/run-config';
import { Rng } from '../data/prng';
import type { Model, ParamSpec } from '../engine/types';
import { dense } from '../ops/dense';
import { truncatedNormal } from './init';
import { type LayerScaling, layerScaling, product, scaledLayer } from './layers';

/** FCN-d-n (PAPER §3.3): d−1 hidden Dense+ReLU layers of width n, then a linear readout; d = 1 is a linear model. */

export interface FcnSpec {
  kind: 'fcn';
  depth: number;
  width: number;
}

export interface ModelShape {
  /** Shape of one example as the data provides it, e.g. [28, 28, 1] or [16]. */
  inputShape: readonly number[];
  numClasses: number;
}

interface DenseLayer {
  fanIn: number;
  fanOut: number;
  scaling: LayerScaling;
}

export function createFcn(spec: FcnSpec, parameterization: Parameterization, shape: ModelShape): Model {
  if (!Number.isInteger(spec.depth) || spec.depth < 1)
    throw new Error(`model.depth: FCN depth must be ≥ 1, got ${spec.depth}`);
  const inputDim = product(shape.inputShape);
  const layers: DenseLayer[] = [];
  for (let l = 0; l < spec.depth; l++) {
    const fanIn = l === 0 ? inputDim : spec.width;
    const readout = l === spec.depth - 1;
    const fanOut = readout ? shape.numClasses : spec.width;
    layers.push({
      fanIn,
      fanOut,
      scaling: layerScaling(parameterization, readout ? 'readout' : 'hidden', fanIn, fanOut),
    });
  }
  const paramSpecs: ParamSpec[] = layers.flatMap((layer, l) => [
    { name: `dense${l}/kernel`, shape: [layer.fanIn, layer.fanOut] },
    { name: `dense${l}/bias`, shape: [layer.fanOut] },
  ]);

  return {
    spec: { kind: 'fcn', depth: spec.depth, width: spec.width },
    parameterization,
    paramSpecs,
    paramCount: paramSpecs.reduce((s, p) => s + product(p.shape), 0),
    inputShape: [inputDim],
    numClasses: shape.numClasses,
    init(seed: number): tf.Tensor[] {
      const rng = new Rng(seed, 0x1f);
      return layers.flatMap((layer) => [
        tf.tensor2d(truncatedNormal(rng, layer.fanIn * layer.fanOut, layer.scaling.variance), [
          layer.fanIn,
          layer.fanOut,
        ]),
        tf.zeros([layer.fanOut]),
      ]);
    },
    apply(params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor2D {
      if (params.length !== 2 * layers.length)
        throw new Error(`FCN expects ${2 * layers.length} parameter tensors, got ${params.length}`);
      return tf.tidy(() => {
        let h = tf.reshape<tf.Rank.R2>(x, [-1, inputDim]);
        layers.forEach((layer, l) => {
          const z = scaledLayer(dense, h, params, l, layer.scaling, l > 0);
          h = l < layers.length - 1 ? tf.relu(z) : z;
        });
        return h;
      });
    },
    // `apply` with relu(z) replaced by z ⊙ gate (kink-free finite-difference HVPs; see types.ts).
    applyGated(params: readonly tf.Tensor[], x: tf.Tensor, gates: readonly tf.Tensor[]): tf.Tensor2D {
      if (gates.length !== layers.length - 1)
        throw new Error(`FCN expects ${layers.length - 1} gate tensors, got ${gates.length}`);
      return tf.tidy(() => {
        let h = tf.reshape<tf.Rank.R2>(x, [-1, inputDim]);
        layers.forEach((layer, l) => {
          const z = scaledLayer(dense, h, params, l, layer.scaling, l > 0);
          const gate = gates[l];
          h = gate === undefined ? z : tf.mul(z, gate);
        });
        return h;
      });
    },
    // The z of every hidden ReLU layer, as in `apply` (finite-difference HVPs count units that flip sign).
    reluPreActivations(params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor[] {
      return tf.tidy(() => {
        const out: tf.Tensor[] = [];
        let h = tf.reshape<tf.Rank.R2>(x, [-1, inputDim]);
        layers.slice(0, -1).forEach((layer, l) => {
          const z = scaledLayer(dense, h, params, l, layer.scaling, false);
          out.push(z);
          h = tf.relu(z);
        });
        return out;
      });
    },
  };
}

/** Multiply–accumulates of one forward pass per example, per layer (first layer first). */
export function fcnLayerMacs(spec: FcnSpec, shape: ModelShape): number[] {
  const inputDim = product(shape.inputShape);
  const out: number[] = [];
  for (let l = 0; l < spec.depth; l++) {
    const fanIn = l === 0 ? inputDim : spec.width;
    const fanOut = l === spec.depth - 1 ? shape.numClasses : spec.width;
    out.push(fanIn * fanOut);
  }
  return out;
}
