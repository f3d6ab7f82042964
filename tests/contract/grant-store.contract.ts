/**
 * The `GrantStore` contract (the person's clients, grants and settings), run against the memory
 * store in Node and the IndexedDB store in Chromium. No test-framework imports: this file is also
 * bundled into a browser page.
 */
import type { ClientRecord, Grant, GrantStore } from '../../src/hub/ports.ts';
import { DEFAULT_CONSENT_SETTINGS } from '../../src/protocol/consent.ts';
import { assertEqual, assertRejects, type ContractCase } from './assert.ts';

const ORIGIN = 'http://127.0.0.1:5173';

function client(clientName: string, extra: Partial<ClientRecord> = {}): ClientRecord {
  return { origin: ORIGIN, clientName, state: 'approved', decidedAt: 1, ...extra };
}

function grant(name: string, extra: Partial<Grant> = {}): Grant {
  return {
    client: { origin: ORIGIN, clientName: 'chat' },
    serverId: 's1',
    target: 'tool',
    name,
    permission: 'allow',
    grantedAt: 2,
    ...extra,
  };
}

/** Everyone's grant for the same item as `grant(name)`. */
function everyone(name: string, extra: Partial<Grant> = {}): Grant {
  const { client: _client, ...rest } = grant(name, { permission: 'deny', ...extra });
  return rest;
}

export const grantStoreCases: ContractCase<GrantStore>[] = [
  {
    name: 'a new store has no clients, no grants and no settings',
    async run(make) {
      const store = await make();
      assertEqual(await store.load(), { clients: [], grants: [] }, 'load');
    },
  },
  {
    name: 'clients and grants come back in key order, and a put with the same key replaces',
    async run(make) {
      const store = await make();
      await store.commit({
        putClients: [client('zeta'), client('chat'), client('chat', { state: 'denied' })],
        putGrants: [
          grant('wipe'),
          grant('look', { serverId: 's0' }),
          grant('wipe', { permission: 'ask' }),
          everyone('wipe'),
        ],
      });
      const { clients, grants } = await store.load();
      assertEqual(
        clients,
        [client('chat', { state: 'denied' }), client('zeta')],
        'by [origin, clientName], the later put kept',
      );
      assertEqual(
        grants,
        [everyone('wipe'), grant('look', { serverId: 's0' }), grant('wipe', { permission: 'ask' })],
        "everyone's first (its client key is empty), then by server, target and name",
      );
    },
  },
  {
    name: "deleting a client deletes its grants, not another client's nor everyone's",
    async run(make) {
      const store = await make();
      const other = { origin: ORIGIN, clientName: 'chat-2' };
      await store.commit({
        putClients: [client('chat'), client('chat-2')],
        putGrants: [
          grant('wipe'),
          grant('look'),
          grant('wipe', { client: other }),
          everyone('wipe'),
        ],
      });
      await store.commit({ deleteClients: [{ origin: ORIGIN, clientName: 'chat' }] });
      const { clients, grants } = await store.load();
      assertEqual(clients, [client('chat-2')], 'the other client stays');
      assertEqual(
        grants,
        [everyone('wipe'), grant('wipe', { client: other })],
        'their grants stay',
      );
    },
  },
  {
    name: "grants are deleted by key, and a server's grants all at once",
    async run(make) {
      const store = await make();
      await store.commit({
        putGrants: [
          grant('wipe'),
          grant('look'),
          everyone('look'),
          grant('memo://x', { target: 'resource', serverId: 's2' }),
        ],
      });
      await store.commit({
        deleteGrants: [
          {
            client: { origin: ORIGIN, clientName: 'chat' },
            serverId: 's1',
            target: 'tool',
            name: 'look',
          },
          { serverId: 's9', target: 'tool', name: 'never there' },
        ],
      });
      assertEqual(
        (await store.load()).grants,
        [
          everyone('look'),
          grant('wipe'),
          grant('memo://x', { target: 'resource', serverId: 's2' }),
        ],
        "the client's look grant gone, everyone's kept",
      );
      await store.commit({ deleteServerGrants: ['s1'] });
      assertEqual(
        (await store.load()).grants,
        [grant('memo://x', { target: 'resource', serverId: 's2' })],
        'every grant of s1 gone',
      );
    },
  },
  {
    name: 'clearAll then puts replace everything in one change (an import)',
    async run(make) {
      const store = await make();
      await store.commit({ putClients: [client('old')], putGrants: [grant('old')] });
      await store.commit({
        clearAll: true,
        putClients: [client('new')],
        putGrants: [grant('new')],
      });
      const { clients, grants } = await store.load();
      assertEqual(clients, [client('new')], 'only the new client');
      assertEqual(grants, [grant('new')], 'only the new grant');
    },
  },
  {
    name: 'settings are kept and replaced whole',
    async run(make) {
      const store = await make();
      const first = { ...DEFAULT_CONSENT_SETTINGS, newClients: 'deny' as const };
      await store.commit({ settings: first });
      assertEqual((await store.load()).settings, first, 'kept');
      const second = {
        ...DEFAULT_CONSENT_SETTINGS,
        audit: { storeArguments: true, keepDays: 1, keepCount: 5 },
      };
      await store.commit({ settings: second });
      assertEqual((await store.load()).settings, second, 'replaced');
    },
  },
  {
    name: 'values are copied in and out, and odd strings round-trip',
    async run(make) {
      const store = await make();
      const odd = client('ü 🗒 \u0000 "quoted"', { label: '', servers: [] });
      const put = grant('a/b?c#d', { client: { origin: 'null', clientName: '' } });
      await store.commit({ putClients: [odd], putGrants: [put] });
      odd.state = 'denied';
      put.permission = 'deny';
      const loaded = await store.load();
      assertEqual(
        loaded.clients,
        [client('ü 🗒 \u0000 "quoted"', { label: '', servers: [] })],
        'client',
      );
      assertEqual(
        loaded.grants,
        [grant('a/b?c#d', { client: { origin: 'null', clientName: '' } })],
        'grant',
      );
      loaded.clients[0]!.label = 'changed after load';
      assertEqual((await store.load()).clients[0]!.label, '', 'the stored client is unchanged');
    },
  },
  {
    name: 'a change with a value that cannot be structured-cloned is refused, and nothing of it is written',
    async run(make) {
      const store = await make();
      await store.commit({ putClients: [client('kept')], putGrants: [grant('kept')] });
      const bad = client('bad', { label: Symbol('no') as unknown as string });
      const error = await assertRejects(
        store.commit({
          deleteClients: [{ origin: ORIGIN, clientName: 'kept' }],
          putGrants: [grant('new')],
          putClients: [client('first'), bad],
          settings: DEFAULT_CONSENT_SETTINGS,
        }),
        'a symbol in a label',
      );
      assertEqual(error.name, 'DataCloneError', 'refused the way structured clone refuses');
      assertEqual(
        await store.load(),
        { clients: [client('kept')], grants: [grant('kept')] },
        'as it was',
      );
    },
  },
];

export const grantStoreCaseNames: string[] = grantStoreCases.map((c) => c.name);
