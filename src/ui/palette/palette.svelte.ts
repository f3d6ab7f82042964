/**
 * The command palette's state: whether it is open, the query, the ranked results and which one
 * is active, and the keys that move through them. The component (CommandPalette.svelte) only
 * draws this and wires the `<dialog>`; whoever opens the palette (the shell, on ⌘K) owns one
 * `PaletteState` and calls `show()`.
 *
 * Where the tools come from: the server list the dashboard already holds (`hub.servers`, which
 * the hub's `listServers` fills with every server's tool names, titles and descriptions, and the
 * change feed keeps fresh; the Playground's picker reads the same list). The palette asks the hub
 * for nothing more: a second `listServers` on opening would copy the same (possibly 10,000) tools
 * over the port again. The items are derived lazily, so nothing is built until the palette is
 * first drawn, and they are rebuilt only when the server list changes.
 */
import type { HubState } from '../state/hub.svelte.ts';
import { paletteItems, rank, RESULT_LIMIT, type PaletteItem, type Ranked } from './palette.ts';

export interface PaletteStateOptions {
  /** The dashboard's hub: the palette reads its server list and whether that list has loaded. */
  hub: Pick<HubState, 'servers' | 'loaded' | 'connectionError'>;
  /** Goes to a route hash (`#/playground/github__search`). Defaults to setting `location.hash`. */
  go?: (href: string) => void;
  /** The most results shown at once (default 50). */
  limit?: number;
}

export class PaletteState {
  /** Whether the palette is open. Change it with `show()` and `close()`. */
  open = $state.raw(false);

  readonly #hub: PaletteStateOptions['hub'];
  readonly #go: (href: string) => void;
  readonly #limit: number;
  #query = $state('');
  #active = $state.raw(0);

  /** Every page, server and ready server's tool; rebuilt when the server list changes. */
  readonly items: PaletteItem[];
  readonly #ranked: Ranked;

  constructor(options: PaletteStateOptions) {
    this.#hub = options.hub;
    this.#go =
      options.go ??
      ((href) => {
        location.hash = href;
      });
    this.#limit = options.limit ?? RESULT_LIMIT;
    // Derived, so built only when first read (the palette is drawn) and again only after a
    // change: of the server list for the items, of the query for the ranking.
    this.items = $derived(paletteItems(this.#hub.servers));
    this.#ranked = $derived(rank(this.items, this.#query, this.#limit));
  }

  /** What the person typed. Typing makes the best match active again. */
  get query(): string {
    return this.#query;
  }
  set query(value: string) {
    this.#query = value;
    this.#active = 0;
  }

  /**
   * Which result is active (highlighted; Enter goes there): an index into `results`, or -1 when
   * there is none. Kept inside the list when it shrinks (the server list changed while open).
   */
  get active(): number {
    return Math.min(this.#active, this.results.length - 1);
  }
  set active(index: number) {
    this.#active = Math.max(0, index);
  }

  /** The best matches for the query (pages and servers when it is empty), at most the limit. */
  get results(): readonly PaletteItem[] {
    return this.#ranked.items;
  }

  /** How many items match in all; more than `results.length` when the list was cut. */
  get total(): number {
    return this.#ranked.total;
  }

  /** The result Enter would go to. */
  get activeItem(): PaletteItem | undefined {
    return this.results[this.active];
  }

  /** True until the hub has sent its server list once (only the pages can be offered yet). */
  get loading(): boolean {
    return !this.#hub.loaded && this.#hub.connectionError === undefined;
  }

  /** Why servers and tools are missing, in words for a person; the pages still work. */
  get error(): string | undefined {
    const reason = this.#hub.connectionError;
    if (reason === undefined || this.#hub.loaded) return undefined;
    return `Servers and tools cannot be listed: ${reason} The pages can still be opened from here.`;
  }

  /** Opens the palette with an empty query. */
  show(): void {
    this.query = '';
    this.open = true;
  }

  /** Closes it (Esc, a click outside, or after going somewhere). */
  close(): void {
    this.open = false;
  }

  /** Moves the active result by `delta`, wrapping around at either end. */
  move(delta: number): void {
    const count = this.results.length;
    if (count === 0) return;
    this.#active = (((this.active + delta) % count) + count) % count;
  }

  /** Goes to result `index` (the active one by default) and closes; nothing when there is none. */
  choose(index: number = this.active): void {
    const item = this.results[index];
    if (!item) return;
    this.close();
    this.#go(item.href);
  }

  /**
   * A key pressed in the query box: ↑ and ↓ move, Enter goes. Returns whether the key was
   * handled (the component then stops the browser's own action, such as moving the caret).
   * Esc is not handled here: the `<dialog>`'s own cancel closes the palette.
   */
  keydown(key: string): boolean {
    switch (key) {
      case 'ArrowDown':
        this.move(1);
        return true;
      case 'ArrowUp':
        this.move(-1);
        return true;
      case 'Enter':
        this.choose();
        return true;
      default:
        return false;
    }
  }
}
