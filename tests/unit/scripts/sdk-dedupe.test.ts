import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DedupeError,
  parseChunk,
  planTwins,
  rewriteClient,
  rewriteServer,
  SdkTwins,
} from '../../../scripts/sdk-dedupe.ts';

const CLIENT = '/pkg/client/dist/src-AAAAAAAA.mjs';
const SERVER = '/pkg/server/dist/src-BBBBBBBB.mjs';

/** Parses a client/server pair of hand-written chunks and plans their merge. */
function twins(client: string, server: string) {
  const chunks = new Map([
    [CLIENT, parseChunk(CLIENT, client, (spec) => `/node_modules/${spec}`)],
    [SERVER, parseChunk(SERVER, server, (spec) => `/node_modules/${spec}`)],
  ]);
  const load = (path: string) => chunks.get(path);
  const plan = () => planTwins(chunks.get(CLIENT)!, chunks.get(SERVER)!, load);
  return { client: chunks.get(CLIENT)!, server: chunks.get(SERVER)!, plan };
}

const region = (path: string, code: string) => `//#region ${path}\n${code}\n//#endregion\n`;

describe('sdk-dedupe', () => {
  it("takes what both copies declare from the server's copy and keeps what only the client has", () => {
    const { client, server, plan } = twins(
      region('errors.ts', 'var ProtocolError = class extends Error {};') +
        region('util.ts', 'function isPlainObject$2(v) { return typeof v === "object"; }') +
        region(
          'client.ts',
          'function onlyClient(v) { if (!isPlainObject$2(v)) throw new ProtocolError(); }',
        ) +
        'export { ProtocolError as a, onlyClient as b };',
      region('errors.ts', 'var ProtocolError = class extends Error {};') +
        region('util.ts', 'function isPlainObject$5(v) { return typeof v === "object"; }') +
        region('server.ts', 'function onlyServer() { return isPlainObject$5({}); }') +
        'export { ProtocolError as x, onlyServer as y };',
    );
    const merged = plan();
    expect([...merged.imports]).toEqual([
      ['ProtocolError', 'ProtocolError'],
      ['isPlainObject$2', 'isPlainObject$5'],
    ]);
    expect(merged.clientOnly).toBe(1);

    const code = rewriteClient(client, merged, SERVER);
    // Removed code is blanked, not cut: every remaining line stays where the source map says.
    expect(code.split('\n').length).toBe(client.source.split('\n').length + 2);
    expect(code).not.toContain('class extends Error');
    expect(code).toContain('function onlyClient(v)');
    expect(code).toContain(
      `import { __nexus_dedupe__ProtocolError as ProtocolError, __nexus_dedupe__isPlainObject$5 as isPlainObject$2 } from "${SERVER}";`,
    );
    expect(rewriteServer(server, merged.serverExports)).toContain(
      'export { ProtocolError as __nexus_dedupe__ProtocolError, isPlainObject$5 as __nexus_dedupe__isPlainObject$5 };',
    );
  });

  it('refuses to merge two declarations of the same name whose code differs', () => {
    const { plan } = twins(
      region('protocol.ts', 'const DEFAULT_TIMEOUT = 60000;'),
      region('protocol.ts', 'const DEFAULT_TIMEOUT = 30000;'),
    );
    expect(plan).toThrow(DedupeError);
    expect(plan).toThrow(/"DEFAULT_TIMEOUT" \(protocol\.ts\) differs/);
  });

  it('tells apart same-named helpers of different modules by what they refer to', () => {
    // Both copies have an `isObject` in a.ts and in b.ts, numbered the other way round.
    const { plan } = twins(
      region('a.ts', 'function isObject(v) { return !!v; }') +
        region('b.ts', 'function isObject$1(v) { return v !== null; }') +
        region('c.ts', 'function check(v) { return isObject$1(v); }'),
      region('a.ts', 'function isObject$1(v) { return !!v; }') +
        region('b.ts', 'function isObject(v) { return v !== null; }') +
        region('c.ts', 'function check(v) { return isObject$1(v); }'),
    );
    // c.ts's `check` calls b.ts's helper in the client and a.ts's in the server: not the same.
    expect(plan).toThrow(/"check" \(c\.ts\) differs/);
  });

  it('runs a shared statement with effects once, and refuses one that has no twin', () => {
    const registry = 'const registry = {};\nfunction register(k) { registry[k] = true; }\n';
    const shared = twins(
      region('registry.ts', `${registry}for (const k of ["a", "b"]) register(k);`),
      region('registry.ts', `${registry}for (const k of ["a", "b"]) register(k);`),
    );
    expect(shared.plan().blank.map((stmt) => stmt.type)).toContain('ForOfStatement');

    const lonely = twins(
      region('registry.ts', `${registry}register("c");`),
      region('registry.ts', registry),
    );
    expect(lonely.plan).toThrow(/a statement in registry\.ts .* has no twin/);
  });

  it("refuses when the client's own code assigns a binding that now lives in the server's copy", () => {
    const { plan } = twins(
      region('memo.ts', 'let memo;') +
        region('client.ts', 'function reset() { memo = undefined; }'),
      region('memo.ts', 'let memo;'),
    );
    expect(plan).toThrow(/assigns "memo", which is shared/);
  });

  it("merges the installed SDK's client and server chunks, errors and Protocol included", () => {
    const require = createRequire(import.meta.url);
    const dist = (pkg: string) => realpathSync(dirname(require.resolve(pkg)));
    const twins = new SdkTwins(
      dist('@modelcontextprotocol/client'),
      dist('@modelcontextprotocol/server'),
    );
    const stems = [...twins.twinOf.keys()].map((path) =>
      basename(path).replace(/-[\w-]{8}\.mjs$/, ''),
    );
    expect(stems).toEqual(expect.arrayContaining(['src', 'cfWorkerProvider']));
    const [clientSrc] = [...twins.twinOf.keys()].filter((path) =>
      basename(path).startsWith('src-'),
    );
    const plan = twins.plan(clientSrc!);
    for (const name of ['Protocol', 'ProtocolError', 'SdkError', 'SdkHttpError']) {
      expect(plan.imports.has(name), `${name} comes from the server's copy`).toBe(true);
    }
    const code = twins.rewrite(clientSrc!, readFileSync(clientSrc!, 'utf8'));
    expect(code).not.toContain('var Protocol = class');
  });
});
