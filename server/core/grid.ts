import { CALIBRATION_JOB_ID, makeCellId, type CellId } from './ids';
import { RunConfigSchema, type RunConfig } from './run-config';
import { etaGridSize, needsCalibration, type EtaGrid, type SweepSpec } from './sweep-spec';

/**
 * Grid expansion (pure): a SweepSpec → its cells, each with a stable id and its RunConfig. The order is η-major
 * within each warmup length (T_wrm ascending, η ascending as given, then seeds), so a fleet fills heatmap rows.
 */

export interface CellCoord {
  cellId: CellId;
  /** Index into the η grid, as the spec lists it. */
  etaIndex: number;
  /** η in the grid's own units: the explicit value, or base·2^x (times 1/λ0 for `inv-lambda0`). */
  etaInUnits: number;
  /** The exponent x for a powers-of-two grid, else null. */
  etaExp: number | null;
  warmupSteps: number;
  seed: number;
}

/** The η values of a grid in its own units, with the exponent x for powers-of-two grids. */
export function etaGridValues(grid: EtaGrid): { value: number; exp: number | null }[] {
  if (grid.kind === 'explicit') return grid.values.map((value) => ({ value, exp: null }));
  const out: { value: number; exp: number | null }[] = [];
  const n = etaGridSize(grid);
  for (let i = 0; i < n; i++) {
    // Rounded to 1e-9 so 0.1-steps give clean exponents (x = 0.3, not 0.30000000000000004).
    const exp = Math.round((grid.fromExp + i * grid.stepExp) * 1e9) / 1e9;
    out.push({ value: grid.base * 2 ** exp, exp });
  }
  return out;
}

/** The coordinates of every cell of a sweep, in claim order; ids are stable for the same spec. */
export function gridCells(spec: SweepSpec): CellCoord[] {
  const etas = etaGridValues(spec.etaGrid);
  const warmups = [...spec.warmupGrid].sort((a, b) => a - b);
  const cells: CellCoord[] = [];
  for (const w of warmups) {
    etas.forEach((eta, etaIndex) => {
      for (const seed of spec.seeds) {
        cells.push({ cellId: makeCellId(etaIndex, w, seed), etaIndex, etaInUnits: eta.value, etaExp: eta.exp, warmupSteps: w, seed });
      }
    });
  }
  return cells;
}

/** The absolute η_trgt of a cell; `lambda0` is required when the grid is in units of 1/λ0. */
export function cellEtaTrgt(spec: SweepSpec, coord: Pick<CellCoord, 'etaInUnits'>, lambda0?: number): number {
  if (!needsCalibration(spec)) return coord.etaInUnits;
  if (lambda0 === undefined || !Number.isFinite(lambda0) || lambda0 <= 0) {
    throw new MissingCalibrationError('this sweep’s η grid is in units of 1/λ0: a positive finite λ0 is required');
  }
  return coord.etaInUnits / lambda0;
}

/** The RunConfig that trains one cell (validated by RunConfigSchema). */
export function cellRunConfig(spec: SweepSpec, coord: CellCoord, lambda0?: number): RunConfig {
  return RunConfigSchema.parse({
    model: spec.model,
    parameterization: spec.parameterization,
    loss: spec.loss,
    data: spec.data,
    optimizer: spec.optimizer,
    schedule: {
      etaTrgt: cellEtaTrgt(spec, coord, lambda0),
      warmupSteps: coord.warmupSteps,
      etaInit: spec.etaInit,
      after: spec.after,
    },
    steps: spec.steps,
    batchSize: spec.batchSize,
    seed: coord.seed,
    dataSeed: spec.dataSeed ?? coord.seed,
    measure: spec.measure,
    backend: spec.backend,
  });
}

/**
 * The RunConfig of the λ0 calibration job: the sweep's model, data and batch size at the FIRST seed (PAPER §2.4:
 * λ0 is measured once, with the init seed, as the mean top Hessian eigenvalue over `lambda0Batches` batches).
 * η does not enter the measurement at init; the schedule holds a placeholder η = 1.
 */
export function calibrationRunConfig(spec: SweepSpec): RunConfig {
  const seed = spec.seeds[0] ?? 1;
  return RunConfigSchema.parse({
    model: spec.model,
    parameterization: spec.parameterization,
    loss: spec.loss,
    data: spec.data,
    optimizer: spec.optimizer,
    schedule: { etaTrgt: 1, warmupSteps: 1 },
    steps: 1,
    batchSize: spec.batchSize,
    seed,
    dataSeed: spec.dataSeed ?? seed,
    measure: { ...spec.measure, lambda0: true },
    backend: spec.backend,
  });
}

/** The jobs of a sweep: the calibration job first when needed, then every cell. */
export function sweepJobIds(spec: SweepSpec): CellId[] {
  const ids = gridCells(spec).map((c) => c.cellId);
  return needsCalibration(spec) ? [CALIBRATION_JOB_ID, ...ids] : ids;
}

export class MissingCalibrationError extends Error {
  override name = 'MissingCalibrationError';
}
