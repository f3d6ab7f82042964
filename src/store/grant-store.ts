/**
 * `GrantStore` over IndexedDB (schema v4): clients in `clients`, grants in `grants` (keys
 * `[origin, clientName, serverId, target, name]`, '' '' for everyone's), the settings in `meta`.
 * One change of the person's is ONE transaction over the three: it lands whole or not at all.
 */
import type { ClientId, GrantChange, GrantKey, GrantSnapshot, GrantStore } from '../hub/ports.ts';
import type { ConsentSettings } from '../protocol/consent.ts';
import { inTransaction, type GrantStoreKey, type NexusDatabase } from './db.ts';

/** Where the settings live in `meta`. */
export const CONSENT_SETTINGS_KEY = 'consent-settings';

function keyOf(grant: GrantKey): GrantStoreKey {
  return [
    grant.client?.origin ?? '',
    grant.client?.clientName ?? '',
    grant.serverId,
    grant.target,
    grant.name,
  ];
}

/** Every grant key of one client: `[origin, clientName, …]` for any rest. */
function clientRange(client: ClientId): IDBKeyRange {
  // An array sorts after every string, so `[origin, clientName, []]` bounds the client's keys.
  return IDBKeyRange.bound(
    [client.origin, client.clientName],
    [client.origin, client.clientName, []],
  );
}

export class IdbGrantStore implements GrantStore {
  readonly #db: NexusDatabase;

  /** `db` comes from `openNexusDb()`; the store does not close it. */
  constructor(db: NexusDatabase) {
    this.#db = db;
  }

  async load(): Promise<GrantSnapshot> {
    const tx = this.#db.transaction(['clients', 'grants', 'meta'], 'readonly');
    return inTransaction(tx, async () => {
      const [clients, grants, settings] = await Promise.all([
        tx.objectStore('clients').getAll(),
        tx.objectStore('grants').getAll(),
        tx.objectStore('meta').get(CONSENT_SETTINGS_KEY),
      ]);
      return {
        clients,
        grants,
        ...(settings === undefined ? {} : { settings: settings as ConsentSettings }),
      };
    });
  }

  async commit(change: GrantChange): Promise<void> {
    const tx = this.#db.transaction(['clients', 'grants', 'meta'], 'readwrite');
    const clients = tx.objectStore('clients');
    const grants = tx.objectStore('grants');
    await inTransaction(tx, async () => {
      // In the order of `GrantChange`'s fields; each request is awaited, so a refused value
      // (DataCloneError, thrown by the put itself) aborts before anything later is queued.
      if (change.clearAll) await Promise.all([clients.clear(), grants.clear()]);
      for (const client of change.putClients ?? []) await clients.put(client);
      for (const client of change.deleteClients ?? []) {
        await clients.delete([client.origin, client.clientName]);
        await grants.delete(clientRange(client));
      }
      for (const grant of change.putGrants ?? []) await grants.put(grant, keyOf(grant));
      for (const key of change.deleteGrants ?? []) await grants.delete(keyOf(key));
      for (const serverId of change.deleteServerGrants ?? []) {
        const keys = await grants.index('by-server').getAllKeys(serverId);
        for (const key of keys) await grants.delete(key);
      }
      if (change.settings) await tx.objectStore('meta').put(change.settings, CONSENT_SETTINGS_KEY);
    });
  }
}
