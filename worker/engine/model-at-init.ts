import type * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../server/core/run-config';
import type { DataSplits } from '../data/dataset';
import { loadData } from '../data/load';
import { createModel } from '../models/registry';
import { initBackend, type BackendInfo } from './backend';
import type { Model } from './types';

/** A run config's model at θ_0, outside a run: its backend, data, model and initial parameters. */
export interface ModelAtInit {
  info: BackendInfo;
  data: DataSplits;
  model: Model;
  /** θ_0 from the config's seed; the caller disposes them. */
  params: tf.Tensor[];
}

/**
 * Loads the backend, the data and the model of `config` and initializes θ_0 as a run of it would, for measurements
 * at init (a sweep's λ0 calibration, benchmarks).
 */
export async function modelAtInit(config: RunConfig): Promise<ModelAtInit> {
  const info = await initBackend(config.backend);
  const data = await loadData(config.data);
  const model = createModel(config.model, config.parameterization, {
    inputShape: data.train.inputShape,
    numClasses: data.train.numClasses,
  });
  return { info, data, model, params: model.init(config.seed) };
}
