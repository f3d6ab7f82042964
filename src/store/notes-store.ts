/** `NotesStore` (the built-in notes server's data) over IndexedDB. */
import type { Note, NotesStore } from '../hub/ports.ts';
import { inTransaction, type NexusDatabase } from './db.ts';

export class IdbNotesStore implements NotesStore {
  readonly #db: NexusDatabase;

  /** `db` comes from `openNexusDb()`; the store does not close it. */
  constructor(db: NexusDatabase) {
    this.#db = db;
  }

  async list(): Promise<Note[]> {
    return this.#db.getAll('notes');
  }

  async get(id: string): Promise<Note | undefined> {
    return this.#db.get('notes', id);
  }

  async put(note: Note): Promise<void> {
    await this.#db.put('notes', note);
  }

  async delete(id: string): Promise<boolean> {
    // IDBObjectStore.delete succeeds whether or not the key existed, so look first — in the
    // same transaction, so a put from another tab cannot slip in between the look and the delete.
    const tx = this.#db.transaction(['notes'], 'readwrite');
    const notes = tx.objectStore('notes');
    return inTransaction(tx, async () => {
      const existed = (await notes.count(id)) > 0;
      if (existed) await notes.delete(id);
      return existed;
    });
  }
}
