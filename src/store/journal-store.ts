/**
 * `JournalStore` over IndexedDB: the protocol log in the `journal` object store (schema v2), the
 * always-on audit and security events in `events` (v3, indexed by kind). Both keep values under
 * out-of-line auto-increment keys. Keys only grow, so key order is append order and "the oldest
 * records" is always one key range: trimming is a range delete and reading the newest is a short
 * backwards cursor, whatever the size of the store.
 */
import type { IDBPObjectStore } from 'idb';
import type {
  EventRetention,
  JournalEvent,
  JournalEventKind,
  JournalRecord,
  JournalStore,
} from '../hub/ports.ts';
import { inTransaction, type NexusDatabase, type NexusDB } from './db.ts';

type JournalObjectStore =
  | IDBPObjectStore<NexusDB, ['journal'], 'journal', 'readwrite'>
  | IDBPObjectStore<NexusDB, ['events'], 'events', 'readwrite'>;

/**
 * `IDBCursor.advance` takes an unsigned long; a `keep` at or beyond it means "keep everything"
 * (no store holds four billion records), and passing it on would throw a TypeError.
 */
const MAX_ADVANCE = 2 ** 32 - 1;

export class IdbJournalStore implements JournalStore {
  readonly #db: NexusDatabase;

  /** `db` comes from `openNexusDb()`; the store does not close it. */
  constructor(db: NexusDatabase) {
    this.#db = db;
  }

  async append(records: JournalRecord[], keep: number): Promise<void> {
    // The adds and the trim share ONE transaction: a reader never sees the log over its bound,
    // and a failed batch (an uncloneable record, a full disk) neither lands nor trims.
    const tx = this.#db.transaction('journal', 'readwrite');
    const journal = tx.store;
    await inTransaction(tx, async () => {
      const adds: Promise<number>[] = [];
      for (const record of records) {
        // `add` clones the record synchronously, so an uncloneable one throws DataCloneError
        // right here; `inTransaction` then aborts, which undoes the adds queued before it.
        const added = journal.add(record);
        // Those earlier adds then reject with AbortError, after the error that matters has
        // already been thrown; without a handler they would be reported as unhandled.
        added.catch(() => undefined);
        adds.push(added);
      }
      // Waiting for the adds first means a failing add surfaces with its own error, not as the
      // AbortError of the trim's cursor queued behind it.
      await Promise.all(adds);
      await trim(journal, keep);
    });
  }

  async latest(limit: number): Promise<JournalRecord[]> {
    if (!(limit > 0)) return [];
    const tx = this.#db.transaction('journal', 'readonly');
    return inTransaction(tx, async () => {
      // Newest first and stop at `limit`: the log holds thousands of records, often large ones,
      // and only the tail is wanted. A getAll would read (and clone) all of them.
      const newestFirst: JournalRecord[] = [];
      let cursor = await tx.store.openCursor(null, 'prev');
      while (cursor) {
        newestFirst.push(cursor.value);
        if (newestFirst.length >= limit) break;
        cursor = await cursor.continue();
      }
      return newestFirst.reverse();
    });
  }

  async clear(): Promise<void> {
    // idb's shortcut resolves after the transaction commits, not merely when the request succeeds.
    await this.#db.clear('journal');
  }

  async appendEvents(events: JournalEvent[], keep: EventRetention): Promise<void> {
    // As `append`: the adds and both trims in ONE transaction, a failed add undoing the batch.
    const tx = this.#db.transaction('events', 'readwrite');
    await inTransaction(tx, async () => {
      const adds = events.map((event) => {
        const added = tx.store.add(event);
        added.catch(() => undefined);
        return added;
      });
      await Promise.all(adds);
      if (keep.since !== undefined) {
        // By time, through the index: events need not have been appended in time order.
        let old = await tx.store
          .index('by-at')
          .openKeyCursor(IDBKeyRange.upperBound(keep.since, true));
        while (old) {
          await tx.store.delete(old.primaryKey);
          old = await old.continue();
        }
      }
      await trim(tx.store, keep.count);
    });
  }

  async events(kind: JournalEventKind, limit: number): Promise<JournalEvent[]> {
    if (!(limit > 0)) return [];
    const tx = this.#db.transaction('events', 'readonly');
    return inTransaction(tx, async () => {
      // Within one kind the index orders by primary key, so `prev` walks newest first.
      const newestFirst: JournalEvent[] = [];
      let cursor = await tx.store.index('by-kind').openCursor(IDBKeyRange.only(kind), 'prev');
      while (cursor) {
        newestFirst.push(cursor.value);
        if (newestFirst.length >= limit) break;
        cursor = await cursor.continue();
      }
      return newestFirst.reverse();
    });
  }
}

/**
 * Deletes every record but the newest `keep`. A key cursor (keys only: no record is read or
 * cloned) starts at the newest key and steps back `keep` keys in one `advance`; where it lands is
 * the newest record that must go, and one range delete removes it and everything older. The
 * walk costs `keep` keys, never the size of the store.
 */
async function trim(journal: JournalObjectStore, keep: number): Promise<void> {
  if (!(keep > 0)) {
    await journal.clear();
    return;
  }
  if (keep >= MAX_ADVANCE) return;
  const newest = await journal.openKeyCursor(null, 'prev');
  if (!newest) return; // empty
  const newestToDrop = await newest.advance(keep);
  if (!newestToDrop) return; // `keep` or fewer records: nothing to drop
  await journal.delete(IDBKeyRange.upperBound(newestToDrop.key));
}
