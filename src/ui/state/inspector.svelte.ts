/**
 * The Inspector page's state: the messages fetched so far (at most as many as the hub keeps),
 * filters, pause, and the messages opened in full. New messages are fetched incrementally (only
 * those after the last one seen) when the hub says there is traffic, and not at all while paused.
 */
import type { InspectorSettings, TrafficDetail, TrafficView } from '../../protocol/views.ts';
import type { HubState } from './hub.svelte.ts';

export interface TrafficFilter {
  serverId: string;
  sessionId: string;
  /** Part of the method name, any case. */
  method: string;
  errorsOnly: boolean;
}

/** "client → hub", "hub → server", … : where a message went. */
export function routeOf(entry: Pick<TrafficView, 'side' | 'direction'>): string {
  if (entry.side === 'client') return entry.direction === 'in' ? 'client → hub' : 'hub → client';
  return entry.direction === 'out' ? 'hub → server' : 'server → hub';
}

export function matches(entry: TrafficView, filter: TrafficFilter): boolean {
  if (filter.serverId && entry.serverId !== filter.serverId) return false;
  if (filter.sessionId && entry.sessionId !== filter.sessionId) return false;
  if (filter.errorsOnly && entry.kind !== 'error' && entry.kind !== 'invalid') return false;
  const method = filter.method.trim().toLowerCase();
  return !method || (entry.method ?? '').toLowerCase().includes(method);
}

export class InspectorState {
  entries = $state.raw<TrafficView[]>([]);
  filter = $state<TrafficFilter>({ serverId: '', sessionId: '', method: '', errorsOnly: false });
  paused = $state.raw(false);
  settings = $state.raw<InspectorSettings | undefined>(undefined);
  error = $state.raw<string | undefined>(undefined);
  /** Messages opened in full, by sequence number. */
  details = $state.raw<Record<number, TrafficDetail | 'gone'>>({});
  #lastSeq = 0;
  #fetching: Promise<void> | undefined;
  #again = false;

  constructor(private readonly hub: HubState) {}

  get visible(): TrafficView[] {
    return this.entries.filter((entry) => matches(entry, this.filter));
  }

  async loadSettings(): Promise<void> {
    try {
      this.settings = await this.hub.query((api) => api.inspectorSettings());
    } catch (error) {
      this.error = (error as Error).message;
    }
  }

  async saveSettings(settings: Partial<InspectorSettings>): Promise<void> {
    try {
      this.settings = await this.hub.query((api) => api.setInspectorSettings(settings));
      this.#trim();
    } catch (error) {
      this.error = (error as Error).message;
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
          if (fresh.length > 0) {
            this.#lastSeq = fresh.at(-1)!.seq;
            this.entries = [...this.entries, ...fresh];
            this.#trim();
          }
          this.error = undefined;
        } catch (error) {
          this.error = (error as Error).message;
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
    this.entries = [];
    this.details = {};
  }

  async open(seq: number): Promise<void> {
    if (this.details[seq]) {
      const { [seq]: _closed, ...rest } = this.details;
      this.details = rest;
      return;
    }
    try {
      const detail = await this.hub.query((api) => api.trafficDetail(seq));
      this.details = { ...this.details, [seq]: detail ?? 'gone' };
    } catch (error) {
      this.error = (error as Error).message;
    }
  }

  #trim(): void {
    const capacity = this.settings?.capacity;
    if (capacity && this.entries.length > capacity) this.entries = this.entries.slice(-capacity);
  }
}
