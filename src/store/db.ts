/**
 * The Nexus IndexedDB database: its typed schema, its version, and the migrations that bring a
 * database written by any older Nexus up to this one.
 *
 * Rules for changing the schema (data written by an older version must stay readable — tested in
 * tests/browser/store.spec.ts against a database built the way the older code built it):
 * 1. never edit a shipped migration step; browsers out there already ran it;
 * 2. add the step for version N as `migrations[N - 1]` and set `SCHEMA_VERSION = N`;
 * 3. a step may only use `db` and `tx` it is given: idb's `upgrade` runs inside the
 *    `versionchange` transaction, which is the ONLY transaction allowed to create or delete
 *    stores and indexes, and it commits as soon as no request is pending — so a step must not
 *    await anything but requests on `tx` (a fetch or a timer would let it commit half-done);
 * 4. record the new version's raw shape as a fixture in the browser test, next to v1's.
 */
import {
  openDB,
  type DBSchema,
  type IDBPDatabase,
  type IDBPTransaction,
  type StoreNames,
} from 'idb';
import type {
  ClientRecord,
  Grant,
  GrantTarget,
  JournalEvent,
  JournalEventKind,
  JournalRecord,
  NameKind,
  NameRecord,
  Note,
  Pin,
  ServerEntry,
  SignInRecord,
} from '../hub/ports.ts';

export const DB_NAME = 'nexus';
export const SCHEMA_VERSION = 5;

export interface NexusDB extends DBSchema {
  servers: {
    key: string;
    value: ServerEntry;
    indexes: { 'by-slug': string };
  };
  names: {
    /** `[serverId, kind, upstreamName]`: one aggregated name per upstream name. */
    key: [string, NameKind, string];
    value: NameRecord;
    indexes: {
      'by-server': string;
      /** Unique: one aggregated name never points at two upstream names. */
      'by-exposed': [NameKind, string];
    };
  };
  notes: {
    key: string;
    value: Note;
  };
  /** Small flags with out-of-line keys, e.g. whether first-run defaults were seeded. */
  meta: {
    key: string;
    value: unknown;
  };
  /**
   * The protocol log (since v2). Out-of-line auto-increment keys, so key order is append order
   * and the oldest records are one key range (cheap to trim); no key path, because the records'
   * own `id` is the JSON-RPC id (often absent, or repeated) and `seq` is the hub's to manage.
   */
  journal: {
    key: number;
    value: JournalRecord;
  };
  /**
   * The always-on audit and security events (since v3), keyed like `journal`; `by-kind` reads
   * one kind's newest events without walking the other's.
   */
  events: {
    key: number;
    value: JournalEvent;
    /** `by-at` (since v4): the events older than the retention's age, as one index range. */
    indexes: { 'by-kind': JournalEventKind; 'by-at': number };
  };
  /** Clients the person decided about (since v4), by `[origin, clientName]`. */
  clients: {
    key: [string, string];
    value: ClientRecord;
  };
  /**
   * The person's grants (since v4). Out-of-line keys `[origin, clientName, serverId, target,
   * name]`, with '' '' for a grant for everyone, so one client's grants are one key range.
   */
  grants: {
    key: GrantStoreKey;
    value: Grant;
    indexes: { 'by-server': string };
  };
  /** Pinned tool definitions (since v4), one per `[serverId, tool]`. */
  pins: {
    key: [string, string];
    value: Pin;
    indexes: { 'by-server': string };
  };
  /** Sign-ins to servers (since v5): tokens, client registrations, a flow under way; by server. */
  tokens: {
    key: string;
    value: SignInRecord;
  };
}

export type GrantStoreKey = [string, string, string, GrantTarget, string];

export type NexusDatabase = IDBPDatabase<NexusDB>;
export type UpgradeTransaction = IDBPTransaction<NexusDB, StoreNames<NexusDB>[], 'versionchange'>;

/**
 * One schema step. Synchronous on purpose: see rule 3 above. A step that must move data issues
 * requests on `tx` (they queue inside the versionchange transaction) and does not await a promise.
 */
export type Migration = (db: NexusDatabase, tx: UpgradeTransaction) => void;

/** `migrations[v - 1]` upgrades a database from version `v - 1` to version `v`. */
export const migrations: readonly Migration[] = [
  // v1: the first schema.
  (db) => {
    const servers = db.createObjectStore('servers', { keyPath: 'id' });
    servers.createIndex('by-slug', 'slug', { unique: true });

    const names = db.createObjectStore('names', { keyPath: ['serverId', 'kind', 'upstreamName'] });
    names.createIndex('by-server', 'serverId');
    names.createIndex('by-exposed', ['kind', 'exposedName'], { unique: true });

    db.createObjectStore('notes', { keyPath: 'id' });
    db.createObjectStore('meta');
  },
  // v2: the journal (the Inspector's protocol log, kept across restarts). A new, empty store:
  // nothing of v1 moves.
  (db) => {
    db.createObjectStore('journal', { autoIncrement: true });
  },
  // v3: the always-on audit and security events beside the protocol log. A new, empty store:
  // nothing of v2 moves (the protocol log stays where it is).
  (db) => {
    const events = db.createObjectStore('events', { autoIncrement: true });
    events.createIndex('by-kind', 'kind');
  },
  // v4: the person's decisions (clients, grants, pins) in stores of their own, their settings in
  // `meta`, and the events indexed by time for the retention's age. New, empty stores and an
  // index the browser builds over the events already there: nothing moves.
  (db, tx) => {
    db.createObjectStore('clients', { keyPath: ['origin', 'clientName'] });
    const grants = db.createObjectStore('grants');
    grants.createIndex('by-server', 'serverId');
    const pins = db.createObjectStore('pins', { keyPath: ['serverId', 'tool'] });
    pins.createIndex('by-server', 'serverId');
    tx.objectStore('events').createIndex('by-at', 'at');
  },
  // v5: sign-ins to servers (OAuth tokens and client registrations), one record per server. A
  // new, empty store: nothing moves.
  (db) => {
    db.createObjectStore('tokens', { keyPath: 'serverId' });
  },
];

if (migrations.length !== SCHEMA_VERSION) {
  // A programming error, caught on the first import rather than in a user's browser mid-upgrade.
  throw new Error(
    `src/store/db.ts: SCHEMA_VERSION is ${SCHEMA_VERSION} but there are ${migrations.length} migration steps`,
  );
}

/** Things a caller may want to tell the person about; every hook is optional. */
export interface OpenHooks {
  /**
   * Another connection (an older Nexus in another tab, or a worker that has not closed yet) holds
   * the database open at an older version, so this upgrade waits. It proceeds by itself once
   * that connection closes; if it never does, the person has to close the old tab.
   */
  blocked?(currentVersion: number): void;
  /**
   * A newer Nexus wants to upgrade the database, so this connection was closed (see below). Every
   * later use of the database fails; the caller should ask the person to reload.
   */
  closedForUpgrade?(newVersion: number | null): void;
  /** The browser closed the connection abnormally (e.g. site data was cleared). */
  terminated?(): void;
}

/**
 * Opens (creating or upgrading as needed) the Nexus database. `name` exists for tests, which give
 * every case a database of its own.
 */
export async function openNexusDb(
  name: string = DB_NAME,
  hooks: OpenHooks = {},
): Promise<NexusDatabase> {
  let db: NexusDatabase;
  try {
    db = await openDB<NexusDB>(name, SCHEMA_VERSION, {
      upgrade(database, oldVersion, newVersion, tx) {
        // `newVersion` is null only while the database is being deleted, never while opening.
        const target = newVersion ?? SCHEMA_VERSION;
        // Run every step in (oldVersion, target] in order: a browser that last ran v1 and now
        // runs v3 needs v2 and v3, and a fresh database (oldVersion 0) needs all of them.
        for (let version = oldVersion + 1; version <= target; version++) {
          const step = migrations[version - 1];
          if (!step) throw new Error(`no migration to database version ${version}`);
          step(database, tx);
        }
      },
      blocked(currentVersion) {
        hooks.blocked?.(currentVersion);
      },
      blocking(_currentVersion, blockedVersion) {
        // A newer Nexus (another tab, or a worker after an update) is trying to upgrade and
        // cannot until every older connection closes; keeping ours open would leave that tab
        // hanging forever. Closing is the only way to let it proceed. Our code cannot read the
        // newer schema anyway, so this connection is finished either way. (A deleteDB elsewhere
        // lands here too, with `blockedVersion` null; closing is right for that as well.)
        db.close();
        hooks.closedForUpgrade?.(blockedVersion);
      },
      terminated() {
        hooks.terminated?.();
      },
    });
  } catch (error) {
    // A database already at a HIGHER version than ours was upgraded by a newer Nexus (this tab
    // runs stale code); IndexedDB refuses to open it downwards with a bare VersionError.
    if (error instanceof DOMException && error.name === 'VersionError') {
      throw new Error(
        `the Nexus database '${name}' was upgraded by a newer version of Nexus; ` +
          `reload this page to run the newer version`,
        { cause: error },
      );
    }
    throw error;
  }
  return db;
}

/** The part of an idb transaction `inTransaction` needs, whatever stores it spans. */
interface Tx {
  abort(): void;
  readonly done: Promise<void>;
}

/**
 * Runs `work` in `tx` and resolves once the transaction has COMMITTED (a put's success only means
 * it is queued; the data is durable at `complete`). On failure the transaction is aborted, so no
 * write of it lands, and the first error is rethrown.
 *
 * `work` may await only requests of `tx`: awaiting anything else (a timer, a fetch) lets the
 * transaction auto-commit while idle, and the next request throws TransactionInactiveError.
 */
export async function inTransaction<T>(tx: Tx, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work();
    await tx.done;
    return result;
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // Already finished: a failed request aborts its transaction by itself.
    }
    // idb creates `tx.done` eagerly; it rejects on abort and would surface as an unhandled
    // rejection if nobody listened. The error worth reporting is `error`.
    await tx.done.catch(() => undefined);
    throw error;
  }
}
