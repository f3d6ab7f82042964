/**
 * The `NotesStore` contract, run against the memory store in Node and the IndexedDB store in
 * Chromium. No test-framework imports: this file is also bundled into a browser page.
 */
import type { Note, NotesStore } from '../../src/hub/ports.ts';
import { assert, assertEqual, assertRejects, sortedBy, type ContractCase } from './assert.ts';

export function note(id: string, extra: Partial<Note> = {}): Note {
  return {
    id,
    title: `Note ${id}`,
    body: `Body of ${id}`,
    createdAt: 1_000,
    updatedAt: 2_000,
    ...extra,
  };
}

const byId = (n: Note): string => n.id;

export const notesStoreCases: ContractCase<NotesStore>[] = [
  {
    name: 'a new store lists no notes and get of any id is undefined',
    async run(make) {
      const store = await make();
      assertEqual(await store.list(), [], 'list');
      assertEqual(await store.get('missing'), undefined, 'get');
    },
  },
  {
    name: 'notes round-trip through put, get and list',
    async run(make) {
      const store = await make();
      const notes = [
        note('b'),
        note('a', { title: '', body: '' }),
        note('ü/🗒', { title: 'Ünïcode 🗒', body: 'line 1\nline 2\u0000after a NUL' }),
      ];
      for (const n of notes) await store.put(n);
      for (const n of notes) assertEqual(await store.get(n.id), n, `get ${n.id}`);
      assertEqual(sortedBy(await store.list(), byId), sortedBy(notes, byId), 'list');
    },
  },
  {
    name: 'put with a known id replaces the note',
    async run(make) {
      const store = await make();
      await store.put(note('a'));
      await store.put(note('a', { body: 'edited', updatedAt: 3_000 }));
      assertEqual(
        await store.list(),
        [note('a', { body: 'edited', updatedAt: 3_000 })],
        'one note, edited',
      );
    },
  },
  {
    name: 'a large note body round-trips intact',
    async run(make) {
      const store = await make();
      const body = 'x'.repeat(1_000_000) + 'end';
      await store.put(note('big', { body }));
      const back = await store.get('big');
      assert(back !== undefined, 'the note exists');
      assertEqual(back.body.length, body.length, 'body length');
      assert(back.body.endsWith('end'), 'body is not truncated');
    },
  },
  {
    name: 'delete removes the note and returns true; deleting it again returns false',
    async run(make) {
      const store = await make();
      await store.put(note('a'));
      await store.put(note('b'));
      assertEqual(await store.delete('a'), true, 'first delete reports the note existed');
      assertEqual(await store.get('a'), undefined, 'the note is gone');
      assertEqual(await store.delete('a'), false, 'second delete reports nothing was there');
      assertEqual(await store.list(), [note('b')], 'the other note is kept');
    },
  },
  {
    name: 'delete of a note that never existed returns false and changes nothing',
    async run(make) {
      const store = await make();
      await store.put(note('a'));
      assertEqual(await store.delete('never'), false, 'delete result');
      assertEqual(await store.list(), [note('a')], 'list');
    },
  },
  {
    name: 'notes handed out and taken in are copies',
    async run(make) {
      const store = await make();
      const original = note('a');
      await store.put(original);
      original.title = 'mutated after put';

      const fromGet = await store.get('a');
      assert(fromGet !== undefined, 'the note exists');
      fromGet.body = 'mutated after get';
      const [fromList] = await store.list();
      assert(fromList !== undefined, 'the note is listed');
      fromList.updatedAt = -1;

      assertEqual(await store.get('a'), note('a'), 'the stored note is unchanged');
    },
  },
  {
    name: 'a note that cannot be structured-cloned is refused and nothing is written',
    async run(make) {
      const store = await make();
      const bad = { ...note('a'), body: Symbol('not cloneable') } as unknown as Note;
      await assertRejects(store.put(bad), 'a symbol in the body');
      assertEqual(await store.list(), [], 'nothing was written');
    },
  },
];

export const notesStoreCaseNames: string[] = notesStoreCases.map((c) => c.name);
