/**
 * The always-on journal: what was done on the person's behalf or changed by them (`audit`: a
 * server added, edited, removed, a client connected) and what was refused or looked wrong
 * (`security`: a request the policy denied or could not ask about). Unlike the protocol log it
 * records whether or not a dashboard watches, and nothing the Inspector does clears it. Events
 * are written in batches at most every second, redacted, never on the path of a message; the
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

const SAVE_EVERY_MS = 1_000;
/** Events kept in the store, of all kinds together. */
export const EVENTS_KEPT = 10_000;

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
}

export class AuditJournal {
  #pending: JournalEvent[] = [];
  #timer: unknown;
  #write: Promise<void> = Promise.resolve();

  constructor(private readonly options: AuditOptions) {}

  /** Records one event now (its time is the hub's clock's). */
  record(event: Omit<JournalEvent, 'at'>): void {
    if (!this.options.journal) return;
    this.#pending.push({ ...event, at: this.options.clock.now() });
    this.#timer ??= this.options.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#save();
    }, SAVE_EVERY_MS);
  }

  /** The newest `limit` events of a kind, written or still waiting to be, oldest first. */
  async events(kind: JournalEventKind, limit: number): Promise<JournalEvent[]> {
    await this.#save();
    return (await this.options.journal?.events(kind, limit)) ?? [];
  }

  #save(): Promise<void> {
    const journal = this.options.journal;
    const events = this.#pending;
    if (!journal || events.length === 0) return this.#write;
    this.#pending = [];
    const keep = this.options.retention?.() ?? { count: EVENTS_KEPT };
    // What the write's own trim would drop at once is not written (nor redacted) at all.
    const kept = events.length > keep.count ? events.slice(events.length - keep.count) : events;
    const secrets = this.options.secrets();
    const redacted = kept.map((event) => ({
      ...event,
      ...(event.detail !== undefined ? { detail: redact(event.detail, secrets) } : {}),
      ...(event.arguments !== undefined ? { arguments: redact(event.arguments, secrets) } : {}),
    }));
    this.#write = this.#write
      .then(() => journal.appendEvents(redacted, keep))
      .catch((error: unknown) => {
        this.options.log(`could not write the audit journal: ${String(error)}`);
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
