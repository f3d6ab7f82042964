/**
 * The router beyond tools: prompts, resources and templates aggregated and routed, resource
 * subscriptions, the hub's own pagination (and following upstream pages), completion and logging.
 * In-memory upstreams; the hub core runs as it does in the worker.
 */
import {
  Client,
  InMemoryTransport,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer, ResourceTemplate, Server, completable } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { allowAllPolicy, createHub, type Hub } from '../../../../src/hub/index.ts';
import { createAdminApi } from '../../../../src/worker/admin.ts';
import { MemoryUpstreams } from '../../../support/memory-upstreams.ts';
import { until } from '../../../support/until.ts';

const hubs: Hub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});

/** A hub with the given in-memory servers registered (slug = key), all ready. */
async function hubWith(
  servers: Record<string, () => McpServer | Server>,
  options: Partial<Parameters<typeof createHub>[0]> = {},
): Promise<{ hub: Hub; upstreams: MemoryUpstreams }> {
  const upstreams = new MemoryUpstreams();
  const hub = await createHub({
    policy: allowAllPolicy,
    connectors: [upstreams.connector],
    ...options,
  });
  hubs.push(hub);
  for (const [key, factory] of Object.entries(servers)) {
    const url = upstreams.add(key, factory as () => McpServer);
    await hub.admin.addServer({
      name: key,
      slug: key,
      url,
      transport: 'streamable-http',
      headers: [],
    });
  }
  const ready = () => hub.admin.listServers().every((server) => server.status.state === 'ready');
  await until(ready, 'every server ready');
  return { hub, upstreams };
}

async function client(hub: Hub, name = 'client'): Promise<Client> {
  const result = new Client({ name, version: '1.0.0' });
  await result.connect(await hubTransport(hub, name));
  return result;
}

/**
 * A v1 SDK client: its list calls fetch ONE page (the v2 client walks every page itself), which
 * is what a pagination test needs to see the hub's cursors.
 */
async function pagingClient(hub: Hub): Promise<ClientV1> {
  const result = new ClientV1({ name: 'pager', version: '1.0.0' });
  await result.connect(await hubTransport(hub, 'pager'));
  return result;
}

async function hubTransport(hub: Hub, name: string) {
  const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
  await hub.connect(hubSide, { origin: 'test', clientName: name, sessionId: crypto.randomUUID() });
  return clientSide;
}

function library(label: string): () => McpServer {
  return () => {
    const server = new McpServer({ name: label, version: '1.0.0' });
    server.registerPrompt(
      'greet',
      {
        description: `greeting from ${label}`,
        argsSchema: z.object({
          who: completable(z.string(), (value) =>
            ['Ada', 'Alan', 'Grace'].filter((name) => name.startsWith(value)),
          ),
        }),
      },
      async ({ who }) => ({
        messages: [{ role: 'user', content: { type: 'text', text: `${label} greets ${who}` } }],
      }),
    );
    server.registerResource('shared', 'memo://shared', { mimeType: 'text/plain' }, async (uri) => ({
      contents: [{ uri: uri.href, text: `shared from ${label}` }],
    }));
    server.registerResource(
      `own-${label}`,
      `memo://${label}/own`,
      { mimeType: 'text/plain' },
      async (uri) => ({ contents: [{ uri: uri.href, text: `own of ${label}` }] }),
    );
    server.registerResource(
      'book',
      new ResourceTemplate(`book://${label}/{id}`, {
        list: undefined,
        complete: { id: (value) => ['1', '12', '123'].filter((id) => id.startsWith(value)) },
      }),
      { mimeType: 'text/plain' },
      async (uri, variables) => ({
        contents: [{ uri: uri.href, text: `${label} book ${String(variables.id)}` }],
      }),
    );
    return server;
  };
}

describe('prompts', () => {
  it('are namespaced like tools, routed by name, and keep their arguments', async () => {
    const { hub } = await hubWith({ alpha: library('alpha'), beta: library('beta') });
    const c = await client(hub);
    const { prompts } = await c.listPrompts();
    expect(prompts.map((prompt) => prompt.name).sort()).toEqual(['alpha__greet', 'beta__greet']);
    expect(prompts.find((prompt) => prompt.name === 'beta__greet')?.arguments).toEqual([
      expect.objectContaining({ name: 'who', required: true }),
    ]);
    const got = await c.getPrompt({ name: 'beta__greet', arguments: { who: 'Ada' } });
    expect(got.messages[0]?.content).toEqual({ type: 'text', text: 'beta greets Ada' });
    await expect(c.getPrompt({ name: 'gamma__greet', arguments: {} })).rejects.toThrow(
      /Unknown prompt 'gamma__greet'.*prompts\/list/,
    );
  });

  it('completes a prompt argument through its namespaced name', async () => {
    const { hub } = await hubWith({ alpha: library('alpha') });
    const c = await client(hub);
    const { completion } = await c.complete({
      ref: { type: 'ref/prompt', name: 'alpha__greet' },
      argument: { name: 'who', value: 'A' },
    });
    expect(completion.values).toEqual(['Ada', 'Alan']);
  });
});

describe('resources', () => {
  it('keep their URIs; a URI two servers list is served by the first registered', async () => {
    const { hub } = await hubWith({ alpha: library('alpha'), beta: library('beta') });
    const c = await client(hub);
    const uris = (await c.listResources()).resources.map((resource) => resource.uri);
    expect(uris.sort()).toEqual(['memo://alpha/own', 'memo://beta/own', 'memo://shared']);
    const shared = await c.readResource({ uri: 'memo://shared' });
    expect(shared.contents).toEqual([{ uri: 'memo://shared', text: 'shared from alpha' }]);
    const own = await c.readResource({ uri: 'memo://beta/own' });
    expect(own.contents).toEqual([{ uri: 'memo://beta/own', text: 'own of beta' }]);

    const [collision] = hub.admin.resourceCollisions();
    const ids = Object.fromEntries(
      hub.admin.listServers().map((server) => [server.slug, server.id]),
    );
    expect(collision).toEqual({ uri: 'memo://shared', servedBy: ids.alpha, shadowed: [ids.beta] });
    // The dashboard sees the same through the admin API.
    const admin = createAdminApi(hub, 'shared', 'http://127.0.0.1');
    expect(await admin.api.listResourceCollisions()).toEqual([collision]);
    admin.dispose();
  });

  it('templates are namespaced by name, keep their URI template, and route reads that match', async () => {
    const { hub } = await hubWith({ alpha: library('alpha'), beta: library('beta') });
    const c = await client(hub);
    const { resourceTemplates } = await c.listResourceTemplates();
    const ours = resourceTemplates.filter((t) => t.uriTemplate.startsWith('book://'));
    expect(ours.map((t) => [t.name, t.uriTemplate]).sort()).toEqual([
      ['alpha__book', 'book://alpha/{id}'],
      ['beta__book', 'book://beta/{id}'],
    ]);
    const read = await c.readResource({ uri: 'book://beta/7' });
    expect(read.contents).toEqual([{ uri: 'book://beta/7', text: 'beta book 7' }]);
    const { completion } = await c.complete({
      ref: { type: 'ref/resource', uri: 'book://beta/{id}' },
      argument: { name: 'id', value: '12' },
    });
    expect(completion.values).toEqual(['12', '123']);
    await expect(c.readResource({ uri: 'nowhere://x' })).rejects.toThrow(
      /Resource not found: nowhere:\/\/x/,
    );
  });

  it('a new resource upstream reaches every session as resources/list_changed', async () => {
    let live: McpServer | undefined;
    const { hub } = await hubWith({
      alpha: () => (live = library('alpha')()),
    });
    const c = await client(hub);
    let notified = 0;
    c.setNotificationHandler('notifications/resources/list_changed', () => void notified++);
    live!.registerResource('late', 'memo://late', {}, async (uri) => ({
      contents: [{ uri: uri.href, text: 'late' }],
    }));
    await until(() => notified > 0, 'resources/list_changed');
    const uris = (await c.listResources()).resources.map((resource) => resource.uri);
    expect(uris).toContain('memo://late');
  });
});

/** A low-level server with subscribable resources that counts (un)subscribe requests. */
function subscribable(counts: { subscribe: number; unsubscribe: number }, servers: Server[]) {
  return () => {
    const server = new Server(
      { name: 'feeds', version: '1.0.0' },
      { capabilities: { resources: { subscribe: true, listChanged: true } } },
    );
    server.setRequestHandler('resources/list', async () => ({
      resources: [{ uri: 'feed://news', name: 'news' }],
    }));
    server.setRequestHandler('resources/templates/list', async () => ({ resourceTemplates: [] }));
    server.setRequestHandler('resources/read', async (request) => ({
      contents: [{ uri: request.params.uri, text: 'latest' }],
    }));
    server.setRequestHandler('resources/subscribe', async () => {
      counts.subscribe++;
      return {};
    });
    server.setRequestHandler('resources/unsubscribe', async () => {
      counts.unsubscribe++;
      return {};
    });
    servers.push(server);
    return server;
  };
}

describe('resource subscriptions', () => {
  it('deliver updates only to subscribers, over one upstream subscription', async () => {
    const counts = { subscribe: 0, unsubscribe: 0 };
    const servers: Server[] = [];
    const { hub } = await hubWith({ feeds: subscribable(counts, servers) });
    const [first, second, bystander] = [
      await client(hub, 'first'),
      await client(hub, 'second'),
      await client(hub, 'bystander'),
    ];
    const updates = { first: 0, second: 0, bystander: 0 };
    for (const [name, c] of [
      ['first', first],
      ['second', second],
      ['bystander', bystander],
    ] as const) {
      c.setNotificationHandler('notifications/resources/updated', () => void updates[name]++);
    }
    await first.subscribeResource({ uri: 'feed://news' });
    await second.subscribeResource({ uri: 'feed://news' });
    expect(counts.subscribe).toBe(1);

    await servers.at(-1)!.sendResourceUpdated({ uri: 'feed://news' });
    await until(() => updates.first === 1 && updates.second === 1, 'both subscribers updated');

    await first.unsubscribeResource({ uri: 'feed://news' });
    expect(counts.unsubscribe).toBe(0);
    await servers.at(-1)!.sendResourceUpdated({ uri: 'feed://news' });
    await until(() => updates.second === 2, 'the remaining subscriber updated');
    expect(updates).toEqual({ first: 1, second: 2, bystander: 0 });

    // The last subscriber leaving (here: disconnecting) ends the upstream subscription.
    await second.close();
    await until(() => counts.unsubscribe === 1, 'the upstream unsubscribe');
  });

  it('are not announced when no server offers them', async () => {
    const { hub } = await hubWith({ alpha: library('alpha') });
    const c = await client(hub);
    expect(c.getServerCapabilities()?.resources?.subscribe).toBeUndefined();
  });

  it('refuses a subscription the routed server cannot honour, saying so', async () => {
    const counts = { subscribe: 0, unsubscribe: 0 };
    const { hub } = await hubWith({ alpha: library('alpha'), feeds: subscribable(counts, []) });
    const c = await client(hub);
    expect(c.getServerCapabilities()?.resources?.subscribe).toBe(true);
    await expect(c.subscribeResource({ uri: 'memo://alpha/own' })).rejects.toThrow(
      /Server 'alpha' does not support resource subscriptions/,
    );
    expect(counts.subscribe).toBe(0);
  });
});

/** A server with `count` tools that it lists `perPage` at a time. */
function manyTools(count: number, perPage: number): () => Server {
  return () => {
    const server = new Server({ name: 'many', version: '1.0.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler('tools/list', async (request) => {
      const start = Number(request.params?.cursor ?? 0);
      const end = Math.min(start + perPage, count);
      const tools = [];
      for (let i = start; i < end; i++) {
        tools.push({ name: `t${i}`, inputSchema: { type: 'object' as const } });
      }
      return { tools, ...(end < count ? { nextCursor: String(end) } : {}) };
    });
    return server;
  };
}

describe('pagination', () => {
  it('follows upstream pages and pages a 5,000-tool aggregate with its own cursors', async () => {
    const { hub } = await hubWith({ many: manyTools(5_000, 70) }, { pageSize: 100 });
    const c = await pagingClient(hub);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await c.listTools(cursor === undefined ? {} : { cursor });
      expect(page.tools.length).toBeLessThanOrEqual(100);
      seen.push(...page.tools.map((tool) => tool.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined);
    // 5,000 tools of `many` (fetched upstream 70 at a time) and the built-in server's 5.
    expect(pages).toBe(51);
    expect(new Set(seen).size).toBe(5_005);
    const many = seen.filter((name) => name.startsWith('many__'));
    expect(many).toEqual(Array.from({ length: 5_000 }, (_, i) => `many__t${i}`));
  });

  it('refuses a cursor it did not hand out', async () => {
    const { hub } = await hubWith({ many: manyTools(300, 300) }, { pageSize: 100 });
    const c = await pagingClient(hub);
    const first = await c.listTools({});
    expect(first.nextCursor).toBeDefined();
    await expect(c.listTools({ cursor: 'bogus' })).rejects.toThrow(/Invalid cursor for tools/);
    // A tools cursor is not a prompts cursor.
    await expect(c.listPrompts({ cursor: first.nextCursor! })).rejects.toThrow(
      /Invalid cursor for prompts/,
    );
  });
});

describe('logging', () => {
  it('relays upstream messages naming the server, filtered by each session', async () => {
    const servers: McpServer[] = [];
    const { hub } = await hubWith({
      noisy: () => {
        const server = new McpServer(
          { name: 'noisy', version: '1.0.0' },
          { capabilities: { logging: {} } },
        );
        servers.push(server);
        return server;
      },
    });
    const quiet = await client(hub, 'quiet');
    const chatty = await client(hub, 'chatty');
    const heard: Record<'quiet' | 'chatty', LoggingMessageNotification['params'][]> = {
      quiet: [],
      chatty: [],
    };
    quiet.setNotificationHandler('notifications/message', (n) => void heard.quiet.push(n.params));
    chatty.setNotificationHandler('notifications/message', (n) => void heard.chatty.push(n.params));
    await quiet.setLoggingLevel('warning');
    await chatty.setLoggingLevel('debug');

    const upstream = servers.at(-1)!;
    // The upstream was asked for the least severe level any session wants, so debug gets through.
    await until(() => {
      void upstream.sendLoggingMessage({ level: 'debug', data: 'probe' });
      return heard.chatty.length > 0;
    }, 'the upstream level lowered to debug');
    await upstream.sendLoggingMessage({ level: 'info', logger: 'db', data: 'connected' });
    await upstream.sendLoggingMessage({ level: 'error', data: 'disk full' });
    const real = () => heard.chatty.filter((params) => params.data !== 'probe');
    await until(() => real().length === 2 && heard.quiet.length === 1, 'messages relayed');
    expect(real()).toEqual([
      { level: 'info', logger: 'noisy/db', data: 'connected' },
      { level: 'error', logger: 'noisy', data: 'disk full' },
    ]);
    expect(heard.quiet).toEqual([{ level: 'error', logger: 'noisy', data: 'disk full' }]);
  });
});
