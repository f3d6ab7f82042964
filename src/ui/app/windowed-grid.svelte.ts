/**
 * What every windowed grid (the Inspector's exchanges, the Audit journal; styles in
 * ./windowed-grid.css) does the same way. `windowedScroll` ties the scroll box to the list's
 * state (../state/windowed-list.svelte.ts): the box's measured height (without
 * its sticky header, the box's first child) goes to the state, the person's scrolling goes to the
 * state, and the state's position (live follow, a key press, "jump to live") goes back to the box.
 *
 * Heights come from a ResizeObserver's entries (measured after layout), and the last position set
 * or read is remembered: reading `clientHeight` or `scrollTop` would force a layout each time.
 */
import type { Attachment } from 'svelte/attachments';
import type { WindowedList } from '../state/windowed-list.svelte.ts';

export function windowedScroll<T>(list: WindowedList<T>): Attachment<HTMLElement> {
  return (box) => {
    const head = box.firstElementChild;
    let boxHeight = 0;
    let headHeight = 0;
    const observer = new ResizeObserver((entries) => {
      for (const entry of entries) {
        if (entry.target === box) boxHeight = entry.contentRect.height;
        else headHeight = entry.borderBoxSize[0]?.blockSize ?? entry.contentRect.height;
      }
      if (boxHeight > 0) list.resized(boxHeight - headHeight);
    });
    observer.observe(box);
    if (head) observer.observe(head);

    let applied = 0;
    const onscroll = () => {
      applied = box.scrollTop;
      list.scrolled(applied);
    };
    box.addEventListener('scroll', onscroll, { passive: true });

    // Runs after the DOM update, so the body already has its new height.
    $effect(() => {
      const top = list.scrollTop;
      if (Math.abs(applied - top) >= 1) {
        box.scrollTop = top;
        applied = top;
      }
    });

    return () => {
      observer.disconnect();
      box.removeEventListener('scroll', onscroll);
    };
  };
}

/** What a grid's owner does with its rows: open one in the detail pane, close the pane. */
export interface GridOwner {
  open(key: number): unknown;
  openSelected(): unknown;
  close(): void;
  readonly openKey: number | undefined;
}

/**
 * The grid's keys (↑ ↓ PgUp PgDn Home End select, Enter opens, Escape closes the pane) and one
 * click listener for every row (rows come and go as the list scrolls; each has `data-key`).
 */
export function gridEvents<T>(
  list: WindowedList<T>,
  owner: GridOwner,
): { onkeydown(event: KeyboardEvent): void; onclick(event: MouseEvent): void } {
  return {
    onkeydown(event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const outcome = list.key(event.key);
      if (outcome === 'moved') event.preventDefault();
      else if (outcome === 'open') {
        event.preventDefault();
        void owner.openSelected();
      } else if (outcome === 'close' && owner.openKey !== undefined) {
        event.preventDefault();
        owner.close();
      }
    },
    onclick(event) {
      const row = (event.target as Element | null)?.closest('[data-key]');
      const key = Number(row?.getAttribute('data-key'));
      if (Number.isFinite(key)) void owner.open(key);
    },
  };
}
