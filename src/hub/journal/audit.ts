/**
 * The always-on journal: what was done on the person's behalf or changed by them (`audit`: a
 * server added, edited, removed, a client connected) and what was refused or looked wrong
 * (`security`: a request the policy denied or could not ask about). Unlike the protocol log it
 * records whether or not a dashboard watches, and nothing the Inspector does clears it. Events
 * are written in batches within 100 ms, redacted, never on the path of a message (a call's
 * answer does not wait for its event to be written); the
 * consent, pin and sign-in rooms add their own events through `record`.
 */
import type {
  Clock,
  EventRetention,
  JournalEvent,
  JournalEventKind,
  JournalStore,
} from '../ports.ts';
import { redact } from './redaction.ts';

/** Events kept in the store, of all kinds together. */
export const EVENTS_KEPT = 10_000;
/**
 * How often a write also trims the store. A trim walks the kept keys (10,000 by default), which
 * on every write would cost more than the call it records; between trims the store holds at
 * most a second's events more than it keeps.
 */
const TRIM_EVERY_MS = 1_000;
/** How long an event waits for others to share its write. */
const WRITE_AFTER_MS = 100;

export interface AuditOptions {
  clock: Clock;
  /** No store: events are not kept (a hub with no journal keeps no log at all). */
  journal: JournalStore | undefined;
  /** The secret values to redact now. */
  secrets: () => string[];
  log: (message: string) => void;
  /** What the journal keeps after each write (the person's settings); default the newest
   * `EVENTS_KEPT` of any age. */
  retention?: () => EventRetention;
  /** A batch is in the store: dashboards showing the journal fetch it again. */
  written?: () => void;
}

export class AuditJournal {
  #pending: JournalEvent[] = [];
  /** Clock time of the last write that trimmed (`-Infinity`: the next one does). */
  #trimmedAt = -Infinity;
  #timer: unknown;
  /** The writes, one after the other; never rejects (a failed write is logged). */
  #write: Promise<void> = Promise.resolve();

  constructor(private readonly options: AuditOptions) {}

  /**
   * Records one event now (its time is the hub's clock's); it is written within `WRITE_AFTER_MS`
   * with the others of that moment, in one transaction. A write per event would cost about as
   * much as the call it records; a longer wait would lose more of the person's last actions when
   * they close the last tab (the worker stops with it, and what is not written is gone).
   */
  record(event: Omit<JournalEvent, 'at'>): void {
    if (!this.options.journal) return;
    this.#pending.push({ ...event, at: this.options.clock.now() });
    this.#timer ??= this.options.clock.setTimeout(() => void this.#flush(), WRITE_AFTER_MS);
  }

  /** The newest `limit` events of a kind, written or still waiting to be, oldest first. */
  async events(kind: JournalEventKind, limit: number): Promise<JournalEvent[]> {
    await this.#flush();
    return (await this.options.journal?.events(kind, limit)) ?? [];
  }

  /** Writes what is pending now, after any write under way; resolves once written. */
  #flush(): Promise<void> {
    this.options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#write = this.#write.then(() => this.#save());
    return this.#write;
  }

  async #save(): Promise<void> {
    const journal = this.options.journal;
    const events = this.#pending;
    this.#pending = [];
    if (!journal || events.length === 0) return;
    const keep = this.options.retention?.() ?? { count: EVENTS_KEPT };
    // What a trim would drop at once is not written (nor redacted) at all.
    const kept = events.length > keep.count ? events.slice(events.length - keep.count) : events;
    const now = this.options.clock.now();
    const trim = now - this.#trimmedAt >= TRIM_EVERY_MS;
    if (trim) this.#trimmedAt = now;
    const secrets = this.options.secrets();
    const redacted = kept.map((event) => ({
      ...event,
      ...(event.detail !== undefined ? { detail: redact(event.detail, secrets) } : {}),
      ...(event.arguments !== undefined ? { arguments: redact(event.arguments, secrets) } : {}),
    }));
    try {
      await journal.appendEvents(redacted, trim ? keep : { count: Infinity });
      this.options.written?.();
    } catch (error) {
      this.options.log(`could not write the audit journal: ${String(error)}`);
    }
  }

  /** Writes what is left; resolves once everything recorded so far is written. */
  close(): Promise<void> {
    return this.#flush();
  }
}
