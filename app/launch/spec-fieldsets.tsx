import { BackendNameSchema, DatasetNameSchema, OptimizerKindSchema } from '../../server/core/run-config';
import type { SpecForm } from '../lib/spec-form';
import type { FieldRenderer } from './form-field';

/** The Launch form's fieldsets, in reading (and Tab) order; fields that do not apply to the choices so far are hidden. */
export function SpecFieldsets({ field, form }: { field: FieldRenderer; form: SpecForm }) {
  return (
    <>
      <fieldset>
        <legend>Sweep</legend>
        <div className="form-grid">
          {field('title', 'Title', { size: 40 })}
          {field('author', 'Author')}
          {field('backend', 'Backend', { options: BackendNameSchema.options })}
        </div>
      </fieldset>
      <ModelFields field={field} form={form} />
      <OptimizerFields field={field} form={form} />
      <GridFields field={field} form={form} />
      <fieldset>
        <legend>Measurements</legend>
        <div className="form-grid">
          {field('measure.evalEvery', 'Test metrics every', { hint: 'steps; 0 = at the end' })}
          {field('measure.sharpnessEvery', 'λ^H every', { hint: 'steps; 0 = never' })}
          {field('measure.lambda0', 'Measure λ0 at init')}
          {field('measure.lambda0Batches', 'λ0 batches')}
        </div>
      </fieldset>
    </>
  );
}

function ModelFields({ field, form }: { field: FieldRenderer; form: SpecForm }) {
  return (
    <fieldset>
      <legend>Model, data, loss</legend>
      <div className="form-grid">
        {field('model.kind', 'Model', {
          options: [
            { value: 'fcn', label: 'FCN' },
            { value: 'cnn', label: 'Myrtle CNN' },
          ],
        })}
        {field('model.depth', 'Depth', { hint: form['model.kind'] === 'cnn' ? '5, 7 or 10' : 'layers' })}
        {field('model.width', 'Width')}
        {field('parameterization', 'Parameterization', {
          options: [
            { value: 'sp', label: 'SP' },
            { value: 'mup', label: 'μP' },
          ],
        })}
        {field('loss', 'Loss', {
          options: [
            { value: 'mse', label: 'MSE' },
            { value: 'xent', label: 'cross-entropy' },
          ],
        })}
        {field('data.name', 'Dataset', { options: DatasetNameSchema.options })}
        {field('data.trainSubset', 'Train subset', { hint: 'first N examples; empty = all' })}
        {field('data.testSubset', 'Test subset')}
        {field('data.mupInputScaling', 'Scale inputs by 1/√d (μP)')}
      </div>
    </fieldset>
  );
}

function OptimizerFields({ field, form }: { field: FieldRenderer; form: SpecForm }) {
  const optKind = form['optimizer.kind'];
  const adamLike = optKind === 'adam' || optKind === 'gi-adam' || optKind === 'ri-adam';
  return (
    <fieldset>
      <legend>Optimizer and budget</legend>
      <div className="form-grid">
        {field('optimizer.kind', 'Optimizer', { options: OptimizerKindSchema.options })}
        {optKind === 'sgd-momentum' && field('optimizer.momentum', 'Momentum β')}
        {adamLike && field('optimizer.beta1', 'β1')}
        {adamLike && field('optimizer.beta2', 'β2')}
        {adamLike && field('optimizer.eps', 'ε')}
        {field('batchSize', 'Batch size', { hint: '0 = full batch' })}
        {field('steps', 'Steps')}
        {field('after', 'After warmup', {
          options: [
            { value: 'constant', label: 'constant' },
            { value: 'cosine', label: 'cosine to η/10' },
          ],
        })}
      </div>
    </fieldset>
  );
}

function GridFields({ field, form }: { field: FieldRenderer; form: SpecForm }) {
  const etaKind = form['etaGrid.kind'];
  const mode = form['etaInit.mode'];
  const searched = mode === 'critical' || mode === 'persistent';
  return (
    <fieldset>
      <legend>Grid</legend>
      <div className="form-grid">
        {field('etaGrid.kind', 'η_trgt grid', {
          options: [
            { value: 'pow2', label: 'powers of 2' },
            { value: 'explicit', label: 'explicit values' },
          ],
        })}
        {etaKind === 'explicit' && field('etaGrid.values', 'η values', { hint: 'comma-separated', size: 30 })}
        {etaKind === 'pow2' &&
          field('etaGrid.unit', 'Unit', {
            options: [
              { value: 'inv-lambda0', label: '× 1/λ0 (measured)' },
              { value: 'absolute', label: 'absolute' },
            ],
          })}
        {etaKind === 'pow2' && field('etaGrid.base', 'Base', { hint: 'η = base·2^x' })}
        {etaKind === 'pow2' && field('etaGrid.fromExp', 'x from')}
        {etaKind === 'pow2' && field('etaGrid.toExp', 'x to')}
        {etaKind === 'pow2' && field('etaGrid.stepExp', 'x step')}
        {field('warmupGrid', 'T_wrm values', { hint: 'comma-separated; 1 = constant LR', size: 30 })}
        {field('etaInit.mode', 'η_init', {
          options: [
            { value: 'zero', label: '0' },
            { value: 'value', label: 'a value' },
            { value: 'critical', label: 'η_c (catapult search)' },
            { value: 'persistent', label: 'persistent catapult' },
          ],
        })}
        {mode === 'value' && field('etaInit.value', 'η_init value')}
        {searched && field('etaInit.eta0', 'Search start η0')}
        {searched && field('etaInit.delta', 'Tolerance δ', { hint: 'empty = 0.1 SGD / 0.01 Adam' })}
        {field('seeds', 'Seeds', { hint: 'comma-separated' })}
      </div>
    </fieldset>
  );
}
