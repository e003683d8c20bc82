import { describe, expect, it } from 'vitest';
import { focusKey, heatmapKeyAction } from '../../../app/charts/heatmap-keyboard';

describe('heatmapKeyAction (the keyboard of the Sweep page and the share viewer)', () => {
  // Row 1 above row 0; (1, 1) is a hole.
  const cells = [
    { col: 0, row: 0, key: '0:0', cellId: 'a' },
    { col: 1, row: 0, key: '1:0', cellId: 'b' },
    { col: 0, row: 1, key: '0:1', cellId: 'c' },
    { col: 2, row: 1, key: '2:1', cellId: 'd' },
  ];
  const press = (key: string, shiftKey = false) => ({ key, shiftKey });

  it('moves focus with the arrows (from nowhere to the top-left cell), consuming the key', () => {
    expect(heatmapKeyAction(press('ArrowDown'), cells, null)).toEqual({
      kind: 'move',
      focus: { col: 0, row: 1 },
      consumed: true,
    });
    expect(heatmapKeyAction(press('ArrowRight'), cells, { col: 0, row: 1 })).toMatchObject({
      focus: { col: 2, row: 1 },
    });
    expect(heatmapKeyAction(press('ArrowLeft'), [], null)).toMatchObject({ kind: 'move', focus: null });
  });

  it('selects the focused cell with Enter or Space, adds it with Shift, and consumes Enter without a focus', () => {
    expect(heatmapKeyAction(press('Enter'), cells, { col: 1, row: 0 })).toEqual({
      kind: 'select',
      cellId: 'b',
      add: false,
      consumed: true,
    });
    expect(heatmapKeyAction(press(' ', true), cells, { col: 2, row: 1 })).toMatchObject({ cellId: 'd', add: true });
    expect(heatmapKeyAction(press('Enter', true), cells, null)).toMatchObject({ kind: 'select', cellId: null });
  });

  it('clears with Escape (leaving the key to the page) and ignores other keys', () => {
    expect(heatmapKeyAction(press('Escape'), cells, { col: 0, row: 0 })).toEqual({ kind: 'clear', consumed: false });
    expect(heatmapKeyAction(press('Tab'), cells, { col: 0, row: 0 })).toBeNull();
    expect(heatmapKeyAction(press('a'), cells, null)).toBeNull();
  });

  it('names a focus by the key of its laid-out cell', () => {
    expect(focusKey({ col: 3, row: 2 })).toBe('3:2');
    expect(focusKey(null)).toBeNull();
  });
});
