/**
 * The Inspector page's state: the messages fetched so far, paired into exchanges
 * (../inspector/exchanges.ts, at most as many messages as the hub keeps), the filters, pause, the
 * windowed list of the rows that pass them (./windowed-list.svelte.ts), and the row open in the
 * detail pane. New messages are fetched incrementally (only those after the last one seen) when
 * the hub says there is traffic (at most every 250 ms), and not at all while paused. A message's
 * JSON is fetched only when its row is opened: 10,000 of them would be megabytes.
 */
import type { InspectorSettings, TrafficDetail } from '../../protocol/views.ts';
import {
  ExchangeLog,
  NO_FILTER,
  type Exchange,
  type ExchangeFilter,
} from '../inspector/exchanges.ts';
import { countsText } from '../inspector/row-format.ts';
import { nextFrame } from '../app/frames.ts';
import type { HubState } from './hub.svelte.ts';
import { WindowedList } from './windowed-list.svelte.ts';

/** px; the rows' CSS height is set from it, so the windowing arithmetic and the layout agree. */
export const ROW_HEIGHT = 30;
/** The live region says the counts at most this often: a screen reader cannot keep up with more. */
export const ANNOUNCE_MS = 2_000;

/** Messages paired per animation frame (UI.md §5: entries are added once per frame). */
const CHUNK = 2_500;

export type InspectorView = 'list' | 'lanes';

export class InspectorState {
  readonly log = new ExchangeLog();
  /** The rows that pass the filters, as a windowed list. */
  readonly list = new WindowedList<Exchange>({
    keyOf: (row) => row.key,
    rowHeight: ROW_HEIGHT,
    overscan: 20,
  });
  filter = $state.raw<ExchangeFilter>({ ...NO_FILTER });
  view = $state.raw<InspectorView>('list');
  paused = $state.raw(false);
  settings = $state.raw<InspectorSettings | undefined>(undefined);
  error = $state.raw<string | undefined>(undefined);
  /** Bumped on every change of the log (rows added, answered, trimmed, cleared). */
  version = $state.raw(0);
  /** The row open in the detail pane, by key. */
  openKey = $state.raw<number | undefined>(undefined);
  /** The open row's messages in full, by sequence number; 'gone': it left the hub's buffer. */
  details = $state.raw<Record<number, TrafficDetail | 'gone'>>({});
  /** The live region's words: counts only, at most every `ANNOUNCE_MS`. */
  announcement = $state.raw('');

  #lastSeq = 0;
  #fetching: Promise<void> | undefined;
  #again = false;
  /** Messages being fetched in full; bookkeeping, never rendered. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #loading = new Set<number>();
  #announceTimer: ReturnType<typeof setTimeout> | undefined;
  #announceAgain = false;

  constructor(
    private readonly hub: HubState,
    /** Filters to start with (the page's address may name a client or a server). */
    initial: Partial<ExchangeFilter> = {},
  ) {
    this.filter = { ...NO_FILTER, ...initial };
  }

  /** The rows that pass the filters, oldest first. */
  get visible(): readonly Exchange[] {
    return this.list.items;
  }

  /** The row open in the detail pane (undefined once it left the buffer). */
  get opened(): Exchange | undefined {
    void this.version;
    return this.openKey === undefined ? undefined : this.log.get(this.openKey);
  }

  setFilter(patch: Partial<ExchangeFilter>): void {
    this.filter = { ...this.filter, ...patch };
    this.#changed(false);
  }

  async loadSettings(): Promise<void> {
    try {
      this.settings = await this.hub.query((api) => api.inspectorSettings());
    } catch (error) {
      this.error = `The Inspector could not read its recording settings: ${messageOf(error)}`;
    }
  }

  async saveSettings(settings: Partial<InspectorSettings>): Promise<void> {
    try {
      this.settings = await this.hub.query((api) => api.setInspectorSettings(settings));
      if (this.#trim()) this.#changed(true);
    } catch (error) {
      this.error = `The recording settings were not saved: ${messageOf(error)}`;
    }
  }

  /** Fetches what is new (one fetch at a time; a call meanwhile asks for one more round). */
  refresh(): Promise<void> {
    if (this.paused) return Promise.resolve();
    if (this.#fetching) {
      this.#again = true;
      return this.#fetching;
    }
    this.#fetching = (async () => {
      do {
        this.#again = false;
        try {
          const fresh = await this.hub.query((api) => api.traffic(this.#lastSeq));
          const last = fresh.at(-1)?.seq;
          if (typeof last === 'number' && last > this.#lastSeq) this.#lastSeq = last;
          // The first fetch brings up to 10,000 messages: they are paired CHUNK a frame, each
          // chunk its own task, and shown once at the end. Showing costs the same for 10 rows or
          // 10,000 (only the window is rendered), so doing it per chunk only added long tasks.
          let changed = false;
          for (let start = 0; start < fresh.length; start += CHUNK) {
            if (fresh.length > CHUNK) await nextFrame();
            const added = this.log.add(fresh.slice(start, start + CHUNK));
            const trimmed = this.#trim();
            changed ||= added.rows > 0 || added.answered > 0 || trimmed;
          }
          if (changed) this.#changed(true);
          this.error = undefined;
        } catch (error) {
          this.error =
            `The Inspector could not fetch new messages from the hub: ${messageOf(error)} ` +
            'It tries again with the next message; reload the dashboard if this stays.';
        }
      } while (this.#again && !this.paused);
    })().finally(() => (this.#fetching = undefined));
    return this.#fetching;
  }

  togglePause(): void {
    this.paused = !this.paused;
    if (!this.paused) void this.refresh();
  }

  /** Forgets what this page shows (the hub keeps its buffer for other tabs). */
  clear(): void {
    this.log.clear();
    this.close();
    this.#changed(true);
  }

  /** Opens row `key` in the detail pane and fetches its messages in full. */
  async open(key: number): Promise<void> {
    if (!this.log.get(key)) return;
    this.list.select(key);
    if (this.openKey !== key) {
      this.openKey = key;
      // One row's messages at a time: a 10 MB answer is not kept once another row is open.
      this.details = {};
    }
    await this.#loadDetails();
  }

  /** Opens the selected row (Enter in the list). */
  openSelected(): Promise<void> {
    const selected = this.list.selected;
    return selected ? this.open(selected.key) : Promise.resolve();
  }

  close(): void {
    this.openKey = undefined;
    this.details = {};
  }

  /** Stops the live region's timer (the page is gone). */
  dispose(): void {
    clearTimeout(this.#announceTimer);
    this.#announceTimer = undefined;
  }

  /** Fetches the open row's messages not fetched yet (its answer may come after it opened). */
  async #loadDetails(): Promise<void> {
    const row = this.opened;
    if (!row) return;
    const seqs = [row.first.seq, row.answer?.seq].filter(
      (seq): seq is number =>
        seq !== undefined && !(seq in this.details) && !this.#loading.has(seq),
    );
    await Promise.all(
      seqs.map(async (seq) => {
        this.#loading.add(seq);
        try {
          const detail = await this.hub.query((api) => api.trafficDetail(seq));
          if (this.openKey === row.key) this.details = { ...this.details, [seq]: detail ?? 'gone' };
        } catch (error) {
          this.error = `Message ${seq} could not be fetched from the hub: ${messageOf(error)} Open its row again to retry.`;
        } finally {
          this.#loading.delete(seq);
        }
      }),
    );
  }

  #trim(): boolean {
    const capacity = this.settings?.capacity;
    return capacity !== undefined && this.log.trim(capacity) > 0;
  }

  /** The log or the filters changed: the list, the open row and the live region follow. */
  #changed(logChanged: boolean): void {
    if (logChanged) this.version++;
    this.list.setItems(this.log.select(this.filter));
    if (logChanged && this.openKey !== undefined) void this.#loadDetails();
    this.#announce();
  }

  #announce(): void {
    if (this.#announceTimer !== undefined) {
      this.#announceAgain = true;
      return;
    }
    const text = countsText(this.list.items.length, this.log.size, this.log.messages);
    if (text !== this.announcement) this.announcement = text;
    this.#announceTimer = setTimeout(() => {
      this.#announceTimer = undefined;
      if (!this.#announceAgain) return;
      this.#announceAgain = false;
      this.#announce();
    }, ANNOUNCE_MS);
  }
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
