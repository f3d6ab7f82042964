/**
 * A long list shown through a window (../app/windowing.ts): the scroll position, the selected row,
 * the keys that move it, and live follow. Items are sorted by an increasing numeric key (a
 * sequence number), which is also their order of arrival, so "new since the person scrolled up"
 * is a key comparison. The component only forwards scroll, size and key events here and writes
 * `scrollTop` back to its scroll box; everything it shows is computed from this state, so tests
 * drive it without a DOM.
 *
 * Live follow: while the person is at the bottom, new rows keep the view at the bottom (newest
 * last); once they scroll up, the rows in view stay put (even as old rows are trimmed from the
 * top) and `unseen` counts what arrived since, for a "jump to live" button.
 */
import {
  atBottom,
  clampScrollTop,
  isMoveKey,
  lowerBound,
  maxScrollTop,
  moveIndex,
  revealRow,
  rowWindow,
  rowsPerPage,
  type RowWindow,
} from '../app/windowing.ts';

export interface WindowedListOptions<T> {
  /** The item's key: unique, and increasing along the list. */
  keyOf: (item: T) => number;
  rowHeight: number;
  /** Rows rendered beyond each edge of the viewport. */
  overscan?: number;
  /** The viewport's height until the component measures it (and for rendering on the server). */
  viewportHeight?: number;
}

/** What a key press did, for the component to prevent the browser's own handling. */
export type KeyOutcome = 'moved' | 'open' | 'close' | undefined;

export class WindowedList<T> {
  items = $state.raw<readonly T[]>([]);
  scrollTop = $state.raw(0);
  viewportHeight = $state.raw(480);
  /** Whether new rows keep the view at the bottom: the person is there (or jumped there). */
  following = $state.raw(true);
  /** Key of the selected row (it may be filtered out for now: then no row shows selected). */
  selectedKey = $state.raw<number | undefined>(undefined);
  /** Rows that arrived since the person scrolled up from the bottom. */
  unseen = $state.raw(0);

  readonly rowHeight: number;
  readonly overscan: number;
  readonly #keyOf: (item: T) => number;
  /** Key of the last row there was when the person left the bottom; later keys are unseen. */
  #seenUpTo: number | undefined;

  constructor(options: WindowedListOptions<T>) {
    this.#keyOf = options.keyOf;
    this.rowHeight = options.rowHeight;
    this.overscan = options.overscan ?? 20;
    if (options.viewportHeight !== undefined) this.viewportHeight = options.viewportHeight;
  }

  /** The rows to render now. */
  get range(): RowWindow {
    return rowWindow({
      scrollTop: this.scrollTop,
      viewportHeight: this.viewportHeight,
      rowHeight: this.rowHeight,
      total: this.items.length,
      overscan: this.overscan,
    });
  }

  /** The rows to render now, from `range.first`. */
  get shown(): readonly T[] {
    const { first, end } = this.range;
    return this.items.slice(first, end);
  }

  /**
   * The selected row's element id (`prefix` and its key) while it is rendered, for the grid's
   * aria-activedescendant: an id that is not in the page is an error.
   */
  activeId(prefix: string): string | undefined {
    const index = this.selectedIndex;
    const { first, end } = this.range;
    return index >= first && index < end ? `${prefix}${this.selectedKey}` : undefined;
  }

  /** The index of the selected row in `items`, or -1. */
  get selectedIndex(): number {
    const key = this.selectedKey;
    if (key === undefined) return -1;
    const index = lowerBound(this.items, key, this.#keyOf);
    const item = this.items[index];
    return item !== undefined && this.#keyOf(item) === key ? index : -1;
  }

  get selected(): T | undefined {
    return this.items[this.selectedIndex];
  }

  /**
   * New items (after a fetch, a trim or a filter change). Following: the view goes to the end.
   * Otherwise the row at the top of the view stays at the top, wherever it now is in the list.
   */
  setItems(items: readonly T[]): void {
    const before = this.items;
    const anchorIndex = Math.floor(this.scrollTop / this.rowHeight);
    const anchor = before[Math.min(anchorIndex, before.length - 1)];
    const within = this.scrollTop - anchorIndex * this.rowHeight;
    this.items = items;
    if (this.following || anchor === undefined) {
      this.#setScroll(this.following ? this.#max() : this.scrollTop);
    } else {
      const index = lowerBound(items, this.#keyOf(anchor), this.#keyOf);
      // Following starts again only when every row fits: there is no bottom to scroll to.
      this.#setScroll(index * this.rowHeight + within, this.#max() === 0);
    }
    this.#countUnseen();
  }

  /** The scroll box moved (the person scrolled, or the page set it). */
  scrolled(scrollTop: number): void {
    this.#setScroll(scrollTop);
  }

  /** The viewport's measured height (px of rows it shows). */
  resized(viewportHeight: number): void {
    if (!Number.isFinite(viewportHeight) || viewportHeight <= 0) return;
    this.viewportHeight = viewportHeight;
    this.#setScroll(this.following ? this.#max() : this.scrollTop);
  }

  /** Scrolls to the newest row and follows again. */
  jumpToLive(): void {
    this.#setScroll(this.#max());
  }

  select(key: number | undefined): void {
    this.selectedKey = key;
  }

  /** Selects row `index` and scrolls it into view. */
  selectIndex(index: number): void {
    const item = this.items[index];
    if (item === undefined) return;
    this.selectedKey = this.#keyOf(item);
    this.#setScroll(revealRow(index, this.scrollTop, this.rowHeight, this.viewportHeight));
  }

  /** ↑ ↓ PgUp PgDn Home End move the selection, Enter opens it, Escape closes it. */
  key(key: string): KeyOutcome {
    if (key === 'Enter') return this.selected === undefined ? undefined : 'open';
    if (key === 'Escape') return 'close';
    if (!isMoveKey(key)) return undefined;
    const current = this.selectedIndex;
    // With nothing selected, a first press selects a row in view, not one far away.
    const { first, end } = rowWindow({
      scrollTop: this.scrollTop,
      viewportHeight: this.viewportHeight,
      rowHeight: this.rowHeight,
      total: this.items.length,
      overscan: 0,
    });
    const fallback = key === 'ArrowUp' || key === 'PageUp' ? end - 1 : first;
    const page = rowsPerPage(this.viewportHeight, this.rowHeight);
    const next = moveIndex(key, current, this.items.length, page, fallback);
    if (next === undefined) return undefined;
    this.selectIndex(next);
    return 'moved';
  }

  #max(): number {
    return maxScrollTop(this.items.length, this.rowHeight, this.viewportHeight);
  }

  /** Sets the position; `follow`: whether being at the bottom (re)starts following. */
  #setScroll(scrollTop: number, follow = true): void {
    const top = clampScrollTop(scrollTop, this.items.length, this.rowHeight, this.viewportHeight);
    this.scrollTop = top;
    const bottom = atBottom(top, this.items.length, this.rowHeight, this.viewportHeight);
    if (bottom && follow) {
      this.following = true;
      this.#seenUpTo = undefined;
    } else if (!bottom && this.following) {
      this.following = false;
      const last = this.items.at(-1);
      this.#seenUpTo = last === undefined ? -Infinity : this.#keyOf(last);
    }
    this.#countUnseen();
  }

  #countUnseen(): void {
    let unseen = 0;
    if (!this.following && this.#seenUpTo !== undefined) {
      let index = lowerBound(this.items, this.#seenUpTo, this.#keyOf);
      const at = this.items[index];
      if (at !== undefined && this.#keyOf(at) === this.#seenUpTo) index++;
      unseen = this.items.length - index;
    }
    if (unseen !== this.unseen) this.unseen = unseen;
  }
}
