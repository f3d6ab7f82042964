/**
 * Fixed-row windowing for long lists (the Inspector, later the Audit journal): only the rows near
 * the scroll position are in the DOM, and a spacer as tall as every row keeps the scrollbar true.
 * Laying out 10,000 rows costs the browser seconds; about 60 cost nothing (UI.md §5). Rows have
 * one fixed height, so positions are arithmetic, never measured. Pure functions: the list's state
 * class calls them, and tests check them without a DOM.
 *
 * Coordinates are those of the list's body: row `i` spans `[i * rowHeight, (i + 1) * rowHeight)`,
 * and `scrollTop` is how far the body is scrolled (a sticky header above it is not counted).
 */

export interface WindowInput {
  /** How far the body is scrolled, px. */
  scrollTop: number;
  /** The height rows can show in, px (the scroll box without its sticky header). */
  viewportHeight: number;
  rowHeight: number;
  /** Rows in the whole list. */
  total: number;
  /** Rows rendered beyond each edge, so a fast scroll shows rows rather than blank space. */
  overscan: number;
}

export interface RowWindow {
  /** Index of the first row to render. */
  first: number;
  /** One past the last row to render (`end - first` rows; 0 when the list is empty). */
  end: number;
  /** The body's full height, px: the spacer that gives the scrollbar its length. */
  totalHeight: number;
}

/** A number to compute with: anything not finite (NaN from an unmeasured box) counts as 0. */
function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

function whole(value: number): number {
  return Math.max(0, Math.floor(finite(value)));
}

/** The largest `scrollTop` the body can have: its last row at the bottom of the viewport. */
export function maxScrollTop(total: number, rowHeight: number, viewportHeight: number): number {
  return Math.max(0, whole(total) * finite(rowHeight) - Math.max(0, finite(viewportHeight)));
}

/** `scrollTop` kept between 0 and `maxScrollTop`. */
export function clampScrollTop(
  scrollTop: number,
  total: number,
  rowHeight: number,
  viewportHeight: number,
): number {
  return Math.min(Math.max(0, finite(scrollTop)), maxScrollTop(total, rowHeight, viewportHeight));
}

/** The rows to render for a scroll position: those in view, plus `overscan` on each side. */
export function rowWindow(input: WindowInput): RowWindow {
  const total = whole(input.total);
  const rowHeight = finite(input.rowHeight);
  if (total === 0 || rowHeight <= 0) return { first: 0, end: 0, totalHeight: 0 };
  const viewport = Math.max(0, finite(input.viewportHeight));
  const top = clampScrollTop(input.scrollTop, total, rowHeight, viewport);
  const overscan = whole(input.overscan);
  const firstInView = Math.min(total - 1, Math.floor(top / rowHeight));
  const endInView = Math.min(total, Math.ceil((top + viewport) / rowHeight));
  return {
    first: Math.max(0, firstInView - overscan),
    end: Math.min(total, Math.max(endInView, firstInView + 1) + overscan),
    totalHeight: total * rowHeight,
  };
}

/**
 * The `scrollTop` that shows row `index` whole with the least movement: unchanged when it is in
 * view already, else the row at the top (going up) or at the bottom (going down).
 */
export function revealRow(
  index: number,
  scrollTop: number,
  rowHeight: number,
  viewportHeight: number,
): number {
  const top = whole(index) * finite(rowHeight);
  const bottom = top + finite(rowHeight);
  const current = Math.max(0, finite(scrollTop));
  const viewport = Math.max(0, finite(viewportHeight));
  if (top < current) return top;
  if (bottom > current + viewport) return Math.max(0, bottom - viewport);
  return current;
}

/**
 * Whether the body is scrolled to its end, give or take `slack` px (half a row by default):
 * browsers report fractional positions at some zoom levels, so an exact test misses the bottom.
 */
export function atBottom(
  scrollTop: number,
  total: number,
  rowHeight: number,
  viewportHeight: number,
  slack = rowHeight / 2,
): boolean {
  return finite(scrollTop) >= maxScrollTop(total, rowHeight, viewportHeight) - finite(slack);
}

/** Whole rows in the viewport (at least 1): how far PgUp and PgDn move. */
export function rowsPerPage(viewportHeight: number, rowHeight: number): number {
  const rows = Math.floor(Math.max(0, finite(viewportHeight)) / finite(rowHeight));
  return Number.isFinite(rows) && rows >= 1 ? rows : 1;
}

/** The keys that move the selection in a grid (WAI-ARIA grid pattern, rows only). */
export type MoveKey = 'ArrowUp' | 'ArrowDown' | 'PageUp' | 'PageDown' | 'Home' | 'End';

export function isMoveKey(key: string): key is MoveKey {
  return (
    key === 'ArrowUp' ||
    key === 'ArrowDown' ||
    key === 'PageUp' ||
    key === 'PageDown' ||
    key === 'Home' ||
    key === 'End'
  );
}

/**
 * The row a key selects. `current` is -1 when no row is selected (or the selected one is
 * filtered out): then a move starts from `fallback` (the first row in view), and the first press
 * selects that row itself. Undefined when the list is empty.
 */
export function moveIndex(
  key: MoveKey,
  current: number,
  total: number,
  pageRows: number,
  fallback = 0,
): number | undefined {
  const count = whole(total);
  if (count === 0) return undefined;
  const last = count - 1;
  const clamp = (index: number) => Math.min(last, Math.max(0, index));
  if (key === 'Home') return 0;
  if (key === 'End') return last;
  if (current < 0 || current > last) return clamp(fallback);
  const page = Math.max(1, whole(pageRows));
  switch (key) {
    case 'ArrowUp':
      return clamp(current - 1);
    case 'ArrowDown':
      return clamp(current + 1);
    case 'PageUp':
      return clamp(current - page);
    case 'PageDown':
      return clamp(current + page);
  }
}

/**
 * The first index in `sorted` (ascending by `keyOf`) whose key is at least `key`; `sorted.length`
 * when none is. Lists keyed by an increasing number (a sequence) find a row in log time with it.
 */
export function lowerBound<T>(
  sorted: readonly T[],
  key: number,
  keyOf: (item: T) => number,
): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keyOf(sorted[middle]!) < key) low = middle + 1;
    else high = middle;
  }
  return low;
}
