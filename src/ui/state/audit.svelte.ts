/**
 * The Audit page's state: the filters, the journal's events that match (at most
 * `JOURNAL_LIMIT`, newest last) as a windowed list (./windowed-list.svelte.ts) that follows new
 * events while the person is at the bottom, the row open in the detail pane, and the exports
 * (JSON Lines and CSV of everything that matches).
 *
 * The page fetches again when the filters change (the search box after a pause in typing), when
 * the person's decisions change, and when the hub says the journal wrote new events, at most
 * every `REFRESH_MS` (10,000 events are not fetched for each call of a busy client). A fetch that
 * returns after a newer one started is dropped.
 */
import type { JournalEvent } from '../../protocol/consent.ts';
import { downloadText } from '../app/download.ts';
import { nextFrame } from '../app/frames.ts';
import { lowerBound } from '../app/windowing.ts';
import { journalCsv, journalRows, type JournalRow } from '../audit/journal.ts';
import { auditQuery, JOURNAL_LIMIT, NO_FILTERS, type AuditFilters } from '../audit/query.ts';
import type { HubState } from './hub.svelte.ts';
import { WindowedList } from './windowed-list.svelte.ts';

/** px; the rows' CSS height is set from it. */
export const JOURNAL_ROW_HEIGHT = 30;
export const REFRESH_MS = 2_000;
/** The search box fetches this long after the last key press. */
export const TYPING_MS = 250;
/** Exports read this many events at most (the hub's own ceiling). */
const EXPORT_LIMIT = 100_000;

export class AuditState {
  filters = $state.raw<AuditFilters>({ ...NO_FILTERS });
  readonly list = new WindowedList<JournalRow>({
    keyOf: (row) => row.key,
    rowHeight: JOURNAL_ROW_HEIGHT,
    overscan: 20,
  });
  loaded = $state.raw(false);
  error = $state.raw<string | undefined>(undefined);
  /** Whether the hub had more matching events than the list holds. */
  truncated = $state.raw(false);
  /** The row open in the detail pane, by key. */
  openKey = $state.raw<number | undefined>(undefined);

  #fetches = 0;
  #lastFetch = -Infinity;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly hub: HubState,
    /** Filters to start with (the page's address may hold a search or a server). */
    initial: Partial<AuditFilters> = {},
    private readonly clock: () => number = () => Date.now(),
  ) {
    this.filters = { ...NO_FILTERS, ...initial };
  }

  get opened(): JournalRow | undefined {
    const key = this.openKey;
    if (key === undefined) return undefined;
    const items = this.list.items;
    const row = items[lowerBound(items, key, (each) => each.key)];
    return row?.key === key ? row : undefined;
  }

  /** Fetches the events that match the filters now. */
  async load(): Promise<void> {
    const fetch = ++this.#fetches;
    this.#lastFetch = this.clock();
    try {
      const events = await this.hub.query((api) => api.auditEvents(auditQuery(this.filters)));
      // Receiving 10,000 events is one task, showing them another: together they were twice as
      // long as either (UI.md's budget is 200 ms per task).
      await nextFrame();
      if (fetch !== this.#fetches) return;
      this.list.setItems(journalRows(events));
      this.truncated = events.length >= JOURNAL_LIMIT;
      this.error = undefined;
    } catch (failure) {
      if (fetch !== this.#fetches) return;
      this.error = `The journal could not be read: ${(failure as Error).message}`;
    } finally {
      if (fetch === this.#fetches) this.loaded = true;
    }
  }

  /** The journal has new events: fetch again, at most every `REFRESH_MS`, and once after the last. */
  refreshSoon(): void {
    if (this.#refreshTimer !== undefined) return;
    const wait = Math.max(0, this.#lastFetch + REFRESH_MS - this.clock());
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      void this.load();
    }, wait);
  }

  /** Changes some filters and fetches again (typing in the search box: after a pause). */
  setFilters(change: Partial<AuditFilters>): void {
    this.filters = { ...this.filters, ...change };
    clearTimeout(this.#typingTimer);
    if ('text' in change) {
      this.#typingTimer = setTimeout(() => void this.load(), TYPING_MS);
    } else {
      void this.load();
    }
  }

  clear(): void {
    this.setFilters({ ...NO_FILTERS });
  }

  /** Opens row `key` in the detail pane. */
  open(key: number): void {
    this.list.select(key);
    this.openKey = key;
  }

  openSelected(): void {
    const selected = this.list.selected;
    if (selected) this.open(selected.key);
  }

  close(): void {
    this.openKey = undefined;
  }

  /** Stops the timers (the page is gone). */
  dispose(): void {
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#typingTimer);
    this.#refreshTimer = this.#typingTimer = undefined;
    this.#fetches++;
  }

  /** Downloads what matches as JSON Lines, oldest first (call from a click). */
  async exportJsonLines(): Promise<void> {
    await this.#export(async () => {
      const lines = await this.hub.query((api) =>
        api.exportAudit(auditQuery(this.filters, EXPORT_LIMIT)),
      );
      downloadText('nexus-audit.jsonl', lines, 'application/x-ndjson');
    });
  }

  /** Downloads what matches as CSV, oldest first (call from a click). */
  async exportCsv(): Promise<void> {
    await this.#export(async () => {
      const events: JournalEvent[] = await this.hub.query((api) =>
        api.auditEvents(auditQuery(this.filters, EXPORT_LIMIT)),
      );
      downloadText('nexus-audit.csv', journalCsv(events), 'text/csv');
    });
  }

  async #export(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (failure) {
      this.error = `The export failed: ${(failure as Error).message}. Try again, or narrow the filters.`;
    }
  }
}
