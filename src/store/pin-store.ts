/** `PinStore` over IndexedDB (schema v4): one pin per `[serverId, tool]` in `pins`. */
import type { Pin, PinStore } from '../hub/ports.ts';
import { inTransaction, type NexusDatabase } from './db.ts';

export class IdbPinStore implements PinStore {
  readonly #db: NexusDatabase;

  /** `db` comes from `openNexusDb()`; the store does not close it. */
  constructor(db: NexusDatabase) {
    this.#db = db;
  }

  list(): Promise<Pin[]> {
    return this.#db.getAll('pins');
  }

  async put(pins: Pin[]): Promise<void> {
    const tx = this.#db.transaction('pins', 'readwrite');
    await inTransaction(tx, async () => {
      // Awaited one by one: a pin that cannot be cloned aborts the batch before the rest queue.
      for (const pin of pins) await tx.store.put(pin);
    });
  }

  async deleteServer(serverId: string): Promise<void> {
    const tx = this.#db.transaction('pins', 'readwrite');
    await inTransaction(tx, async () => {
      const keys = await tx.store.index('by-server').getAllKeys(serverId);
      for (const key of keys) await tx.store.delete(key);
    });
  }
}
