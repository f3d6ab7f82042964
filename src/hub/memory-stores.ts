/**
 * In-memory `RegistryStore`, `NotesStore`, `JournalStore`, `GrantStore` and `PinStore`, for unit
 * tests and the Node entry.
 * They follow the same contract as the IndexedDB stores (src/store) and are checked by the same
 * contract suites (tests/contract), so a test that passes against these says something about the
 * browser too:
 *
 * - every value is copied in and out with `structuredClone`, as IndexedDB does, so a caller can
 *   never mutate stored state by holding on to an object (and an uncloneable value is refused
 *   here just as IndexedDB refuses it);
 * - unique constraints (a server's slug, a name record's `[kind, exposedName]`) are enforced, and a
 *   batch that breaks one changes nothing, as an aborted IndexedDB transaction changes nothing;
 * - lists come back in IndexedDB key order (servers by id, names by `[serverId, kind,
 *   upstreamName]`), so nobody grows to depend on an order only one implementation has.
 *
 * Pure TypeScript: no DOM, no Node built-ins (this folder compiles with lib ES2023 + WebWorker).
 */
import type { ClientRecord, Grant, Pin } from '../protocol/consent.ts';
import type {
  EventRetention,
  GrantChange,
  GrantSnapshot,
  GrantStore,
  JournalEvent,
  JournalEventKind,
  JournalRecord,
  JournalStore,
  NameRecord,
  Note,
  NotesStore,
  PinStore,
  RegistryStore,
  ServerEntry,
  SignInRecord,
  TokenStore,
} from './ports.ts';
import { checkNameBatch, exposedKey, nameKey, slugTakenError } from '../protocol/store-contract.ts';
import { clientKey, grantKey } from './policy/keys.ts';

export {
  StoreConstraintError,
  checkNameBatch,
  exposedNameTakenError,
  slugTakenError,
} from '../protocol/store-contract.ts';

/** IndexedDB's order for string keys: by UTF-16 code unit, which is what `<` compares. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** IndexedDB's order for the name key `[serverId, kind, upstreamName]`: element by element. */
function compareNameKeys(a: NameRecord, b: NameRecord): number {
  return (
    compareStrings(a.serverId, b.serverId) ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.upstreamName, b.upstreamName)
  );
}

export class MemoryRegistryStore implements RegistryStore {
  // Each map is replaced wholesale on a write, never edited in place: a batch is built on a copy
  // and swapped in only when every record in it was accepted, so a failure leaves nothing behind.
  #servers = new Map<string, ServerEntry>();
  #names = new Map<string, NameRecord>();
  #meta = new Map<string, unknown>();

  async listServers(): Promise<ServerEntry[]> {
    return [...this.#servers.values()]
      .sort((a, b) => compareStrings(a.id, b.id))
      .map((entry) => structuredClone(entry));
  }

  async putServer(entry: ServerEntry): Promise<void> {
    await this.putServers([entry]);
  }

  async putServers(entries: ServerEntry[]): Promise<void> {
    const next = new Map(this.#servers);
    // Applied one by one, like the puts of one IndexedDB transaction: each entry is checked
    // against the state left by the entries before it (so two new servers with one slug fail,
    // and so does swapping two slugs in one batch, exactly as the unique index would).
    for (const original of entries) {
      const entry = structuredClone(original);
      for (const other of next.values()) {
        if (other.slug === entry.slug && other.id !== entry.id) throw slugTakenError(entry, other);
      }
      next.set(entry.id, entry);
    }
    this.#servers = next;
  }

  async deleteServer(id: string): Promise<void> {
    const servers = new Map(this.#servers);
    servers.delete(id);
    const names = new Map([...this.#names].filter(([, record]) => record.serverId !== id));
    this.#servers = servers;
    this.#names = names;
  }

  async listNames(): Promise<NameRecord[]> {
    return [...this.#names.values()].sort(compareNameKeys).map((record) => structuredClone(record));
  }

  async putNames(records: NameRecord[]): Promise<void> {
    const byExposed = new Map(
      [...this.#names.values()].map((record) => [exposedKey(record), record]),
    );
    checkNameBatch(records, {
      holderOf: (index) => byExposed.get(exposedKey(records[index]!)),
      previousOf: (index) => this.#names.get(nameKey(records[index]!)),
    });
    const next = new Map(this.#names);
    for (const record of records) next.set(nameKey(record), structuredClone(record));
    this.#names = next;
  }

  async deleteNames(serverId: string): Promise<void> {
    this.#names = new Map([...this.#names].filter(([, record]) => record.serverId !== serverId));
  }

  async getMeta(key: string): Promise<unknown> {
    return structuredClone(this.#meta.get(key));
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    const copy = structuredClone(value);
    this.#meta = new Map(this.#meta).set(key, copy);
  }
}

/** `JournalStore` in memory: for Node (tests, the conformance runner) and as the reference. */
export class MemoryJournalStore implements JournalStore {
  #records: JournalRecord[] = [];

  async append(records: JournalRecord[], keep: number): Promise<void> {
    // `structuredClone`, not a spread: like IndexedDB it refuses a value it cannot copy (a
    // symbol, a function) with a DataCloneError, where a spread would store it. Every record is
    // cloned before the list is replaced, so a refused record leaves the whole batch (and the
    // trim) unwritten, as the aborted transaction does in the IndexedDB store.
    const copies = records.map((record) => structuredClone(record));
    const next = [...this.#records, ...copies];
    this.#records = next.slice(Math.max(0, next.length - Math.max(0, keep)));
  }

  async latest(limit: number): Promise<JournalRecord[]> {
    if (limit <= 0) return [];
    return this.#records.slice(-limit).map((record) => structuredClone(record));
  }

  async clear(): Promise<void> {
    this.#records = [];
  }

  #events: JournalEvent[] = [];

  async appendEvents(events: JournalEvent[], keep: EventRetention): Promise<void> {
    const copies = events.map((event) => structuredClone(event));
    const since = keep.since;
    const next = [...this.#events, ...copies].filter(
      (event) => since === undefined || !(event.at < since),
    );
    this.#events = next.slice(Math.max(0, next.length - Math.max(0, keep.count)));
  }

  async events(kind: JournalEventKind, limit: number): Promise<JournalEvent[]> {
    if (limit <= 0) return [];
    return this.#events
      .filter((event) => event.kind === kind)
      .slice(-limit)
      .map((event) => structuredClone(event));
  }
}

export class MemoryNotesStore implements NotesStore {
  #notes = new Map<string, Note>();

  async list(): Promise<Note[]> {
    return [...this.#notes.values()]
      .sort((a, b) => compareStrings(a.id, b.id))
      .map((note) => structuredClone(note));
  }

  async get(id: string): Promise<Note | undefined> {
    const note = this.#notes.get(id);
    return note && structuredClone(note);
  }

  async put(note: Note): Promise<void> {
    const copy = structuredClone(note);
    this.#notes.set(copy.id, copy);
  }

  async delete(id: string): Promise<boolean> {
    return this.#notes.delete(id);
  }
}

function compareKeyArrays(a: string, b: string): number {
  const left = JSON.parse(a) as string[];
  const right = JSON.parse(b) as string[];
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const order = compareStrings(left[index]!, right[index]!);
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

function sortedValues<T>(map: Map<string, T>): T[] {
  return [...map]
    .sort(([a], [b]) => compareKeyArrays(a, b))
    .map(([, value]) => structuredClone(value));
}

/** `GrantStore` in memory: one change is applied to copies and swapped in whole, or not at all. */
export class MemoryGrantStore implements GrantStore {
  #clients = new Map<string, ClientRecord>();
  #grants = new Map<string, Grant>();
  #settings: GrantSnapshot['settings'];

  async load(): Promise<GrantSnapshot> {
    const snapshot: GrantSnapshot = {
      clients: sortedValues(this.#clients),
      grants: sortedValues(this.#grants),
    };
    if (this.#settings) snapshot.settings = structuredClone(this.#settings);
    return snapshot;
  }

  async commit(change: GrantChange): Promise<void> {
    // Cloned first: a value IndexedDB could not store fails the whole change before anything moves.
    const copy = structuredClone(change);
    const clients = copy.clearAll ? new Map<string, ClientRecord>() : new Map(this.#clients);
    const grants = copy.clearAll ? new Map<string, Grant>() : new Map(this.#grants);
    for (const client of copy.putClients ?? []) clients.set(clientKey(client), client);
    for (const client of copy.deleteClients ?? []) {
      clients.delete(clientKey(client));
      for (const [key, grant] of grants) {
        if (grant.client && clientKey(grant.client) === clientKey(client)) grants.delete(key);
      }
    }
    for (const grant of copy.putGrants ?? []) grants.set(grantKey(grant), grant);
    for (const key of copy.deleteGrants ?? []) grants.delete(grantKey(key));
    for (const serverId of copy.deleteServerGrants ?? []) {
      for (const [key, grant] of grants) if (grant.serverId === serverId) grants.delete(key);
    }
    this.#clients = clients;
    this.#grants = grants;
    if (copy.settings) this.#settings = copy.settings;
  }
}

/** `PinStore` in memory, in the IndexedDB store's `[serverId, tool]` order. */
export class MemoryPinStore implements PinStore {
  #pins = new Map<string, Pin>();

  async list(): Promise<Pin[]> {
    return sortedValues(this.#pins);
  }

  async put(pins: Pin[]): Promise<void> {
    const copies = pins.map((pin) => structuredClone(pin));
    const next = new Map(this.#pins);
    for (const pin of copies) next.set(JSON.stringify([pin.serverId, pin.tool]), pin);
    this.#pins = next;
  }

  async deleteServer(serverId: string): Promise<void> {
    this.#pins = new Map([...this.#pins].filter(([, pin]) => pin.serverId !== serverId));
  }
}

export class MemoryTokenStore implements TokenStore {
  readonly #records = new Map<string, SignInRecord>();

  async get(serverId: string): Promise<SignInRecord | undefined> {
    const record = this.#records.get(serverId);
    return record && structuredClone(record);
  }

  async put(record: SignInRecord): Promise<void> {
    this.#records.set(record.serverId, structuredClone(record));
  }

  async delete(serverId: string): Promise<void> {
    this.#records.delete(serverId);
  }
}
