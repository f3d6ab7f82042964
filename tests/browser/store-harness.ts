/**
 * Browser side of tests/browser/store.spec.ts: runs the store contract cases and the schema and
 * migration checks against REAL IndexedDB (Chromium), each on a database of its own that is deleted
 * afterwards. Results come back as plain data, so the spec can show the page's error message.
 */
import { deleteDB, openDB, unwrap } from 'idb';
import type { JournalEvent, JournalRecord } from '../../src/hub/ports.ts';
import { migrations, openNexusDb, SCHEMA_VERSION, type NexusDB } from '../../src/store/db.ts';
import { IdbGrantStore } from '../../src/store/grant-store.ts';
import { IdbJournalStore } from '../../src/store/journal-store.ts';
import { IdbNotesStore } from '../../src/store/notes-store.ts';
import { IdbPinStore } from '../../src/store/pin-store.ts';
import { IdbRegistryStore } from '../../src/store/registry-store.ts';
import { IdbTokenStore } from '../../src/store/token-store.ts';
import { assert, assertEqual, assertRejects, type ContractCase } from '../contract/assert.ts';
import { grantStoreCases } from '../contract/grant-store.contract.ts';
import { journalStoreCases } from '../contract/journal-store.contract.ts';
import { notesStoreCases } from '../contract/notes-store.contract.ts';
import { pinStoreCases } from '../contract/pin-store.contract.ts';
import { registryStoreCases } from '../contract/registry-store.contract.ts';
import { tokenStoreCases } from '../contract/token-store.contract.ts';
import {
  createV1Database,
  createV2Database,
  createV3Database,
  createV4Database,
  createV5Database,
  V1_DATA,
  V2_DATA,
  V3_DATA,
  V4_DATA,
} from './schema-fixtures.ts';

export type Suite = 'registry' | 'notes' | 'journal' | 'grants' | 'pins' | 'tokens';

/** `error` is set when the check failed; `leftover` when its database could not be deleted. */
export interface CaseResult {
  error?: string;
  leftover?: string;
}

export interface StoreHarness {
  runCase(suite: Suite, name: string): Promise<CaseResult>;
  /** The hand-written v1 fixture below builds exactly what migration step 1 builds. */
  v1FixtureMatchesMigrationStep1(): Promise<CaseResult>;
  /** A database written by v1 is readable and writable through the current code. */
  v1DataIsReadableNow(): Promise<CaseResult>;
  /** The hand-written v2 fixture below builds exactly what migration steps 1 and 2 build. */
  v2FixtureMatchesMigrationSteps1And2(): Promise<CaseResult>;
  /** A database written by v2 is readable and writable through the current code. */
  v2DataIsReadableNow(): Promise<CaseResult>;
  /** The hand-written v3 fixture builds exactly what migration steps 1 to 3 build. */
  v3FixtureMatchesMigrationSteps1To3(): Promise<CaseResult>;
  /** A database written by v3 is readable and writable through the current code. */
  v3DataIsReadableNow(): Promise<CaseResult>;
  /** The hand-written v4 fixture builds exactly what migration steps 1 to 4 build. */
  v4FixtureMatchesMigrationSteps1To4(): Promise<CaseResult>;
  /** A database written by v4 is readable and writable through the current code. */
  v4DataIsReadableNow(): Promise<CaseResult>;
  /** The hand-written v5 fixture builds exactly what migration steps 1 to 5 build. */
  v5FixtureMatchesMigrationSteps1To5(): Promise<CaseResult>;
  /** An open connection closes itself when a newer version asks to upgrade. */
  blockingConnectionClosesForUpgrade(): Promise<CaseResult>;
  /** A database upgraded by a newer Nexus is refused with an error a person can act on. */
  newerDatabaseIsRefused(): Promise<CaseResult>;
}

declare global {
  interface Window {
    nexusStoreHarness?: StoreHarness;
  }
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/**
 * Gives `check` unique database names, closes every connection it opened, deletes the databases
 * and reports any that survived (a leak would make later cases in the same profile unreliable).
 */
type Track = <D extends { close(): void }>(db: D) => D;

async function isolated(
  check: (dbName: (label: string) => string, track: Track) => Promise<void>,
): Promise<CaseResult> {
  const names: string[] = [];
  const open: { close(): void }[] = [];
  const dbName = (label: string): string => {
    const name = `nexus-test-${label}-${crypto.randomUUID()}`;
    names.push(name);
    return name;
  };
  const track: Track = (db) => {
    open.push(db);
    return db;
  };
  const result: CaseResult = {};
  try {
    await check(dbName, track);
  } catch (error) {
    result.error =
      error instanceof Error
        ? `${error.name}: ${error.message}\n${error.stack ?? ''}`
        : String(error);
  } finally {
    for (const db of open) db.close();
    for (const name of names) {
      // `blocked` may fire here although every connection was closed: close() only marks a
      // connection close-pending until its last transaction finishes, and Chromium reports
      // such a connection as blocking. The delete proceeds once it is really closed, so the
      // check below (is the database still listed?) is the one that tells a leak.
      await deleteDB(name);
    }
    const left = (await indexedDB.databases()).filter((d) => d.name && names.includes(d.name));
    if (left.length > 0)
      result.leftover = `databases not deleted: ${left.map((d) => d.name).join(', ')}`;
  }
  return result;
}

function findCase<S>(cases: ContractCase<S>[], name: string): ContractCase<S> {
  const found = cases.find((c) => c.name === name);
  if (!found) throw new Error(`no contract case named '${name}'`);
  return found;
}

async function runCase(suite: Suite, name: string): Promise<CaseResult> {
  return isolated(async (dbName, track) => {
    const db = dbName(suite);
    if (suite === 'registry') {
      await findCase(registryStoreCases, name).run(
        async () => new IdbRegistryStore(track(await openNexusDb(db))),
      );
    } else if (suite === 'notes') {
      await findCase(notesStoreCases, name).run(
        async () => new IdbNotesStore(track(await openNexusDb(db))),
      );
    } else if (suite === 'grants') {
      await findCase(grantStoreCases, name).run(
        async () => new IdbGrantStore(track(await openNexusDb(db))),
      );
    } else if (suite === 'pins') {
      await findCase(pinStoreCases, name).run(
        async () => new IdbPinStore(track(await openNexusDb(db))),
      );
    } else if (suite === 'tokens') {
      await findCase(tokenStoreCases, name).run(
        async () => new IdbTokenStore(track(await openNexusDb(db))),
      );
    } else {
      await findCase(journalStoreCases, name).run(
        async () => new IdbJournalStore(track(await openNexusDb(db))),
      );
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Schema checks: each shipped version's hand-written fixture (./schema-fixtures.ts) against what
// its migration steps build, and each version's data read back through today's code.
// ---------------------------------------------------------------------------------------------

/** Everything about a database's shape that the code relies on, as comparable plain data. */
function describeSchema(db: IDBDatabase): unknown {
  const tx = db.transaction([...db.objectStoreNames], 'readonly');
  return [...db.objectStoreNames].sort().map((storeName) => {
    const store = tx.objectStore(storeName);
    return {
      store: storeName,
      keyPath: store.keyPath,
      autoIncrement: store.autoIncrement,
      indexes: [...store.indexNames].sort().map((indexName) => {
        const index = store.index(indexName);
        return {
          index: indexName,
          keyPath: index.keyPath,
          unique: index.unique,
          multiEntry: index.multiEntry,
        };
      }),
    };
  });
}

/**
 * The hand-written fixture of schema `version` (./schema-fixtures.ts) builds exactly what
 * migration steps 1 to `version` build, whatever SCHEMA_VERSION is now: a fixture pins what its
 * version shipped, so a shipped step that was edited fails here.
 */
function fixtureMatchesSteps(
  version: number,
  createFixture: (name: string) => Promise<void>,
): () => Promise<CaseResult> {
  return () =>
    isolated(async (dbName, track) => {
      const fixtureName = dbName(`v${version}-fixture`);
      await createFixture(fixtureName);
      const fixture = track(await openDB(fixtureName));
      const steps = track(
        await openDB<NexusDB>(dbName(`v${version}-steps`), version, {
          upgrade: (db, _old, _new, tx) => {
            for (const step of migrations.slice(0, version)) step(db, tx);
          },
        }),
      );
      assertEqual(
        describeSchema(unwrap(steps)),
        describeSchema(unwrap(fixture)),
        `migration steps 1 to ${version} must build the shipped v${version} schema (never edit a shipped step)`,
      );
    });
}

const v1FixtureMatchesMigrationStep1 = fixtureMatchesSteps(1, (name) =>
  createV1Database(name, false),
);
const v2FixtureMatchesMigrationSteps1And2 = fixtureMatchesSteps(2, (name) =>
  createV2Database(name, false),
);
const v3FixtureMatchesMigrationSteps1To3 = fixtureMatchesSteps(3, (name) =>
  createV3Database(name, false),
);
const v4FixtureMatchesMigrationSteps1To4 = fixtureMatchesSteps(4, (name) =>
  createV4Database(name, false),
);
const v5FixtureMatchesMigrationSteps1To5 = fixtureMatchesSteps(5, createV5Database);

async function v1DataIsReadableNow(): Promise<CaseResult> {
  return isolated(async (dbName, track) => {
    const name = dbName('v1-data');
    await createV1Database(name, true);

    const db = track(await openNexusDb(name));
    assertEqual(db.version, SCHEMA_VERSION, 'the database is at the current version');
    const registry = new IdbRegistryStore(db);
    const notes = new IdbNotesStore(db);
    const journal = new IdbJournalStore(db);
    assertEqual(await registry.listServers(), [V1_DATA.server], 'the v1 server reads back');
    assertEqual(await registry.listNames(), [V1_DATA.name], 'the v1 name record reads back');
    assertEqual(
      await registry.getMeta(V1_DATA.meta.key),
      V1_DATA.meta.value,
      'the v1 meta value reads back',
    );
    assertEqual(await notes.list(), [V1_DATA.note], 'the v1 note reads back');
    // v1 had no journal: the upgrade (step 2) added it, empty, next to the data it kept.
    assertEqual(await journal.latest(10), [], 'the journal added by the upgrade is empty');

    // The upgraded database has the same shape as one created fresh by today's code...
    const fresh = track(await openNexusDb(dbName('fresh')));
    assertEqual(
      describeSchema(unwrap(db)),
      describeSchema(unwrap(fresh)),
      'upgraded schema equals a fresh schema',
    );
    // ...and still enforces v1's constraints on data v1 wrote.
    const clash = { ...V1_DATA.server, id: 'srv-2', name: 'Clash' } as Parameters<
      IdbRegistryStore['putServer']
    >[0];
    const error = await assertRejects(
      registry.putServer(clash),
      "slug 'everything' is held by the v1 server",
    );
    assertEqual(error.name, 'ConstraintError', 'a ConstraintError');
    await registry.deleteServer('srv-1');
    assertEqual(
      await registry.listNames(),
      [],
      'deleteServer removes the v1 name record via the by-server index',
    );
    assertEqual(await notes.delete('note-1'), true, 'the v1 note can be deleted');

    // ...and takes new writes into the v1 stores and the new one alike.
    const newNote = { ...V1_DATA.note, id: 'note-2', body: 'written after the upgrade' };
    await notes.put(newNote);
    assertEqual(await notes.list(), [newNote], 'a note written after the upgrade');
    await registry.setMeta(V1_DATA.meta.key, { at: 1 });
    assertEqual(await registry.getMeta(V1_DATA.meta.key), { at: 1 }, 'the v1 meta key rewritten');
    const logged: JournalRecord[] = [
      {
        seq: 1,
        at: 1_760_000_000_000,
        side: 'server',
        direction: 'in',
        kind: 'notification',
        size: 61,
        json: '{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}',
      },
    ];
    await journal.append(logged, 10);
    assertEqual(await journal.latest(10), logged, 'the journal takes records');
  });
}

async function v2DataIsReadableNow(): Promise<CaseResult> {
  return isolated(async (dbName, track) => {
    const name = dbName('v2-data');
    await createV2Database(name, true);

    const db = track(await openNexusDb(name));
    assertEqual(db.version, SCHEMA_VERSION, 'the database is at the current version');
    const registry = new IdbRegistryStore(db);
    const notes = new IdbNotesStore(db);
    const journal = new IdbJournalStore(db);
    assertEqual(await registry.listServers(), [V2_DATA.server], 'the v2 server reads back');
    assertEqual(await registry.listNames(), [V2_DATA.name], 'the v2 name record reads back');
    assertEqual(await registry.getMeta(V2_DATA.meta.key), V2_DATA.meta.value, 'the v2 meta value');
    assertEqual(await notes.list(), [V2_DATA.note], 'the v2 note reads back');
    assertEqual(await journal.latest(10), V2_DATA.journal, 'the v2 journal reads back, in order');
    assertEqual(await journal.latest(1), V2_DATA.journal.slice(-1), 'its newest record');

    const fresh = track(await openNexusDb(dbName('fresh')));
    assertEqual(
      describeSchema(unwrap(db)),
      describeSchema(unwrap(fresh)),
      'the schema equals a fresh schema',
    );

    // New records land after the ones v2 wrote (its key generator carried on), and the trim
    // drops v2's oldest first.
    const next = { ...V2_DATA.journal[2]!, seq: 44 } as unknown as JournalRecord;
    await journal.append([next], 3);
    assertEqual(
      await journal.latest(10),
      [...V2_DATA.journal.slice(1), next],
      "appended after v2's records, its oldest trimmed",
    );
    await journal.clear();
    assertEqual(await journal.latest(10), [], 'the v2 journal can be cleared');
    assertEqual(await notes.list(), [V2_DATA.note], 'clearing the journal leaves the notes');
    // v2 had no events: the upgrade (step 3) added the store, empty, and it takes writes.
    assertEqual(await journal.events('audit', 10), [], 'no audit events after the upgrade');
    const event = { kind: 'audit' as const, at: 1, event: 'server-added' };
    await journal.appendEvents([event], { count: 10 });
    assertEqual(await journal.events('audit', 10), [event], 'an event lands in the new store');
  });
}

async function v3DataIsReadableNow(): Promise<CaseResult> {
  return isolated(async (dbName, track) => {
    const name = dbName('v3-data');
    await createV3Database(name, true);
    const db = track(await openNexusDb(name));
    assertEqual(db.version, SCHEMA_VERSION, 'the database is at the current version');
    const journal = new IdbJournalStore(db);
    assertEqual(await journal.latest(10), V3_DATA.journal, 'the v3 protocol log reads back');
    const [audit, security] = V3_DATA.events as unknown as JournalEvent[];
    assertEqual(await journal.events('audit', 10), [audit], 'the v3 audit event reads back');
    assertEqual(await journal.events('security', 10), [security], 'the v3 security event');
    await journal.clear();
    assertEqual(
      await journal.events('security', 10),
      [security],
      "clearing the protocol log leaves the events (the Inspector's clear is not an audit wipe)",
    );
    const next = { kind: 'audit' as const, at: 2, event: 'server-removed' };
    await journal.appendEvents([next], { count: 2 });
    assertEqual(
      await journal.events('audit', 10),
      [next],
      "appended after v3's events; the trim keeps the newest two of all kinds",
    );
    assertEqual(await journal.events('security', 10), [security], 'the security event is kept');

    // v3 had no decisions: the upgrade (step 4) added their stores, empty and writable, and
    // indexed v3's events by time, so the retention's age reaches them too.
    const grants = new IdbGrantStore(db);
    assertEqual(await grants.load(), { clients: [], grants: [] }, 'no decisions after the upgrade');
    const client = {
      origin: 'http://127.0.0.1:4173',
      clientName: 'c',
      state: 'approved' as const,
      decidedAt: 3,
    };
    await grants.commit({ putClients: [client] });
    assertEqual((await grants.load()).clients, [client], 'a client lands in the new store');
    const pins = new IdbPinStore(db);
    assertEqual(await pins.list(), [], 'no pins after the upgrade');
    await journal.appendEvents([], { count: 10, since: security!.at + 1 });
    assertEqual(
      await journal.events('security', 10),
      [],
      "v3's security event is older than the age kept: dropped through the new index",
    );
    assertEqual(await journal.events('audit', 10), [], 'and the audit event of time 2 too');
  });
}

async function v4DataIsReadableNow(): Promise<CaseResult> {
  return isolated(async (dbName, track) => {
    const name = dbName('v4-data');
    await createV4Database(name, true);
    const db = track(await openNexusDb(name));
    assertEqual(db.version, SCHEMA_VERSION, 'the database is at the current version');
    const decisions = await new IdbGrantStore(db).load();
    assertEqual(decisions.clients, [V4_DATA.client], "v4's client reads back");
    assertEqual(decisions.grants, [V4_DATA.grant.value], "v4's grant reads back");
    assertEqual(await new IdbPinStore(db).list(), [V4_DATA.pin], "v4's pin reads back");
    // v4 had no sign-ins: the upgrade (step 5) added their store, empty and writable.
    const tokens = new IdbTokenStore(db);
    assertEqual(await tokens.get(V4_DATA.server.id), undefined, 'no sign-in after the upgrade');
    const signIn = { serverId: V4_DATA.server.id, savedAt: 4 };
    await tokens.put(signIn);
    assertEqual(await tokens.get(V4_DATA.server.id), signIn, 'a sign-in lands in the new store');
  });
}

async function blockingConnectionClosesForUpgrade(): Promise<CaseResult> {
  return isolated(async (dbName, track) => {
    const name = dbName('blocking');
    let closedFor: number | null | undefined;
    const db = track(await openNexusDb(name, { closedForUpgrade: (v) => (closedFor = v) }));

    // Plays "a newer Nexus in another tab": without our `blocking` handler this open would sit
    // on `blocked` until the old connection went away, i.e. forever.
    let wasBlocked = false;
    const newer = indexedDB.open(name, SCHEMA_VERSION + 1);
    newer.onblocked = () => (wasBlocked = true);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('the newer version could not open within 5 s')),
        5_000,
      );
    });
    try {
      track(await Promise.race([request(newer), timeout]));
    } finally {
      clearTimeout(timer);
    }

    assertEqual(closedFor, SCHEMA_VERSION + 1, 'closedForUpgrade was told the newer version');
    assert(!wasBlocked, 'the newer version was never blocked');
    let usedAfterClose: unknown;
    try {
      db.transaction('meta');
    } catch (error) {
      usedAfterClose = error;
    }
    assert(
      usedAfterClose instanceof DOMException && usedAfterClose.name === 'InvalidStateError',
      'the old connection is closed',
    );
  });
}

async function newerDatabaseIsRefused(): Promise<CaseResult> {
  return isolated(async (dbName, track) => {
    const name = dbName('newer');
    track(await request(indexedDB.open(name, SCHEMA_VERSION + 1))).close();
    const error = await assertRejects(openNexusDb(name), 'opening a newer database');
    assert(
      error.message.includes('newer version of Nexus'),
      `a message a person can act on: ${error.message}`,
    );
  });
}

window.nexusStoreHarness = {
  runCase,
  v1FixtureMatchesMigrationStep1,
  v1DataIsReadableNow,
  v2FixtureMatchesMigrationSteps1And2,
  v2DataIsReadableNow,
  v3FixtureMatchesMigrationSteps1To3,
  v4FixtureMatchesMigrationSteps1To4,
  v4DataIsReadableNow,
  v5FixtureMatchesMigrationSteps1To5,
  v3DataIsReadableNow,
  blockingConnectionClosesForUpgrade,
  newerDatabaseIsRefused,
};
