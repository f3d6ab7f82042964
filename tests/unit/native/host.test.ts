/**
 * The host loop driven as the browser drives it, with real child processes (fixtures/) started
 * from a temp allowlist: what it relays, what it refuses, and that nothing it started outlives it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addServer } from '../../../native/allowlist.js';
import { MAX_LINE } from '../../../native/child.js';
import {
  alive,
  FIXTURES,
  nativeMessage,
  removeTempDirs,
  startBrowser,
  tempDir,
  waitGone,
  type Browser,
} from './helpers.ts';

const browsers: Browser[] = [];
const pids = new Set<number>();

afterEach(async () => {
  for (const browser of browsers.splice(0)) await browser.close();
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  pids.clear();
  removeTempDirs();
});

/** A config dir whose allowlist runs each fixture with this Node. */
function allowlisted(): string {
  const dir = tempDir();
  const fixture = (name: string, env: Record<string, string> = {}, args: string[] = []) =>
    addServer(dir, name.replace('.mjs', ''), {
      command: process.execPath,
      args: [join(FIXTURES, name), ...args],
      env,
    });
  fixture('echo-server.mjs', { ECHO_GREETING: 'hi-from-env' });
  fixture('flood.mjs');
  fixture('exit-at-once.mjs');
  fixture('grandchild.mjs');
  fixture('chatty.mjs', {}, ['5000']);
  fixture('deaf.mjs');
  addServer(dir, 'missing', { command: 'nexus-bridge-test-no-such-command', args: [], env: {} });
  return dir;
}

function open(dir = allowlisted(), options: Parameters<typeof startBrowser>[1] = {}): Browser {
  const browser = startBrowser(dir, options);
  browsers.push(browser);
  return browser;
}

async function started(browser: Browser, channel: string, name: string): Promise<number> {
  browser.send({ type: 'start', channel, name });
  const { pid } = await browser.next('started', (frame) => frame.channel === channel);
  pids.add(pid);
  return pid;
}

describe('nexus-bridge host', () => {
  it('answers hello with its version and the allowlist, env keys only', async () => {
    const dir = allowlisted();
    const browser = open(dir);
    browser.send({ type: 'hello', wire: 1, hub: '0.1.0' });
    const welcome = await browser.next('welcome');
    expect(welcome).toMatchObject({
      wire: 1,
      allowlist: join(dir, 'allowlist.json'),
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    expect(welcome.problem).toBeUndefined();
    expect(welcome.servers.find((server) => server.name === 'echo-server')).toEqual({
      name: 'echo-server',
      command: process.execPath,
      args: [join(FIXTURES, 'echo-server.mjs')],
      envKeys: ['ECHO_GREETING'],
    });
    expect(JSON.stringify(welcome)).not.toContain('hi-from-env');
    expect(browser.log.some((line) => line.startsWith('[nexus-bridge] hub 0.1.0'))).toBe(true);
  });

  it('refuses a hello of another wire version', async () => {
    const browser = open();
    browser.send({ type: 'hello', wire: 2, hub: '9.0.0' });
    const error = await browser.next('error');
    expect(error).toMatchObject({ code: 'wire-version', message: expect.stringContaining('2') });
    expect(browser.frames.some((frame) => frame.type === 'welcome')).toBe(false);
  });

  it('lists the allowlist as it is now, not as it was at hello', async () => {
    const dir = tempDir();
    const browser = open(dir);
    browser.send({ type: 'list' });
    expect((await browser.next('servers')).servers).toEqual([]);
    addServer(dir, 'later', { command: 'x', args: [], env: { K: 'v' } });
    browser.send({ type: 'list' });
    const listed = await browser.next('servers', (frame) => frame.servers.length > 0);
    expect(listed.servers).toEqual([{ name: 'later', command: 'x', args: [], envKeys: ['K'] }]);

    writeFileSync(join(dir, 'allowlist.json'), '{ nope');
    browser.send({ type: 'list' });
    const broken = await browser.next('servers', (frame) => frame.problem !== undefined);
    expect(broken).toMatchObject({
      servers: [],
      problem: expect.stringContaining('not valid JSON'),
    });
  });

  it('relays messages both ways, and stderr and non-JSON stdout lines as logs', async () => {
    const browser = open();
    await started(browser, 'c1', 'echo-server');
    const stderr = await browser.next('log', (frame) => frame.stream === 'stderr');
    // The allowlist's env reached the child.
    expect(stderr).toEqual({
      type: 'log',
      channel: 'c1',
      stream: 'stderr',
      line: 'echo ready hi-from-env',
    });
    expect(await browser.next('log', (frame) => frame.stream === 'stdout')).toMatchObject({
      channel: 'c1',
      line: 'this line is not JSON',
    });

    const request = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { q: 'é🙂\n"' } };
    browser.send({ type: 'send', channel: 'c1', message: request });
    expect(await browser.next('message')).toEqual({
      type: 'message',
      channel: 'c1',
      message: request,
    });
  });

  it('relays a message larger than 1 MiB as chunks the hub can join', async () => {
    const browser = open();
    await started(browser, 'big', 'echo-server');
    const request = { jsonrpc: '2.0', id: 2, method: 'x', params: { blob: '🙂'.repeat(600_000) } };
    browser.send({ type: 'send', channel: 'big', message: request });
    expect((await browser.next('message')).message).toEqual(request);
  });

  it('refuses a server that is not allowlisted and keeps serving another channel', async () => {
    const browser = open();
    await started(browser, 'good', 'echo-server');
    browser.send({ type: 'start', channel: 'evil', name: 'rm-rf' });
    const refused = await browser.next('error');
    expect(refused).toMatchObject({ code: 'unknown-server', channel: 'evil', name: 'rm-rf' });
    expect(refused.message).toContain('nexus-bridge add rm-rf -- COMMAND');
    expect(browser.log.some((line) => line.includes("'rm-rf' is not in"))).toBe(true);
    expect(
      browser.frames.some((frame) => frame.type === 'started' && frame.channel === 'evil'),
    ).toBe(false);

    browser.send({ type: 'send', channel: 'good', message: { jsonrpc: '2.0', id: 3 } });
    expect(await browser.next('message')).toMatchObject({ channel: 'good', message: { id: 3 } });
  });

  it('says when a command is not found, then reports the channel as exited', async () => {
    const browser = open();
    browser.send({ type: 'start', channel: 'm', name: 'missing' });
    expect(await browser.next('error')).toMatchObject({
      code: 'spawn-failed',
      channel: 'm',
      message: expect.stringContaining('command not found on the PATH'),
    });
    expect(await browser.next('exit')).toMatchObject({
      channel: 'm',
      code: null,
      signal: null,
      reason: expect.stringContaining('not found'),
    });
    const errorAt = browser.frames.findIndex((frame) => frame.type === 'error');
    const exitAt = browser.frames.findIndex((frame) => frame.type === 'exit');
    expect(errorAt).toBeLessThan(exitAt);
  });

  it('reports a command spawn refuses outright as spawn-failed, and frees the channel', async () => {
    const dir = allowlisted();
    addServer(dir, 'nul', { command: 'node\u0000evil', args: [], env: {} });
    const browser = open(dir);
    browser.send({ type: 'start', channel: 'n', name: 'nul' });
    expect(await browser.next('error')).toMatchObject({ code: 'spawn-failed', channel: 'n' });
    expect(await browser.next('exit')).toMatchObject({ channel: 'n', code: null, signal: null });
    await started(browser, 'n', 'echo-server');
  });

  it('reports a child that exits at once, with its stderr before its exit', async () => {
    const browser = open();
    await started(browser, 'x', 'exit-at-once');
    const exit = await browser.next('exit');
    expect(exit).toEqual({ type: 'exit', channel: 'x', code: 3, signal: null });
    const logAt = browser.frames.findIndex(
      (frame) => frame.type === 'log' && frame.line === 'cannot start: API_KEY is missing',
    );
    expect(logAt).toBeGreaterThan(-1);
    expect(logAt).toBeLessThan(browser.frames.indexOf(exit));
    // A stderr line is for a person to read: cut at 8 KiB.
    expect(browser.frames[logAt + 1]).toEqual({
      type: 'log',
      channel: 'x',
      stream: 'stderr',
      line: 'e'.repeat(8192) + '…',
    });
  });

  it('refuses a channel in use, and send or stop on none', async () => {
    const browser = open();
    await started(browser, 'c', 'echo-server');
    browser.send({ type: 'start', channel: 'c', name: 'echo-server' });
    expect(await browser.next('error')).toMatchObject({ code: 'bad-channel', channel: 'c' });
    browser.send({ type: 'send', channel: 'nope', message: {} });
    browser.send({ type: 'stop', channel: 'nope' });
    await browser.next('error', (frame) => frame.message.startsWith('cannot stop'));
    expect(
      browser.frames.filter((frame) => frame.type === 'error' && frame.channel === 'nope'),
    ).toHaveLength(2);
  });

  it('stops a child on request and says why', async () => {
    const browser = open();
    const pid = await started(browser, 's', 'echo-server');
    browser.send({ type: 'stop', channel: 's' });
    expect(await browser.next('exit')).toMatchObject({
      channel: 's',
      reason: expect.stringContaining('stopped'),
    });
    await waitGone(pid);
  });

  it('ends a child that floods stdout without a newline, and the others carry on', async () => {
    const browser = open();
    await started(browser, 'calm', 'echo-server');
    await started(browser, 'flood', 'flood');
    const error = await browser.next('error', (frame) => frame.code === 'flood');
    expect(error).toMatchObject({ channel: 'flood', message: expect.stringContaining('32 MiB') });
    expect(await browser.next('exit', (frame) => frame.channel === 'flood')).toMatchObject({
      reason: expect.stringContaining('stdout line longer than'),
    });
    expect(browser.frames.filter((frame) => frame.type === 'message')).toEqual([]);

    browser.send({ type: 'send', channel: 'calm', message: { jsonrpc: '2.0', id: 9 } });
    expect(await browser.next('message')).toMatchObject({ channel: 'calm', message: { id: 9 } });
    expect(MAX_LINE).toBe(32 * 1024 * 1024);
  });

  it('ends a child that stops reading its stdin, before what waits for it grows without bound', async () => {
    const browser = open(undefined, { maxPendingIn: 1024 * 1024 });
    await started(browser, 'calm', 'echo-server');
    const pid = await started(browser, 'deaf', 'deaf');
    const big = {
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { data: 'x'.repeat(256 * 1024) },
    };
    for (let i = 0; i < 16; i++) browser.send({ type: 'send', channel: 'deaf', message: big });
    expect(await browser.next('error', (frame) => frame.code === 'stalled')).toMatchObject({
      channel: 'deaf',
      name: 'deaf',
      message: expect.stringContaining('does not read its stdin'),
    });
    expect(await browser.next('exit', (frame) => frame.channel === 'deaf')).toMatchObject({
      reason: expect.stringContaining('stopped reading its stdin'),
    });
    await waitGone(pid);
    browser.send({ type: 'send', channel: 'calm', message: { jsonrpc: '2.0', id: 5 } });
    expect(await browser.next('message')).toMatchObject({ channel: 'calm', message: { id: 5 } });
  });

  it('refuses malformed frames with bad-frame and keeps serving', async () => {
    const browser = open();
    await started(browser, 'ok', 'echo-server');
    const bad: Array<Buffer | Record<string, unknown>> = [
      nativeMessage('{"type": "start", '),
      nativeMessage('[1]'),
      nativeMessage(Buffer.alloc(0)),
      { type: 'launch', command: 'rm -rf /' },
      { notype: true },
      { type: 42 },
      { type: 'start', channel: 7, name: 'echo-server' },
      { type: 'start', channel: 'x', name: ['echo-server'] },
      { type: 'start', channel: null, name: 'echo-server' },
      { type: 'start', channel: '', name: 'echo-server' },
      { type: 'send', channel: 'ok' },
      { type: 'stop', channel: { id: 'ok' } },
      { type: 'hello', wire: '1', hub: 'x' },
      { type: 'hello', wire: 1, hub: null },
    ];
    for (const frame of bad) {
      if (Buffer.isBuffer(frame)) browser.sendRaw(frame);
      else browser.send(frame);
    }
    browser.send({ type: 'send', channel: 'ok', message: { jsonrpc: '2.0', id: 'after' } });
    expect(await browser.next('message')).toMatchObject({ message: { id: 'after' } });
    const errors = browser.frames.filter((frame) => frame.type === 'error');
    expect(errors.map((frame) => frame.code)).toEqual(bad.map(() => 'bad-frame'));
    expect(errors[3]!.message).toContain("no frame type 'launch'");
    expect(errors[6]!.message).toContain('"channel" must be a string, not a number');
    expect(browser.frames.filter((frame) => frame.type === 'started')).toHaveLength(1);
  });

  it('skips an oversized frame and reads the next', async () => {
    const browser = open();
    const header = Buffer.alloc(4);
    header.writeUInt32LE(65 * 1024 * 1024, 0);
    browser.sendRaw(header);
    for (let i = 0; i < 65; i++) browser.sendRaw(Buffer.alloc(1024 * 1024, 0x20));
    browser.send({ type: 'list' });
    expect(await browser.next('error')).toMatchObject({ code: 'oversized-frame' });
    await browser.next('servers');
  });

  it('ends every child, and what they started, when the browser closes the port', async () => {
    const browser = open();
    const echo = await started(browser, 'a', 'echo-server');
    const flood = await started(browser, 'b', 'flood');
    const parent = await started(browser, 'c', 'grandchild');
    const line = await browser.next('log', (frame) => frame.line.startsWith('grandchild '));
    const grandchild = Number(line.line.split(' ')[1]);
    pids.add(grandchild);
    expect(alive(grandchild)).toBe(true);

    await browser.close();
    browsers.splice(browsers.indexOf(browser), 1);
    for (const pid of [echo, flood, parent, grandchild]) await waitGone(pid);
    const exits = browser.frames.filter((frame) => frame.type === 'exit');
    expect(exits.map((frame) => frame.channel).sort()).toEqual(['a', 'b', 'c']);
  });

  it('ends what a child started when the child exits by itself', async () => {
    const browser = open();
    await started(browser, 'g', 'grandchild');
    const line = await browser.next('log', (frame) => frame.line.startsWith('grandchild '));
    const grandchild = Number(line.line.split(' ')[1]);
    pids.add(grandchild);
    browser.send({ type: 'send', channel: 'g', message: 'exit' });
    expect(await browser.next('exit')).toEqual({
      type: 'exit',
      channel: 'g',
      code: 0,
      signal: null,
    });
    await waitGone(grandchild);
  });

  it('pauses children while the browser is not reading, and loses nothing', async () => {
    // An output that takes one write and holds the rest until released: the browser not reading.
    const received: Buffer[] = [];
    let release: (() => void) | undefined;
    const output = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk);
        if (release === undefined) release = callback;
        else callback();
      },
    });
    const children: ChildProcess[] = [];
    const browser = open(allowlisted(), {
      output,
      spawn: ((...args: Parameters<typeof spawn>) => {
        const child = spawn(...args);
        children.push(child);
        return child;
      }) as typeof spawn,
    });
    browser.send({ type: 'start', channel: 'chat', name: 'chatty' });
    await vi.waitFor(() => expect(children[0]?.stdout?.isPaused()).toBe(true), {
      timeout: 10_000,
      interval: 10,
    });
    if (children[0]?.pid) pids.add(children[0].pid);
    // Paused after at most a pipe read's worth past the high-water mark, while the child has
    // 5 MB to write.
    expect(output.writableLength).toBeLessThan(1024 * 1024);

    const exited = new Promise((resolve) => children[0]!.on('exit', resolve));
    release?.();
    expect(await exited).toBe(0);
    await vi.waitFor(
      () => {
        const frames = decodeAll(received);
        const messages = frames.filter((frame) => frame.type === 'message');
        expect(messages).toHaveLength(5000);
        expect(
          messages.map((frame) => (frame.message as { params: { n: number } }).params.n),
        ).toEqual([...Array(5000).keys()]);
      },
      { timeout: 10_000, interval: 50 },
    );
  });
});

/** Frames from raw output bytes (no chunks expected here). */
function decodeAll(buffers: Buffer[]): Array<{ type: string; message?: unknown }> {
  const bytes = Buffer.concat(buffers);
  const frames = [];
  for (let at = 0; at + 4 <= bytes.length;) {
    const length = bytes.readUInt32LE(at);
    if (at + 4 + length > bytes.length) break;
    frames.push(JSON.parse(bytes.subarray(at + 4, at + 4 + length).toString('utf8')));
    at += 4 + length;
  }
  return frames;
}
