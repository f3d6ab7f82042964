/**
 * Hand-written fixtures of every shipped schema version, for tests/browser/store-harness.ts: each
 * builds a database with raw IndexedDB exactly as that version of Nexus built it, optionally with
 * data as that version wrote it. They are a frozen record of what is on people's disks: never edit
 * one to follow a new schema; add the new version's fixture below the last one instead.
 */

// ---------------------------------------------------------------------------------------------
// Schema version 1, written out by hand with raw IndexedDB exactly as v1 of the code built it.
// This is a frozen record of what is on people's disks: never edit it to follow a new schema;
// add a fixture for the new version next to it instead.
// ---------------------------------------------------------------------------------------------

/** Data as the v1 code stored it (plain literals, deliberately not typed by today's interfaces). */
export const V1_DATA = {
  server: {
    kind: 'remote',
    id: 'srv-1',
    slug: 'everything',
    name: 'Everything',
    enabled: true,
    url: 'http://127.0.0.1:3001/mcp',
    transport: 'auto',
    headers: [{ name: 'Authorization', value: 'Bearer t0ken', secret: true }],
    createdAt: 1_750_000_000_000,
  },
  name: { serverId: 'srv-1', kind: 'tool', upstreamName: 'echo', exposedName: 'everything__echo' },
  note: { id: 'note-1', title: 'First note', body: 'written by v1', createdAt: 1, updatedAt: 2 },
  meta: { key: 'seeded', value: { at: 1_750_000_000_000, builtins: ['notes'] } },
};

/**
 * The stores and indexes of schema v1, written out by hand (not the migration steps): each
 * version's fixture below builds on the one before, as each shipped version added to it.
 */
function createV1Stores(db: IDBDatabase): void {
  const servers = db.createObjectStore('servers', { keyPath: 'id' });
  servers.createIndex('by-slug', 'slug', { unique: true });
  const names = db.createObjectStore('names', {
    keyPath: ['serverId', 'kind', 'upstreamName'],
  });
  names.createIndex('by-server', 'serverId');
  names.createIndex('by-exposed', ['kind', 'exposedName'], { unique: true });
  db.createObjectStore('notes', { keyPath: 'id' });
  db.createObjectStore('meta');
}

/** Schema v2's: v1's and the protocol log. */
function createV2Stores(db: IDBDatabase): void {
  createV1Stores(db);
  db.createObjectStore('journal', { autoIncrement: true });
}

export function createV1Database(name: string, withData: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => createV1Stores(open.result);
    open.onblocked = () => reject(new Error(`creating the v1 database ${name} was blocked`));
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!withData) {
        db.close();
        resolve();
        return;
      }
      // Written in a normal transaction after the upgrade, as the running v1 app would have.
      const tx = db.transaction(['servers', 'names', 'notes', 'meta'], 'readwrite');
      tx.objectStore('servers').put(V1_DATA.server);
      tx.objectStore('names').put(V1_DATA.name);
      tx.objectStore('notes').put(V1_DATA.note);
      tx.objectStore('meta').put(V1_DATA.meta.value, V1_DATA.meta.key);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onabort = () => reject(tx.error ?? new Error('writing v1 data aborted'));
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Schema version 2 (v1 + the `journal` store), written out by hand with raw IndexedDB as v2 of
// the code builds it. Frozen like v1's: it repeats v1's stores rather than calling
// createV1Database, so neither fixture follows an edit to the other (its data reuses V1_DATA,
// which is frozen too).
// ---------------------------------------------------------------------------------------------

/** Data as the v2 code stored it: v1's kinds of data plus journal records. */
export const V2_DATA = {
  ...V1_DATA,
  journal: [
    {
      seq: 41,
      at: 1_760_000_000_000,
      side: 'client',
      direction: 'in',
      kind: 'request',
      method: 'tools/call',
      id: 3,
      sessionId: 'session-1',
      clientName: 'Example client',
      serverId: 'srv-1',
      serverSlug: 'everything',
      size: 83,
      json: '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"everything__echo"}}',
    },
    {
      seq: 42,
      at: 1_760_000_000_015,
      side: 'client',
      direction: 'out',
      kind: 'response',
      id: 3,
      latencyMs: 15,
      size: 48,
      json: '{"jsonrpc":"2.0","id":3,"result":{"content":[]}}',
    },
    {
      seq: 43,
      at: 1_760_000_000_020,
      side: 'server',
      direction: 'in',
      kind: 'notification',
      size: 61,
      json: '{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}',
    },
  ],
};

export function createV2Database(name: string, withData: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name, 2);
    open.onupgradeneeded = () => createV2Stores(open.result);
    open.onblocked = () => reject(new Error(`creating the v2 database ${name} was blocked`));
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!withData) {
        db.close();
        resolve();
        return;
      }
      const tx = db.transaction(['servers', 'names', 'notes', 'meta', 'journal'], 'readwrite');
      tx.objectStore('servers').put(V2_DATA.server);
      tx.objectStore('names').put(V2_DATA.name);
      tx.objectStore('notes').put(V2_DATA.note);
      tx.objectStore('meta').put(V2_DATA.meta.value, V2_DATA.meta.key);
      // Values only: the store generates the keys (1, 2, 3), as the v2 journal store relies on.
      for (const record of V2_DATA.journal) tx.objectStore('journal').add(record);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onabort = () => reject(tx.error ?? new Error('writing v2 data aborted'));
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Schema version 3 (v2 + the `events` store of the always-on audit and security journal, indexed
// by kind), written out by hand like v2's and frozen the same way. Its data is v2's plus events.
// ---------------------------------------------------------------------------------------------

export const V3_DATA = {
  ...V2_DATA,
  events: [
    {
      kind: 'audit',
      at: 1_770_000_000_000,
      event: 'server-added',
      serverId: 'srv-1',
      serverSlug: 'everything',
      detail: 'Server everything (http://127.0.0.1:3001/mcp) was added.',
    },
    {
      kind: 'security',
      at: 1_770_000_000_010,
      event: 'request-denied',
      origin: 'http://127.0.0.1:4173',
      clientName: 'Example client',
      sessionId: 'session-1',
      serverId: 'srv-1',
      serverSlug: 'everything',
      detail: 'call everything__echo',
    },
  ],
};

/** The stores and indexes of schema v3, as v3 created them: v2's and the events. */
function createV3Stores(db: IDBDatabase): void {
  createV2Stores(db);
  const events = db.createObjectStore('events', { autoIncrement: true });
  events.createIndex('by-kind', 'kind');
}

export function createV3Database(name: string, withData: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name, 3);
    open.onupgradeneeded = () => createV3Stores(open.result);
    open.onblocked = () => reject(new Error(`creating the v3 database ${name} was blocked`));
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!withData) {
        db.close();
        resolve();
        return;
      }
      const stores = ['servers', 'names', 'notes', 'meta', 'journal', 'events'];
      const tx = db.transaction(stores, 'readwrite');
      tx.objectStore('servers').put(V3_DATA.server);
      tx.objectStore('names').put(V3_DATA.name);
      tx.objectStore('notes').put(V3_DATA.note);
      tx.objectStore('meta').put(V3_DATA.meta.value, V3_DATA.meta.key);
      for (const record of V3_DATA.journal) tx.objectStore('journal').add(record);
      for (const event of V3_DATA.events) tx.objectStore('events').add(event);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onabort = () => reject(tx.error ?? new Error('writing v3 data aborted'));
    };
  });
}

/**
 * Schema v4 (the person's decisions beside the journal): `clients`, `grants` (out-of-line keys),
 * `pins`, the settings in `meta`, and the events' `by-at` index. Written as v4 wrote it.
 */
export const V4_DATA = {
  ...V3_DATA,
  client: {
    origin: 'http://127.0.0.1:4173',
    clientName: 'Example client',
    state: 'approved',
    decidedAt: 1_780_000_000_000,
  },
  grant: {
    key: ['http://127.0.0.1:4173', 'Example client', 'srv-1', 'tool', 'echo'],
    value: {
      client: { origin: 'http://127.0.0.1:4173', clientName: 'Example client' },
      serverId: 'srv-1',
      target: 'tool',
      name: 'echo',
      permission: 'allow',
      grantedAt: 1_780_000_000_001,
    },
  },
  pin: {
    serverId: 'srv-1',
    tool: 'echo',
    hash: '0'.repeat(64),
    canonical: '{"name":"echo"}',
    pinnedAt: 1_780_000_000_002,
    by: 'server-approved',
  },
};

/** The stores of v4, in an upgrade of a database from version 0. */
function createV4Stores(db: IDBDatabase, tx: IDBTransaction): void {
  createV3Stores(db);
  tx.objectStore('events').createIndex('by-at', 'at');
  db.createObjectStore('clients', { keyPath: ['origin', 'clientName'] });
  const grants = db.createObjectStore('grants');
  grants.createIndex('by-server', 'serverId');
  const pins = db.createObjectStore('pins', { keyPath: ['serverId', 'tool'] });
  pins.createIndex('by-server', 'serverId');
}

export function createV4Database(name: string, withData: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name, 4);
    open.onupgradeneeded = () => createV4Stores(open.result, open.transaction!);
    open.onblocked = () => reject(new Error(`creating the v4 database ${name} was blocked`));
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!withData) {
        db.close();
        resolve();
        return;
      }
      const stores = ['servers', 'events', 'clients', 'grants', 'pins'];
      const tx = db.transaction(stores, 'readwrite');
      tx.objectStore('servers').put(V4_DATA.server);
      for (const event of V4_DATA.events) tx.objectStore('events').add(event);
      tx.objectStore('clients').put(V4_DATA.client);
      tx.objectStore('grants').put(V4_DATA.grant.value, V4_DATA.grant.key);
      tx.objectStore('pins').put(V4_DATA.pin);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onabort = () => reject(tx.error ?? new Error('writing v4 data aborted'));
    };
  });
}

/** Schema v5 (sign-ins to servers): v4 and a `tokens` store keyed by `serverId`. No data: the
 * shape is what this fixture pins; v4 data read through v5 is checked on its own. */
export function createV5Database(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name, 5);
    open.onupgradeneeded = () => {
      createV4Stores(open.result, open.transaction!);
      open.result.createObjectStore('tokens', { keyPath: 'serverId' });
    };
    open.onblocked = () => reject(new Error(`creating the v5 database ${name} was blocked`));
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      open.result.close();
      resolve();
    };
  });
}
