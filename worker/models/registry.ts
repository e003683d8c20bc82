import type { ModelSpec, Parameterization } from '../../server/core/run-config';
import type { Model } from '../engine/types';
import { cnnLayerMacs, createCnn } from './cnn';
import { createFcn, fcnLayerMacs, type ModelShape } from './fcn';

/**
 * Models by ModelSpec.kind. The registry is a total map over the kinds of ModelSpecSchema, so adding a kind there
 * (WRN, Transformer LM) fails to typecheck until its builder is registered here.
 */

type SpecOf<K extends ModelSpec['kind']> = Extract<ModelSpec, { kind: K }>;

interface ModelBuilder<K extends ModelSpec['kind']> {
  create(spec: SpecOf<K>, parameterization: Parameterization, shape: ModelShape): Model;
  /** Forward multiply–accumulates per example, per weight layer, first layer first. */
  layerMacs(spec: SpecOf<K>, shape: ModelShape): number[];
}

const registry: { [K in ModelSpec['kind']]: ModelBuilder<K> } = {
  fcn: { create: createFcn, layerMacs: fcnLayerMacs },
  cnn: { create: createCnn, layerMacs: cnnLayerMacs },
};

function builderFor<K extends ModelSpec['kind']>(spec: SpecOf<K>): ModelBuilder<K> {
  return registry[spec.kind];
}

export type { ModelShape };

/** Builds the model of `spec` for data of the given example shape and class count. */
export function createModel(spec: ModelSpec, parameterization: Parameterization, shape: ModelShape): Model {
  return builderFor(spec).create(spec, parameterization, shape);
}

/**
 * FLOPs of one training step per example (forward + backward, no optimizer): 2·MACs forward, 2·MACs for the weight
 * gradients and 2·MACs for the input gradients of every layer but the first (the data needs none). Element-wise ops
 * are not counted, so GFLOP/s figures compare with a plain matMul/conv ceiling.
 */
export function trainStepFlopsPerExample(spec: ModelSpec, shape: ModelShape): number {
  const macs = builderFor(spec).layerMacs(spec, shape);
  const total = macs.reduce((a, b) => a + b, 0);
  return 6 * total - 2 * (macs[0] ?? 0);
}

/** FLOPs of one forward pass per example (2·MACs). */
export function forwardFlopsPerExample(spec: ModelSpec, shape: ModelShape): number {
  return (
    2 *
    builderFor(spec)
      .layerMacs(spec, shape)
      .reduce((a, b) => a + b, 0)
  );
}
