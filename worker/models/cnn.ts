import * as tf from '@tensorflow/tfjs';
import type { Parameterization } from '../../server/core/run-config';
import { Rng } from '../data/prng';
import type { Model, ParamSpec } from '../engine/types';
import { conv2dSame } from '../ops/conv2d';
import { dense } from '../ops/dense';
import type { ModelShape } from './fcn';
import { truncatedNormal } from './init';
import { type LayerScaling, layerScaling, product } from './layers';

/**
 * Myrtle-style CNN (PAPER §3.3; CnnModelSchema): three stages of conv 3×3 SAME + ReLU with widths w, 2w, 4w, a 2×2
 * max-pool (stride 2, VALID) between stages, global average pooling, then a dense readout. `depth` counts the weight
 * layers (convs + readout) as Myrtle does, and the convs are spread over the stages like the Myrtle family
 * (Shankar et al. 2020, as in neural-tangents' MyrtleNetwork): depth 5 → [2, 1, 1], 7 → [2, 2, 2], 10 → [3, 3, 3].
 * Unlike the original (one width throughout, average pools), the stages widen w → 2w → 4w as the schema specifies.
 */

export const MYRTLE_STAGES: Readonly<Record<5 | 7 | 10, readonly [number, number, number]>> = {
  5: [2, 1, 1],
  7: [2, 2, 2],
  10: [3, 3, 3],
};

export interface CnnSpec {
  kind: 'cnn';
  depth: 5 | 7 | 10;
  width: number;
}

const KERNEL = 3;

interface ConvLayer {
  cin: number;
  cout: number;
  /** Max-pool after this conv (the last conv of stages 0 and 1). */
  poolAfter: boolean;
  scaling: LayerScaling;
}

function convLayers(spec: CnnSpec, parameterization: Parameterization, channels: number): ConvLayer[] {
  const stages = MYRTLE_STAGES[spec.depth];
  const layers: ConvLayer[] = [];
  let cin = channels;
  stages.forEach((count, s) => {
    const cout = spec.width * 2 ** s;
    for (let i = 0; i < count; i++) {
      const fanIn = KERNEL * KERNEL * cin;
      const fanOut = KERNEL * KERNEL * cout;
      layers.push({ cin, cout, poolAfter: s < 2 && i === count - 1, scaling: layerScaling(parameterization, 'hidden', fanIn, fanOut) });
      cin = cout;
    }
  });
  return layers;
}

function imageShape(inputShape: readonly number[]): [number, number, number] {
  const [h, w, c] = inputShape;
  if (inputShape.length !== 3 || h === undefined || w === undefined || c === undefined) {
    throw new Error(`model.kind: the CNN needs image data [H, W, C], got examples of shape [${inputShape.join(', ')}]`);
  }
  return [h, w, c];
}

export function createCnn(spec: CnnSpec, parameterization: Parameterization, shape: ModelShape): Model {
  const [h, w, c] = imageShape(shape.inputShape);
  const convs = convLayers(spec, parameterization, c);
  const features = spec.width * 4;
  const readout = layerScaling(parameterization, 'readout', features, shape.numClasses);
  const paramSpecs: ParamSpec[] = [
    ...convs.flatMap((l, i) => [
      { name: `conv${i}/kernel`, shape: [KERNEL, KERNEL, l.cin, l.cout] },
      { name: `conv${i}/bias`, shape: [l.cout] },
    ]),
    { name: 'readout/kernel', shape: [features, shape.numClasses] },
    { name: 'readout/bias', shape: [shape.numClasses] },
  ];

  return {
    spec: { kind: 'cnn', depth: spec.depth, width: spec.width },
    parameterization,
    paramSpecs,
    paramCount: paramSpecs.reduce((s, p) => s + product(p.shape), 0),
    inputShape: [h, w, c],
    numClasses: shape.numClasses,
    init(seed: number): tf.Tensor[] {
      const rng = new Rng(seed, 0x2c);
      const params: tf.Tensor[] = [];
      for (const l of convs) {
        params.push(tf.tensor4d(truncatedNormal(rng, KERNEL * KERNEL * l.cin * l.cout, l.scaling.variance), [KERNEL, KERNEL, l.cin, l.cout]));
        params.push(tf.zeros([l.cout]));
      }
      params.push(tf.tensor2d(truncatedNormal(rng, features * shape.numClasses, readout.variance), [features, shape.numClasses]));
      params.push(tf.zeros([shape.numClasses]));
      return params;
    },
    apply(params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor2D {
      if (params.length !== paramSpecs.length) throw new Error(`CNN expects ${paramSpecs.length} parameter tensors, got ${params.length}`);
      return tf.tidy(() => {
        let a = tf.reshape<tf.Rank.R4>(x, [-1, h, w, c]);
        convs.forEach((l, i) => {
          let z = conv2dSame(a, params[2 * i] as tf.Tensor4D, params[2 * i + 1] as tf.Tensor1D, { inputGrad: i > 0 });
          if (l.scaling.multiplier !== 1) z = tf.mul(z, l.scaling.multiplier);
          a = tf.relu(z);
          if (l.poolAfter) a = tf.maxPool(a, 2, 2, 'valid');
        });
        const pooled = tf.mean<tf.Tensor2D>(a, [1, 2]);
        const n = convs.length;
        let logits = dense(pooled, params[2 * n] as tf.Tensor2D, params[2 * n + 1] as tf.Tensor1D);
        if (readout.multiplier !== 1) logits = tf.mul(logits, readout.multiplier);
        return logits;
      });
    },
    // The z of every conv's ReLU, as in `apply` (issue 4: finite-difference HVPs count units that flip sign and retry
    // those products; max-pooling's own kinks are not counted).
    reluPreActivations(params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor[] {
      return tf.tidy(() => {
        const out: tf.Tensor[] = [];
        let a = tf.reshape<tf.Rank.R4>(x, [-1, h, w, c]);
        convs.forEach((l, i) => {
          let z = conv2dSame(a, params[2 * i] as tf.Tensor4D, params[2 * i + 1] as tf.Tensor1D, { inputGrad: false });
          if (l.scaling.multiplier !== 1) z = tf.mul(z, l.scaling.multiplier);
          out.push(z);
          a = tf.relu(z);
          if (l.poolAfter) a = tf.maxPool(a, 2, 2, 'valid');
        });
        return out;
      });
    },
  };
}

/** Multiply–accumulates of one forward pass per example, per weight layer (first conv first, readout last). */
export function cnnLayerMacs(spec: CnnSpec, shape: ModelShape): number[] {
  const [h0, w0, c] = imageShape(shape.inputShape);
  let h = h0;
  let w = w0;
  const out: number[] = [];
  for (const l of convLayers(spec, 'sp', c)) {
    out.push(h * w * KERNEL * KERNEL * l.cin * l.cout);
    if (l.poolAfter) {
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
    }
  }
  out.push(spec.width * 4 * shape.numClasses);
  return out;
}
