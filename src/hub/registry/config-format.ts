/**
 * Import and export of the de-facto MCP config files:
 * - Claude Desktop / Cursor / Claude Code: `{ "mcpServers": { "<name>": { … } } }`;
 * - VS Code `mcp.json`: `{ "servers": { "<name>": { "type": "http" | "sse" | "stdio", … } } }`
 *   (also found nested as `{ "mcp": { "servers": … } }` in a settings.json).
 * Remote entries carry `url` (+ `headers`), stdio entries `command`, `args`, `env`. Fields Nexus
 * does not understand are kept in `extra` and written back on export, so a round trip through
 * Nexus does not strip another client's settings. A remote entry's pinned protocol era is
 * `"protocolVersion": "2026-07-28"` or `"2025-11-25"` (Nexus's own field; absent means auto).
 */
import { createScanner, type SyntaxKind } from 'jsonc-parser';
import {
  SERVER_ERAS,
  type HeaderEntry,
  type NewServerEntry,
  type RemoteTransportKind,
  type ServerEntry,
  type ServerEra,
} from '../ports.ts';

/** A problem with an imported file, worded for the person who picked the file. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    /** The entry (config key) the problem is in, when it is in one. */
    readonly entry?: string,
    /** The field of that entry, when one is to blame. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** One server read from a config file, ready for the registry (which adds id, slug, createdAt). */
export interface ImportedServer {
  /** The key the entry had in the file. */
  key: string;
  entry: NewServerEntry;
}

export type ConfigFormat = 'mcpServers' | 'vscode';

type Json = Record<string, unknown>;

/** Fields parse consumes; everything else on an entry goes to `extra`. */
const REMOTE_FIELDS = new Set(['type', 'transport', 'url', 'headers', 'protocolVersion']);
const STDIO_FIELDS = new Set(['type', 'transport', 'command', 'args', 'env']);

/**
 * Header and variable names whose values are credentials. Marked secret, they are redacted from
 * logs and left empty on export, so a shared export file does not leak a token.
 */
const SECRET_NAME = /authorization|cookie|token|key|secret|passw(?:or)?d|credential/i;

/** RFC 9110 `token`: what `fetch` accepts as a header name (it throws on anything else). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * Reads a config file. Validates every entry before returning any, and throws `ConfigError` on
 * the first problem, so a caller imports all of a file or nothing of it.
 */
export function parseConfig(text: string): ImportedServer[] {
  const root = parseJson(text);
  if (!isObject(root)) {
    throw new ConfigError(
      `The file must hold a JSON object at the top level (got ${describe(root)}).`,
    );
  }
  // VS Code also accepts servers inside settings.json under "mcp".
  const nested = isObject(root['mcp']) ? root['mcp'] : undefined;
  const sections: [string, unknown][] = [
    ['mcpServers', root['mcpServers']],
    ['servers', root['servers'] ?? nested?.['servers']],
  ];
  const present = sections.filter(([, value]) => value !== undefined);
  if (present.length === 0) {
    throw new ConfigError('The file has neither "mcpServers" nor "servers" at the top level.');
  }
  const imported: ImportedServer[] = [];
  const seen = new Set<string>();
  for (const [section, value] of present) {
    if (!isObject(value)) {
      throw new ConfigError(
        `"${section}" must be an object of named servers (got ${describe(value)}).`,
      );
    }
    for (const [key, raw] of Object.entries(value)) {
      if (seen.has(key)) {
        throw new ConfigError(
          `Entry "${key}" appears in both "mcpServers" and "servers"; keep one.`,
          key,
        );
      }
      seen.add(key);
      imported.push({ key, entry: parseEntry(key, raw) });
    }
  }
  return imported;
}

function parseEntry(key: string, raw: unknown): NewServerEntry {
  if (key.trim() === '') throw new ConfigError('An entry has an empty name; give it a name.', key);
  if (!isObject(raw)) {
    throw new ConfigError(`Entry "${key}" must be an object (got ${describe(raw)}).`, key);
  }
  const fail = (field: string, problem: string): never => {
    throw new ConfigError(`Entry "${key}": ${problem}.`, key, field);
  };
  const type = parseType(raw, fail);
  const hasUrl = raw['url'] !== undefined;
  const hasCommand = raw['command'] !== undefined;
  if (hasUrl && hasCommand) fail('url', 'has both "url" and "command"; keep one');
  if (type === 'stdio' && !hasCommand) fail('command', '"type" is "stdio", so it needs "command"');
  if (type !== undefined && type !== 'stdio' && !hasUrl)
    fail('url', `"type" is a remote transport, so it needs "url"`);
  if (!hasUrl && !hasCommand) fail('url', 'needs either "url" or "command"');

  if (hasUrl) {
    const url = raw['url'];
    if (typeof url !== 'string')
      return fail('url', `"url" must be a string (got ${describe(url)})`);
    if (!isHttpUrl(url)) fail('url', `"url" must be an http:// or https:// URL (got "${url}")`);
    const headers = parsePairs(raw, 'headers', fail);
    for (const { name, value } of headers) {
      if (!HEADER_NAME.test(name)) fail('headers', `"${name}" is not a valid HTTP header name`);
      if (/[\r\n\0]/.test(value)) fail('headers', `header "${name}" must not contain line breaks`);
    }
    // Unreachable ("stdio" needs "command", and both is refused above), but says so to the compiler.
    const transport =
      type === 'stdio' ? fail('type', '"type" is "stdio", but it has a "url"') : (type ?? 'auto');
    const era = raw['protocolVersion'] ?? 'auto';
    if (!SERVER_ERAS.includes(era as ServerEra)) {
      fail(
        'protocolVersion',
        `"protocolVersion" must be "2026-07-28" or "2025-11-25" (got ${describe(era)})`,
      );
    }
    return withExtra(
      {
        kind: 'remote',
        name: key,
        enabled: true,
        url,
        transport,
        headers,
        ...(era === 'auto' ? {} : { era: era as ServerEra }),
      },
      raw,
      REMOTE_FIELDS,
    );
  }

  const command = raw['command'];
  if (typeof command !== 'string')
    return fail('command', `"command" must be a string (got ${describe(command)})`);
  if (command.trim() === '') fail('command', '"command" must not be empty');
  const args = raw['args'] ?? [];
  if (!Array.isArray(args))
    return fail('args', `"args" must be an array of strings (got ${describe(args)})`);
  args.forEach((arg: unknown, index) => {
    if (typeof arg !== 'string')
      fail('args', `"args" must be an array of strings (item ${index + 1} is ${describe(arg)})`);
  });
  const env = parsePairs(raw, 'env', fail);
  for (const { name } of env) {
    if (name === '' || /[=\0]/.test(name))
      fail('env', `"${name}" is not a valid environment variable name`);
  }
  return withExtra(
    { kind: 'stdio', name: key, enabled: true, command, args: args as string[], env },
    raw,
    STDIO_FIELDS,
  );
}

/**
 * Reads the transport from `type` (VS Code, Claude Code) or `transport` (some Cursor configs).
 * Spellings vary between clients (`http`, `streamable-http`, `streamableHttp`), so the comparison
 * ignores case, `-` and `_`. Undefined means "not said".
 */
function parseType(
  raw: Json,
  fail: (field: string, problem: string) => never,
): Exclude<RemoteTransportKind, 'auto'> | 'stdio' | undefined {
  let result: Exclude<RemoteTransportKind, 'auto'> | 'stdio' | undefined;
  for (const field of ['type', 'transport']) {
    const value = raw[field];
    if (value === undefined) continue;
    if (typeof value !== 'string')
      return fail(field, `"${field}" must be a string (got ${describe(value)})`);
    const normalized = value.toLowerCase().replace(/[-_]/g, '');
    const kind =
      normalized === 'http' || normalized === 'streamablehttp'
        ? 'streamable-http'
        : normalized === 'sse' || normalized === 'stdio'
          ? normalized
          : fail(field, `"${field}" "${value}" is not known; use "http", "sse" or "stdio"`);
    if (result !== undefined && result !== kind)
      fail(field, '"type" and "transport" disagree; keep one');
    result = kind;
  }
  return result;
}

/** `headers` / `env`: an object of strings, as `HeaderEntry`s with the secret heuristic applied. */
function parsePairs(
  raw: Json,
  field: 'headers' | 'env',
  fail: (field: string, problem: string) => never,
): HeaderEntry[] {
  const value = raw[field];
  if (value === undefined) return [];
  if (!isObject(value))
    return fail(field, `"${field}" must be an object of strings (got ${describe(value)})`);
  return Object.entries(value).map(([name, item]) => {
    if (typeof item !== 'string') {
      const what = field === 'headers' ? 'header' : 'variable';
      return fail(
        field,
        `${what} "${name}" in "${field}" must be a string (got ${describe(item)})`,
      );
    }
    return { name, value: item, secret: looksSecret(name) };
  });
}

function withExtra<T extends NewServerEntry>(entry: T, raw: Json, known: Set<string>): T {
  const extra = Object.entries(raw).filter(([field]) => !known.has(field));
  // structuredClone so later edits to the imported entry cannot reach back into the caller's data.
  return extra.length === 0
    ? entry
    : { ...entry, extra: structuredClone(Object.fromEntries(extra)) };
}

/**
 * Writes the servers as a config file in `format`, pretty-printed. Built-in servers are left out
 * (no other client can run them); secret header and env values are written as empty strings, so
 * the file can be shared and the person fills the secrets in where they paste it.
 */
export function exportConfig(entries: ServerEntry[], format: ConfigFormat): string {
  const keys = new Set<string>();
  const servers: [string, Json][] = [];
  for (const entry of entries) {
    if (entry.kind === 'builtin') continue;
    const key = uniqueKey(entry.name.trim() || entry.slug, keys);
    keys.add(key);
    servers.push([key, exportEntry(entry, format)]);
  }
  const section = format === 'vscode' ? 'servers' : 'mcpServers';
  // Object.fromEntries defines own properties, so a key such as "__proto__" stays a plain key.
  return `${JSON.stringify({ [section]: Object.fromEntries(servers) }, null, 2)}\n`;
}

function exportEntry(entry: Exclude<ServerEntry, { kind: 'builtin' }>, format: ConfigFormat): Json {
  const fields: [string, unknown][] = [];
  if (entry.kind === 'remote') {
    // VS Code and Claude Code both spell a pinned Streamable HTTP transport "http".
    if (entry.transport !== 'auto')
      fields.push(['type', entry.transport === 'sse' ? 'sse' : 'http']);
    fields.push(['url', entry.url]);
    if (entry.headers.length > 0) fields.push(['headers', exportPairs(entry.headers)]);
    if (entry.era !== undefined && entry.era !== 'auto')
      fields.push(['protocolVersion', entry.era]);
  } else {
    // VS Code wants the type on every entry; Claude Desktop and Cursor infer stdio from "command".
    if (format === 'vscode') fields.push(['type', 'stdio']);
    fields.push(['command', entry.command], ['args', [...entry.args]]);
    if (entry.env.length > 0) fields.push(['env', exportPairs(entry.env)]);
  }
  const known = new Set(fields.map(([field]) => field));
  // The entry's own fields win over `extra`: an edit in Nexus must not be undone by an old import.
  const extra = Object.entries(entry.extra ?? {}).filter(([field]) => !known.has(field));
  return Object.fromEntries([
    ...fields,
    ...extra.map(([field, value]) => [field, structuredClone(value)]),
  ]);
}

function exportPairs(pairs: HeaderEntry[]): Json {
  return Object.fromEntries(pairs.map((pair) => [pair.name, pair.secret ? '' : pair.value]));
}

function uniqueKey(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let counter = 2; ; counter++) {
    const key = `${base}-${counter}`;
    if (!taken.has(key)) return key;
  }
}

/**
 * JSON, or failing that JSONC (comments and trailing commas), which VS Code writes and people
 * paste. The error quotes the plain JSON parser, which names the position of the problem.
 */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    try {
      return JSON.parse(stripJsonc(text));
    } catch {
      const message = error instanceof Error ? error.message : String(error);
      throw new ConfigError(`The file is not JSON: ${message.replace(/\.$/, '')}.`);
    }
  }
}

/**
 * Removes comments, and commas before `}` or `]`, with jsonc-parser's scanner (VS Code's own),
 * then hands plain JSON to `JSON.parse`: its objects are plain data even for a `__proto__` key,
 * which a parser that assigns members one by one would turn into a prototype.
 */
function stripJsonc(text: string): string {
  // jsonc-parser's `SyntaxKind` is a const enum, which isolated modules cannot read: its values.
  const Kind = {
    CloseBraceToken: 2,
    CloseBracketToken: 4,
    CommaToken: 5,
    LineCommentTrivia: 12,
    BlockCommentTrivia: 13,
    LineBreakTrivia: 14,
    Trivia: 15,
    EOF: 17,
  } as const satisfies Record<string, SyntaxKind>;
  const scanner = createScanner(text, false);
  const tokens: Array<{ kind: SyntaxKind; text: string }> = [];
  for (let kind = scanner.scan(); kind !== Kind.EOF; kind = scanner.scan()) {
    if (kind === Kind.LineCommentTrivia || kind === Kind.BlockCommentTrivia) {
      tokens.push({ kind: Kind.Trivia, text: ' ' });
      continue;
    }
    tokens.push({ kind, text: text.slice(scanner.getTokenOffset(), scanner.getPosition()) });
  }
  const isTrivia = (kind: SyntaxKind) => kind === Kind.Trivia || kind === Kind.LineBreakTrivia;
  return tokens
    .filter((token, index) => {
      if (token.kind !== Kind.CommaToken) return true;
      const next = tokens.slice(index + 1).find((each) => !isTrivia(each.kind));
      return next?.kind !== Kind.CloseBraceToken && next?.kind !== Kind.CloseBracketToken;
    })
    .map((token) => token.text)
    .join('');
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The JSON type of a value, as a person would name it. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string')
    return `string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return typeof value;
}
