/**
 * Colours shared by the charts. Okabe–Ito (colour-blind safe) for series and compared cells; the heatmap's value
 * colours are viridis (heatmap-legend.ts).
 */
export const COMPARE_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7'] as const;
export const MAX_COMPARE = COMPARE_COLORS.length;

/** Threshold and marker colours on the cell panel. */
export const THRESHOLD_COLOR = '#555555';
export const WARMUP_END_COLOR = '#E69F00';
export const DIVERGENCE_COLOR = '#000000';
/** Catapult markers (Okabe–Ito reddish purple). */
export const CATAPULT_COLOR = '#CC79A7';
