import type { LaidOutCell } from './heatmap-layout';

/**
 * Keyboard use of a heatmap, pure: which cell the arrows move focus to, and what a key press does (move, select,
 * compare, clear). The Sweep page and the share viewer both handle keys through `heatmapKeyAction` (via the
 * use-heatmap-focus.ts hook), so the two cannot drift apart.
 */

/** A grid position (column from the left, row from the bottom). */
export interface GridFocus {
  col: number;
  row: number;
}

export type ArrowKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown';

const STEP: Record<ArrowKey, [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, 1],
  ArrowDown: [0, -1],
};

function isArrowKey(key: string): key is ArrowKey {
  return key in STEP;
}

/** The `col:row` key of a focus position (as `LaidOutCell.key`), or null. */
export function focusKey(focus: GridFocus | null): string | null {
  return focus ? `${focus.col}:${focus.row}` : null;
}

/** Move keyboard focus across laid-out cells: arrow keys step to the nearest existing cell in that direction. */
export function moveFocus(
  cells: readonly Pick<LaidOutCell, 'col' | 'row' | 'key'>[],
  from: GridFocus | null,
  key: ArrowKey,
): GridFocus | null {
  if (cells.length === 0) return null;
  if (!from) {
    // No focus yet: the top-left cell (largest T_wrm, smallest η).
    const first = [...cells].sort((a, b) => b.row - a.row || a.col - b.col)[0];
    return first ? { col: first.col, row: first.row } : null;
  }
  const [dc, dr] = STEP[key];
  let best: { col: number; row: number; d: number } | null = null;
  for (const c of cells) {
    const along = dc !== 0 ? (c.col - from.col) * dc : (c.row - from.row) * dr;
    if (along <= 0) continue;
    const across = dc !== 0 ? Math.abs(c.row - from.row) : Math.abs(c.col - from.col);
    const d = along + 4 * across;
    if (!best || d < best.d) best = { col: c.col, row: c.row, d };
  }
  return best ? { col: best.col, row: best.row } : from;
}

/**
 * What a key does on a focused heatmap: arrows move focus, Enter (or Space) selects the focused cell, with Shift adds
 * it to the comparison (or takes it out), Escape clears the selection; null for any other key. `consumed` says the
 * page must not also act on the key (scrolling, a button press).
 */
export type HeatmapKeyAction =
  | { kind: 'move'; focus: GridFocus | null; consumed: true }
  | { kind: 'select'; cellId: string | null; add: boolean; consumed: true }
  | { kind: 'clear'; consumed: false };

export function heatmapKeyAction(
  event: { key: string; shiftKey: boolean },
  cells: readonly Pick<LaidOutCell, 'col' | 'row' | 'key' | 'cellId'>[],
  focus: GridFocus | null,
): HeatmapKeyAction | null {
  const { key } = event;
  if (isArrowKey(key)) return { kind: 'move', focus: moveFocus(cells, focus, key), consumed: true };
  if (key === 'Enter' || key === ' ') {
    const fk = focusKey(focus);
    const cell = fk === null ? undefined : cells.find((c) => c.key === fk);
    return { kind: 'select', cellId: cell?.cellId ?? null, add: event.shiftKey, consumed: true };
  }
  if (key === 'Escape') return { kind: 'clear', consumed: false };
  return null;
}
