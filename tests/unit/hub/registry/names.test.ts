import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  candidateName,
  MAX_NAME_LENGTH,
  NAME_PATTERN,
  NameTable,
  slugify,
  stableHash,
  uniqueSlug,
} from '../../../../src/hub/registry/names.ts';
import { SLUG_PATTERN, type NameKind, type NameRecord } from '../../../../src/hub/ports.ts';

// ---------------------------------------------------------------- arbitraries

const SLUG_HEAD = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
const SLUG_TAIL = [...SLUG_HEAD, '_', '-'];

/** Any slug SLUG_PATTERN accepts, biased towards the awkward ones (32 chars, trailing `_`). */
const slugArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...SLUG_HEAD),
    fc.string({ unit: fc.constantFrom(...SLUG_TAIL), maxLength: 31 }),
  )
  .map(([head, tail]) => head + tail)
  .filter((slug) => SLUG_PATTERN.test(slug));

const loneSurrogate = fc
  .integer({ min: 0xd800, max: 0xdfff })
  .map((code) => String.fromCharCode(code));

/** Upstream names as servers really send them, and as hostile ones could. */
const upstreamNameArb: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9_]{0,30}$/),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.oneof(
      fc.constantFrom('.', '/', '__', '-', '_', 'a', 'Z', '9', 'é', '🙂'),
      loneSurrogate,
    ),
  }),
  fc.string({ unit: fc.constantFrom('a', '.', '_', '/'), minLength: 50, maxLength: 300 }),
  fc.constant(''),
);

interface ServerSpec {
  id: string;
  slug: string;
  names: string[];
}

/** Several servers with distinct slugs and ids; some share tool names with each other. */
const serversArb: fc.Arbitrary<ServerSpec[]> = fc
  .tuple(
    fc.uniqueArray(slugArb, { minLength: 1, maxLength: 5 }),
    fc.array(upstreamNameArb, { maxLength: 8 }),
  )
  .chain(([slugs, shared]) =>
    fc.tuple(
      ...slugs.map((slug, index) =>
        fc
          .tuple(fc.array(upstreamNameArb, { maxLength: 12 }), fc.subarray(shared))
          .map(([own, common]): ServerSpec => ({
            id: `server-${index}`,
            slug,
            names: [...own, ...common],
          })),
      ),
    ),
  );

const KINDS: NameKind[] = ['tool', 'prompt'];

/** Assigns every server for every kind; returns all exposed names and every record handed out. */
function assignAll(table: NameTable, servers: ServerSpec[]) {
  const exposed = new Map<string, Map<string, string>>();
  const added: NameRecord[] = [];
  for (const kind of KINDS) {
    for (const server of servers) {
      const result = table.assign(server.id, server.slug, kind, server.names);
      exposed.set(`${kind}/${server.id}`, result.exposed);
      added.push(...result.added);
    }
  }
  return { exposed, added };
}

function shuffled<T>(items: T[], seed: number): T[] {
  return items
    .map((item, index) => ({ item, key: stableHash(`${seed}:${index}`) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ item }) => item);
}

// ---------------------------------------------------------------- properties

describe('aggregated names (properties)', () => {
  it('every exposed name is a valid client name prefixed with its slug', () => {
    fc.assert(
      fc.property(serversArb, (servers) => {
        const { exposed } = assignAll(new NameTable([]), servers);
        for (const server of servers) {
          for (const kind of KINDS) {
            const names = exposed.get(`${kind}/${server.id}`)!;
            expect(names.size).toBe(new Set(server.names).size);
            for (const name of names.values()) {
              expect(name).toMatch(NAME_PATTERN);
              expect(name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
              expect(name.startsWith(`${server.slug}__`)).toBe(true);
            }
          }
        }
      }),
    );
  });

  it('resolve gives back exactly the server and upstream name, and names are unique per kind', () => {
    fc.assert(
      fc.property(serversArb, (servers) => {
        const table = new NameTable([]);
        const { exposed } = assignAll(table, servers);
        for (const kind of KINDS) {
          const seen = new Set<string>();
          for (const server of servers) {
            for (const [upstreamName, name] of exposed.get(`${kind}/${server.id}`)!) {
              expect(seen.has(name)).toBe(false);
              seen.add(name);
              expect(table.resolve(kind, name)).toEqual({ serverId: server.id, upstreamName });
            }
          }
        }
      }),
    );
  });

  it('names are stable across restarts, whatever order the servers and tools come back in', () => {
    fc.assert(
      fc.property(serversArb, fc.integer(), (servers, seed) => {
        const first = assignAll(new NameTable([]), servers);
        const restarted = new NameTable(shuffled(first.added, seed));
        const again = assignAll(
          restarted,
          shuffled(servers, seed + 1).map((server) => ({
            ...server,
            names: shuffled(server.names, seed),
          })),
        );
        expect(again.added).toEqual([]);
        for (const [key, names] of first.exposed) {
          expect(Object.fromEntries(again.exposed.get(key)!)).toEqual(Object.fromEntries(names));
        }
      }),
    );
  });

  it("a server's first names do not depend on the order of its tool list", () => {
    fc.assert(
      fc.property(
        slugArb,
        fc.array(upstreamNameArb, { maxLength: 20 }),
        fc.integer(),
        (slug, names, seed) => {
          const a = new NameTable([]).assign('s', slug, 'tool', names).exposed;
          const b = new NameTable([]).assign('s', slug, 'tool', shuffled(names, seed)).exposed;
          expect(Object.fromEntries(b)).toEqual(Object.fromEntries(a));
        },
      ),
    );
  });

  it("adding a server never changes an existing server's names", () => {
    fc.assert(
      fc.property(
        serversArb,
        fc.array(upstreamNameArb, { maxLength: 12 }),
        (servers, extraNames) => {
          const table = new NameTable([]);
          const before = assignAll(table, servers);
          // The newcomer reuses every existing tool name, under a slug that may read like a prefix.
          const newcomer: ServerSpec = {
            id: 'newcomer',
            slug: uniqueSlug(
              `${servers[0]!.slug.slice(0, 31)}_`,
              new Set(servers.map((s) => s.slug)),
            ),
            names: [...extraNames, ...servers.flatMap((server) => server.names)],
          };
          assignAll(table, [newcomer]);
          const after = assignAll(table, servers);
          expect(after.added).toEqual([]);
          for (const [key, names] of before.exposed) {
            expect(Object.fromEntries(after.exposed.get(key)!)).toEqual(Object.fromEntries(names));
          }
        },
      ),
    );
  });

  it('a name that fits is used verbatim', () => {
    fc.assert(
      fc.property(slugArb, fc.stringMatching(/^[a-zA-Z0-9_-]{0,40}$/), (slug, name) => {
        fc.pre(slug.length + 2 + name.length <= MAX_NAME_LENGTH);
        expect(candidateName(slug, name)).toBe(`${slug}__${name}`);
        expect(new NameTable([]).assign('s', slug, 'tool', [name]).exposed.get(name)).toBe(
          `${slug}__${name}`,
        );
      }),
    );
  });

  it('candidateName always fits and is deterministic', () => {
    fc.assert(
      fc.property(slugArb, upstreamNameArb, (slug, name) => {
        const candidate = candidateName(slug, name);
        expect(candidate).toMatch(NAME_PATTERN);
        expect(candidate.startsWith(`${slug}__`)).toBe(true);
        expect(candidateName(slug, name)).toBe(candidate);
      }),
    );
  });

  it('stableHash is a fixed-width lowercase base36 string', () => {
    fc.assert(
      fc.property(upstreamNameArb, (text) => {
        expect(stableHash(text)).toMatch(/^[0-9a-z]{10}$/);
        expect(stableHash(text)).toBe(stableHash(text));
      }),
    );
  });

  it('slugify and uniqueSlug always produce valid slugs', () => {
    fc.assert(
      fc.property(upstreamNameArb, fc.array(slugArb), (text, taken) => {
        const slug = slugify(text);
        expect(slug).toMatch(SLUG_PATTERN);
        const unique = uniqueSlug(slug, new Set(taken));
        expect(unique).toMatch(SLUG_PATTERN);
        expect(taken).not.toContain(unique);
      }),
    );
  });
});

// ---------------------------------------------------------------- examples

describe('aggregated names (examples)', () => {
  const one = (slug: string, name: string): string =>
    new NameTable([]).assign('s', slug, 'tool', [name]).exposed.get(name)!;

  it('keeps a plain name verbatim: everything__echo', () => {
    expect(one('everything', 'echo')).toBe('everything__echo');
    expect(one('everything', 'get-tiny_image')).toBe('everything__get-tiny_image');
  });

  it('shortens names with dots, slashes and unicode with a hash suffix', () => {
    const hash = (text: string) => stableHash(text);
    expect(one('fs', 'files.read')).toBe(`fs__files_read_${hash('files.read')}`);
    expect(one('gh', 'repos/list')).toBe(`gh__repos_list_${hash('repos/list')}`);
    expect(one('x', 'héllo 🙂')).toBe(`x__h_llo___${hash('héllo 🙂')}`);
    // Two names that differ only in the replaced character stay distinct.
    expect(one('fs', 'a.b')).not.toBe(one('fs', 'a/b'));
  });

  it('keeps a double underscore inside the upstream name verbatim', () => {
    expect(one('s', 'a__b')).toBe('s__a__b');
  });

  it('shortens a 200-character name to exactly 64 characters', () => {
    const long = 'x'.repeat(200);
    const name = one('everything', long);
    expect(name).toHaveLength(MAX_NAME_LENGTH);
    expect(name).toMatch(NAME_PATTERN);
    expect(name.endsWith(`_${stableHash(long)}`)).toBe(true);
    // A name one character too long for verbatim is shortened, one that just fits is not.
    expect(one('s', 'y'.repeat(61))).toBe(`s__${'y'.repeat(61)}`);
    expect(one('s', 'y'.repeat(62))).not.toBe(`s__${'y'.repeat(62)}`);
  });

  it("names two servers' tools of the same name apart: a__echo and b__echo", () => {
    const table = new NameTable([]);
    expect(table.assign('A', 'a', 'tool', ['echo']).exposed.get('echo')).toBe('a__echo');
    expect(table.assign('B', 'b', 'tool', ['echo']).exposed.get('echo')).toBe('b__echo');
    expect(table.resolve('tool', 'a__echo')).toEqual({ serverId: 'A', upstreamName: 'echo' });
    expect(table.resolve('tool', 'b__echo')).toEqual({ serverId: 'B', upstreamName: 'echo' });
    expect(table.resolve('prompt', 'a__echo')).toBeUndefined();
    expect(table.resolve('tool', 'c__echo')).toBeUndefined();
  });

  it('gives a verbatim name priority over a shortened name that spells the same', () => {
    const lookalike = candidateName('s', 'foo.bar').slice('s__'.length);
    const { exposed } = new NameTable([]).assign('s', 's', 'tool', ['foo.bar', lookalike]);
    expect(exposed.get(lookalike)).toBe(`s__${lookalike}`);
    expect(exposed.get('foo.bar')).not.toBe(`s__${lookalike}`);
    expect(exposed.get('foo.bar')).toMatch(NAME_PATTERN);
  });

  it('settles a clash between slugs "a" and "a_" without renaming the first server', () => {
    const table = new NameTable([]);
    expect(table.assign('A', 'a', 'tool', ['_x']).exposed.get('_x')).toBe('a___x');
    const other = table.assign('B', 'a_', 'tool', ['x']).exposed.get('x')!;
    expect(other).not.toBe('a___x');
    expect(other.startsWith('a___')).toBe(true);
    expect(table.resolve('tool', other)).toEqual({ serverId: 'B', upstreamName: 'x' });
    expect(table.resolve('tool', 'a___x')).toEqual({ serverId: 'A', upstreamName: '_x' });
  });

  it('reports only new names as added', () => {
    const table = new NameTable([]);
    expect(table.assign('A', 'a', 'tool', ['one']).added).toEqual([
      { serverId: 'A', kind: 'tool', upstreamName: 'one', exposedName: 'a__one' },
    ]);
    const second = table.assign('A', 'a', 'tool', ['one', 'two']);
    expect(second.added.map((record) => record.upstreamName)).toEqual(['two']);
    expect(table.assign('A', 'a', 'tool', ['one', 'two']).added).toEqual([]);
  });

  it('dropServer frees its names; a new slug then renames only that server', () => {
    const table = new NameTable([]);
    table.assign('A', 'a', 'tool', ['echo']);
    table.assign('B', 'b', 'tool', ['echo']);
    table.dropServer('A');
    expect(table.resolve('tool', 'a__echo')).toBeUndefined();
    expect(table.assign('A', 'alpha', 'tool', ['echo']).exposed.get('echo')).toBe('alpha__echo');
    expect(table.resolve('tool', 'b__echo')).toEqual({ serverId: 'B', upstreamName: 'echo' });
  });

  it('replaces a persisted name whose slug is out of date', () => {
    const table = new NameTable([
      { serverId: 'A', kind: 'tool', upstreamName: 'echo', exposedName: 'old__echo' },
    ]);
    const { exposed, added } = table.assign('A', 'new', 'tool', ['echo']);
    expect(exposed.get('echo')).toBe('new__echo');
    expect(added).toEqual([
      { serverId: 'A', kind: 'tool', upstreamName: 'echo', exposedName: 'new__echo' },
    ]);
    expect(table.resolve('tool', 'old__echo')).toBeUndefined();
  });

  it('keeps a persisted shortened name even if the hash scheme would now pick another', () => {
    const record: NameRecord = {
      serverId: 'A',
      kind: 'tool',
      upstreamName: 'a.b',
      exposedName: 's__a_b_legacy',
    };
    expect(new NameTable([record]).assign('A', 's', 'tool', ['a.b']).exposed.get('a.b')).toBe(
      's__a_b_legacy',
    );
  });

  it('refuses an invalid slug with a message naming it', () => {
    expect(() => candidateName('Bad__Slug', 'x')).toThrow(/"Bad__Slug" is not valid/);
  });

  it('slugifies config keys and host names', () => {
    expect(slugify('GitHub Copilot')).toBe('github-copilot');
    expect(slugify('api.example.com')).toBe('api-example-com');
    expect(slugify('Café__Menu')).toBe('cafe_menu');
    expect(slugify('__--!!')).toBe('server');
    expect(slugify('')).toBe('server');
    expect(slugify('a'.repeat(50))).toBe('a'.repeat(32));
  });

  it('makes slugs unique within 32 characters', () => {
    expect(uniqueSlug('github', new Set())).toBe('github');
    expect(uniqueSlug('github', new Set(['github']))).toBe('github-2');
    expect(uniqueSlug('github', new Set(['github', 'github-2']))).toBe('github-3');
    const long = 'a'.repeat(32);
    expect(uniqueSlug(long, new Set([long]))).toBe(`${'a'.repeat(30)}-2`);
  });

  it('resolves quickly with 50 servers of 100 tools', () => {
    const table = new NameTable([]);
    const names = Array.from({ length: 100 }, (_, index) => `tool.${index}`);
    for (let server = 0; server < 50; server++)
      table.assign(`id${server}`, `s${server}`, 'tool', names);
    const exposed = table.assign('id49', 's49', 'tool', names).exposed.get('tool.99')!;
    expect(table.resolve('tool', exposed)).toEqual({ serverId: 'id49', upstreamName: 'tool.99' });
  });
});
