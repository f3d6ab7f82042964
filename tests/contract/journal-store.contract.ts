/**
 * The `JournalStore` contract, run against the memory store in Node
 * (tests/unit/memory-stores.test.ts) and the IndexedDB store in Chromium
 * (tests/browser/store.spec.ts). No test-framework imports: this file is also bundled into a
 * browser page.
 *
 * "Newest" means appended last: the store keeps append order and does not interpret `seq`.
 */
import type {
  JournalEvent,
  JournalEventKind,
  JournalRecord,
  JournalStore,
} from '../../src/hub/ports.ts';
import { assert, assertEqual, assertRejects, type ContractCase } from './assert.ts';

/** A minimal record (no optional fields) numbered `seq`; `extra` adds or overrides fields. */
export function journalRecord(seq: number, extra: Partial<JournalRecord> = {}): JournalRecord {
  const json = JSON.stringify({
    jsonrpc: '2.0',
    method: 'notifications/progress',
    params: { seq },
  });
  return {
    seq,
    at: 1_750_000_000_000 + seq,
    side: 'server',
    direction: 'in',
    kind: 'notification',
    size: json.length,
    json,
    ...extra,
  };
}

/** Records numbered `from`, `from + 1`, … (`count` of them). */
function journalRecords(from: number, count: number): JournalRecord[] {
  return Array.from({ length: count }, (_, i) => journalRecord(from + i));
}

const seqs = (records: readonly JournalRecord[]): number[] => records.map((r) => r.seq);

/** 1-based inclusive range, for readable expectations: `range(21, 30)` is the seqs 21…30. */
function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

export const journalStoreCases: ContractCase<JournalStore>[] = [
  {
    name: 'a new store has no records',
    async run(make) {
      const store = await make();
      assertEqual(await store.latest(10), [], 'latest(10)');
      assertEqual(await store.latest(1), [], 'latest(1)');
    },
  },
  {
    name: 'appended records come back oldest first, field for field',
    async run(make) {
      const store = await make();
      const minimal = journalRecord(1);
      const full: JournalRecord = {
        seq: 2,
        at: 1_750_000_000_002,
        side: 'client',
        direction: 'out',
        kind: 'request',
        method: 'tools/call',
        // `id` is the JSON-RPC id, not a storage key: 0 and a string must both survive as-is.
        id: 0,
        sessionId: 'session-1',
        clientName: 'Claude 🤖',
        serverId: 'srv-1',
        serverSlug: 'everything',
        latencyMs: 12.5,
        size: 83,
        json: '{"jsonrpc":"2.0","id":0,"method":"tools/call","params":{"name":"everything__echo"}}',
      };
      const unicode = journalRecord(3, {
        kind: 'response',
        id: 'req-ü/🗒',
        method: 'ünïcode/メソッド',
        clientName: 'e\u0301 (combining) and 🏳️‍🌈',
        json: '{"text":"line 1\\nline 2","raw":"NUL\u0000after, tab\tand 𝄞"}',
      });
      const error = journalRecord(4, { kind: 'error', id: 'req-1', latencyMs: 0 });
      const records = [minimal, full, unicode, error];

      await store.append(records, 100);
      const back = await store.latest(10);
      assertEqual(back, records, 'every record, in order, field for field');
      // deepEqual already counts keys; this says the intent out loud: an optional field that was
      // absent must not come back present (as `undefined` or a default), or callers that test
      // `'method' in record` would see a different record than they wrote.
      const [first] = back;
      assert(first !== undefined, 'the minimal record is there');
      for (const field of [
        'method',
        'id',
        'sessionId',
        'clientName',
        'serverId',
        'serverSlug',
        'latencyMs',
      ]) {
        assert(!(field in first), `absent optional field '${field}' stays absent`);
      }
    },
  },
  {
    name: 'a record with a 1 MB json string round-trips intact',
    async run(make) {
      const store = await make();
      const json = JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        result: { text: 'x'.repeat(1_000_000) },
      });
      const big = journalRecord(1, { kind: 'response', id: 7, size: json.length, json });
      await store.append([journalRecord(0), big, journalRecord(2)], 10);
      const back = await store.latest(10);
      assertEqual(seqs(back), [0, 1, 2], 'all three records, in order');
      const [, bigBack] = back;
      assert(bigBack !== undefined, 'the big record is there');
      assertEqual(bigBack.json.length, json.length, 'json length');
      assert(bigBack.json === json, 'json is identical, not truncated');
    },
  },
  {
    name: 'latest(limit) returns only the newest limit records, oldest first',
    async run(make) {
      const store = await make();
      await store.append(journalRecords(1, 20), 100);
      assertEqual(seqs(await store.latest(5)), range(16, 20), 'latest(5)');
      assertEqual(seqs(await store.latest(1)), [20], 'latest(1)');
      assertEqual(seqs(await store.latest(20)), range(1, 20), 'latest(20): exactly all');
      assertEqual(seqs(await store.latest(1_000)), range(1, 20), 'latest(1000): all there is');
    },
  },
  {
    name: 'latest(0) is empty',
    async run(make) {
      const store = await make();
      await store.append(journalRecords(1, 3), 100);
      assertEqual(await store.latest(0), [], 'latest(0)');
      assertEqual(seqs(await store.latest(3)), [1, 2, 3], 'the records are still there');
    },
  },
  {
    name: 'several appends keep their order across calls',
    async run(make) {
      const store = await make();
      await store.append(journalRecords(1, 3), 100);
      await store.append([journalRecord(4)], 100);
      await store.append([], 100);
      await store.append(journalRecords(5, 4), 100);
      assertEqual(seqs(await store.latest(100)), range(1, 8), 'one log, in append order');
      assertEqual(seqs(await store.latest(6)), range(3, 8), 'a limit spans batches');
    },
  },
  {
    name: 'order is append order, not seq order: equal or falling seq values are all kept',
    async run(make) {
      const store = await make();
      // A hub that lost its counter (or two hubs in one profile) may repeat or go back; the
      // store is a log, so it neither sorts by seq nor lets one record replace another.
      const records = [journalRecord(5), journalRecord(5, { json: '{"second":true}' })];
      await store.append(records, 100);
      await store.append([journalRecord(1)], 100);
      const back = await store.latest(10);
      assertEqual(back, [...records, journalRecord(1)], 'all three, in the order appended');
    },
  },
  {
    name: 'append(records, keep) keeps only the newest keep records in the store',
    async run(make) {
      const store = await make();
      await store.append(journalRecords(1, 30), 10);
      assertEqual(seqs(await store.latest(100)), range(21, 30), 'the last 10 of a batch of 30');

      await store.append(journalRecords(31, 5), 10);
      assertEqual(
        seqs(await store.latest(100)),
        range(26, 35),
        'a later batch of 5 drops the 5 oldest',
      );

      await store.append(journalRecords(36, 2), 100);
      assertEqual(seqs(await store.latest(100)), range(26, 37), 'a larger keep drops nothing');

      await store.append([], 3);
      assertEqual(seqs(await store.latest(100)), [35, 36, 37], 'an empty batch still trims');
    },
  },
  {
    name: 'keep 0 empties the store, the new batch included',
    async run(make) {
      const store = await make();
      await store.append(journalRecords(1, 5), 100);
      await store.append(journalRecords(6, 5), 0);
      assertEqual(await store.latest(100), [], 'nothing is kept');
      await store.append(journalRecords(11, 2), 100);
      assertEqual(seqs(await store.latest(100)), [11, 12], 'the store takes records again');
    },
  },
  {
    name: 'records handed out and taken in are copies',
    async run(make) {
      const store = await make();
      const batch = journalRecords(1, 3);
      await store.append(batch, 100);
      // Mutate what was handed in: the record objects and the array.
      batch[0]!.json = 'mutated after append';
      batch[1]!.method = 'added after append';
      batch.push(journalRecord(99));

      const out = await store.latest(10);
      out[0]!.seq = -1;
      delete (out[2] as Partial<JournalRecord>).json;
      out.pop();

      assertEqual(await store.latest(10), journalRecords(1, 3), 'the stored records are unchanged');
    },
  },
  {
    name: 'clear removes every record and the store keeps working',
    async run(make) {
      const store = await make();
      await store.append(journalRecords(1, 12), 100);
      await store.clear();
      assertEqual(await store.latest(100), [], 'nothing after clear');
      await store.clear();
      assertEqual(await store.latest(100), [], 'clearing an empty store is fine');
      await store.append(journalRecords(13, 2), 100);
      assertEqual(seqs(await store.latest(100)), [13, 14], 'only records appended after clear');
    },
  },
  {
    name: 'a record that cannot be structured-cloned is refused and nothing of its batch is written',
    async run(make) {
      const store = await make();
      await store.append(journalRecords(1, 5), 100);
      const bad = {
        ...journalRecord(7),
        json: Symbol('not cloneable'),
      } as unknown as JournalRecord;
      // Good records before and after the bad one, and a keep that would trim: neither the good
      // records nor the trim may land, as an aborted IndexedDB transaction writes nothing.
      const error = await assertRejects(
        store.append([journalRecord(6), bad, journalRecord(8)], 2),
        'a symbol in json',
      );
      assertEqual(error.name, 'DataCloneError', 'refused the way structured clone refuses');
      assertEqual(seqs(await store.latest(100)), range(1, 5), 'the store is as it was');
    },
  },
  {
    name: "events come back by kind, oldest first, field for field; the other kind's are not mixed in",
    async run(make) {
      const store = await make();
      assertEqual(await store.events('audit', 10), [], 'a new store has no events');
      const full: JournalEvent = {
        kind: 'security',
        at: 5,
        event: 'request-denied',
        origin: 'https://client.example',
        clientName: 'c',
        sessionId: 's',
        serverId: 'srv',
        serverSlug: 'slug',
        detail: 'call slug__tool',
      };
      await store.appendEvents([event('audit', 1), full, event('audit', 2)], { count: 100 });
      await store.appendEvents([event('security', 3)], { count: 100 });
      assertEqual(
        (await store.events('audit', 10)).map((each) => each.at),
        [1, 2],
        'the audit events, oldest first',
      );
      assertEqual(
        await store.events('security', 10),
        [full, event('security', 3)],
        'the security events, field for field',
      );
      assertEqual(
        (await store.events('audit', 1)).map((each) => each.at),
        [2],
        'a limit keeps the newest',
      );
      assertEqual(await store.events('audit', 0), [], 'a limit of 0 reads nothing');
    },
  },
  {
    name: 'events are trimmed to the newest `keep` of all kinds, and clear() leaves them',
    async run(make) {
      const store = await make();
      await store.appendEvents([event('audit', 1), event('security', 2), event('audit', 3)], {
        count: 100,
      });
      await store.appendEvents([event('security', 4)], { count: 3 });
      assertEqual(
        (await store.events('audit', 10)).map((e) => e.at),
        [3],
        'oldest audit gone',
      );
      assertEqual(
        (await store.events('security', 10)).map((e) => e.at),
        [2, 4],
        'both security events kept',
      );
      await store.append(journalRecords(1, 2), 100);
      await store.clear();
      assertEqual(await store.latest(10), [], 'the protocol log is cleared');
      assertEqual((await store.events('security', 10)).length, 2, 'the events are not');
    },
  },
  {
    name: 'an event that cannot be structured-cloned is refused and nothing of its batch is written',
    async run(make) {
      const store = await make();
      await store.appendEvents([event('audit', 1)], { count: 100 });
      const bad = { ...event('audit', 3), detail: Symbol('no') } as unknown as JournalEvent;
      const error = await assertRejects(
        store.appendEvents([event('audit', 2), bad], { count: 1 }),
        'a symbol in detail',
      );
      assertEqual(error.name, 'DataCloneError', 'refused the way structured clone refuses');
      assertEqual(
        (await store.events('audit', 10)).map((e) => e.at),
        [1],
        'as it was',
      );
    },
  },
  {
    name: 'events older than `since` are dropped, of every kind, whatever order they came in',
    async run(make) {
      const store = await make();
      await store.appendEvents([event('audit', 50), event('security', 5), event('audit', 10)], {
        count: 100,
      });
      await store.appendEvents([event('audit', 3), event('security', 60)], {
        count: 100,
        since: 10,
      });
      assertEqual(
        (await store.events('audit', 10)).map((e) => e.at),
        [50, 10],
        'audit: 3 (this batch) is gone, 10 (exactly since) stays',
      );
      assertEqual(
        (await store.events('security', 10)).map((e) => e.at),
        [60],
        'security: 5 is gone',
      );
    },
  },
  {
    name: 'an age and a count together: the older go first, then the count applies',
    async run(make) {
      const store = await make();
      await store.appendEvents(
        [1, 2, 3, 4, 5].map((at) => event('audit', at)),
        { count: 100 },
      );
      await store.appendEvents([event('security', 6)], { count: 2, since: 3 });
      assertEqual(
        (await store.events('audit', 10)).map((e) => e.at),
        [5],
        'audit',
      );
      assertEqual(
        (await store.events('security', 10)).map((e) => e.at),
        [6],
        'security',
      );
    },
  },
  {
    name: 'a count of Infinity trims nothing by count (the age still applies)',
    async run(make) {
      const store = await make();
      await store.appendEvents(
        [1, 2, 3].map((at) => event('audit', at)),
        { count: 1 },
      );
      await store.appendEvents(
        [4, 5].map((at) => event('audit', at)),
        { count: Infinity },
      );
      assertEqual(
        (await store.events('audit', 10)).map((e) => e.at),
        [3, 4, 5],
        'none dropped',
      );
      await store.appendEvents([], { count: Infinity, since: 5 });
      assertEqual(
        (await store.events('audit', 10)).map((e) => e.at),
        [5],
        'older ones dropped',
      );
    },
  },
];

/** A minimal event of `kind` at time `at`. */
function event(kind: JournalEventKind, at: number): JournalEvent {
  return { kind, at, event: kind === 'audit' ? 'server-added' : 'request-denied' };
}

export const journalStoreCaseNames: string[] = journalStoreCases.map((c) => c.name);
