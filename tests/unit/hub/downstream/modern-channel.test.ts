/**
 * What 2026-07-28 moved out of the connection (issue 3, items 2, 5 and 6 across eras): list
 * changes and resource updates travel on `subscriptions/listen` streams, log levels ride on each
 * request. The hub listens to modern servers, serves modern clients' streams, and bridges both to
 * the 2025 era. Also: a call's timeout stands still while its client (or person) answers.
 */
import {
  Client,
  InMemoryTransport,
  LOG_LEVEL_META_KEY,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { allowAllPolicy, createHub, type Hub } from '../../../../src/hub/index.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { MemoryUpstreams } from '../../../support/memory-upstreams.ts';
import { until } from '../../../support/until.ts';

const hubs: Hub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
});

const FEED = 'feed://news';

/** Counts what reached a server that takes subscriptions the 2025 way. */
interface Counts {
  subscribe: number;
  unsubscribe: number;
}

/**
 * A server with a subscribable feed and a `chatty` tool that logs at three levels. Served as
 * 2026-07-28 or 2025-11-25 depending on how the test registers it.
 */
function feedServer(counts: Counts = { subscribe: 0, unsubscribe: 0 }) {
  return () => {
    const server = new McpServer(
      { name: 'feeds', version: '1.0.0' },
      { capabilities: { logging: {}, resources: { subscribe: true, listChanged: true } } },
    );
    server.registerResource('news', FEED, {}, async (uri) => ({
      contents: [{ uri: uri.href, text: 'latest' }],
    }));
    server.registerTool('chatty', { inputSchema: z.object({}) }, async (_args, ctx) => {
      await ctx.mcpReq.log('debug', 'detail');
      await ctx.mcpReq.log('info', 'progressing');
      await ctx.mcpReq.log('error', 'something broke');
      return { content: [{ type: 'text', text: 'done' }] };
    });
    // The 2025 way to subscribe (a 2026-07-28 client names URIs in its listen filter instead).
    server.server.setRequestHandler('resources/subscribe', async () => {
      counts.subscribe++;
      return {};
    });
    server.server.setRequestHandler('resources/unsubscribe', async () => {
      counts.unsubscribe++;
      return {};
    });
    return server;
  };
}

async function hubWith(
  modernServer: boolean,
  options: {
    counts?: Counts;
    clock?: FakeClock;
    timeoutMs?: number;
    factory?: () => McpServer;
  } = {},
) {
  const upstreams = new MemoryUpstreams();
  const url = upstreams.add('feeds', options.factory ?? feedServer(options.counts));
  if (modernServer) upstreams.modern.add('feeds');
  const hub = await createHub({
    policy: allowAllPolicy,
    connectors: [upstreams.connector],
    ...(options.clock ? { clock: options.clock } : {}),
  });
  hubs.push(hub);
  await hub.admin.addServer({
    name: 'feeds',
    slug: 'feeds',
    url,
    transport: 'streamable-http',
    headers: [],
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  await until(
    () =>
      hub.admin.listServers().find((server) => server.slug === 'feeds')?.status.state === 'ready',
    'feeds ready',
  );
  const version = hub.admin
    .listServers()
    .find((server) => server.slug === 'feeds')?.protocolVersion;
  expect(version).toBe(modernServer ? '2026-07-28' : '2025-11-25');
  /** The live server instance (the newest: the 2026-07-28 entry builds one per connection). */
  const live = () => upstreams.instances.get('feeds')!.at(-1)!;
  return { hub, live, upstreams };
}

async function clientOf(hub: Hub, name: string, modern = false): Promise<Client> {
  const client = new Client(
    { name, version: '1.0.0' },
    modern ? { versionNegotiation: { mode: 'auto' as const } } : {},
  );
  const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
  await hub.connect(hubSide, { origin: 'test', clientName: name, sessionId: crypto.randomUUID() });
  await client.connect(clientSide);
  expect(client.getNegotiatedProtocolVersion()).toBe(modern ? '2026-07-28' : '2025-11-25');
  return client;
}

function logsOf(client: Client): LoggingMessageNotification['params'][] {
  const seen: LoggingMessageNotification['params'][] = [];
  client.setNotificationHandler('notifications/message', (notification) => {
    seen.push(notification.params);
  });
  return seen;
}

describe('a 2026-07-28 server', () => {
  it('has its list changes heard on the stream the hub listens to', async () => {
    const { hub, live } = await hubWith(true);
    const client = await clientOf(hub, 'legacy');
    let changed = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => void changed++);
    live().registerTool('late', { inputSchema: z.object({}) }, async () => ({ content: [] }));
    await until(() => changed > 0, 'tools/list_changed relayed');
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('feeds__late');
  });

  it('reports resource updates to the subscribed 2025-era client only', async () => {
    const { hub, live, upstreams } = await hubWith(true);
    const subscriber = await clientOf(hub, 'subscriber');
    const bystander = await clientOf(hub, 'bystander');
    const updates = { subscriber: 0, bystander: 0 };
    subscriber.setNotificationHandler('notifications/resources/updated', () => {
      updates.subscriber++;
    });
    bystander.setNotificationHandler('notifications/resources/updated', () => {
      updates.bystander++;
    });
    await subscriber.subscribeResource({ uri: FEED });
    await live().server.sendResourceUpdated({ uri: FEED });
    await until(() => updates.subscriber === 1, 'the subscriber updated');

    await subscriber.unsubscribeResource({ uri: FEED });
    let listChanged = 0;
    subscriber.setNotificationHandler('notifications/resources/list_changed', () => {
      listChanged++;
    });
    // The hub's new stream no longer names the feed, so the server does not even send this
    // update; the list change after it, on the same stream, shows it had its chance to.
    const sent = upstreams.notified.get('feeds')!;
    sent.length = 0;
    await live().server.sendResourceUpdated({ uri: FEED });
    await live().server.sendResourceListChanged();
    await until(() => listChanged > 0, 'the later notification');
    expect(sent).toEqual(['notifications/resources/list_changed']);
    expect(updates).toEqual({ subscriber: 1, bystander: 0 });
  });

  it('logs at the level a 2025-era client set, sent with each call', async () => {
    const { hub } = await hubWith(true);
    const client = await clientOf(hub, 'legacy');
    const seen = logsOf(client);
    await client.setLoggingLevel('info');
    await client.callTool({ name: 'feeds__chatty', arguments: {} });
    await until(() => seen.length === 2, 'two log messages');
    expect(seen.map((entry) => [entry.level, entry.logger, entry.data])).toEqual([
      ['info', 'feeds', 'progressing'],
      ['error', 'feeds', 'something broke'],
    ]);
  });
});

describe('a 2026-07-28 client', () => {
  it('gets the log messages of its own call at the level the call carries', async () => {
    const { hub } = await hubWith(true);
    const asking = await clientOf(hub, 'asking', true);
    const quiet = await clientOf(hub, 'quiet', true);
    const asked = logsOf(asking);
    const unasked = logsOf(quiet);
    await asking.callTool({
      name: 'feeds__chatty',
      arguments: {},
      _meta: { [LOG_LEVEL_META_KEY]: 'warning' },
    });
    await quiet.callTool({ name: 'feeds__chatty', arguments: {} });
    expect(asked.map((entry) => [entry.level, entry.data])).toEqual([['error', 'something broke']]);
    expect(unasked).toEqual([]);
  });

  it('subscribes through its listen filter, once upstream, and ends it by closing', async () => {
    const counts = { subscribe: 0, unsubscribe: 0 };
    const { hub, live } = await hubWith(false, { counts });
    const client = await clientOf(hub, 'modern', true);
    expect(client.getServerCapabilities()?.resources?.subscribe).toBe(true);
    let updates = 0;
    client.setNotificationHandler('notifications/resources/updated', (notification) => {
      if (notification.params.uri === FEED) updates++;
    });
    const subscription = await client.listen({ resourceSubscriptions: [FEED] });
    expect(subscription.honoredFilter.resourceSubscriptions).toEqual([FEED]);
    await until(() => counts.subscribe === 1, 'the upstream subscription');
    await live().server.sendResourceUpdated({ uri: FEED });
    await until(() => updates === 1, 'the update on the stream');

    await subscription.close();
    await until(() => counts.unsubscribe === 1, 'the upstream unsubscription');
  });
});

describe('a call waiting for an answer', () => {
  /** A 2025-era tool that asks the client, through the SDK's legacy request path. */
  function askingServer(): McpServer {
    const server = new McpServer({ name: 'asker', version: '1.0.0' });
    server.registerTool('ask', { inputSchema: z.object({}) }, async (_args, ctx) => {
      const answer = await ctx.mcpReq.elicitInput({
        message: 'Who are you?',
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
      });
      return { content: [{ type: 'text', text: JSON.stringify(answer.content) }] };
    });
    return server;
  }

  it('withdraws the question from the client when the server gives up on it', async () => {
    const server = () => {
      const impatient = new McpServer({ name: 'impatient', version: '1.0.0' });
      impatient.registerTool('ask', { inputSchema: z.object({}) }, async (_args, ctx) => {
        try {
          // The server's own timeout: the SDK sends `notifications/cancelled` when it runs out.
          await ctx.mcpReq.elicitInput(
            { message: 'Quick!', requestedSchema: { type: 'object', properties: {} } },
            { timeout: 50 },
          );
          return { content: [{ type: 'text', text: 'answered' }] };
        } catch {
          return { content: [{ type: 'text', text: 'gave up' }] };
        }
      });
      return impatient;
    };
    const { hub } = await hubWith(false, { factory: server });
    const client = new Client(
      { name: 'dawdler', version: '1.0.0' },
      { capabilities: { elicitation: { form: {} } } },
    );
    let withdrawn = false;
    client.setRequestHandler('elicitation/create', async (_request, ctx) => {
      await new Promise<void>((resolve) =>
        ctx.mcpReq.signal.addEventListener('abort', () => resolve()),
      );
      withdrawn = true;
      return { action: 'cancel' };
    });
    const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
    await hub.connect(hubSide, { origin: 'test', clientName: 'dawdler', sessionId: 'dawdler' });
    await client.connect(clientSide);

    const result = await client.callTool({ name: 'feeds__ask', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'gave up' }]);
    await until(() => withdrawn, 'the question withdrawn from the client');
  });

  it('does not time out while its client answers', async () => {
    const clock = new FakeClock();
    const { hub } = await hubWith(false, { clock, timeoutMs: 1_000, factory: askingServer });
    const client = new Client(
      { name: 'slow-reader', version: '1.0.0' },
      { capabilities: { elicitation: { form: {} } } },
    );
    let answer!: () => void;
    let asked = false;
    client.setRequestHandler('elicitation/create', async () => {
      asked = true;
      await new Promise<void>((resolve) => (answer = resolve));
      return { action: 'accept', content: { name: 'Ada' } };
    });
    const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
    await hub.connect(hubSide, { origin: 'test', clientName: 'slow', sessionId: 'slow' });
    await client.connect(clientSide);

    const call = client.callTool({ name: 'feeds__ask', arguments: {} });
    await until(() => asked, 'the question reached the client');
    // The person reads for a minute: far past the server's 1 s timeout.
    await clock.advance(60_000);
    answer();
    const result = await call;
    expect(result.content).toEqual([{ type: 'text', text: '{"name":"Ada"}' }]);
  });
});
