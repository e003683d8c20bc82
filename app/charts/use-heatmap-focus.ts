import { useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { focusKey, heatmapKeyAction, moveFocus, type GridFocus } from './heatmap-keyboard';
import type { LaidOutCell } from './heatmap-layout';

/**
 * The interactive side of a heatmap for a client component: the keyboard-focused cell, and the handlers HeatmapSvg
 * takes (keys by heatmapKeyAction, focus entering the chart, clicks). Selection itself stays with the page, which
 * keeps it in its URL: `select(cellId, add)` selects a cell (or toggles it in the comparison), `clear()` empties it.
 */
export function useHeatmapFocus(
  cells: readonly LaidOutCell[],
  on: { select: (cellId: string, add: boolean) => void; clear: () => void },
): {
  focusedKey: string | null;
  onKeyDown: (e: KeyboardEvent<SVGSVGElement>) => void;
  onFocus: () => void;
  onCellClick: (c: LaidOutCell, e: MouseEvent<SVGRectElement>) => void;
} {
  const [focus, setFocusState] = useState<GridFocus | null>(null);
  // Keys are read against the latest focus, not the last render's: an Enter that follows an arrow before React
  // re-renders (fast typing, a busy machine) must select the cell the arrow moved to.
  const latest = useRef<GridFocus | null>(null);
  const setFocus = (f: GridFocus | null) => {
    latest.current = f;
    setFocusState(f);
  };
  const onKeyDown = (e: KeyboardEvent<SVGSVGElement>) => {
    const action = heatmapKeyAction(e, cells, latest.current);
    if (action === null) return;
    if (action.consumed) e.preventDefault();
    if (action.kind === 'move') setFocus(action.focus);
    else if (action.kind === 'select') {
      if (action.cellId !== null) on.select(action.cellId, action.add);
    } else on.clear();
  };
  return {
    focusedKey: focusKey(focus),
    onKeyDown,
    // Tabbing into the chart focuses its top-left cell.
    onFocus: () => {
      if (!latest.current) setFocus(moveFocus(cells, null, 'ArrowRight'));
    },
    onCellClick: (c, e) => {
      setFocus({ col: c.col, row: c.row });
      on.select(c.cellId, e.shiftKey || e.metaKey || e.ctrlKey);
    },
  };
}
