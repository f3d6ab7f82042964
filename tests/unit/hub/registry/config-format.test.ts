import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  exportConfig,
  parseConfig,
  type ImportedServer,
} from '../../../../src/hub/registry/config-format.ts';
import type { NewServerEntry, ServerEntry } from '../../../../src/hub/ports.ts';

const claudeDesktop = JSON.stringify({
  globalShortcut: 'Ctrl+Space',
  mcpServers: {
    github: {
      url: 'https://api.githubcopilot.com/mcp/',
      headers: { Authorization: 'Bearer ghp_123', 'X-Client': 'nexus' },
    },
    filesystem: {
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/me'],
      env: { GITHUB_TOKEN: 'ghp_456', LOG_LEVEL: 'debug' },
    },
  },
});

const vscode = `{
  // VS Code's mcp.json allows comments and trailing commas.
  "inputs": [{ "type": "promptString", "id": "token", "password": true }],
  "servers": {
    "everything": { "type": "http", "url": "http://127.0.0.1:3001/mcp" },
    "legacy": { "type": "sse", "url": "http://127.0.0.1:3001/sse", "headers": { "Api-Key": "\${input:token}" } },
    "local": { "type": "stdio", "command": "node", "args": ["server.js", "// not a comment"], },
  },
}`;

/** What the registry would make of imported entries, so they can be exported again. */
function materialize(imported: ImportedServer[]): ServerEntry[] {
  return imported.map(
    ({ key, entry }, index) =>
      ({ ...entry, id: `id-${index}`, slug: key.toLowerCase(), createdAt: index }) as ServerEntry,
  );
}

function entryOf(imported: ImportedServer[], key: string): NewServerEntry {
  const found = imported.find((item) => item.key === key);
  if (!found) throw new Error(`no entry ${key}`);
  return found.entry;
}

describe('parseConfig', () => {
  it('reads a Claude Desktop file with a remote and a stdio server', () => {
    const imported = parseConfig(claudeDesktop);
    expect(imported.map((item) => item.key)).toEqual(['github', 'filesystem']);
    expect(entryOf(imported, 'github')).toEqual({
      kind: 'remote',
      name: 'github',
      enabled: true,
      url: 'https://api.githubcopilot.com/mcp/',
      transport: 'auto',
      headers: [
        { name: 'Authorization', value: 'Bearer ghp_123', secret: true },
        { name: 'X-Client', value: 'nexus', secret: false },
      ],
    });
    expect(entryOf(imported, 'filesystem')).toEqual({
      kind: 'stdio',
      name: 'filesystem',
      enabled: true,
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/me'],
      env: [
        { name: 'GITHUB_TOKEN', value: 'ghp_456', secret: true },
        { name: 'LOG_LEVEL', value: 'debug', secret: false },
      ],
    });
  });

  it('reads a VS Code mcp.json with "type", comments and trailing commas', () => {
    const imported = parseConfig(vscode);
    expect(entryOf(imported, 'everything')).toMatchObject({
      kind: 'remote',
      transport: 'streamable-http',
    });
    expect(entryOf(imported, 'legacy')).toMatchObject({
      kind: 'remote',
      transport: 'sse',
      headers: [{ name: 'Api-Key', value: '${input:token}', secret: true }],
    });
    expect(entryOf(imported, 'local')).toMatchObject({
      kind: 'stdio',
      command: 'node',
      args: ['server.js', '// not a comment'],
    });
    expect(entryOf(imported, 'local').extra).toBeUndefined();
  });

  it('understands the spellings of Streamable HTTP and a "transport" field', () => {
    for (const type of ['http', 'streamable-http', 'streamableHttp', 'streamable_http']) {
      const [server] = parseConfig(
        JSON.stringify({ mcpServers: { s: { type, url: 'https://x.test/mcp' } } }),
      );
      expect(server!.entry).toMatchObject({ transport: 'streamable-http' });
    }
    const [server] = parseConfig(
      JSON.stringify({ mcpServers: { s: { transport: 'sse', url: 'https://x.test/sse' } } }),
    );
    expect(server!.entry).toMatchObject({ transport: 'sse' });
  });

  it('reads servers nested under "mcp" in a VS Code settings.json', () => {
    const imported = parseConfig(
      JSON.stringify({ mcp: { servers: { s: { url: 'https://x.test/mcp' } } } }),
    );
    expect(imported.map((item) => item.key)).toEqual(['s']);
  });

  it('returns nothing for an empty server list', () => {
    expect(parseConfig('{"mcpServers": {}}')).toEqual([]);
  });

  it('keeps fields it does not understand in extra', () => {
    const [server] = parseConfig(
      JSON.stringify({
        mcpServers: {
          s: {
            command: 'uvx',
            disabled: true,
            autoApprove: ['read'],
            timeout: 30,
            headers: { a: 'b' },
          },
        },
      }),
    );
    expect(server!.entry.extra).toEqual({
      disabled: true,
      autoApprove: ['read'],
      timeout: 30,
      headers: { a: 'b' },
    });
  });
});

describe('parseConfig refuses a malformed file, naming the entry and the field', () => {
  const file = (entry: unknown) =>
    JSON.stringify({ mcpServers: { ok: { url: 'https://ok.test' }, github: entry } });
  const cases: [string, string, unknown, string | undefined][] = [
    [
      'a non-object entry',
      file('https://x.test'),
      'Entry "github" must be an object (got string "https://x.test").',
      undefined,
    ],
    [
      'an unknown protocol version',
      file({ url: 'https://x.test', protocolVersion: '2024-01-01' }),
      'Entry "github": "protocolVersion" must be "2026-07-28" or "2025-11-25" (got string "2024-01-01").',
      'protocolVersion',
    ],
    [
      'a numeric url',
      file({ url: 42 }),
      'Entry "github": "url" must be a string (got number).',
      'url',
    ],
    [
      'a non-http url',
      file({ url: 'ftp://x.test' }),
      'Entry "github": "url" must be an http:// or https:// URL (got "ftp://x.test").',
      'url',
    ],
    [
      'an unparsable url',
      file({ url: 'not a url' }),
      'Entry "github": "url" must be an http:// or https:// URL (got "not a url").',
      'url',
    ],
    [
      'neither url nor command',
      file({ args: [] }),
      'Entry "github": needs either "url" or "command".',
      'url',
    ],
    [
      'both url and command',
      file({ url: 'https://x.test', command: 'x' }),
      'Entry "github": has both "url" and "command"; keep one.',
      'url',
    ],
    [
      'headers as an array',
      file({ url: 'https://x.test', headers: ['a'] }),
      'Entry "github": "headers" must be an object of strings (got array).',
      'headers',
    ],
    [
      'a numeric header',
      file({ url: 'https://x.test', headers: { 'X-N': 1 } }),
      'Entry "github": header "X-N" in "headers" must be a string (got number).',
      'headers',
    ],
    [
      'a bad header name',
      file({ url: 'https://x.test', headers: { 'a b': 'c' } }),
      'Entry "github": "a b" is not a valid HTTP header name.',
      'headers',
    ],
    [
      'a numeric command',
      file({ command: 7 }),
      'Entry "github": "command" must be a string (got number).',
      'command',
    ],
    [
      'an empty command',
      file({ command: '  ' }),
      'Entry "github": "command" must not be empty.',
      'command',
    ],
    [
      'args as a string',
      file({ command: 'x', args: '-y' }),
      'Entry "github": "args" must be an array of strings (got string "-y").',
      'args',
    ],
    [
      'a non-string arg',
      file({ command: 'x', args: ['a', 2] }),
      'Entry "github": "args" must be an array of strings (item 2 is number).',
      'args',
    ],
    [
      'env with a null',
      file({ command: 'x', env: { A: null } }),
      'Entry "github": variable "A" in "env" must be a string (got null).',
      'env',
    ],
    [
      'an unknown type',
      file({ type: 'websocket', url: 'wss://x.test' }),
      'Entry "github": "type" "websocket" is not known; use "http", "sse" or "stdio".',
      'type',
    ],
    [
      'a numeric type',
      file({ type: 1, url: 'https://x.test' }),
      'Entry "github": "type" must be a string (got number).',
      'type',
    ],
    [
      'stdio without command',
      file({ type: 'stdio', url: 'https://x.test' }),
      'Entry "github": "type" is "stdio", so it needs "command".',
      'command',
    ],
    [
      'http without url',
      file({ type: 'http', command: 'x' }),
      'Entry "github": "type" is a remote transport, so it needs "url".',
      'url',
    ],
  ];

  it.each(cases)('%s', (_label, text, message, field) => {
    let caught: unknown;
    try {
      parseConfig(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toBe(message);
    expect((caught as ConfigError).entry).toBe('github');
    expect((caught as ConfigError).field).toBe(field);
  });

  it('says when the file is not JSON', () => {
    expect(() => parseConfig('{"mcpServers": ')).toThrow(/^The file is not JSON: .+\.$/);
  });

  it('says when neither section is there', () => {
    expect(() => parseConfig('{"servers2": {}}')).toThrow(
      new ConfigError('The file has neither "mcpServers" nor "servers" at the top level.'),
    );
  });

  it('says when the top level or the section is not an object', () => {
    expect(() => parseConfig('[]')).toThrow(
      'The file must hold a JSON object at the top level (got array).',
    );
    expect(() => parseConfig('{"mcpServers": []}')).toThrow(
      '"mcpServers" must be an object of named servers (got array).',
    );
  });
});

describe('exportConfig', () => {
  it('writes mcpServers without secrets and without built-in servers', () => {
    const entries: ServerEntry[] = [
      ...materialize(parseConfig(claudeDesktop)),
      {
        kind: 'builtin',
        builtin: 'notes',
        id: 'n',
        slug: 'notes',
        name: 'Notes',
        enabled: true,
        createdAt: 0,
      },
    ];
    expect(JSON.parse(exportConfig(entries, 'mcpServers'))).toEqual({
      mcpServers: {
        github: {
          url: 'https://api.githubcopilot.com/mcp/',
          headers: { Authorization: '', 'X-Client': 'nexus' },
        },
        filesystem: {
          command: 'npx',
          args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/me'],
          env: { GITHUB_TOKEN: '', LOG_LEVEL: 'debug' },
        },
      },
    });
  });

  it('writes VS Code servers with "type", and mcpServers with "type" only when pinned', () => {
    const entries = materialize(parseConfig(vscode));
    const text = exportConfig(entries, 'vscode');
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    expect(JSON.parse(text).servers).toEqual({
      everything: { type: 'http', url: 'http://127.0.0.1:3001/mcp' },
      legacy: { type: 'sse', url: 'http://127.0.0.1:3001/sse', headers: { 'Api-Key': '' } },
      local: { type: 'stdio', command: 'node', args: ['server.js', '// not a comment'] },
    });
    const claude = JSON.parse(exportConfig(entries, 'mcpServers')).mcpServers;
    expect(claude.everything.type).toBe('http');
    expect(claude.local.type).toBeUndefined();
    const auto = materialize(parseConfig('{"mcpServers": {"a": {"url": "https://a.test"}}}'));
    expect(JSON.parse(exportConfig(auto, 'vscode')).servers.a).toEqual({ url: 'https://a.test' });
  });

  it('reads and writes a pinned protocol era as "protocolVersion"; auto is left out', () => {
    const text = JSON.stringify({
      mcpServers: {
        pinned: { url: 'https://p.test/mcp', protocolVersion: '2025-11-25' },
        modern: { url: 'https://m.test/mcp', protocolVersion: '2026-07-28' },
        auto: { url: 'https://a.test/mcp', protocolVersion: 'auto' },
      },
    });
    const imported = parseConfig(text);
    expect(imported.map(({ entry }) => (entry.kind === 'remote' ? entry.era : 'none'))).toEqual([
      '2025-11-25',
      '2026-07-28',
      undefined,
    ]);
    const written = JSON.parse(exportConfig(materialize(imported), 'mcpServers')).mcpServers;
    expect(written.pinned.protocolVersion).toBe('2025-11-25');
    expect(written.modern.protocolVersion).toBe('2026-07-28');
    expect(written.auto).toEqual({ url: 'https://a.test/mcp' });
  });

  it('writes unknown fields back (parse → export round trip)', () => {
    const original = {
      mcpServers: {
        remote: { url: 'https://r.test/mcp', alwaysAllow: ['x'], note: { nested: [1, null] } },
        local: { command: 'uvx', args: ['tool'], disabled: true, cwd: '/tmp' },
      },
    };
    const exported = JSON.parse(
      exportConfig(materialize(parseConfig(JSON.stringify(original))), 'mcpServers'),
    );
    expect(exported).toEqual({
      mcpServers: {
        remote: original.mcpServers.remote,
        local: original.mcpServers.local,
      },
    });
  });

  it('makes keys unique when two servers share a name', () => {
    const entries = materialize(
      parseConfig(
        '{"mcpServers": {"a": {"url": "https://a.test"}, "b": {"url": "https://b.test"}}}',
      ),
    );
    entries[1]!.name = 'a';
    expect(Object.keys(JSON.parse(exportConfig(entries, 'mcpServers')).mcpServers)).toEqual([
      'a',
      'a-2',
    ]);
  });

  it('keeps "__proto__" an ordinary key', () => {
    const imported = parseConfig(
      '{"mcpServers": {"__proto__": {"url": "https://p.test", "__proto__": {"x": 1}}}}',
    );
    expect(imported[0]!.key).toBe('__proto__');
    const exported = exportConfig(materialize(imported), 'mcpServers');
    expect(exported).toContain('"__proto__": {');
    expect(parseConfig(exported)[0]!.entry).toEqual(imported[0]!.entry);
  });

  it('is stable: parse of export of parse gives the same entries', () => {
    for (const [text, format] of [
      [claudeDesktop, 'mcpServers'],
      [vscode, 'vscode'],
      [vscode, 'mcpServers'],
    ] as const) {
      const once = materialize(parseConfig(text));
      const twice = materialize(parseConfig(exportConfig(once, format)));
      const thrice = materialize(parseConfig(exportConfig(twice, format)));
      // Secrets are blanked by the first export; after that nothing changes.
      expect(thrice).toEqual(twice);
      expect(twice.map((entry) => entry.name)).toEqual(once.map((entry) => entry.name));
      expect(twice.map((entry) => entry.kind)).toEqual(once.map((entry) => entry.kind));
    }
  });
});
