// @ts-check
/**
 * The allowlist: the only servers nexus-bridge will ever start. The browser names a server by its
 * NAME here, never by a command line, and only the person at a terminal (`nexus-bridge add`)
 * writes this file; so a page that reaches the bridge can run nothing the person did not choose.
 *
 *   { "servers": { "github": { "command": "npx", "args": ["-y", "pkg"], "env": { "API_KEY": "…" } } } }
 *
 * `env` values are secrets (API keys): the file is written 0600 in a 0700 directory, and nothing
 * that leaves this module for the browser carries them (BridgeServerInfo has the keys only).
 * A file that does not parse is never rewritten: it is the person's, and may hold keys they typed.
 *
 * @import { BridgeServerInfo } from '../src/protocol/bridge.ts'
 */

import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, win32 } from 'node:path';

/** The hub's slug rule (src/hub/ports.ts SLUG_PATTERN): a NAME is usable as a server slug as is. */
export const NAME_PATTERN = /^(?!.*__)[a-z0-9][a-z0-9_-]{0,31}$/;

/** An environment variable's name as a shell would accept it. */
const ENV_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const ALLOWLIST_FILE = 'allowlist.json';

const ENTRY_FIELDS = new Set(['command', 'args', 'env']);

/**
 * One allowlisted server, as the bridge runs it.
 * @typedef {{ command: string, args: string[], env: Record<string, string> }} ServerEntry
 */

/**
 * What reading the allowlist found: the usable entries, and what is wrong with the rest.
 * @typedef {object} Allowlist
 * @property {string} path the file
 * @property {Map<string, ServerEntry>} servers the well-formed entries, by NAME
 * @property {string} [problem] what is wrong, for a person: bad JSON, a bad shape, bad entries
 */

/** A change to the allowlist was refused; the message says what to do. */
export class AllowlistError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'AllowlistError';
  }
}

/**
 * Where nexus-bridge keeps its files (allowlist, host launcher, manifests on Windows).
 * @param {NodeJS.ProcessEnv} [env]
 * @param {NodeJS.Platform} [platform]
 * @param {string} [home]
 */
export function configDir(env = process.env, platform = process.platform, home = homedir()) {
  if (env.NEXUS_BRIDGE_CONFIG) return env.NEXUS_BRIDGE_CONFIG;
  if (platform === 'win32') {
    return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), 'nexus-bridge');
  }
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'nexus-bridge');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'nexus-bridge');
}

/** @param {string} dir the config dir */
export function allowlistPath(dir) {
  return join(dir, ALLOWLIST_FILE);
}

/**
 * Reads the allowlist afresh (the person may have edited it since). A missing file is an empty
 * allowlist; anything else wrong is a `problem`, and a bad entry is left out, never half-used.
 * @param {string} dir the config dir
 * @returns {Allowlist}
 */
export function readAllowlist(dir) {
  const path = allowlistPath(dir);
  const raw = readRaw(path);
  /** @type {Map<string, ServerEntry>} */
  const servers = new Map();
  if (raw.kind === 'missing') return { path, servers };
  if (raw.kind === 'unreadable') return { path, servers, problem: raw.problem };
  const parsed = parseDocument(path, raw.text);
  if ('problem' in parsed) return { path, servers, problem: parsed.problem };

  /** @type {string[]} */
  const bad = [];
  for (const [name, value] of Object.entries(parsed.servers)) {
    const entry = checkEntry(name, value);
    if (typeof entry === 'string') bad.push(entry);
    else servers.set(name, entry);
  }
  if (bad.length === 0) return { path, servers };
  return {
    path,
    servers,
    problem: `${path}: ${bad.length === 1 ? 'this entry was' : 'these entries were'} left out: ${bad.join('; ')}. Fix them in the file, or run \`nexus-bridge add NAME -- COMMAND ARGS…\` again.`,
  };
}

/**
 * The allowlist as the browser may see it: names, command lines and env KEYS, never values.
 * @param {Allowlist} allowlist
 * @returns {BridgeServerInfo[]}
 */
export function serverInfos(allowlist) {
  return [...allowlist.servers].map(([name, entry]) => ({
    name,
    command: entry.command,
    args: [...entry.args],
    envKeys: Object.keys(entry.env),
  }));
}

/**
 * Adds `name`, or replaces the entry of that name.
 * @param {string} dir the config dir
 * @param {string} name
 * @param {ServerEntry} entry
 * @returns {{ path: string, replaced: boolean, previous: unknown }} `previous`: the entry replaced
 */
export function addServer(dir, name, entry) {
  const nameProblem = checkName(name);
  if (nameProblem) throw new AllowlistError(nameProblem);
  const checked = checkEntry(name, entry);
  if (typeof checked === 'string') throw new AllowlistError(checked);

  const { path, document, servers } = readForChange(dir);
  const replaced = Object.hasOwn(servers, name);
  const previous = servers[name];
  servers[name] = checked;
  writeDocument(dir, path, document);
  return { path, replaced, previous };
}

/**
 * Removes `name`.
 * @param {string} dir the config dir
 * @param {string} name
 * @returns {{ path: string, removed: boolean }} `removed` is false when there was no such name
 */
export function removeServer(dir, name) {
  const { path, document, servers } = readForChange(dir);
  if (!Object.hasOwn(servers, name)) return { path, removed: false };
  delete servers[name];
  writeDocument(dir, path, document);
  return { path, removed: true };
}

/**
 * @param {string} name
 * @returns {string | undefined} what is wrong with it
 */
export function checkName(name) {
  if (NAME_PATTERN.test(name)) return undefined;
  return `'${name}' cannot be a server name: use 1 to 32 lowercase letters, digits, '-' or '_', starting with a letter or digit, without '__' (e.g. 'github' or 'my-files')`;
}

/**
 * @param {string} path
 * @returns {{ kind: 'missing' } | { kind: 'unreadable', problem: string } | { kind: 'text', text: string }}
 */
function readRaw(path) {
  try {
    return { kind: 'text', text: readFileSync(path, 'utf8') };
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', problem: `${path} could not be read: ${messageOf(error)}` };
  }
}

/**
 * @param {string} path
 * @param {string} text
 * @returns {{ document: Record<string, unknown>, servers: Record<string, unknown> } | { problem: string }}
 */
function parseDocument(path, text) {
  let document;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { problem: `${path} is not valid JSON (${messageOf(error)}): fix it in an editor` };
  }
  if (!isRecord(document)) {
    return { problem: `${path} must hold a JSON object like { "servers": { … } }` };
  }
  if (document.servers === undefined) return { document, servers: (document.servers = {}) };
  if (!isRecord(document.servers)) {
    return {
      problem: `${path}: "servers" must be an object of NAME → { "command", "args", "env" }`,
    };
  }
  return { document, servers: document.servers };
}

/**
 * @param {string} name
 * @param {unknown} value
 * @returns {ServerEntry | string} the entry, or what is wrong with it
 */
function checkEntry(name, value) {
  const nameProblem = checkName(name);
  if (nameProblem) return nameProblem;
  if (!isRecord(value)) return `'${name}' must be an object with "command", "args" and "env"`;
  const unknown = Object.keys(value).filter((key) => !ENTRY_FIELDS.has(key));
  if (unknown.length > 0) {
    return `'${name}' has ${unknown.map((key) => `"${key}"`).join(', ')}, which the bridge does not know (an entry has "command", "args", "env")`;
  }
  const { command, args = [], env = {} } = value;
  if (typeof command !== 'string' || command === '') {
    return `'${name}': "command" must be a non-empty string`;
  }
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string')) {
    return `'${name}': "args" must be an array of strings`;
  }
  if (!isRecord(env)) return `'${name}': "env" must be an object of strings`;
  for (const [key, envValue] of Object.entries(env)) {
    if (!ENV_KEY_PATTERN.test(key)) {
      return `'${name}': "${key}" is not an environment variable name (letters, digits, '_')`;
    }
    if (typeof envValue !== 'string') return `'${name}': env "${key}" must be a string`;
  }
  return { command, args: [...args], env: { .../** @type {Record<string, string>} */ (env) } };
}

/**
 * Reads the file for a change, refusing when it does not parse: rewriting it would lose what
 * the person wrote there.
 * @param {string} dir
 */
function readForChange(dir) {
  const path = allowlistPath(dir);
  const raw = readRaw(path);
  if (raw.kind === 'missing') {
    /** @type {Record<string, unknown>} */
    const servers = {};
    return { path, document: { servers }, servers };
  }
  if (raw.kind === 'unreadable') throw new AllowlistError(raw.problem);
  const parsed = parseDocument(path, raw.text);
  if ('problem' in parsed) {
    throw new AllowlistError(`${parsed.problem}. Nothing was changed: the file is left as it is.`);
  }
  return { path, ...parsed };
}

/**
 * Replaces the file atomically (a temp file renamed over it), readable by its owner only.
 * @param {string} dir
 * @param {string} path
 * @param {unknown} document
 */
function writeDocument(dir, path, document) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileAtomic(path, JSON.stringify(document, null, 2) + '\n', 0o600);
}

/**
 * Writes `path` so a reader sees the old file or the new one, never half of one: a crash or a
 * full disk leaves a stray temp file, not a truncated allowlist.
 * @param {string} path
 * @param {string} text
 * @param {number} mode
 */
export function writeFileAtomic(path, text, mode) {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @param {unknown} error */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A command line for a person to read (and paste into a POSIX shell): arguments with spaces or
 * quotes are single-quoted.
 * @param {string} command
 * @param {readonly string[]} args
 */
export function commandLine(command, args) {
  return [command, ...args].map(shellWord).join(' ');
}

/** @param {string} word */
function shellWord(word) {
  if (word !== '' && /^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
