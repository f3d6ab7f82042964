/**
 * The `TokenStore` contract (sign-ins to servers: tokens, client registrations, a flow under way),
 * run against the memory store in Node and the IndexedDB store in Chromium. No test-framework
 * imports: this file is also bundled into a page.
 */
import type { SignInRecord, TokenStore } from '../../src/hub/ports.ts';
import { assertEqual, assertRejects, type ContractCase } from './assert.ts';

function record(serverId: string, extra: Partial<SignInRecord> = {}): SignInRecord {
  return {
    serverId,
    tokens: {
      access_token: `access for ${serverId}`,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: `refresh for ${serverId}`,
      scope: 'read write',
      issuer: 'http://127.0.0.1:9000',
    },
    savedAt: 1_780_000_000_000,
    clients: [
      {
        issuer: 'http://127.0.0.1:9000',
        information: { client_id: 'nexus-1', client_secret: 's3cret' },
      },
    ],
    discovery: {
      authorizationServerUrl: 'http://127.0.0.1:9000',
      resourceMetadataUrl: 'http://127.0.0.1:9001/.well-known/oauth-protected-resource',
    },
    ...extra,
  };
}

export const tokenStoreCases: ContractCase<TokenStore>[] = [
  {
    name: 'a record comes back by server id; a put with the same id replaces it',
    async run(make) {
      const store = await make();
      assertEqual(await store.get('s1'), undefined, 'a new store has none');
      await store.put(record('s1'));
      await store.put(record('s2'));
      const pending = {
        state: 'st',
        codeVerifier: 'cv',
        authorizationUrl: 'http://127.0.0.1:9000/authorize?x=1',
        startedAt: 5,
      };
      await store.put({ serverId: 's1', pending });
      assertEqual(await store.get('s1'), { serverId: 's1', pending }, 'replaced whole');
      assertEqual(await store.get('s2'), record('s2'), 'the other untouched');
    },
  },
  {
    name: "deleting a server's record leaves the others, and deleting twice is fine",
    async run(make) {
      const store = await make();
      await store.put(record('s1'));
      await store.put(record('s10'));
      await store.delete('s1');
      await store.delete('s1');
      await store.delete('never there');
      assertEqual(await store.get('s1'), undefined, 's1 gone');
      assertEqual(await store.get('s10'), record('s10'), 's10 kept');
    },
  },
  {
    name: 'records are copied in and out',
    async run(make) {
      const store = await make();
      const put = record('ü/🗒 "x"');
      await store.put(put);
      put.tokens!.access_token = 'changed after put';
      const got = await store.get('ü/🗒 "x"');
      assertEqual(got, record('ü/🗒 "x"'), 'as put');
      got!.clients!.push({ issuer: 'x', information: { client_id: 'changed after get' } });
      assertEqual(await store.get('ü/🗒 "x"'), record('ü/🗒 "x"'), 'the stored one unchanged');
    },
  },
  {
    name: 'a record that cannot be structured-cloned is refused and the stored one kept',
    async run(make) {
      const store = await make();
      await store.put(record('s1'));
      const bad = record('s1', { savedAt: (() => 1) as unknown as number });
      const error = await assertRejects(store.put(bad), 'a function in savedAt');
      assertEqual(error.name, 'DataCloneError', 'refused the way structured clone refuses');
      assertEqual(await store.get('s1'), record('s1'), 'as it was');
    },
  },
];

export const tokenStoreCaseNames: string[] = tokenStoreCases.map((c) => c.name);
