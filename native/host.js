// @ts-check
/**
 * The native host: Chrome starts nexus-bridge with the extension's port on its stdin and stdout,
 * and the hub multiplexes several allowlisted stdio MCP servers over that one port, each on a
 * `channel` (src/protocol/bridge.ts is the wire). This file is the loop between the two:
 *
 *   browser frames (stdin) → check each field → allowlist → spawn / write a child's stdin / stop
 *   child stdout lines (JSON-RPC) and stderr lines → bridge frames (stdout)
 *
 * Each server's process is a ServerProcess (child.js); this file owns the channels, the frames'
 * checks and the pacing: when the browser stops reading, every child's output is paused.
 *
 * What it must not do: run anything the allowlist does not name (a `start` carries a NAME, never
 * a command line); write anything but frames on stdout (Chrome would read it as a frame); let one
 * bad frame or one misbehaving child stop the others (nothing a frame holds may throw out of the
 * loop; a child's output is capped and paced by the browser's reading); outlive the browser's
 * port with children running (each child leads its own process group, so ending it also ends the
 * processes it started, `npx`'s grandchildren first among them).
 *
 * @import { Readable, Writable } from 'node:stream'
 * @import { spawn as Spawn } from 'node:child_process'
 * @import { BridgeErrorCode, BridgeToHub } from '../src/protocol/bridge.ts'
 */

import { readFileSync } from 'node:fs';
import { messageOf, readAllowlist, serverInfos } from './allowlist.js';
import { ServerProcess } from './child.js';
import { chunkIds, encodeFrames, FrameReader } from './framing.js';
import { capText } from './lines.js';
import { BRIDGE_WIRE_VERSION } from './wire.js';

/** Channel and server names are echoed back in frames and logs: longer ones are refused. */
const MAX_ID_LENGTH = 256;

/**
 * @typedef {object} HostOptions
 * @property {Readable} input the browser's frames (stdin)
 * @property {Writable} output bridge frames for the browser (stdout): nothing else may go there
 * @property {string} configDir where the allowlist lives
 * @property {(line: string) => void} [log] one line for a person (stderr)
 * @property {typeof Spawn} [spawn] default: child_process.spawn
 * @property {number} [graceMs] SIGTERM → SIGKILL delay (default GRACE_MS of child.js)
 * @property {number} [maxPendingIn] bytes that may wait for a child's stdin (default MAX_PENDING_IN)
 * @property {string} [version] nexus-bridge's version for `welcome` (default: package.json's)
 */

/**
 * @typedef {object} Host
 * @property {Promise<void>} done settles once the host shut down and every child is gone
 * @property {() => Promise<void>} shutdown ends every child (SIGTERM, then SIGKILL after the
 *   grace period) and returns `done`; the CLI calls it on SIGTERM, SIGINT and SIGHUP
 */

/**
 * Serves the browser on `input`/`output` until the input ends or `shutdown` is called.
 * @param {HostOptions} options
 * @returns {Host}
 */
export function runHost(options) {
  const { input, output, configDir } = options;
  const log = options.log ?? ((line) => process.stderr.write(line + '\n'));
  const version = options.version ?? packageVersion();
  const say = (/** @type {string} */ text) => log(`[nexus-bridge] ${text}`);

  /** @type {Map<string, ServerProcess>} */
  const channels = new Map();
  const reader = new FrameReader();
  const nextChunkId = chunkIds();
  let outputBroken = false;
  /** The browser is not reading: children's output waits in their pipes until 'drain'. */
  let paused = false;
  let shuttingDown = false;
  /** @type {() => void} */
  let settle = () => {};
  /** @type {Promise<void>} */
  const done = new Promise((resolve) => (settle = resolve));

  // ------------------------------------------------------------------------------------------
  // output

  /** @param {BridgeToHub} frame */
  function send(frame) {
    if (outputBroken || output.destroyed || output.writableEnded) return;
    /** @type {Buffer[]} */
    let buffers;
    try {
      buffers = encodeFrames(frame, nextChunkId);
    } catch (error) {
      say(`could not encode a '${frame.type}' frame: ${messageOf(error)}`);
      return;
    }
    let full = false;
    for (const buffer of buffers) full = !output.write(buffer) || full;
    if (full && !paused) {
      paused = true;
      for (const server of channels.values()) server.pause();
      output.once('drain', () => {
        paused = false;
        for (const server of channels.values()) server.resume();
      });
    }
  }

  /**
   * @param {BridgeErrorCode} code
   * @param {string} message
   * @param {{ channel?: string, name?: string }} [about]
   */
  function sendError(code, message, about = {}) {
    send({ type: 'error', code, message, ...about });
  }

  output.on('error', (error) => {
    outputBroken = true;
    say(`the browser's side of the port failed (${messageOf(error)}): shutting down`);
    void shutdown();
  });

  // ------------------------------------------------------------------------------------------
  // input

  input.on('data', (/** @type {Buffer | string} */ data) => {
    const piece = typeof data === 'string' ? Buffer.from(data) : data;
    for (const result of reader.push(piece)) {
      if (!result.ok) {
        say(result.message);
        sendError(result.code, result.message);
        continue;
      }
      try {
        handle(result.frame);
      } catch (error) {
        // A bug of ours, not the browser's: say so, and keep serving the other channels.
        const message = `the bridge failed on a '${String(result.frame.type)}' frame: ${messageOf(error)}`;
        say(message);
        sendError('bad-frame', message, channelOf(result.frame));
      }
    }
  });
  input.on('end', () => void shutdown());
  input.on('close', () => void shutdown());
  input.on('error', (error) => {
    say(`reading from the browser failed (${messageOf(error)}): shutting down`);
    void shutdown();
  });

  /** @param {Record<string, unknown>} frame */
  function handle(frame) {
    const refuse = (/** @type {string} */ what) => {
      const message = `a '${String(frame.type).slice(0, 40)}' frame from the browser was refused: ${what}`;
      say(message);
      sendError('bad-frame', message, channelOf(frame));
    };
    switch (frame.type) {
      case 'hello': {
        if (typeof frame.wire !== 'number') return refuse('"wire" must be a number');
        if (typeof frame.hub !== 'string') return refuse('"hub" must be a string');
        if (frame.wire !== BRIDGE_WIRE_VERSION) {
          const update =
            frame.wire > BRIDGE_WIRE_VERSION
              ? 'update nexus-bridge (then run `nexus-bridge install` again)'
              : 'reload the Nexus page so the hub updates';
          const message = `the hub speaks bridge wire ${frame.wire}, this nexus-bridge speaks ${BRIDGE_WIRE_VERSION}: ${update}`;
          say(message);
          return sendError('wire-version', message);
        }
        say(`hub ${capText(frame.hub, 80)} connected`);
        const allowlist = readAllowlist(configDir);
        if (allowlist.problem) say(allowlist.problem);
        return send({
          type: 'welcome',
          wire: BRIDGE_WIRE_VERSION,
          version,
          allowlist: allowlist.path,
          servers: serverInfos(allowlist),
          ...(allowlist.problem ? { problem: allowlist.problem } : {}),
        });
      }
      case 'list': {
        const allowlist = readAllowlist(configDir);
        return send({
          type: 'servers',
          servers: serverInfos(allowlist),
          ...(allowlist.problem ? { problem: allowlist.problem } : {}),
        });
      }
      case 'start': {
        const id = checkId(frame.channel);
        if (id) return refuse(`"channel" ${id}`);
        const nameProblem = checkId(frame.name);
        if (nameProblem) return refuse(`"name" ${nameProblem}`);
        return start(/** @type {string} */ (frame.channel), /** @type {string} */ (frame.name));
      }
      case 'send': {
        const id = checkId(frame.channel);
        if (id) return refuse(`"channel" ${id}`);
        if (!('message' in frame)) return refuse('it has no "message"');
        const server = channels.get(/** @type {string} */ (frame.channel));
        if (!server) return noChannel(/** @type {string} */ (frame.channel), 'send');
        return server.write(frame.message);
      }
      case 'stop': {
        const id = checkId(frame.channel);
        if (id) return refuse(`"channel" ${id}`);
        const server = channels.get(/** @type {string} */ (frame.channel));
        if (!server) return noChannel(/** @type {string} */ (frame.channel), 'stop');
        return server.end('stop');
      }
      default:
        return refuse(
          typeof frame.type === 'string'
            ? `the bridge knows no frame type '${capText(frame.type, 40)}' (hello, list, start, send, stop)`
            : '"type" must be a string (hello, list, start, send, stop)',
        );
    }
  }

  /**
   * @param {string} id
   * @param {string} verb
   */
  function noChannel(id, verb) {
    const message = `cannot ${verb} on channel '${id}': no server runs on it (it exited, or was never started)`;
    say(message);
    sendError('bad-channel', message, { channel: id });
  }

  // ------------------------------------------------------------------------------------------
  // children

  /**
   * @param {string} id
   * @param {string} name
   */
  function start(id, name) {
    if (shuttingDown) return;
    if (channels.has(id)) {
      const message = `channel '${id}' is already in use: pick a new channel for each start`;
      say(message);
      return sendError('bad-channel', message, { channel: id });
    }
    const allowlist = readAllowlist(configDir);
    const entry = allowlist.servers.get(name);
    if (!entry) {
      const message =
        `'${name}' is not in nexus-bridge's allowlist (${allowlist.path}): ` +
        `to allow it, run in a terminal \`nexus-bridge add ${name} -- COMMAND ARGS…\` ` +
        `(e.g. \`nexus-bridge add ${name} -- npx -y PACKAGE\`)` +
        (allowlist.problem ? `. The allowlist also has a problem: ${allowlist.problem}` : '');
      say(message);
      return sendError('unknown-server', message, { channel: id, name });
    }
    say(`starting '${name}' on channel '${id}'`);
    const server = new ServerProcess({
      channel: id,
      name,
      entry,
      spawn: options.spawn,
      graceMs: options.graceMs,
      maxPendingIn: options.maxPendingIn,
      send,
      say,
      browserBehind: () => paused,
      onExit: () => {
        if (channels.get(id) === server) channels.delete(id);
        if (shuttingDown && channels.size === 0) settle();
      },
    });
    channels.set(id, server);
  }

  /** Ends every child and waits for them; the host starts nothing after this. */
  function shutdown() {
    if (!shuttingDown) {
      shuttingDown = true;
      if (channels.size === 0) settle();
      else say(`shutting down: ending ${channels.size} server(s)`);
      for (const server of [...channels.values()]) server.end('shutdown');
    }
    return done;
  }

  return { done, shutdown };
}

/**
 * @param {unknown} value
 * @returns {string | undefined} what is wrong with it as a channel or name
 */
function checkId(value) {
  if (value === undefined) return 'is missing';
  if (typeof value !== 'string') return `must be a string, not ${jsonType(value)}`;
  if (value === '') return 'must not be empty';
  if (value.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters`;
  return undefined;
}

/**
 * The frame's channel when it has a usable one, so the hub can tell which attempt was refused.
 * @param {Record<string, unknown>} frame
 */
function channelOf(frame) {
  return checkId(frame.channel) === undefined
    ? { channel: /** @type {string} */ (frame.channel) }
    : {};
}

/** @param {unknown} value */
function jsonType(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** nexus-bridge's version: the repository's (or the npm package's) package.json. */
function packageVersion() {
  try {
    const json = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    return typeof json.version === 'string' ? json.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
