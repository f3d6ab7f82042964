/**
 * Ties a windowed list's scroll box to its state (../state/windowed-list.svelte.ts), for every
 * windowed grid (the Inspector's exchanges, the Audit journal): the box's measured height (without
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
