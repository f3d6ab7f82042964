/**
 * The protocol log's life around the Inspector's ring buffer (./protocol-log.ts): the person's
 * settings (kept across restarts), the dashboards' "new traffic" event at most every 250 ms, and
 * the journal: what was recorded is written to the `JournalStore` at most every second, in a
 * batch, serialized and redacted there, never on the path of a message, and read back at start
 * so the Inspector shows the last session's messages, offline too.
 */
import type { InspectorSettings } from '../../protocol/views.ts';
import type { Clock, JournalRecord, JournalStore, RegistryStore } from '../ports.ts';
import { Inspector, utf8Length, type TrafficEntry } from './protocol-log.ts';
import { redact } from './redaction.ts';
import { jsonOf } from './untrusted-json.ts';

/** The Inspector's settings, kept across restarts of the hub (registry meta key). */
const SETTINGS_KEY = 'inspector-settings';
const SAVE_EVERY_MS = 1_000;

export interface RecorderOptions {
  clock: Clock;
  registry: RegistryStore;
  /** Where the log is kept across restarts; none: this hub's life only. */
  journal: JournalStore | undefined;
  capacity: number | undefined;
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
    this.inspector = new Inspector(options.clock, options.capacity, () => this.#recorded());
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
      this.inspector.restore(
        records.map(({ json, ...record }) => ({
          ...record,
          message: JSON.parse(json) as TrafficEntry['message'],
        })),
      );
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
    if (this.#timer === undefined && this.options.journal) {
      this.#timer = this.options.clock.setTimeout(() => {
        this.#timer = undefined;
        void this.#save();
      }, SAVE_EVERY_MS);
    }
    this.options.recorded();
  }

  /** Writes what the Inspector recorded since the last write, serialized and redacted. */
  #save(): Promise<void> {
    const journal = this.options.journal;
    const entries = this.inspector.takeUnsaved();
    if (!journal || entries.length === 0) return this.#write;
    const secrets = this.options.secrets();
    const records = entries.map((entry): JournalRecord => {
      const { message, ...rest } = entry;
      // One serialization serves both: the size (of the message as sent) and the redacted text.
      const raw = jsonOf(message);
      entry.size ??= utf8Length(raw);
      return { ...rest, size: entry.size, json: redact(raw, secrets) };
    });
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
