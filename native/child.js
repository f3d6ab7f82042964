// @ts-check
/**
 * One allowlisted server run by the bridge on one channel: spawned in its own process group,
 * its stdout read as newline-delimited JSON-RPC and its stderr as lines for a person, ended on
 * request (stdin closed, SIGTERM, SIGKILL after a grace period), and reported gone exactly once
 * with an `exit` frame. host.js owns the channels and the browser's pacing; this file owns what
 * happens to one process, including what it started (`npx` runs the real server as a grandchild).
 *
 * @import { ChildProcess, spawn as Spawn } from 'node:child_process'
 * @import { BridgeErrorCode, BridgeToHub } from '../src/protocol/bridge.ts'
 * @import { ServerEntry } from './allowlist.js'
 */

import { spawn as nodeSpawn } from 'node:child_process';
import { messageOf } from './allowlist.js';
import { capText, LineSplitter } from './lines.js';

/** The longest stdout line (one JSON-RPC message) relayed; a longer one ends its child. */
export const MAX_LINE = 32 * 1024 * 1024;
/** The longest stderr line relayed whole; a longer one is cut (it is for a person to read). */
export const MAX_LOG_LINE = 8 * 1024;
/**
 * The most bytes waiting for a child's stdin. A child that stops reading would otherwise make
 * the bridge hold whatever the browser sends it; pausing the browser's input instead would stall
 * every other channel. Past this, the bridge ends that child.
 */
export const MAX_PENDING_IN = 64 * 1024 * 1024;
/** How long a child has between SIGTERM and SIGKILL. */
export const GRACE_MS = 2000;

/** Words for `exit.reason`, by why the bridge ended a child. */
export const REASONS = /** @type {const} */ ({
  stop: 'stopped at the hub’s request',
  flood: `it wrote a stdout line longer than ${MAX_LINE / 1024 / 1024} MiB, so the bridge ended it`,
  stalled: `it stopped reading its stdin while more than ${MAX_PENDING_IN / 1024 / 1024} MiB waited for it, so the bridge ended it`,
  shutdown:
    'nexus-bridge shut down (the browser closed its connection, or the bridge was signalled)',
});

/** @typedef {keyof typeof REASONS} EndReason */

/**
 * @typedef {object} ServerOptions
 * @property {string} channel
 * @property {string} name the allowlist NAME
 * @property {ServerEntry} entry what to run
 * @property {typeof Spawn} [spawn]
 * @property {number} [graceMs]
 * @property {number} [maxPendingIn] MAX_PENDING_IN, smaller in tests
 * @property {(frame: BridgeToHub) => void} send
 * @property {(text: string) => void} say a line for the bridge's log
 * @property {() => boolean} browserBehind whether the browser is not reading (the host paused us)
 * @property {() => void} onExit after the `exit` frame was sent: the channel is free again
 */

export class ServerProcess {
  /** @type {ServerOptions} */
  #options;
  #graceMs;
  /** @type {ChildProcess | undefined} undefined when spawn threw */
  #child;
  #spawned = false;
  /** @type {{ code: number | null, signal: string | null } | undefined} */
  #exited;
  /** @type {EndReason | undefined} */
  #ending;
  /** The grace ran out while it still ran, and it was sent SIGKILL. */
  #killed = false;
  #finished = false;
  /** @type {NodeJS.Timeout[]} */
  #timers = [];
  #stdout;
  #stderr;

  /**
   * Spawns the server; every outcome (started, failed, exited) is reported through `send`.
   * @param {ServerOptions} options
   */
  constructor(options) {
    this.#options = options;
    this.#graceMs = options.graceMs ?? GRACE_MS;
    const { channel, name, entry, say, send } = options;
    this.#stdout = new LineSplitter({
      maxLine: MAX_LINE,
      atCap: 'overflow',
      onLine: (line) => this.#relayStdout(line),
      onOverflow: () => {
        this.#error(
          'flood',
          `'${name}' (channel '${channel}') wrote a stdout line longer than ${MAX_LINE / 1024 / 1024} MiB without a newline: the bridge ended it. A stdio MCP server writes one JSON-RPC message per line.`,
        );
        this.end('flood');
      },
    });
    this.#stderr = new LineSplitter({
      maxLine: MAX_LOG_LINE,
      atCap: 'truncate',
      onLine: (line) => send({ type: 'log', channel, stream: 'stderr', line }),
    });

    let child;
    try {
      child = (options.spawn ?? nodeSpawn)(entry.command, entry.args, {
        env: { ...process.env, ...entry.env },
        stdio: 'pipe',
        shell: false,
        // Its own process group, so ending the group also ends what it started (`npx` runs the
        // server as a grandchild). Windows has no groups; there the bridge kills the tree.
        detached: process.platform !== 'win32',
        windowsHide: true,
      });
    } catch (error) {
      // spawn throws only for arguments it cannot pass (a NUL byte, …); ENOENT comes as an
      // 'error' event. Reported on the next tick like that one, once the host has the channel.
      process.nextTick(() => this.#failed(error));
      return;
    }
    this.#child = child;
    child.on('spawn', () => {
      this.#spawned = true;
      if (options.browserBehind()) this.pause();
      send({ type: 'started', channel, pid: /** @type {number} */ (child.pid) });
    });
    child.on('error', (error) => {
      if (this.#spawned || this.#finished)
        say(`'${name}' (channel '${channel}'): ${messageOf(error)}`);
      else this.#failed(error);
    });
    child.on('exit', (code, signal) => {
      this.#exited = { code, signal };
      // It exited by itself: what it started and left in its group is ended too (those may
      // hold its pipes open, and its exit waits for the pipes to close).
      if (!this.#ending) {
        this.#signalGroup('SIGTERM');
        this.#escalate();
      }
    });
    child.on('close', (code, signal) => {
      this.#stdout.end();
      this.#stderr.end();
      this.#finish(code, signal);
    });
    child.stdout?.on('data', (/** @type {Buffer} */ data) => this.#stdout.push(data));
    child.stderr?.on('data', (/** @type {Buffer} */ data) => this.#stderr.push(data));
    // EPIPE when the child is gone: its 'exit' tells the hub; nothing to throw.
    child.stdin?.on('error', (error) =>
      say(`'${name}' (channel '${channel}') stdin: ${error.message}`),
    );
  }

  /** Why the bridge is ending it, once it is. */
  get ending() {
    return this.#ending;
  }

  /**
   * Writes one JSON-RPC message (or batch) on its stdin, as one line.
   * @param {unknown} message a parsed JSON value (so it stringifies, without raw newlines)
   */
  write(message) {
    const { name, channel, say } = this.#options;
    if (this.#ending || this.#finished) {
      say(`dropped a message for '${name}' (channel '${channel}'): it is being stopped`);
      return;
    }
    const stdin = this.#child?.stdin;
    if (!stdin) return;
    stdin.write(JSON.stringify(message) + '\n');
    if (stdin.writableLength > (this.#options.maxPendingIn ?? MAX_PENDING_IN)) {
      this.#error(
        'stalled',
        `'${name}' (channel '${channel}') does not read its stdin: ${stdin.writableLength} bytes wait for it. The bridge ended it.`,
      );
      this.end('stalled');
    }
  }

  /**
   * Ends it: closes its stdin (a stdio server's cue to exit) and SIGTERMs its group, then
   * escalates (see #escalate). Its `exit` frame says why.
   * @param {EndReason} why
   */
  end(why) {
    if (this.#ending || this.#finished) return;
    this.#ending = why;
    this.#child?.stdin?.end();
    this.#signalGroup('SIGTERM');
    this.#escalate();
  }

  /** Stops reading its output: it waits in the pipe, and the child blocks when that is full. */
  pause() {
    this.#child?.stdout?.pause();
    this.#child?.stderr?.pause();
  }

  resume() {
    this.#child?.stdout?.resume();
    this.#child?.stderr?.resume();
  }

  /** @param {string} line */
  #relayStdout(line) {
    const { channel } = this.#options;
    if (line.trim() === '') return;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      // Not JSON-RPC (a server that logs on stdout): show it to the person, do not relay it.
      const cut = capText(line, MAX_LOG_LINE);
      this.#options.send({ type: 'log', channel, stream: 'stdout', line: cut });
      return;
    }
    this.#options.send({ type: 'message', channel, message });
  }

  /**
   * After a SIGTERM: SIGKILL the group when the grace runs out; if the pipes still do not close
   * after another grace period (a process that left the group holds them), stop waiting.
   */
  #escalate() {
    const giveUp = () => {
      // Its last messages are waiting for the browser to read: a slow reader is no reason to
      // drop them, unless the bridge itself is ending the child.
      if (this.#options.browserBehind() && !this.#ending) return this.#later(giveUp);
      const { name, channel } = this.#options;
      this.#options.say(
        `'${name}' (channel '${channel}'): its pipes stay open after it ended; the bridge stops waiting for them`,
      );
      this.#child?.stdout?.destroy();
      this.#child?.stderr?.destroy();
      this.#finish(this.#exited?.code ?? null, this.#exited?.signal ?? 'SIGKILL');
    };
    this.#later(() => {
      this.#killed = !this.#exited;
      this.#signalGroup('SIGKILL');
      this.#later(giveUp);
    });
  }

  /** @param {unknown} error */
  #failed(error) {
    const reason = spawnReason(this.#options.name, this.#options.entry, error);
    this.#error('spawn-failed', reason);
    this.#finish(null, null, reason);
  }

  /**
   * @param {BridgeErrorCode} code
   * @param {string} message
   */
  #error(code, message) {
    const { channel, name } = this.#options;
    this.#options.say(message);
    this.#options.send({ type: 'error', code, message, channel, name });
  }

  /**
   * Sends its `exit`, once.
   * @param {number | null} code
   * @param {string | null} signal
   * @param {string} [reason]
   */
  #finish(code, signal, reason) {
    if (this.#finished) return;
    this.#finished = true;
    for (const timer of this.#timers) clearTimeout(timer);
    const { channel, name } = this.#options;
    let why = reason ?? (this.#ending ? REASONS[this.#ending] : undefined);
    if (why && this.#killed) {
      why += `; it did not end within ${this.#graceMs / 1000} s of SIGTERM, so it was killed`;
    }
    this.#options.say(
      `'${name}' (channel '${channel}') exited (code ${code}, signal ${signal})${why ? `: ${why}` : ''}`,
    );
    this.#options.send({ type: 'exit', channel, code, signal, ...(why ? { reason: why } : {}) });
    this.#options.onExit();
  }

  /** @param {() => void} action run after the grace period, unless it is gone by then */
  #later(action) {
    const timer = setTimeout(() => {
      if (!this.#finished) action();
    }, this.#graceMs);
    this.#timers.push(timer);
  }

  /**
   * Signals its whole process group (POSIX), or its tree (Windows).
   * @param {'SIGTERM' | 'SIGKILL'} signal
   */
  #signalGroup(signal) {
    const child = this.#child;
    const pid = child?.pid;
    if (!child || pid === undefined) return;
    if (process.platform === 'win32') {
      if (signal === 'SIGKILL') {
        nodeSpawn('taskkill', ['/pid', String(pid), '/T', '/F'], {
          stdio: 'ignore',
          windowsHide: true,
        }).on('error', () => {});
      } else if (!this.#exited) child.kill(signal);
      return;
    }
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is empty. The child alone, in case it left its group:
      if (!this.#exited) child.kill(signal);
    }
  }
}

/**
 * Words for a spawn that failed, with what to do.
 * @param {string} name
 * @param {ServerEntry} entry
 * @param {unknown} error
 */
function spawnReason(name, entry, error) {
  const code = /** @type {NodeJS.ErrnoException} */ (error)?.code;
  const what = `'${name}' could not start ${entry.command}`;
  if (code === 'ENOENT') {
    return `${what}: command not found on the PATH nexus-bridge sees (the browser's, not your shell's). Give its absolute path: \`nexus-bridge add ${name} -- /full/path/to/${entry.command} …\``;
  }
  if (code === 'EACCES') return `${what}: permission denied (is it executable? chmod +x it)`;
  return `${what}: ${messageOf(error)}`;
}
