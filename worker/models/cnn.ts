import * as tf from '@tensorflow/tfjs';
import type { Parameterization } from '../../server/core/run-config';
import { Rng } from '../data/prng';
import type { Model, ParamSpec } from '../engine/types';
import { conv2dSame } from '../ops/conv2d';
import { dense } from '../ops/dense';
import type { ModelShape } from './fcn';
import { truncatedNormal } from './init';
import { type LayerScaling, layerScaling, product, scaledLayer } from './layers';

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
      layers.push({
        cin,
        cout,
        poolAfter: s < 2 && i === count - 1,
        scaling: layerScaling(parameterization, 'hidden', fanIn, fanOut),
      });
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

/** The CNN's layout: image shape, conv layers and readout (closed over by every method of its Model). */
interface CnnNet {
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly convs: readonly ConvLayer[];
  readonly features: number;
  readonly numClasses: number;
  readonly readout: LayerScaling;
  readonly paramSpecs: readonly ParamSpec[];
}

function cnnNet(spec: CnnSpec, parameterization: Parameterization, shape: ModelShape): CnnNet {
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
  return { h, w, c, convs, features, numClasses: shape.numClasses, readout, paramSpecs };
}

export function createCnn(spec: CnnSpec, parameterization: Parameterization, shape: ModelShape): Model {
  const net = cnnNet(spec, parameterization, shape);
  return {
    spec: { kind: 'cnn', depth: spec.depth, width: spec.width },
    parameterization,
    paramSpecs: net.paramSpecs,
    paramCount: net.paramSpecs.reduce((s, p) => s + product(p.shape), 0),
    inputShape: [net.h, net.w, net.c],
    numClasses: shape.numClasses,
    init: (seed) => initCnn(net, seed),
    apply: (params, x) => applyCnn(net, params, x),
    applyGated: (params, x, gates) => applyCnnGated(net, params, x, gates),
    gatesAt: (params, x) => cnnGatesAt(net, params, x),
    reluPreActivations: (params, x) => cnnPreActivations(net, params, x),
  };
}

function initCnn(net: CnnNet, seed: number): tf.Tensor[] {
  const rng = new Rng(seed, 0x2c);
  const params: tf.Tensor[] = [];
  for (const l of net.convs) {
    params.push(
      tf.tensor4d(truncatedNormal(rng, KERNEL * KERNEL * l.cin * l.cout, l.scaling.variance), [
        KERNEL,
        KERNEL,
        l.cin,
        l.cout,
      ]),
    );
    params.push(tf.zeros([l.cout]));
  }
  params.push(
    tf.tensor2d(truncatedNormal(rng, net.features * net.numClasses, net.readout.variance), [
      net.features,
      net.numClasses,
    ]),
  );
  params.push(tf.zeros([net.numClasses]));
  return params;
}

function checkParams(net: CnnNet, params: readonly tf.Tensor[]): void {
  if (params.length !== net.paramSpecs.length)
    throw new Error(`CNN expects ${net.paramSpecs.length} parameter tensors, got ${params.length}`);
}

function inputImages(net: CnnNet, x: tf.Tensor): tf.Tensor4D {
  return tf.reshape<tf.Rank.R4>(x, [-1, net.h, net.w, net.c]);
}

/** Global average pooling, then the dense readout with its multiplier. */
function readoutLogits(net: CnnNet, params: readonly tf.Tensor[], a: tf.Tensor4D): tf.Tensor2D {
  const pooled = tf.mean<tf.Tensor2D>(a, [1, 2]);
  return scaledLayer(dense, pooled, params, net.convs.length, net.readout, true);
}

function applyCnn(net: CnnNet, params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor2D {
  checkParams(net, params);
  return tf.tidy(() => {
    let a = inputImages(net, x);
    net.convs.forEach((l, i) => {
      a = tf.relu(scaledLayer(conv2dSame, a, params, i, l.scaling, i > 0));
      if (l.poolAfter) a = tf.maxPool(a, 2, 2, 'valid');
    });
    return readoutLogits(net, params, a);
  });
}

/**
 * `apply` with relu(z) replaced by z ⊙ gate and every max-pool by the fixed routing of θ (Σ_k mask_k ⊙ window_k
 * over the four cells of each 2×2 window): kink-free, equal to `apply` at θ, same Hessian there.
 * Gates as `gatesAt` returns them: one per conv (shaped like its z), then one per pool ([4, B, H/2, W/2, C]).
 */
function applyCnnGated(
  net: CnnNet,
  params: readonly tf.Tensor[],
  x: tf.Tensor,
  gates: readonly tf.Tensor[],
): tf.Tensor2D {
  checkParams(net, params);
  const { convs } = net;
  const pools = convs.filter((l) => l.poolAfter).length;
  if (gates.length !== convs.length + pools)
    throw new Error(`CNN expects ${convs.length + pools} gate tensors, got ${gates.length}`);
  return tf.tidy(() => {
    let a = inputImages(net, x);
    let pool = convs.length;
    convs.forEach((l, i) => {
      a = tf.mul(scaledLayer(conv2dSame, a, params, i, l.scaling, i > 0), gateAt(gates, i));
      if (l.poolAfter) a = routedPool(a, gateAt(gates, pool++));
    });
    return readoutLogits(net, params, a);
  });
}

/**
 * The gates of `applyGated` at θ: z > 0 of every conv, then the one-hot routing of every max-pool (the first
 * maximum of each window in row-major order; ties occur only among zeros, whose gates are 0 anyway).
 */
function cnnGatesAt(net: CnnNet, params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor[] {
  return tf.tidy(() => {
    const relu: tf.Tensor[] = [];
    const routes: tf.Tensor[] = [];
    let a = inputImages(net, x);
    net.convs.forEach((l, i) => {
      const z = scaledLayer(conv2dSame, a, params, i, l.scaling, false);
      relu.push(tf.cast(tf.greater(z, 0), 'float32'));
      a = tf.relu(z);
      if (l.poolAfter) {
        const mask = poolRouting(a);
        routes.push(mask);
        a = routedPool(a, mask);
      }
    });
    return [...relu, ...routes];
  });
}

/**
 * The z of every conv's ReLU, as in `apply` (finite-difference HVPs count units that flip sign; the gated pass also
 * freezes max-pooling's argmax, which this does not count).
 */
function cnnPreActivations(net: CnnNet, params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor[] {
  return tf.tidy(() => {
    const out: tf.Tensor[] = [];
    let a = inputImages(net, x);
    net.convs.forEach((l, i) => {
      const z = scaledLayer(conv2dSame, a, params, i, l.scaling, false);
      out.push(z);
      a = tf.relu(z);
      if (l.poolAfter) a = tf.maxPool(a, 2, 2, 'valid');
    });
    return out;
  });
}

function gateAt(gates: readonly tf.Tensor[], i: number): tf.Tensor {
  const g = gates[i];
  if (g === undefined) throw new Error(`CNN: gate ${i} missing`);
  return g;
}

/**
 * The four cells of every 2×2 window of a VALID stride-2 max-pool, each [B, ⌊H/2⌋, ⌊W/2⌋, C], in the order
 * (0,0), (0,1), (1,0), (1,1); built from slice/reshape/split only, so gradients flow through them on every backend.
 */
function poolWindows(a: tf.Tensor4D): tf.Tensor4D[] {
  const [b, hh, ww, cc] = a.shape;
  const ho = Math.floor(hh / 2);
  const wo = Math.floor(ww / 2);
  const even = hh === 2 * ho && ww === 2 * wo ? a : tf.slice(a, [0, 0, 0, 0], [b, 2 * ho, 2 * wo, cc]);
  const out: tf.Tensor4D[] = [];
  // [B·Ho, 2, 2Wo·C]: the window's two rows; each row viewed as [B·Ho·Wo, 2, C]: its two columns.
  for (const row of tf.split(tf.reshape(even, [b * ho, 2, 2 * wo * cc]), 2, 1)) {
    for (const cell of tf.split(tf.reshape(row, [b * ho * wo, 2, cc]), 2, 1))
      out.push(tf.reshape(cell, [b, ho, wo, cc]));
  }
  return out;
}

/** One-hot [4, B, Ho, Wo, C] of the cell max-pooling picks in each window (the first maximum). */
function poolRouting(a: tf.Tensor4D): tf.Tensor {
  return tf.tidy(() => {
    const cells = poolWindows(a);
    const [c0, c1, c2, c3] = cells;
    if (c0 === undefined || c1 === undefined || c2 === undefined || c3 === undefined)
      throw new Error('CNN: pool windows');
    const max = tf.maximum(tf.maximum(c0, c1), tf.maximum(c2, c3));
    const masks: tf.Tensor[] = [];
    let taken: tf.Tensor = tf.zerosLike(max).cast('bool');
    for (const cell of [c0, c1, c2]) {
      const hit = tf.logicalAnd(tf.equal(cell, max), tf.logicalNot(taken));
      masks.push(hit);
      taken = tf.logicalOr(taken, hit);
    }
    masks.push(tf.logicalNot(taken));
    return tf.cast(tf.stack(masks), 'float32');
  });
}

/** Max-pooling with frozen routing: Σ_k mask_k ⊙ cell_k (equals tf.maxPool(a, 2, 2, 'valid') with the routing of a). */
function routedPool(a: tf.Tensor4D, routing: tf.Tensor): tf.Tensor4D {
  const masks = tf.unstack(routing);
  const cells = poolWindows(a);
  let out: tf.Tensor4D | null = null;
  for (let k = 0; k < cells.length; k++) {
    const m = masks[k];
    const cell = cells[k];
    if (m === undefined || cell === undefined) throw new Error(`CNN: pool routing has ${masks.length} masks, needs 4`);
    const term = tf.mul<tf.Tensor4D>(cell, m);
    out = out === null ? term : tf.add<tf.Tensor4D>(out, term);
  }
  if (out === null) throw new Error('CNN: empty pool');
  return out;
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
