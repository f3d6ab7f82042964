/**
 * The protocol log's life around the Inspector's ring buffer (./protocol-log.ts): the person's
 * settings (kept across restarts), the dashboards' "new traffic" event at most every 250 ms, and
 * the journal: what was recorded is written to the `JournalStore` at most every second, in a
 * batch, serialized and redacted there, never on the path of a message, and read back at start
 * so the Inspector shows the last session's messages, offline too.
 */
import type { InspectorSettings } from '../../protocol/views.ts';
import type { Clock, JournalRecord, JournalStore, RegistryStore } from '../ports.ts';
import { Inspector, previewText, utf8Length, type TrafficEntry } from './protocol-log.ts';
import { redact } from './redaction.ts';
import { jsonOf } from './untrusted-json.ts';

/** The Inspector's settings, kept across restarts of the hub (registry meta key). */
const SETTINGS_KEY = 'inspector-settings';
const SAVE_EVERY_MS = 1_000;
/** The largest message (characters of JSON) the journal keeps whole; larger ones, a preview. */
const JOURNAL_MESSAGE_CHARS = 256 * 1024;

export interface RecorderOptions {
  clock: Clock;
  registry: RegistryStore;
  /** Where the log is kept across restarts; none: this hub's life only. */
  journal: JournalStore | undefined;
  capacity: number | undefined;
  /** The Inspector's byte budget for full messages (default 32 MiB). */
  fullBytes?: number;
  /** The secret values to redact now (they change as servers are edited). */
  secrets: () => string[];
  /** Something was recorded: dashboards hear of it (the hub throttles). */
  recorded: () => void;
  log: (message: string) => void;
}

export class ProtocolRecorder {
  /** Every JSON-RPC message through the hub, while a dashboard may look. */
  readonly inspector: Inspector;
  #timer: unknown;
  /** The journal write under way, so `close()` can wait for the last one. */
  #write: Promise<void> = Promise.resolve();

  constructor(private readonly options: RecorderOptions) {
    this.inspector = new Inspector(
      options.clock,
      options.capacity,
      () => this.#recorded(),
      options.fullBytes,
      (json) => previewText(redact(json, options.secrets())),
    );
  }

  /** The registry meta key the settings are kept under. */
  static readonly settingsKey = SETTINGS_KEY;

  /** Applies the settings stored under `settingsKey` (any value: a bad one is ignored). */
  load(stored: unknown): void {
    this.#apply((stored ?? {}) as Partial<InspectorSettings>);
  }

  /** Reads the last session's messages back into the Inspector (readable offline too). */
  async restore(): Promise<void> {
    const journal = this.options.journal;
    if (!journal) return;
    try {
      const records = await journal.latest(this.inspector.capacity);
      const entries = records.map(({ json, ...record }): TrafficEntry =>
        record.truncated
          ? { ...record, message: undefined, preview: json }
          : { ...record, message: JSON.parse(json) as TrafficEntry['message'] },
      );
      this.inspector.restore(entries);
      for (const [index, entry] of entries.entries())
        this.inspector.measured(entry, records[index]!.json);
    } catch (error) {
      this.options.log(`could not read the journal: ${String(error)}`);
    }
  }

  settings(): InspectorSettings {
    return { enabled: this.inspector.enabled, capacity: this.inspector.capacity };
  }

  /** Changes and stores the settings; returns them as they now are. */
  async setSettings(settings: Partial<InspectorSettings>): Promise<InspectorSettings> {
    this.#apply(settings);
    const now = this.settings();
    await this.options.registry.setMeta(SETTINGS_KEY, now);
    return now;
  }

  #apply(settings: Partial<InspectorSettings>): void {
    if (typeof settings.enabled === 'boolean') this.inspector.setEnabled(settings.enabled);
    if (typeof settings.capacity === 'number') this.inspector.setCapacity(settings.capacity);
  }

  #recorded(): void {
    // Even without a journal: the save is also where messages are measured for the byte budget.
    if (this.#timer === undefined) {
      this.#timer = this.options.clock.setTimeout(() => {
        this.#timer = undefined;
        void this.#save();
      }, SAVE_EVERY_MS);
    }
    this.options.recorded();
  }

  /**
   * Measures what the Inspector recorded since the last save (its byte budget) and writes it to
   * the journal, serialized and redacted; a message larger than `JOURNAL_MESSAGE_CHARS` is
   * written as its beginning only, marked `truncated`.
   */
  #save(): Promise<void> {
    const journal = this.options.journal;
    const entries = this.inspector.takeUnsaved();
    if (entries.length === 0) return this.#write;
    const secrets = journal ? this.options.secrets() : [];
    const records: JournalRecord[] = [];
    for (const entry of entries) {
      // Truncated already (the ring moved past it before this save): its preview is all there is.
      const raw = entry.message === undefined ? (entry.preview ?? '') : jsonOf(entry.message);
      // One serialization serves all three: the size, the byte budget and the journal's text.
      this.inspector.measured(entry, raw);
      if (!journal) continue;
      const { message: _message, preview: _preview, ...rest } = entry;
      const whole = raw.length <= JOURNAL_MESSAGE_CHARS && !entry.truncated;
      records.push({
        ...rest,
        size: entry.size ?? utf8Length(raw),
        json: whole ? redact(raw, secrets) : (entry.preview ?? previewText(redact(raw, secrets))),
        ...(whole ? {} : { truncated: true }),
      });
    }
    if (!journal) return this.#write;
    const capacity = this.inspector.capacity;
    this.#write = this.#write
      .then(() => journal.append(records, capacity))
      .catch((error: unknown) => {
        this.options.log(`could not write the journal: ${String(error)}`);
      });
    return this.#write;
  }

  /** Writes what is left and stops the timer. */
  async close(): Promise<void> {
    this.options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#save();
  }
}
