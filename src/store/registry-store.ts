/**
 * `RegistryStore` over IndexedDB. Every change that touches more than one record runs in ONE
 * transaction, so a failure (or a closed tab) part-way leaves the registry as it was.
 */
import type { NameRecord, RegistryStore, ServerEntry } from '../hub/ports.ts';
import { checkNameBatch, slugTakenError } from '../protocol/store-contract.ts';
import { inTransaction, type NexusDatabase } from './db.ts';

export class IdbRegistryStore implements RegistryStore {
  readonly #db: NexusDatabase;

  /** `db` comes from `openNexusDb()`; the store does not close it. */
  constructor(db: NexusDatabase) {
    this.#db = db;
  }

  async listServers(): Promise<ServerEntry[]> {
    return this.#db.getAll('servers');
  }

  async putServer(entry: ServerEntry): Promise<void> {
    await this.putServers([entry]);
  }

  async putServers(entries: ServerEntry[]): Promise<void> {
    const tx = this.#db.transaction(['servers'], 'readwrite');
    const servers = tx.objectStore('servers');
    await inTransaction(tx, async () => {
      for (const entry of entries) {
        // The unique `by-slug` index would refuse the put anyway (and abort the transaction);
        // looking first turns IndexedDB's anonymous ConstraintError into one that names both
        // servers. The lookup sees this batch's earlier puts, so a duplicate inside the batch
        // is caught the same way.
        const holder = await servers.index('by-slug').get(entry.slug);
        if (holder && holder.id !== entry.id) throw slugTakenError(entry, holder);
        await servers.put(entry);
      }
    });
  }

  async deleteServer(id: string): Promise<void> {
    const tx = this.#db.transaction(['servers', 'names'], 'readwrite');
    await inTransaction(tx, async () => {
      const names = tx.objectStore('names');
      const keys = await names.index('by-server').getAllKeys(id);
      // Issued without awaiting each: requests of one transaction run in order anyway, and
      // `inTransaction` waits for the commit.
      const deletes = keys.map((key) => names.delete(key));
      deletes.push(tx.objectStore('servers').delete(id));
      await Promise.all(deletes);
    });
  }

  async listNames(): Promise<NameRecord[]> {
    return this.#db.getAll('names');
  }

  async putNames(records: NameRecord[]): Promise<void> {
    const tx = this.#db.transaction(['names'], 'readwrite');
    const names = tx.objectStore('names');
    await inTransaction(tx, async () => {
      // As in putServers: name the conflict instead of a bare ConstraintError. Every lookup is
      // issued at once and every put after the check (a first run puts 5,000 names; one
      // lookup and one put after another kept the worker busy for seconds), so the check
      // replays the batch in order itself.
      const byExposed = names.index('by-exposed');
      const [holders, previous] = await Promise.all([
        Promise.all(records.map((record) => byExposed.get([record.kind, record.exposedName]))),
        Promise.all(
          records.map((record) => names.get([record.serverId, record.kind, record.upstreamName])),
        ),
      ]);
      checkNameBatch(records, {
        holderOf: (index) => holders[index],
        previousOf: (index) => previous[index],
      });
      await Promise.all(records.map((record) => names.put(record)));
    });
  }

  async deleteNames(serverId: string): Promise<void> {
    const tx = this.#db.transaction(['names'], 'readwrite');
    const names = tx.objectStore('names');
    await inTransaction(tx, async () => {
      const keys = await names.index('by-server').getAllKeys(serverId);
      await Promise.all(keys.map((key) => names.delete(key)));
    });
  }

  async getMeta(key: string): Promise<unknown> {
    return this.#db.get('meta', key);
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.#db.put('meta', value, key);
  }
}
