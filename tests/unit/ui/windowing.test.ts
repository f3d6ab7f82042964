/**
 * Fixed-row windowing (src/ui/app/windowing.ts): which rows of a long list are rendered for a
 * scroll position, how far a key moves the selection, and where the list scrolls to show a row.
 * The arithmetic must hold at the edges (empty list, top, bottom, a viewport not measured yet).
 */
import { describe, expect, it } from 'vitest';
import {
  atBottom,
  clampScrollTop,
  lowerBound,
  maxScrollTop,
  moveIndex,
  revealRow,
  rowWindow,
  rowsPerPage,
} from '../../../src/ui/app/windowing.ts';

const ROW = 30;

describe('rowWindow', () => {
  it('renders the rows in view plus the overscan on each side, whatever the total', () => {
    // 10,000 rows, a 480 px viewport (16 rows), scrolled to row 5,000.
    const window = rowWindow({
      scrollTop: 5_000 * ROW,
      viewportHeight: 480,
      rowHeight: ROW,
      total: 10_000,
      overscan: 20,
    });
    expect(window).toEqual({ first: 4_980, end: 5_036, totalHeight: 300_000 });
    expect(window.end - window.first).toBeLessThanOrEqual(60);
  });

  it('at the top renders no row before the first, and a partly shown row counts', () => {
    expect(
      rowWindow({ scrollTop: 0, viewportHeight: 100, rowHeight: ROW, total: 1000, overscan: 5 }),
    ).toEqual({ first: 0, end: 9, totalHeight: 30_000 });
    // 15 px down: rows 0 to 3 are (partly) in view.
    expect(
      rowWindow({ scrollTop: 15, viewportHeight: 100, rowHeight: ROW, total: 1000, overscan: 0 }),
    ).toMatchObject({ first: 0, end: 4 });
  });

  it('at the bottom ends at the last row, and a scroll past the end is taken as the end', () => {
    const input = { viewportHeight: 300, rowHeight: ROW, total: 100, overscan: 5 };
    expect(rowWindow({ ...input, scrollTop: maxScrollTop(100, ROW, 300) })).toEqual({
      first: 85,
      end: 100,
      totalHeight: 3000,
    });
    expect(rowWindow({ ...input, scrollTop: 1e9 })).toEqual(
      rowWindow({ ...input, scrollTop: 2700 }),
    );
  });

  it('an empty list renders nothing, and a list shorter than the viewport renders all of it', () => {
    expect(
      rowWindow({ scrollTop: 0, viewportHeight: 500, rowHeight: ROW, total: 0, overscan: 20 }),
    ).toEqual({ first: 0, end: 0, totalHeight: 0 });
    expect(
      rowWindow({ scrollTop: 40, viewportHeight: 500, rowHeight: ROW, total: 3, overscan: 20 }),
    ).toEqual({ first: 0, end: 3, totalHeight: 90 });
  });

  it('survives values a box gives before it is measured (NaN, negative)', () => {
    const window = rowWindow({
      scrollTop: Number.NaN,
      viewportHeight: -5,
      rowHeight: ROW,
      total: 50,
      overscan: 2,
    });
    expect(window).toEqual({ first: 0, end: 3, totalHeight: 1500 });
  });
});

describe('scrolling to a row and to the end', () => {
  it('revealRow moves only as far as needed, up or down, and not at all for a row in view', () => {
    // Viewport shows rows 10 to 19 (300 px at 300 px scrolled).
    expect(revealRow(12, 300, ROW, 300)).toBe(300);
    expect(revealRow(5, 300, ROW, 300)).toBe(150);
    expect(revealRow(25, 300, ROW, 300)).toBe(26 * ROW - 300);
  });

  it('maxScrollTop and clampScrollTop keep the last row at the bottom', () => {
    expect(maxScrollTop(100, ROW, 300)).toBe(2700);
    expect(maxScrollTop(5, ROW, 300)).toBe(0);
    expect(clampScrollTop(-10, 100, ROW, 300)).toBe(0);
    expect(clampScrollTop(9999, 100, ROW, 300)).toBe(2700);
  });

  it('atBottom allows half a row for fractional scroll positions', () => {
    expect(atBottom(2700, 100, ROW, 300)).toBe(true);
    expect(atBottom(2686.5, 100, ROW, 300)).toBe(true);
    expect(atBottom(2600, 100, ROW, 300)).toBe(false);
    expect(atBottom(0, 3, ROW, 300)).toBe(true);
  });
});

describe('moving the selection with keys', () => {
  it('↑ ↓ move one row, PgUp PgDn a page, Home End to the ends, all clamped', () => {
    expect(moveIndex('ArrowDown', 4, 100, 10)).toBe(5);
    expect(moveIndex('ArrowUp', 4, 100, 10)).toBe(3);
    expect(moveIndex('ArrowUp', 0, 100, 10)).toBe(0);
    expect(moveIndex('ArrowDown', 99, 100, 10)).toBe(99);
    expect(moveIndex('PageDown', 4, 100, 10)).toBe(14);
    expect(moveIndex('PageDown', 95, 100, 10)).toBe(99);
    expect(moveIndex('PageUp', 4, 100, 10)).toBe(0);
    expect(moveIndex('Home', 50, 100, 10)).toBe(0);
    expect(moveIndex('End', 50, 100, 10)).toBe(99);
  });

  it('with nothing selected, a first move selects the fallback row (one in view)', () => {
    expect(moveIndex('ArrowDown', -1, 100, 10, 40)).toBe(40);
    expect(moveIndex('PageUp', -1, 100, 10, 49)).toBe(49);
    expect(moveIndex('End', -1, 100, 10, 40)).toBe(99);
  });

  it('an empty list has nothing to select', () => {
    expect(moveIndex('End', -1, 0, 10)).toBeUndefined();
  });

  it('a page is the whole rows in the viewport, at least one', () => {
    expect(rowsPerPage(480, ROW)).toBe(16);
    expect(rowsPerPage(10, ROW)).toBe(1);
    expect(rowsPerPage(Number.NaN, ROW)).toBe(1);
  });
});

describe('lowerBound', () => {
  it('finds the first item whose key is at least the one asked for', () => {
    const keys = [2, 4, 4, 8, 16];
    const id = (n: number) => n;
    expect(lowerBound(keys, 4, id)).toBe(1);
    expect(lowerBound(keys, 5, id)).toBe(3);
    expect(lowerBound(keys, 1, id)).toBe(0);
    expect(lowerBound(keys, 17, id)).toBe(5);
    expect(lowerBound([], 3, id)).toBe(0);
  });
});
