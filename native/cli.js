// @ts-check
/**
 * The `nexus-bridge` command: the person's side (add, list, remove, install, doctor) and the
 * browser's (host). Usage mistakes exit 2, failures 1, each with one line on stderr that says
 * what to do; in host mode stdout belongs to the browser, so nothing else may print there.
 */

import { Console } from 'node:console';
import {
  addServer,
  AllowlistError,
  checkName,
  commandLine,
  configDir,
  messageOf,
  readAllowlist,
  removeServer,
  serverInfos,
} from './allowlist.js';
import { doctor } from './doctor.js';
import { runHost } from './host.js';
import { BROWSERS, install, UsageError } from './install.js';

export const USAGE = `nexus-bridge: lets the Nexus hub in your browser run the local MCP servers you allowlist here.

usage:
  nexus-bridge add NAME [--env KEY=VALUE …] -- COMMAND ARGS…   allow a server (replaces NAME)
  nexus-bridge list                                            the allowlist (env keys, not values)
  nexus-bridge remove NAME
  nexus-bridge install [--browser ${BROWSERS.join('|')}]… [--extension-id ID] [--user-data-dir DIR]
                                                               register the native host with browsers
  nexus-bridge doctor [--user-data-dir DIR] [--extension-id ID]  check the setup, with fixes
  nexus-bridge host                                            the native host (browsers run this)

NAME: 1–32 of a-z 0-9 - _ (e.g. github). The allowlist lives in the directory $NEXUS_BRIDGE_CONFIG,
or the platform's config dir (nexus-bridge list prints it).
example:
  nexus-bridge add files -- npx -y @modelcontextprotocol/server-filesystem ~/notes`;

/**
 * @typedef {object} Io
 * @property {(line: string) => void} out
 * @property {(line: string) => void} err
 */

/** @type {Io} */
const STDIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

/**
 * Runs one command; resolves to the exit code (host mode resolves when the host is done).
 * @param {string[]} argv the arguments after the script
 * @param {Io} [io]
 * @returns {Promise<number>}
 */
export async function main(argv, io = STDIO) {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return 0;
      case 'add':
        return add(rest, io);
      case 'list':
        noArguments('list', rest);
        return list(io);
      case 'remove':
        return remove(rest, io);
      case 'install': {
        const options = parseOptions('install', rest, ['browser', 'extension-id', 'user-data-dir']);
        const browsers = options.get('browser')?.map(toBrowser);
        for (const line of install({
          browsers,
          extensionId: last(options.get('extension-id')),
          userDataDir: last(options.get('user-data-dir')),
        })) {
          io.out(line);
        }
        return 0;
      }
      case 'doctor': {
        const options = parseOptions('doctor', rest, ['user-data-dir', 'extension-id']);
        const result = doctor({
          userDataDir: last(options.get('user-data-dir')),
          extensionId: last(options.get('extension-id')),
        });
        for (const line of result.lines) io.out(line);
        if (!result.ok) io.err('nexus-bridge cannot work yet: fix the ✗ lines above');
        return result.ok ? 0 : 1;
      }
      case 'host':
        return host();
      default:
        // Chrome runs a host with the caller's origin as its first argument (Firefox with the
        // manifest's path): the launcher adds `host`, but a manifest may point here directly.
        if (command.startsWith('chrome-extension://')) return host();
        throw new UsageError(`unknown command '${command}' (nexus-bridge --help lists them)`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`nexus-bridge: ${error.message}`);
      return 2;
    }
    io.err(`nexus-bridge: ${error instanceof AllowlistError ? error.message : messageOf(error)}`);
    return 1;
  }
}

/**
 * @param {string[]} args NAME [--env K=V …] -- COMMAND ARGS…
 * @param {Io} io
 */
function add(args, io) {
  const split = args.indexOf('--');
  if (split === -1) {
    throw new UsageError(
      "put the server's command after --: nexus-bridge add NAME -- COMMAND ARGS…",
    );
  }
  const [command, ...commandArgs] = args.slice(split + 1);
  const before = args.slice(0, split);
  /** @type {Record<string, string>} */
  const env = {};
  /** @type {string[]} */
  const names = [];
  for (let i = 0; i < before.length; i++) {
    const arg = /** @type {string} */ (before[i]);
    if (arg === '--env' || arg.startsWith('--env=')) {
      const pair = arg === '--env' ? before[++i] : arg.slice('--env='.length);
      const eq = pair?.indexOf('=') ?? -1;
      if (pair === undefined || eq <= 0) {
        throw new UsageError(`--env takes KEY=VALUE (e.g. --env API_KEY=…), not '${pair ?? ''}'`);
      }
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    } else if (arg.startsWith('-')) {
      throw new UsageError(`add knows no option '${arg}' (only --env KEY=VALUE, before --)`);
    } else names.push(arg);
  }
  const [name] = names;
  if (name === undefined || names.length > 1) {
    throw new UsageError('add takes one NAME before --: nexus-bridge add NAME -- COMMAND ARGS…');
  }
  if (command === undefined || command === '') {
    throw new UsageError(`no command after --: nexus-bridge add ${name} -- COMMAND ARGS…`);
  }
  const nameProblem = checkName(name);
  if (nameProblem) throw new UsageError(nameProblem);

  const result = addServer(configDir(), name, { command, args: commandArgs, env });
  const line = commandLine(command, commandArgs);
  const keys = Object.keys(env);
  const withEnv = keys.length > 0 ? ` with env ${keys.join(', ')}` : '';
  if (result.replaced) {
    io.out(
      `replaced '${name}' in ${result.path}: it now runs ${line}${withEnv} (it ran ${describe(result.previous)})`,
    );
  } else io.out(`added '${name}' to ${result.path}: runs ${line}${withEnv}`);
  return 0;
}

/**
 * A replaced entry for the person to read (it may have been hand-edited into any shape).
 * @param {unknown} entry
 */
function describe(entry) {
  if (typeof entry === 'object' && entry !== null && 'command' in entry) {
    const { command, args } = /** @type {{ command: unknown, args?: unknown }} */ (entry);
    if (typeof command === 'string') {
      const strings = Array.isArray(args) ? args.filter((arg) => typeof arg === 'string') : [];
      return commandLine(command, strings);
    }
  }
  return 'an entry the bridge could not use';
}

/** @param {Io} io */
function list(io) {
  const allowlist = readAllowlist(configDir());
  io.out(`allowlist: ${allowlist.path}`);
  const servers = serverInfos(allowlist);
  if (servers.length === 0 && !allowlist.problem) {
    io.out('no server yet: nexus-bridge add NAME -- COMMAND ARGS…');
  }
  for (const server of servers) {
    const env = server.envKeys.length > 0 ? `   env: ${server.envKeys.join(', ')}` : '';
    io.out(`${server.name}   ${commandLine(server.command, server.args)}${env}`);
  }
  if (allowlist.problem) {
    io.err(`nexus-bridge: ${allowlist.problem}`);
    return 1;
  }
  return 0;
}

/**
 * @param {string[]} args
 * @param {Io} io
 */
function remove(args, io) {
  const [name, ...extra] = args;
  if (name === undefined || extra.length > 0)
    throw new UsageError('remove takes one NAME: nexus-bridge remove NAME');
  const result = removeServer(configDir(), name);
  if (!result.removed) {
    io.err(
      `nexus-bridge: no server named '${name}' in ${result.path} (nexus-bridge list shows the names)`,
    );
    return 1;
  }
  io.out(`removed '${name}' from ${result.path}`);
  return 0;
}

/**
 * Serves the browser on stdin/stdout until it closes the port or a signal comes.
 * @returns {Promise<number>}
 */
async function host() {
  // stdout carries frames only: a stray console.log (ours or a dependency's) would corrupt the
  // stream, so the console writes to stderr, which Chrome passes to its own log.
  globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
  const bridge = runHost({ input: process.stdin, output: process.stdout, configDir: configDir() });
  for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT', 'SIGHUP'])) {
    process.on(signal, () => void bridge.shutdown());
  }
  let code = 0;
  process.on('uncaughtException', (error) => {
    process.stderr.write(
      `[nexus-bridge] unexpected error, ending every server: ${error.stack ?? error}\n`,
    );
    code = 1;
    void bridge.shutdown();
  });
  await bridge.done;
  // A signal may end the host while stdin is still open, which would keep Node running; and if
  // something else still holds the event loop, stop anyway once the exit frames had a moment.
  process.stdin.destroy();
  setTimeout(() => process.exit(code), 2000).unref();
  return code;
}

/**
 * `--name value` and `--name=value` options, each possibly repeated; nothing else.
 * @param {string} command
 * @param {string[]} args
 * @param {string[]} known
 */
function parseOptions(command, args, known) {
  /** @type {Map<string, string[]>} */
  const options = new Map();
  for (let i = 0; i < args.length; i++) {
    const arg = /** @type {string} */ (args[i]);
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const name = match?.[1];
    if (!match || name === undefined || !known.includes(name)) {
      throw new UsageError(
        `${command} does not take '${arg}' (it takes ${known.map((k) => `--${k}`).join(', ')})`,
      );
    }
    const value = match[2] ?? args[++i];
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
    options.set(name, [...(options.get(name) ?? []), value]);
  }
  return options;
}

/**
 * @param {string} command
 * @param {string[]} args
 */
function noArguments(command, args) {
  if (args.length > 0)
    throw new UsageError(`${command} takes no arguments, not '${args.join(' ')}'`);
}

/** @param {string[] | undefined} values */
function last(values) {
  return values?.at(-1);
}

/**
 * @param {string} name
 * @returns {import('./install.js').Browser}
 */
function toBrowser(name) {
  const browser = BROWSERS.find((known) => known === name);
  if (!browser) throw new UsageError(`unknown browser '${name}' (one of ${BROWSERS.join(', ')})`);
  return browser;
}
