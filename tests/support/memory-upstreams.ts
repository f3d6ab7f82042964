import { InMemoryTransport } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { ServerView } from '../../src/protocol/views.ts';
import { allowAllPolicy, createHub, type Hub } from '../../src/hub/index.ts';
import { MemoryRegistryStore } from '../../src/hub/memory-stores.ts';
import { httpConnector } from '../../src/hub/upstream/connectors/remote.ts';
import { until } from './until.ts';
import type { TransportOpener } from '../../src/hub/upstream/upstream.ts';

/**
 * In-memory upstream servers for hub unit tests, addressed as `http://<key>.invalid/mcp` (an
 * ordinary remote entry; `.invalid` is reserved and never resolves, so nothing goes on the wire). A key whose
 * server is "down" refuses connections the way a dead HTTP server would (the connect fails).
 */
export class MemoryUpstreams {
  readonly factories = new Map<string, () => McpServer>();
  readonly down = new Set<string>();
  /** Keys whose live connections swallow every message: up, but silent (a hung server). */
  readonly silent = new Set<string>();
  /**
   * The live server instances per key, newest last; an instance leaves when its connection
   * closes (the hub's throwaway connections, such as its 2025 comparison probe, come and go).
   */
  readonly instances = new Map<string, McpServer[]>();
  /**
   * Keys served through the SDK's era-selecting entry, so they speak 2026-07-28 to a client that
   * asks for it (the others are bound to the 2025 era by a plain `connect`).
   */
  readonly modern = new Set<string>();
  /** The methods of the notifications each key's servers sent the hub, in order. */
  readonly notified = new Map<string, string[]>();
  /** Keys whose connections wait for this promise first: a server slow to answer. */
  readonly gates = new Map<string, Promise<void>>();
  connects = 0;

  add(key: string, factory: () => McpServer): string {
    this.factories.set(key, factory);
    return `http://${key}.invalid/mcp`;
  }

  opener: TransportOpener = async (entry) => {
    if (entry.kind !== 'remote') throw new Error('memory upstreams serve remote entries only');
    const key = new URL(entry.url).hostname.replace(/\.invalid$/, '');
    this.connects++;
    await this.gates.get(key);
    if (this.down.has(key)) {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }
    const factory = this.factories.get(key);
    if (!factory) throw new Error(`no memory upstream ${key}`);
    const mine: McpServer[] = [];
    const created = (): McpServer => {
      const server = factory();
      const list = this.instances.get(key) ?? [];
      list.push(server);
      mine.push(server);
      this.instances.set(key, list);
      return server;
    };
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const closeServerSide = serverSide.close.bind(serverSide);
    serverSide.close = async () => {
      const list = this.instances.get(key) ?? [];
      this.instances.set(
        key,
        list.filter((server) => !mine.includes(server)),
      );
      await closeServerSide();
    };
    const notified = this.notified.get(key) ?? [];
    this.notified.set(key, notified);
    const serverSend = serverSide.send.bind(serverSide);
    serverSide.send = async (message, options) => {
      if ('method' in message && !('id' in message)) notified.push(message.method);
      await serverSend(message, options);
    };
    if (this.modern.has(key)) serveStdio(created, { transport: serverSide });
    else await created().connect(serverSide);
    const send = clientSide.send.bind(clientSide);
    clientSide.send = async (message, options) => {
      if (!this.silent.has(key)) await send(message, options);
    };
    return { transport: clientSide };
  };

  /** The HTTP connector with `opener` in place of real HTTP: its attempts and explanations. */
  readonly connector = httpConnector(undefined, (entry, attempt) => this.opener(entry, attempt));

  /** Kills every live connection of `key` and refuses new ones. */
  async takeDown(key: string): Promise<void> {
    this.down.add(key);
    for (const server of this.instances.get(key) ?? []) await server.close();
    this.instances.set(key, []);
  }
}

/**
 * A hub whose one added server is the memory upstream `key` (served by `factory`), once that
 * server is ready. The hub goes into `hubs` for the test's clean-up.
 */
export async function hubWithMemoryServer(
  key: string,
  factory: () => { connect(transport: never): Promise<void> },
  hubs: Hub[],
): Promise<{ hub: Hub; id: string; server(): ServerView }> {
  const upstreams = new MemoryUpstreams();
  const url = upstreams.add(key, factory as () => McpServer);
  const hub = await createHub({
    policy: allowAllPolicy,
    registry: new MemoryRegistryStore(),
    connectors: [upstreams.connector],
  });
  hubs.push(hub);
  const { id } = await hub.admin.addServer({
    name: key,
    slug: key,
    url,
    transport: 'streamable-http',
    headers: [],
  });
  const server = () => hub.admin.listServers().find((view) => view.id === id)!;
  await until(() => server().status.state === 'ready', `the server '${key}' to be ready`);
  return { hub, id, server };
}
