/** `TokenStore` over IndexedDB (schema v5): one sign-in record per server in `tokens`. */
import type { SignInRecord, TokenStore } from '../hub/ports.ts';
import type { NexusDatabase } from './db.ts';

export class IdbTokenStore implements TokenStore {
  readonly #db: NexusDatabase;

  /** `db` comes from `openNexusDb()`; the store does not close it. */
  constructor(db: NexusDatabase) {
    this.#db = db;
  }

  get(serverId: string): Promise<SignInRecord | undefined> {
    return this.#db.get('tokens', serverId);
  }

  async put(record: SignInRecord): Promise<void> {
    await this.#db.put('tokens', record);
  }

  delete(serverId: string): Promise<void> {
    return this.#db.delete('tokens', serverId);
  }
}
