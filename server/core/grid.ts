import { CALIBRATION_JOB_ID, makeCellId, type CellId } from './ids';
import { RunConfigSchema, type RunConfig } from './run-config';
import { etaGridSize, isRelativeGrid, type EtaGrid, type SweepSpec } from './sweep-spec';

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

/** A cell where readers meet it: its coordinates (without the η index) and its absolute η_trgt once known. */
export type PlacedCell = Omit<CellCoord, 'etaIndex'> & {
  /** Absolute η_trgt, null while a relative grid waits for λ0. */
  etaTrgt: number | null;
};

/** The η values of a grid in its own units, with the exponent x for powers-of-two grids. */
export function etaGridValues(grid: EtaGrid): Pick<CellCoord, 'etaInUnits' | 'etaExp'>[] {
  if (grid.kind === 'explicit') return grid.values.map((etaInUnits) => ({ etaInUnits, etaExp: null }));
  const out: Pick<CellCoord, 'etaInUnits' | 'etaExp'>[] = [];
  const n = etaGridSize(grid);
  for (let i = 0; i < n; i++) {
    // Rounded to 1e-9 so 0.1-steps give clean exponents (x = 0.3, not 0.30000000000000004).
    const etaExp = Math.round((grid.fromExp + i * grid.stepExp) * 1e9) / 1e9;
    out.push({ etaInUnits: grid.base * 2 ** etaExp, etaExp });
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
        cells.push({
          cellId: makeCellId(etaIndex, w, seed),
          etaIndex,
          ...eta,
          warmupSteps: w,
          seed,
        });
      }
    });
  }
  return cells;
}

/**
 * The grid coordinates of one cell of a sweep, or null when the id names no cell of it (the calibration job, or a
 * cell of another grid). Derived from the id itself: `e<η index>-w<T_wrm>-s<seed>`, checked against the spec.
 */
export function cellCoord(spec: SweepSpec, cellId: string): CellCoord | null {
  const m = /^e(\d{2,})-w(\d{6,})-s(\d+)$/.exec(cellId);
  if (m === null) return null;
  const etaIndex = Number(m[1]);
  const warmupSteps = Number(m[2]);
  const seed = Number(m[3]);
  const eta = etaGridValues(spec.etaGrid)[etaIndex];
  if (eta === undefined || !spec.warmupGrid.includes(warmupSteps) || !spec.seeds.includes(seed)) return null;
  // The id must be the canonical one (no extra leading zeros), so one cell has one id.
  if (makeCellId(etaIndex, warmupSteps, seed) !== cellId) return null;
  return { cellId, etaIndex, ...eta, warmupSteps, seed };
}

/**
 * The absolute η_trgt of a cell (PAPER §2.4): its grid value, divided by λ0 when the grid is in units of 1/λ0; null
 * while such a grid has no positive finite λ0 yet. Readers of a finished cell take η_trgt from its run's config.
 */
export function cellEtaTrgt(
  spec: SweepSpec,
  coord: Pick<CellCoord, 'etaInUnits'>,
  lambda0: number | null | undefined,
): number | null {
  if (!isRelativeGrid(spec)) return coord.etaInUnits;
  if (lambda0 === undefined || lambda0 === null || !Number.isFinite(lambda0) || lambda0 <= 0) return null;
  return coord.etaInUnits / lambda0;
}

/** The RunConfig that trains one cell (validated by RunConfigSchema). */
export function cellRunConfig(spec: SweepSpec, coord: CellCoord, lambda0?: number): RunConfig {
  return RunConfigSchema.parse({
    ...sharedRunFields(spec, coord.seed),
    schedule: {
      etaTrgt: requireEtaTrgt(spec, coord, lambda0),
      warmupSteps: coord.warmupSteps,
      etaInit: spec.etaInit,
      after: spec.after,
    },
    steps: spec.steps,
    measure: spec.measure,
  });
}

/**
 * The RunConfig of the λ0 calibration job: the sweep's model, data and batch size at the FIRST seed (PAPER §2.4:
 * λ0 is measured once, with the init seed, as the mean top Hessian eigenvalue over `lambda0Batches` batches).
 * η does not enter the measurement at init; the schedule holds a placeholder η = 1.
 */
export function calibrationRunConfig(spec: SweepSpec): RunConfig {
  return RunConfigSchema.parse({
    ...sharedRunFields(spec, spec.seeds[0] ?? 1),
    schedule: { etaTrgt: 1, warmupSteps: 1 },
    steps: 1,
    measure: { ...spec.measure, lambda0: true },
  });
}

/** What every job of a sweep takes from its spec as it is: model, data, optimizer, batch size, backend, seeds. */
function sharedRunFields(spec: SweepSpec, seed: number) {
  return {
    model: spec.model,
    parameterization: spec.parameterization,
    loss: spec.loss,
    data: spec.data,
    optimizer: spec.optimizer,
    batchSize: spec.batchSize,
    seed,
    dataSeed: spec.dataSeed ?? seed,
    backend: spec.backend,
  };
}

/** The jobs of a sweep: the calibration job first when needed, then every cell. */
export function sweepJobIds(spec: SweepSpec): CellId[] {
  const ids = gridCells(spec).map((c) => c.cellId);
  return isRelativeGrid(spec) ? [CALIBRATION_JOB_ID, ...ids] : ids;
}

function requireEtaTrgt(spec: SweepSpec, coord: Pick<CellCoord, 'etaInUnits'>, lambda0?: number): number {
  const eta = cellEtaTrgt(spec, coord, lambda0);
  if (eta === null) {
    throw new MissingCalibrationError('this sweep’s η grid is in units of 1/λ0: a positive finite λ0 is required');
  }
  return eta;
}

export class MissingCalibrationError extends Error {
  override name = 'MissingCalibrationError';
}
