import { describe, expect, it } from 'vitest';
import { CLAIM_IDS } from '../../../../server/core/findings';
import { calibrationRunConfig, cellRunConfig, gridCells } from '../../../../server/core/grid';
import { isRelativeGrid } from '../../../../server/core/sweep-spec';
import {
  PAPER_CIFAR10_DIR,
  PAPER_PRESETS,
  paperPreset,
  presetNeedsCalibration,
  studyCost,
} from '../../../../server/core/paper-presets';
import { SweepSpecSchema, type StudySize } from '../../../../server/core/sweep-spec';
import { RunConfigSchema } from '../../../../server/core/run-config';

const SIZES: StudySize[] = ['cpu', 'paper'];

describe('paper presets', () => {
  it('have distinct ids, known claims and valid sweeps with distinct roles at both sizes', () => {
    expect(new Set(PAPER_PRESETS.map((p) => p.id)).size).toBe(PAPER_PRESETS.length);
    for (const p of PAPER_PRESETS) {
      for (const c of p.claims) expect(CLAIM_IDS).toContain(c);
      for (const size of SIZES) {
        const sweeps = p.sizes[size];
        expect(sweeps.length, `${p.id} ${size}`).toBeGreaterThan(0);
        expect(new Set(sweeps.map((s) => s.role)).size).toBe(sweeps.length);
        for (const s of sweeps) {
          const r = SweepSpecSchema.safeParse(s.spec);
          expect(r.success, `${p.id} ${size} ${s.role}: ${r.error?.message ?? ''}`).toBe(true);
        }
      }
    }
  });

  it('expand into run configs a worker accepts, cell by cell and for the λ0 calibration, at both sizes', () => {
    for (const p of PAPER_PRESETS) {
      for (const size of SIZES) {
        for (const s of p.sizes[size]) {
          const spec = SweepSpecSchema.parse(s.spec);
          const lambda0 = isRelativeGrid(spec) ? 50 : undefined;
          for (const coord of gridCells(spec)) {
            const config = cellRunConfig(spec, coord, lambda0);
            expect(RunConfigSchema.safeParse(config).success, `${p.id} ${size} ${s.role} ${coord.cellId}`).toBe(true);
            expect(config.schedule.warmupSteps).toBeLessThanOrEqual(config.steps);
            expect(config.schedule.etaInit).toEqual(spec.etaInit);
          }
          if (lambda0 !== undefined) expect(calibrationRunConfig(spec).measure.lambda0).toBe(true);
        }
      }
    }
  });

  it('run the paper’s data at paper size and Fashion-MNIST subsets at CPU size', () => {
    for (const p of PAPER_PRESETS) {
      for (const s of p.sizes.paper)
        expect(SweepSpecSchema.parse(s.spec).data).toMatchObject({ name: 'cifar10', dir: PAPER_CIFAR10_DIR });
      for (const s of p.sizes.cpu) {
        const d = SweepSpecSchema.parse(s.spec).data;
        expect(d.name).toBe('fashion-mnist');
        expect(d.trainSubset).toBeLessThanOrEqual(5000);
      }
    }
  });

  it('keep each CPU study within minutes of 2-core compute', () => {
    for (const p of PAPER_PRESETS) {
      const c = studyCost(p, 'cpu');
      // ≤ 2·10^5 plain steps (~4 ms each for FCN-4-256 at batch 128 on atlas-native) and ≤ 4,000 λ-measured steps
      // (~0.25 s each for the small full-batch mechanism FCN): about 15 minutes of one core at most.
      expect(c.cellSteps, p.id).toBeLessThanOrEqual(200_000);
      expect(c.sharpnessSteps, p.id).toBeLessThanOrEqual(4_000);
      expect(studyCost(p, 'paper').cellSteps, p.id).toBeGreaterThan(c.cellSteps);
    }
  });

  it('count cells and steps exactly', () => {
    const fig1 = paperPreset('fig1-mechanisms');
    if (fig1 === undefined) throw new Error('fig1-mechanisms missing');
    const spec = SweepSpecSchema.parse(fig1.sizes.cpu[0]?.spec);
    const cells = gridCells(spec).length;
    // Two sweeps (SP, μP) × one η × the T_wrm values, λ measured at every step.
    expect(studyCost(fig1, 'cpu')).toEqual({
      sweeps: 2,
      cells: 2 * cells,
      cellSteps: 2 * cells * spec.steps,
      sharpnessSteps: 2 * cells * spec.steps,
    });
    expect(cells).toBe(spec.warmupGrid.length);
    expect(presetNeedsCalibration(fig1, 'cpu')).toBe(true);
    const gi = paperPreset('adam-mechanisms');
    if (gi === undefined) throw new Error('adam-mechanisms missing');
    expect(presetNeedsCalibration(gi, 'cpu')).toBe(false);
  });
});
