/**
 * The always-on journal: what was done on the person's behalf or changed by them (`audit`: a
 * server added, edited, removed, a client connected) and what was refused or looked wrong
 * (`security`: a request the policy denied or could not ask about). Unlike the protocol log it
 * records whether or not a dashboard watches, and nothing the Inspector does clears it. Events
 * are written as soon as the write before them is done, redacted, never on the path of a
 * message (a call's answer does not wait for its event to be written); the
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
  /** The write loop while it runs (see `record`). */
  #writing: Promise<void> | undefined;

  constructor(private readonly options: AuditOptions) {}

  /**
   * Records one event now (its time is the hub's clock's). Writing starts at the end of this task
   * and each write takes everything that came while the one before it ran, so under load the
   * batches grow and the store sees one transaction at a time, and when a page closes the last
   * tab (and the worker with it) little is left unwritten: a timed batch lost up to a second of
   * the person's last actions then.
   */
  record(event: Omit<JournalEvent, 'at'>): void {
    if (!this.options.journal) return;
    this.#pending.push({ ...event, at: this.options.clock.now() });
    this.#writing ??= this.#drain();
  }

  /** The newest `limit` events of a kind, written or still waiting to be, oldest first. */
  async events(kind: JournalEventKind, limit: number): Promise<JournalEvent[]> {
    await this.#writing;
    return (await this.options.journal?.events(kind, limit)) ?? [];
  }

  async #drain(): Promise<void> {
    // A microtask, not a timer (the hub's only clock is the one it is given): every event of the
    // task that recorded the first one joins its batch.
    await Promise.resolve();
    while (this.#pending.length > 0) await this.#save();
    this.#writing = undefined;
  }

  async #save(): Promise<void> {
    const journal = this.options.journal;
    const events = this.#pending;
    this.#pending = [];
    if (!journal) return;
    const keep = this.options.retention?.() ?? { count: EVENTS_KEPT };
    // What the write's own trim would drop at once is not written (nor redacted) at all.
    const kept = events.length > keep.count ? events.slice(events.length - keep.count) : events;
    const secrets = this.options.secrets();
    const redacted = kept.map((event) => ({
      ...event,
      ...(event.detail !== undefined ? { detail: redact(event.detail, secrets) } : {}),
      ...(event.arguments !== undefined ? { arguments: redact(event.arguments, secrets) } : {}),
    }));
    try {
      await journal.appendEvents(redacted, keep);
    } catch (error) {
      this.options.log(`could not write the audit journal: ${String(error)}`);
    }
  }

  /** Resolves once everything recorded so far is written. */
  async close(): Promise<void> {
    await this.#writing;
  }
}
