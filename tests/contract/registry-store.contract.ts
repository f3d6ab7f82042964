/**
 * The `RegistryStore` contract, run against every implementation: the memory store in Node
 * (tests/unit/memory-stores.test.ts) and the IndexedDB store in Chromium (tests/browser/store.spec.ts).
 * No test-framework imports: this file is also bundled into a browser page.
 */
import type {
  BuiltinServerEntry,
  NameRecord,
  RegistryStore,
  RemoteServerEntry,
  ServerEntry,
  StdioServerEntry,
} from '../../src/hub/ports.ts';
import { assert, assertEqual, assertRejects, sortedBy, type ContractCase } from './assert.ts';

export function remoteServer(
  id: string,
  slug: string,
  extra: Partial<RemoteServerEntry> = {},
): RemoteServerEntry {
  return {
    kind: 'remote',
    id,
    slug,
    name: `Server ${id}`,
    enabled: true,
    url: `https://${slug}.example.com/mcp`,
    transport: 'auto',
    headers: [{ name: 'Authorization', value: 'Bearer secret-token', secret: true }],
    createdAt: 1_700_000_000_000,
    ...extra,
  };
}

function stdioServer(id: string, slug: string): StdioServerEntry {
  return {
    kind: 'stdio',
    id,
    slug,
    name: `Local ${id}`,
    enabled: false,
    command: 'npx',
    args: ['-y', '@modelcontextprotocol/server-everything', 'stdio'],
    env: [{ name: 'API_KEY', value: 'k', secret: true }],
    createdAt: 1_700_000_000_001,
  };
}

function builtinServer(id: string, slug: string): BuiltinServerEntry {
  return {
    kind: 'builtin',
    id,
    slug,
    name: 'Notes',
    enabled: true,
    builtin: 'notes',
    createdAt: 1,
  };
}

export function nameRecord(
  serverId: string,
  upstreamName: string,
  exposedName: string,
  kind: NameRecord['kind'] = 'tool',
): NameRecord {
  return { serverId, kind, upstreamName, exposedName };
}

const byId = (s: ServerEntry): string => s.id;
const byNameKey = (n: NameRecord): string => JSON.stringify([n.serverId, n.kind, n.upstreamName]);

async function servers(store: RegistryStore): Promise<ServerEntry[]> {
  return sortedBy(await store.listServers(), byId);
}

async function names(store: RegistryStore): Promise<NameRecord[]> {
  return sortedBy(await store.listNames(), byNameKey);
}

export const registryStoreCases: ContractCase<RegistryStore>[] = [
  {
    name: 'a new store has no servers, no names and no meta',
    async run(make) {
      const store = await make();
      assertEqual(await store.listServers(), [], 'servers');
      assertEqual(await store.listNames(), [], 'names');
      assertEqual(
        await store.getMeta('seeded'),
        undefined,
        'a missing meta key reads as undefined',
      );
    },
  },
  {
    name: 'every kind of server entry round-trips with all its fields',
    async run(make) {
      const store = await make();
      const remote = remoteServer('r1', 'github', {
        transport: 'sse',
        timeoutMs: 5_000,
        extra: { disabledTools: ['x'], nested: { deep: [1, null, 'three'] } },
      });
      const entries = [remote, stdioServer('s1', 'everything'), builtinServer('b1', 'notes')];
      for (const entry of entries) await store.putServer(entry);
      assertEqual(
        await servers(store),
        sortedBy(entries, byId),
        'listServers returns what was put',
      );
    },
  },
  {
    name: 'putServer with a known id replaces the entry, and its old slug becomes free',
    async run(make) {
      const store = await make();
      await store.putServer(remoteServer('a', 'alpha'));
      await store.putServer(remoteServer('a', 'renamed', { enabled: false, name: 'Renamed' }));
      assertEqual(
        await servers(store),
        [remoteServer('a', 'renamed', { enabled: false, name: 'Renamed' })],
        'one entry, the new version',
      );
      await store.putServer(remoteServer('b', 'alpha'));
      assertEqual(
        (await servers(store)).map((s) => s.slug),
        ['renamed', 'alpha'],
        'slug alpha was reusable',
      );
    },
  },
  {
    name: 'putServer refuses a slug another server holds, naming it, and changes nothing',
    async run(make) {
      const store = await make();
      await store.putServer(remoteServer('a', 'github'));
      const error = await assertRejects(
        store.putServer(remoteServer('b', 'github')),
        'duplicate slug',
      );
      assertEqual(error.name, 'ConstraintError', 'the error is a ConstraintError');
      assert(error.message.includes("'github'"), `the message names the slug: ${error.message}`);
      assertEqual(
        await servers(store),
        [remoteServer('a', 'github')],
        'the first server is untouched',
      );
    },
  },
  {
    name: 'putServers stores a whole batch',
    async run(make) {
      const store = await make();
      const batch = [
        remoteServer('c', 'gamma'),
        remoteServer('a', 'alpha'),
        stdioServer('b', 'beta'),
      ];
      await store.putServers(batch);
      assertEqual(await servers(store), sortedBy(batch, byId), 'all three servers');
    },
  },
  {
    name: 'putServers with an empty batch changes nothing',
    async run(make) {
      const store = await make();
      await store.putServer(remoteServer('a', 'alpha'));
      await store.putServers([]);
      assertEqual(await servers(store), [remoteServer('a', 'alpha')], 'still one server');
    },
  },
  {
    name: 'putServers is atomic: a batch with a duplicate slug fails and writes nothing',
    async run(make) {
      const store = await make();
      await store.putServer(remoteServer('keep', 'keep'));
      const batch = [
        remoteServer('keep', 'keep', { name: 'Edited' }), // a valid replace that must NOT land either
        remoteServer('n1', 'fresh'),
        remoteServer('n2', 'dup'),
        remoteServer('n3', 'dup'),
        remoteServer('n4', 'after'),
      ];
      const error = await assertRejects(store.putServers(batch), 'two new servers share a slug');
      assertEqual(error.name, 'ConstraintError', 'the error is a ConstraintError');
      assert(error.message.includes("'dup'"), `the message names the slug: ${error.message}`);
      assertEqual(
        await servers(store),
        [remoteServer('keep', 'keep')],
        'nothing of the batch was written',
      );
    },
  },
  {
    name: "putServers is atomic: colliding with a stored server's slug writes nothing",
    async run(make) {
      const store = await make();
      await store.putServer(remoteServer('a', 'alpha'));
      const batch = [remoteServer('b', 'beta'), remoteServer('c', 'alpha')];
      await assertRejects(store.putServers(batch), 'slug alpha is taken by server a');
      assertEqual(await servers(store), [remoteServer('a', 'alpha')], 'server b was not written');
      // The store stays usable after a failed batch.
      await store.putServers([remoteServer('b', 'beta')]);
      assertEqual((await servers(store)).length, 2, 'a later valid batch lands');
    },
  },
  {
    name: 'deleteServer removes the server and every name record of it, and nothing else',
    async run(make) {
      const store = await make();
      await store.putServers([remoteServer('a', 'alpha'), remoteServer('b', 'beta')]);
      await store.putNames([
        nameRecord('a', 'search', 'alpha__search'),
        nameRecord('a', 'summarize', 'alpha__summarize', 'prompt'),
        nameRecord('a', 'file', 'alpha__file', 'template'),
        nameRecord('b', 'search', 'beta__search'),
      ]);
      await store.setMeta('seeded', true);
      await store.deleteServer('a');
      assertEqual(await servers(store), [remoteServer('b', 'beta')], 'only server b is left');
      assertEqual(
        await names(store),
        [nameRecord('b', 'search', 'beta__search')],
        'only b names are left',
      );
      assertEqual(await store.getMeta('seeded'), true, 'meta is untouched');
      // The deleted server's aggregated names are free again.
      await store.putNames([nameRecord('c', 'search', 'alpha__search')]);
    },
  },
  {
    name: 'deleteServer of an unknown id changes nothing',
    async run(make) {
      const store = await make();
      await store.putServer(remoteServer('a', 'alpha'));
      await store.putNames([nameRecord('a', 'search', 'alpha__search')]);
      await store.deleteServer('nope');
      assertEqual(await servers(store), [remoteServer('a', 'alpha')], 'servers');
      assertEqual(await names(store), [nameRecord('a', 'search', 'alpha__search')], 'names');
    },
  },
  {
    name: 'name records round-trip, whatever characters the upstream name has',
    async run(make) {
      const store = await make();
      const records = [
        nameRecord('a', 'fs.read/file', 'alpha__fs_read_file'),
        nameRecord('a', 'a__b', 'alpha__a__b'),
        nameRecord('a', 'héllo wörld 🔎', 'alpha__h_llo_w_rld_1f2a'),
        nameRecord('a', 'fs.read/file', 'alpha__fs_read_file', 'prompt'),
        nameRecord('b', '', 'beta__empty'),
      ];
      await store.putNames(records);
      assertEqual(
        await names(store),
        sortedBy(records, byNameKey),
        'listNames returns what was put',
      );
    },
  },
  {
    name: 'putNames with a known key replaces the record and frees its old exposed name',
    async run(make) {
      const store = await make();
      await store.putNames([nameRecord('a', 'search', 'alpha__search')]);
      await store.putNames([nameRecord('a', 'search', 'alpha__search_v2')]);
      assertEqual(
        await names(store),
        [nameRecord('a', 'search', 'alpha__search_v2')],
        'one record, replaced',
      );
      await store.putNames([nameRecord('a', 'other', 'alpha__search')]);
      assertEqual((await names(store)).length, 2, 'the old exposed name could be reused');
    },
  },
  {
    name: 'putNames is atomic: an exposed name already handed out fails the batch and writes nothing',
    async run(make) {
      const store = await make();
      await store.putNames([nameRecord('a', 'search', 'alpha__search')]);
      const batch = [
        nameRecord('a', 'fetch', 'alpha__fetch'),
        nameRecord('b', 'find', 'alpha__search'),
      ];
      const error = await assertRejects(
        store.putNames(batch),
        'exposed name alpha__search is taken',
      );
      assertEqual(error.name, 'ConstraintError', 'the error is a ConstraintError');
      assert(
        error.message.includes("'alpha__search'"),
        `the message names the exposed name: ${error.message}`,
      );
      assertEqual(
        await names(store),
        [nameRecord('a', 'search', 'alpha__search')],
        'nothing was written',
      );
    },
  },
  {
    name: 'putNames is atomic: two records of one batch claiming one exposed name write nothing',
    async run(make) {
      const store = await make();
      const batch = [nameRecord('a', 'x', 'alpha__same'), nameRecord('a', 'y', 'alpha__same')];
      await assertRejects(store.putNames(batch), 'duplicate exposed name inside the batch');
      assertEqual(await store.listNames(), [], 'nothing was written');
    },
  },
  {
    name: 'putNames reads a batch in order: a name freed earlier in the batch may be taken later in it',
    async run(make) {
      const store = await make();
      await store.putNames([nameRecord('a', 'search', 'alpha__search')]);
      // a/search moves to a new exposed name, and b/find takes the old one, in one batch.
      const batch = [
        nameRecord('a', 'search', 'alpha__search_v2'),
        nameRecord('b', 'find', 'alpha__search'),
      ];
      await store.putNames(batch);
      assertEqual(await names(store), sortedBy(batch, byNameKey), 'both records are stored');
    },
  },
  {
    name: 'putNames reads a batch in order: a name is not free before the record holding it moves',
    async run(make) {
      const store = await make();
      await store.putNames([nameRecord('a', 'search', 'alpha__search')]);
      // b/find asks for the name first; a/search only moves after it.
      const batch = [
        nameRecord('b', 'find', 'alpha__search'),
        nameRecord('a', 'search', 'alpha__search_v2'),
      ];
      await assertRejects(store.putNames(batch), 'the name was still taken when asked for');
      assertEqual(
        await names(store),
        [nameRecord('a', 'search', 'alpha__search')],
        'nothing was written',
      );
    },
  },
  {
    name: 'an exposed name is unique per kind: a tool and a prompt may share it',
    async run(make) {
      const store = await make();
      const records = [
        nameRecord('a', 'greet', 'alpha__greet'),
        nameRecord('a', 'greet', 'alpha__greet', 'prompt'),
      ];
      await store.putNames(records);
      assertEqual(await names(store), sortedBy(records, byNameKey), 'both records are stored');
    },
  },
  {
    name: "deleteNames removes one server's name records and keeps the server and other names",
    async run(make) {
      const store = await make();
      await store.putServers([remoteServer('a', 'alpha'), remoteServer('b', 'beta')]);
      await store.putNames([
        nameRecord('a', 'search', 'alpha__search'),
        nameRecord('a', 'greet', 'alpha__greet', 'prompt'),
        nameRecord('b', 'search', 'beta__search'),
      ]);
      await store.deleteNames('a');
      assertEqual(
        await names(store),
        [nameRecord('b', 'search', 'beta__search')],
        'only b names are left',
      );
      assertEqual((await servers(store)).length, 2, 'both servers are still there');
      await store.deleteNames('unknown');
      assertEqual(
        (await names(store)).length,
        1,
        'deleting names of an unknown server changes nothing',
      );
    },
  },
  {
    name: 'meta values round-trip, can be overwritten, and keys are independent',
    async run(make) {
      const store = await make();
      const value = {
        version: 3,
        when: new Date(1_700_000_000_000),
        tags: ['a', 'b'],
        map: new Map([['k', 1]]),
      };
      await store.setMeta('complex', value);
      await store.setMeta('flag', true);
      await store.setMeta('zero', 0);
      assertEqual(await store.getMeta('complex'), value, 'a structured value round-trips');
      assertEqual(await store.getMeta('flag'), true, 'flag');
      assertEqual(
        await store.getMeta('zero'),
        0,
        'a falsy value is not confused with a missing one',
      );
      await store.setMeta('flag', false);
      assertEqual(await store.getMeta('flag'), false, 'overwritten');
      assertEqual(await store.getMeta('complex'), value, 'other keys untouched');
    },
  },
  {
    name: 'values handed out are copies: mutating them does not change the store',
    async run(make) {
      const store = await make();
      await store.putServer(remoteServer('a', 'alpha'));
      await store.putNames([nameRecord('a', 'search', 'alpha__search')]);
      await store.setMeta('obj', { list: [1] });

      const [server] = await store.listServers();
      assert(server?.kind === 'remote', 'a remote server came back');
      server.slug = 'hacked';
      server.headers[0]!.value = 'leaked';
      const [record] = await store.listNames();
      record!.exposedName = 'hacked';
      const meta = (await store.getMeta('obj')) as { list: number[] };
      meta.list.push(2);

      assertEqual(await servers(store), [remoteServer('a', 'alpha')], 'server unchanged');
      assertEqual(
        await names(store),
        [nameRecord('a', 'search', 'alpha__search')],
        'name unchanged',
      );
      assertEqual(await store.getMeta('obj'), { list: [1] }, 'meta unchanged');
    },
  },
  {
    name: 'values taken in are copied: mutating the argument after a put does not change the store',
    async run(make) {
      const store = await make();
      const server = remoteServer('a', 'alpha');
      const batch = [remoteServer('b', 'beta')];
      const records = [nameRecord('a', 'search', 'alpha__search')];
      const meta = { list: [1] };
      await store.putServer(server);
      await store.putServers(batch);
      await store.putNames(records);
      await store.setMeta('obj', meta);

      server.name = 'mutated';
      server.headers.push({ name: 'X', value: 'y', secret: false });
      batch[0]!.slug = 'mutated';
      records[0]!.exposedName = 'mutated';
      meta.list.push(2);

      assertEqual(
        await servers(store),
        [remoteServer('a', 'alpha'), remoteServer('b', 'beta')],
        'servers',
      );
      assertEqual(await names(store), [nameRecord('a', 'search', 'alpha__search')], 'names');
      assertEqual(await store.getMeta('obj'), { list: [1] }, 'meta');
    },
  },
  {
    name: 'a value that cannot be structured-cloned is refused and nothing is written',
    async run(make) {
      const store = await make();
      const bad = remoteServer('a', 'alpha', { extra: { callback: () => 1 } });
      const error = await assertRejects(
        store.putServers([remoteServer('b', 'beta'), bad]),
        'a function in extra',
      );
      assertEqual(error.name, 'DataCloneError', 'the error is a DataCloneError');
      assertEqual(
        await store.listServers(),
        [],
        'the valid server of the batch was not written either',
      );
      await assertRejects(
        store.setMeta('fn', () => 1),
        'a function as meta',
      );
      assertEqual(await store.getMeta('fn'), undefined, 'no meta written');
    },
  },
];

export const registryStoreCaseNames: string[] = registryStoreCases.map((c) => c.name);
