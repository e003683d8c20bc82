import { formatNumber } from '../heatmap';
import { isRelativeGrid, type SweepSpec } from '../sweep-spec';

/** How the checks write numbers and η values in their summaries and tables. */

/**
 * An η in its grid's unit: 2^x/λ0 for relative grids, else 3 significant digits. x is the grid's own exponent when
 * it is passed (plus log₂ of the grid's base, 0 for the paper's grids), log₂ of the value only when it is not.
 */
export function formatEta(spec: SweepSpec, etaInUnits: number, etaExp: number | null = null): string {
  if (!isRelativeGrid(spec)) return fmt(etaInUnits);
  const base = spec.etaGrid.kind === 'pow2' ? spec.etaGrid.base : 1;
  const x = etaExp === null ? Math.log2(etaInUnits) : etaExp + Math.log2(base);
  const xs = Math.abs(x - Math.round(x)) < 1e-9 ? String(Math.round(x)) : x.toFixed(2);
  return `2^${xs}/λ0`;
}

/** A number as the heatmap labels it (heatmap.ts's formatNumber), '—' when not measured. */
export function fmt(v: number | null): string {
  return v === null ? '—' : formatNumber(v);
}

/** The median of the finite values, null when there is none. */
export function median(values: readonly number[]): number | null {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

/** "(N octaves)" between two η values (log₂ ratio), singular for one. */
export function octavesText(from: number, to: number): string {
  const n = Math.log2(to / from);
  return ` (${fmt(n)} ${Math.abs(n) === 1 ? 'octave' : 'octaves'})`;
}
