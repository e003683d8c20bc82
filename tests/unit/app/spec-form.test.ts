import { describe, expect, it } from 'vitest';
import { fieldErrors, formFromSpec, specFromForm, validateForm } from '../../../app/lib/spec-form';
import { PRESETS } from '../../../server/api/presets';
import { SweepSpecSchema } from '../../../server/core/sweep-spec';

describe('Launch form ↔ SweepSpec', () => {
  it('round-trips every preset through the form to the same parsed spec', () => {
    for (const p of PRESETS) {
      const v = validateForm(formFromSpec(p.spec));
      expect(v.ok, p.id).toBe(true);
      if (v.ok) expect(v.spec).toEqual(SweepSpecSchema.parse(p.spec));
    }
  });

  it('names the field of each problem, including list elements and cross-field rules', () => {
    const form = formFromSpec(
      PRESETS[0]?.spec ?? { title: 'x', author: 'y', etaGrid: { kind: 'explicit', values: [1] }, warmupGrid: [1] },
    );
    form['model.width'] = 'wide';
    form['etaGrid.toExp'] = '-3';
    const v = validateForm(form);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(Object.keys(v.errors).sort()).toEqual(['etaGrid.toExp', 'model.width']);
    expect(v.errors['etaGrid.toExp']).toContain('toExp must be ≥ fromExp');
    // Cross-field rules run once the fields themselves parse: T_wrm 256 > 100 steps, on the third list element.
    const form2 = formFromSpec(
      PRESETS[0]?.spec ?? { title: 'x', author: 'y', etaGrid: { kind: 'explicit', values: [1] }, warmupGrid: [1] },
    );
    form2.steps = '100';
    form2.warmupGrid = '1, 16, 256';
    const v2 = validateForm(form2);
    expect(!v2.ok && v2.errors).toEqual({ warmupGrid: '2: T_wrm 256 exceeds steps 100' });
  });

  it('switches the η grid shape by kind and leaves empty numbers to the schema defaults', () => {
    const form = formFromSpec(
      PRESETS[0]?.spec ?? { title: 'x', author: 'y', etaGrid: { kind: 'explicit', values: [1] }, warmupGrid: [1] },
    );
    form['etaGrid.kind'] = 'explicit';
    form['etaGrid.values'] = '0.01, 0.02 0.04';
    form.batchSize = '';
    const spec = specFromForm(form);
    expect(spec.etaGrid).toEqual({ kind: 'explicit', values: [0.01, 0.02, 0.04] });
    const v = validateForm(form);
    expect(v.ok && v.spec.batchSize).toBe(128);
  });

  it('maps server issue paths given as dotted strings onto fields', () => {
    expect(
      fieldErrors(
        [
          { path: 'measure.evalEvery', message: 'Too small' },
          { path: '', message: 'bad' },
        ],
        { 'measure.evalEvery': '' },
      ),
    ).toEqual({
      'measure.evalEvery': 'Too small',
      '(form)': 'bad',
    });
  });
});
