/**
 * The hub's side of nexus-bridge (src/hub/upstream/bridge/): a relay attached as the worker does,
 * with a stand-in bridge that answers like nexus-bridge (its own tests, tests/unit/native, prove
 * the real one; tests/unit/native/hub-and-host.test.ts joins the two). Proves: local servers
 * connect and serve tools; a name outside the allowlist is refused and audited; a child that
 * exits shows `error` with its last stderr and is not retried until Restart; a relay that goes
 * away ends its children and the next one starts them again; chunked frames are joined; hostile
 * frames are ignored and audited, never thrown.
 */
import { Client, InMemoryTransport, type JSONRPCMessage } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allowAllPolicy, createHub, type Hub } from '../../../../../src/hub/index.ts';
import { MemoryRegistryStore } from '../../../../../src/hub/memory-stores.ts';
import type { BridgeServerInfo, HubToBridge } from '../../../../../src/protocol/bridge.ts';
import { ChunkJoiner, readRelayFrame } from '../../../../../src/hub/upstream/bridge/frames.ts';
import { NATIVE_TO_BROWSER_LIMIT } from '../../../../../src/protocol/bridge.ts';
import { encodeFrames } from '../../../../../native/framing.js';
import { addLine, shellWord } from '../../../../../src/hub/upstream/bridge/add-line.ts';
import { FakeClock } from '../../../../support/fake-clock.ts';
import { until } from '../../../../support/until.ts';

/** A stand-in nexus-bridge: allowlisted names run in-memory MCP servers, one per channel. */
class StandInBridge {
  readonly frames: HubToBridge[] = [];
  readonly children = new Map<string, { server: McpServer; transport: InMemoryTransport }>();
  allowlist: BridgeServerInfo[] = [
    { name: 'echo', command: 'node', args: ['echo.js'], envKeys: ['API_KEY'] },
  ];
  closed = false;
  receive!: (data: unknown) => void;
  gone!: () => void;

  attach(hub: Hub, extension: 'present' | 'absent' = 'present'): void {
    const link = hub.bridge.attach({
      send: (frame) => void this.#hear(frame),
      close: () => (this.closed = true),
    });
    this.receive = link.receive;
    this.gone = link.gone;
    if (extension === 'absent')
      this.receive({ type: 'no-extension', detail: 'chrome.runtime is missing' });
    else this.receive({ type: 'extension', version: '0.1.0' });
  }

  async #hear(frame: HubToBridge): Promise<void> {
    this.frames.push(frame);
    switch (frame.type) {
      case 'hello':
        this.receive({
          type: 'welcome',
          wire: 1,
          version: '9.9.9',
          allowlist: '/home/someone/.config/nexus-bridge/allowlist.json',
          servers: this.allowlist,
        });
        return;
      case 'list':
        this.receive({ type: 'servers', servers: this.allowlist });
        return;
      case 'start': {
        if (!this.allowlist.some((each) => each.name === frame.name)) {
          this.receive({
            type: 'error',
            code: 'unknown-server',
            channel: frame.channel,
            name: frame.name,
            message: `no server '${frame.name}' in the allowlist`,
          });
          return;
        }
        if (frame.name === 'quitter') {
          // Exits at once, before it ever runs: a missing key, a bad flag.
          this.receive({
            type: 'log',
            channel: frame.channel,
            stream: 'stderr',
            line: 'Error: API_KEY is not set',
          });
          this.receive({ type: 'exit', channel: frame.channel, code: 1, signal: null });
          return;
        }
        const [hubSide, childSide] = InMemoryTransport.createLinkedPair();
        const server = echoServer();
        hubSide.onmessage = (message) =>
          this.receive({ type: 'message', channel: frame.channel, message });
        await hubSide.start();
        await server.connect(childSide);
        this.children.set(frame.channel, { server, transport: hubSide });
        this.receive({
          type: 'log',
          channel: frame.channel,
          stream: 'stderr',
          line: 'echo starting',
        });
        this.receive({ type: 'started', channel: frame.channel, pid: 4242 });
        return;
      }
      case 'send':
        await this.children.get(frame.channel)?.transport.send(frame.message as JSONRPCMessage);
        return;
      case 'stop':
        await this.children.get(frame.channel)?.server.close();
        this.children.delete(frame.channel);
        return;
    }
  }

  /** The child on `channel` dies, saying something on stderr first. */
  crash(channel: string, words: string): void {
    this.receive({ type: 'log', channel, stream: 'stderr', line: words });
    this.children.delete(channel);
    this.receive({ type: 'exit', channel, code: 1, signal: null });
  }

  get channels(): string[] {
    return [...this.children.keys()];
  }
}

function echoServer(): McpServer {
  const server = new McpServer({ name: 'echo', version: '1.0.0' });
  server.registerTool(
    'echo',
    { inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  return server;
}

const hubs: Hub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
});

async function hubWithLocal(clock?: FakeClock) {
  const hub = await createHub({ policy: allowAllPolicy, ...(clock ? { clock } : {}) });
  hubs.push(hub);
  const bridge = new StandInBridge();
  bridge.attach(hub);
  await until(() => hub.bridge.connected, 'the bridge to connect');
  const view = await hub.admin.addBridgeServer('echo');
  return { hub, bridge, id: view.id };
}

/** A local entry as an imported `mcpServers` file makes one (its name is not allowlisted). */
async function importLocal(
  hub: Hub,
  name: string,
  entry: Record<string, unknown>,
): Promise<string> {
  await hub.admin.importConfig(JSON.stringify({ mcpServers: { [name]: entry } }));
  return hub.admin.listServers().find((server) => server.slug === name)!.id;
}

async function clientOf(hub: Hub): Promise<Client> {
  const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
  await hub.connect(hubSide, { origin: 'https://app.test', clientName: 'test', sessionId: 's1' });
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(clientSide);
  return client;
}

const status = (hub: Hub, id: string) => hub.admin.listServers().find((s) => s.id === id)!.status;

describe('local servers through nexus-bridge', () => {
  it('connects an allowlisted server and serves its tools to clients', async () => {
    const { hub, bridge, id } = await hubWithLocal();
    await until(() => status(hub, id).state === 'ready', 'the local server to be ready');
    expect(hub.admin.bridgeStatus()).toMatchObject({
      state: 'connected',
      extensionVersion: '0.1.0',
      hostVersion: '9.9.9',
      servers: [{ name: 'echo', envKeys: ['API_KEY'] }],
    });
    const client = await clientOf(hub);
    const result = await client.callTool({ name: 'echo__echo', arguments: { text: 'hi' } });
    expect(result.content).toEqual([{ type: 'text', text: 'hi' }]);
    // The hub named the server; it never sent a command line.
    const starts = bridge.frames.filter((frame) => frame.type === 'start');
    expect(starts).toEqual([{ type: 'start', channel: expect.any(String), name: 'echo' }]);
    expect(JSON.stringify(bridge.frames)).not.toContain('echo.js');
    const view = hub.admin.listServers().find((s) => s.id === id)!;
    expect(view.local).toEqual({
      bridgeName: 'echo',
      allowlisted: true,
      addLine: "nexus-bridge add echo --env 'API_KEY=<your API_KEY>' -- node echo.js",
    });
    expect(hub.admin.serverDetail(id).localLog).toEqual([
      { at: expect.any(Number), stream: 'stderr', line: 'echo starting' },
    ]);
  });

  it('refuses and audits a name outside the allowlist; the other servers keep serving', async () => {
    const { hub, bridge, id } = await hubWithLocal();
    await until(() => status(hub, id).state === 'ready', 'echo to be ready');
    const stray = await importLocal(hub, 'stray', { command: 'rm', args: ['-rf', '/'] });
    await until(() => status(hub, stray).state === 'error', 'the stray server to be refused');
    expect(status(hub, stray)).toEqual({
      state: 'error',
      reason: "nexus-bridge refused: no server 'stray' in the allowlist",
    });
    const events = await hub.audit.events('security', 10);
    expect(events).toContainEqual(
      expect.objectContaining({
        event: 'bridge-unknown-server',
        serverSlug: 'stray',
        detail: "no server 'stray' in the allowlist",
      }),
    );
    const client = await clientOf(hub);
    await expect(
      client.callTool({ name: 'echo__echo', arguments: { text: 'still' } }),
    ).resolves.toMatchObject({
      content: [{ type: 'text', text: 'still' }],
    });
    // Once it is allowlisted and the person presses Refresh, it starts.
    bridge.allowlist.push({ name: 'stray', command: 'true', args: [], envKeys: [] });
    hub.admin.refreshBridge();
    await until(
      () => status(hub, stray).state === 'ready',
      'the stray server to start once allowlisted',
    );
  });

  it('a child that exits shows error with its last stderr, and only Restart brings it back', async () => {
    const clock = new FakeClock();
    const { hub, bridge, id } = await hubWithLocal(clock);
    await until(() => status(hub, id).state === 'ready', 'echo to be ready');
    const [channel] = bridge.channels;
    bridge.crash(channel!, 'Error: out of cheese');
    await until(() => status(hub, id).state === 'error', 'the crash to show');
    expect(status(hub, id)).toEqual({
      state: 'error',
      reason:
        "local server 'echo' stopped: it exited with code 1; its last words on stderr: echo starting | Error: out of cheese. Fix what it says, then press Restart",
    });
    const starts = () => bridge.frames.filter((frame) => frame.type === 'start').length;
    // No retry by itself: an hour on the hub's clock starts nothing.
    await clock.advance(3_600_000);
    expect(starts()).toBe(1);
    expect(status(hub, id).state).toBe('error');
    hub.admin.restartServer(id);
    await until(() => status(hub, id).state === 'ready', 'Restart to bring it back');
    expect(starts()).toBe(2);
  });

  it('a child that exits at once shows error with what it said, and the others keep serving', async () => {
    const { hub, bridge, id } = await hubWithLocal();
    await until(() => status(hub, id).state === 'ready', 'echo to be ready');
    bridge.allowlist.push({ name: 'quitter', command: 'node', args: ['quit.js'], envKeys: [] });
    hub.admin.refreshBridge();
    await until(
      () => hub.admin.bridgeStatus().servers.length === 2,
      'the allowlist to be read again',
    );
    const quitter = (await hub.admin.addBridgeServer('quitter')).id;
    await until(() => status(hub, quitter).state === 'error', 'the quitter to show its error');
    expect(status(hub, quitter)).toEqual({
      state: 'error',
      reason:
        "local server 'quitter' stopped: it exited with code 1; its last words on stderr: Error: API_KEY is not set. Fix what it says, then press Restart",
    });
    expect(status(hub, id).state).toBe('ready');
    expect(await hub.audit.events('security', 10)).toContainEqual(
      expect.objectContaining({
        event: 'bridge-child-exited',
        serverSlug: 'quitter',
        detail: "local server 'quitter' exited with code 1",
      }),
    );
  });

  it('a relay that goes away ends its children; the next relay starts them again', async () => {
    const { hub, bridge, id } = await hubWithLocal();
    await until(() => status(hub, id).state === 'ready', 'echo to be ready');
    bridge.gone();
    expect(bridge.closed).toBe(true);
    await until(() => status(hub, id).state === 'error', 'the server to go down with the relay');
    expect(hub.admin.bridgeStatus().state).toBe('no-relay');
    const next = new StandInBridge();
    next.attach(hub);
    await until(() => status(hub, id).state === 'ready', 'the next relay to start it again');
    expect(next.channels).toHaveLength(1);
  });

  it('a local server waits for the bridge while the first page is still reaching it', async () => {
    const registry = new MemoryRegistryStore();
    await registry.putServer({
      kind: 'stdio',
      id: 'e1',
      slug: 'echo',
      name: 'echo',
      enabled: true,
      createdAt: 0,
      command: 'node',
      args: ['echo.js'],
      env: [],
    });
    const hub = await createHub({ policy: allowAllPolicy, registry });
    hubs.push(hub);
    // The hub started before any page relayed: the server waits, it does not fail.
    expect(status(hub, 'e1')).toEqual({ state: 'connecting' });
    new StandInBridge().attach(hub);
    await until(
      () => status(hub, 'e1').state === 'ready',
      'the server to start once the bridge is there',
    );
  });

  it('says what is missing when the extension or the host is', async () => {
    const hub = await createHub({ policy: allowAllPolicy });
    hubs.push(hub);
    const bridge = new StandInBridge();
    bridge.attach(hub, 'absent');
    expect(hub.admin.bridgeStatus()).toEqual({
      state: 'no-extension',
      servers: [],
      detail: 'chrome.runtime is missing',
    });
    const files = await importLocal(hub, 'files', {
      command: 'npx',
      args: ['-y', 'server-filesystem', '/tmp/my files'],
      env: { TOKEN: 's3cret' },
    });
    await until(() => status(hub, files).state === 'error', 'the server to say what is missing');
    expect(status(hub, files)).toMatchObject({
      state: 'error',
      reason: expect.stringContaining('extension is not installed'),
    });
    const view = hub.admin.listServers().find((s) => s.slug === 'files')!;
    expect(view.local).toEqual({
      bridgeName: 'files',
      addLine:
        "nexus-bridge add files --env 'TOKEN=<your TOKEN>' -- npx -y server-filesystem '/tmp/my files'",
    });
    expect(JSON.stringify(view)).not.toContain('s3cret');
    // Its environment's secret is redacted wherever the hub writes text, like a header's.
    expect(hub.admin.secrets()).toContain('s3cret');

    const second = new StandInBridge();
    second.attach(hub);
    second.receive({ type: 'host-gone', error: 'Specified native messaging host not found.' });
    expect(hub.admin.bridgeStatus()).toMatchObject({
      state: 'no-host',
      extensionVersion: '0.1.0',
      detail: 'Specified native messaging host not found.',
    });
  });

  it('ignores and audits hostile frames, and joins chunked ones', async () => {
    const { hub, bridge, id } = await hubWithLocal();
    await until(() => status(hub, id).state === 'ready', 'echo to be ready');
    const hostile: unknown[] = [
      null,
      42,
      'text',
      [],
      { type: 'nope' },
      { type: 'message' },
      { type: 'started', channel: {}, pid: 1 },
      { type: 'exit', channel: 'c1', code: 'x', signal: null },
      { type: 'error', code: 'made-up', message: 'x' },
      { type: 'welcome', wire: 1, version: '1', allowlist: '/', servers: [{ name: 1 }] },
      { type: 'log', channel: 'c1', line: 'x'.repeat(100_000) },
      { type: 'chunk', id: 7, index: 1, count: 2, data: 'AAAA' },
      { type: 'chunk', id: 8, index: 0, count: 2, data: '!!!' },
      { type: 'message', channel: bridge.channels[0], message: 5 },
      { type: 'message', channel: bridge.channels[0], message: [1, null, 'x'] },
    ];
    for (const frame of hostile) expect(() => bridge.receive(frame)).not.toThrow();
    // nexus-bridge's own refusal of something it could not read: in the journal and on the panel.
    bridge.receive({
      type: 'error',
      code: 'oversized-frame',
      message: 'a frame of 70000000 bytes was skipped',
    });
    expect(hub.admin.bridgeStatus().lastRefusal).toEqual({
      at: expect.any(Number),
      text: 'nexus-bridge refused a frame: a frame of 70000000 bytes was skipped',
    });
    const security = await hub.audit.events('security', 50);
    expect(
      security.filter((event) => event.event === 'bridge-bad-frame').length,
    ).toBeGreaterThanOrEqual(11);
    expect(security).toContainEqual(
      expect.objectContaining({
        event: 'bridge-oversized-frame',
        detail: 'a frame of 70000000 bytes was skipped',
      }),
    );
    // A long stderr line is cut, not kept whole.
    expect(hub.bridge.logs('echo').at(-1)!.line.length).toBeLessThan(9_000);
    expect(status(hub, id).state).toBe('ready');

    // A 3 MB message in chunks, as nexus-bridge sends anything over Chrome's 1 MiB limit.
    const text = 'é"\\\n'.repeat(750_000);
    const frame = JSON.stringify({
      type: 'servers',
      servers: [{ name: 'big', command: 'x', args: [text.slice(0, 5_000)], envKeys: [] }],
    });
    const bytes = new TextEncoder().encode(frame);
    const piece = 700_000;
    const count = Math.ceil(bytes.length / piece);
    for (let index = 0; index < count; index++)
      bridge.receive({
        type: 'chunk',
        id: 1,
        index,
        count,
        data: Buffer.from(bytes.subarray(index * piece, (index + 1) * piece)).toString('base64'),
      });
    expect(hub.admin.bridgeStatus().servers).toEqual([
      { name: 'big', command: 'x', args: [text.slice(0, 5_000)], envKeys: [] },
    ]);
  });
});

describe('ChunkJoiner', () => {
  it("joins what nexus-bridge's encoder cuts, around Chrome's 1 MiB limit", () => {
    const joiner = new ChunkJoiner();
    const empty = { type: 'log', channel: 'c', stream: 'stderr', line: '' };
    const overhead = JSON.stringify(empty).length;
    // Lines whose frame's JSON is exactly the limit, one byte over, and far over it; with
    // characters JSON escapes and multi-byte ones, so the pieces are cut inside them.
    const head = 'ü"\\\n\u0001😀';
    const headBytes = Buffer.byteLength(JSON.stringify(head)) - 2;
    for (const extra of [0, 1, 4_000_000]) {
      const line = head + 'x'.repeat(NATIVE_TO_BROWSER_LIMIT - overhead - headBytes + extra);
      const frame = { ...empty, line };
      expect(Buffer.byteLength(JSON.stringify(frame))).toBe(NATIVE_TO_BROWSER_LIMIT + extra);
      const framed = encodeFrames(frame as never);
      expect(framed.length > 1).toBe(extra > 0);
      let joined: unknown;
      for (const buffer of framed) {
        expect(buffer.length - 4).toBeLessThanOrEqual(NATIVE_TO_BROWSER_LIMIT);
        const message = JSON.parse(buffer.subarray(4).toString('utf8')) as { type: string };
        if (message.type !== 'chunk') joined = message;
        else {
          const result = joiner.accept(readRelayFrame(message) as never);
          if (result) joined = 'frame' in result ? result.frame : result;
        }
      }
      expect(joined).toEqual(frame);
    }
  });

  it('drops a frame whose pieces come out of order, and starts the next one clean', () => {
    const joiner = new ChunkJoiner();
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    expect(
      joiner.accept({ type: 'chunk', id: 1, index: 0, count: 2, data: b64('{"a":') }),
    ).toBeUndefined();
    expect(
      joiner.accept({ type: 'chunk', id: 1, index: 0, count: 3, data: b64('x') }),
    ).toBeUndefined();
    expect(joiner.accept({ type: 'chunk', id: 1, index: 2, count: 3, data: b64('x') })).toEqual({
      problem: 'piece 2 of chunked frame 1 arrived out of order',
    });
    expect(joiner.pending).toBe(0);
    expect(
      joiner.accept({ type: 'chunk', id: 2, index: 0, count: 2, data: b64('{"a":') }),
    ).toBeUndefined();
    expect(joiner.accept({ type: 'chunk', id: 2, index: 1, count: 2, data: b64('1}') })).toEqual({
      frame: { a: 1 },
    });
    // Pieces cut inside a multi-byte character join back whole.
    const bytes = new TextEncoder().encode('"ü€😀"');
    expect(
      joiner.accept({
        type: 'chunk',
        id: 3,
        index: 0,
        count: 2,
        data: Buffer.from(bytes.subarray(0, 3)).toString('base64'),
      }),
    ).toBeUndefined();
    expect(
      joiner.accept({
        type: 'chunk',
        id: 3,
        index: 1,
        count: 2,
        data: Buffer.from(bytes.subarray(3)).toString('base64'),
      }),
    ).toEqual({ frame: 'ü€😀' });
  });
});

describe('the nexus-bridge add line', () => {
  it('quotes what a shell would split or expand', () => {
    expect(shellWord('plain-word_1.2/x=y')).toBe('plain-word_1.2/x=y');
    expect(shellWord("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    expect(shellWord('')).toBe("''");
    expect(
      addLine({
        kind: 'stdio',
        id: 'i',
        slug: 'gh',
        name: 'GitHub',
        enabled: true,
        createdAt: 0,
        command: 'docker',
        args: ['run', '-i', '--rm', 'ghcr.io/github/github-mcp-server'],
        env: [
          { name: 'GITHUB_PERSONAL_ACCESS_TOKEN', value: 'ghp_x', secret: true },
          { name: 'MODE', value: 'read only', secret: false },
        ],
      }),
    ).toBe(
      "nexus-bridge add gh --env 'GITHUB_PERSONAL_ACCESS_TOKEN=<your GITHUB_PERSONAL_ACCESS_TOKEN>' --env 'MODE=read only' -- docker run -i --rm ghcr.io/github/github-mcp-server",
    );
  });
});
