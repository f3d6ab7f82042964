/**
 * A long list shown a page at a time: a server may list 10,000 tools, and putting all of them in
 * the page at once blocks the main thread for seconds. The list shows the first `step` items and a
 * "Show more" button adds the next `step` (see ../app/ShowMore.svelte).
 */
export const PAGE_STEP = 50;

export class Paged {
  /** How many items show now. */
  limit = $state(PAGE_STEP);

  constructor(readonly step = PAGE_STEP) {
    this.limit = step;
  }

  /** The items to render: the first `limit` of `items`. */
  visible<T>(items: readonly T[]): readonly T[] {
    return items.length <= this.limit ? items : items.slice(0, this.limit);
  }

  more(): void {
    this.limit += this.step;
  }

  /** Back to the first page (another list took this one's place). */
  reset(): void {
    this.limit = this.step;
  }
}
