import { registerTrainHooks } from '../engine/train';
import { curvatureHooks } from './hooks';

/**
 * Importing this module makes the curvature hooks the defaults of every later `trainRun` (λ0, η_c for 'critical',
 * the persistent-catapult controller, per-step sharpness, and the end-of-run summary). Entry points (the train CLI,
 * the worker daemon, the calibration job) import it once; the training loop itself stays free of curvature code.
 */
registerTrainHooks(curvatureHooks);
