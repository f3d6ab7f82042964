/**
 * The `PinStore` contract (pinned tool definitions), run against the memory store in Node and the
 * IndexedDB store in Chromium. No test-framework imports: this file is also bundled into a page.
 */
import type { Pin, PinStore } from '../../src/hub/ports.ts';
import { assertEqual, assertRejects, type ContractCase } from './assert.ts';

function pin(serverId: string, tool: string, extra: Partial<Pin> = {}): Pin {
  return {
    serverId,
    tool,
    hash: `hash of ${tool}`,
    canonical: `{"name":"${tool}"}`,
    pinnedAt: 1,
    by: 'server-approved',
    ...extra,
  };
}

export const pinStoreCases: ContractCase<PinStore>[] = [
  {
    name: 'pins come back by [serverId, tool], and a put with the same key replaces',
    async run(make) {
      const store = await make();
      assertEqual(await store.list(), [], 'a new store has none');
      await store.put([pin('s2', 'a'), pin('s1', 'b'), pin('s1', 'a')]);
      await store.put([pin('s1', 'b', { hash: 'new', by: 'person' })]);
      assertEqual(
        await store.list(),
        [pin('s1', 'a'), pin('s1', 'b', { hash: 'new', by: 'person' }), pin('s2', 'a')],
        'in key order, the replaced one new',
      );
    },
  },
  {
    name: "deleting a server's pins leaves the others",
    async run(make) {
      const store = await make();
      await store.put([pin('s1', 'a'), pin('s2', 'a'), pin('s1', 'b'), pin('s10', 'a')]);
      await store.deleteServer('s1');
      await store.deleteServer('never there');
      assertEqual(await store.list(), [pin('s10', 'a'), pin('s2', 'a')], 'only s1 gone');
    },
  },
  {
    name: 'pins are copied in and out',
    async run(make) {
      const store = await make();
      const put = pin('s1', 'ü/🗒 "x"');
      await store.put([put]);
      put.hash = 'changed after put';
      const [listed] = await store.list();
      assertEqual(listed, pin('s1', 'ü/🗒 "x"'), 'as put');
      listed!.hash = 'changed after list';
      assertEqual(await store.list(), [pin('s1', 'ü/🗒 "x"')], 'the stored pin is unchanged');
    },
  },
  {
    name: 'a batch with a pin that cannot be structured-cloned is refused whole',
    async run(make) {
      const store = await make();
      await store.put([pin('s1', 'kept')]);
      const bad = pin('s1', 'bad', { canonical: Symbol('no') as unknown as string });
      const error = await assertRejects(
        store.put([pin('s1', 'kept', { hash: 'new' }), bad]),
        'a symbol in canonical',
      );
      assertEqual(error.name, 'DataCloneError', 'refused the way structured clone refuses');
      assertEqual(await store.list(), [pin('s1', 'kept')], 'as it was');
    },
  },
];

export const pinStoreCaseNames: string[] = pinStoreCases.map((c) => c.name);
