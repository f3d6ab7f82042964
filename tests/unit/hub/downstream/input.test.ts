/**
 * Server → client requests through the hub (issue 3, item 7): elicitation, sampling and roots go
 * ONLY to the session whose call caused them, across both protocol eras, with the dashboard as
 * the fallback for elicitation and a clear error for the rest.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  Client,
  InMemoryTransport,
  type ElicitResult,
} from '@modelcontextprotocol/client';
import { McpServer, inputRequired } from '@modelcontextprotocol/server';
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

const SCHEMA = {
  type: 'object' as const,
  properties: {
    name: { type: 'string' as const, title: 'Name' },
    color: { type: 'string' as const, title: 'Colour', default: 'blue' },
  },
  required: ['name'],
};

/**
 * A server whose tools ask the client for input, written once for both eras: on 2026-07-28 the
 * SDK returns `input_required`; on a 2025-era connection its legacy shim sends real requests.
 */
function askingServer(): McpServer {
  const server = new McpServer({ name: 'asker', version: '1.0.0' });
  server.registerTool('ask', { inputSchema: z.object({}) }, async (_args, ctx) => {
    const answer = ctx.mcpReq.inputResponses?.q;
    if (!answer) {
      return inputRequired({
        inputRequests: {
          q: inputRequired.elicit({ message: 'Who are you?', requestedSchema: SCHEMA }),
        },
      });
    }
    return { content: [{ type: 'text', text: JSON.stringify(answer) }] };
  });
  server.registerTool('sample', { inputSchema: z.object({}) }, async (_args, ctx) => {
    const answer = ctx.mcpReq.inputResponses?.s;
    if (!answer) {
      return inputRequired({
        inputRequests: {
          s: inputRequired.createMessage({
            messages: [{ role: 'user', content: { type: 'text', text: 'Say hi' } }],
            maxTokens: 10,
          }),
        },
      });
    }
    return { content: [{ type: 'text', text: JSON.stringify(answer) }] };
  });
  // What the request says its client can do (2026-07-28 only: a 2025 connection says it once).
  server.registerTool('capabilities', { inputSchema: z.object({}) }, async (_args, ctx) => {
    const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
    const declared = envelope?.[CLIENT_CAPABILITIES_META_KEY] ?? null;
    return { content: [{ type: 'text', text: JSON.stringify(declared) }] };
  });
  return server;
}

async function hubWith(
  modern: boolean,
  upstreams = new MemoryUpstreams(),
  clock?: FakeClock,
): Promise<Hub> {
  const url = upstreams.add('asker', askingServer);
  if (modern) upstreams.modern.add('asker');
  const hub = await createHub({
    policy: allowAllPolicy,
    connectors: [upstreams.connector],
    ...(clock ? { clock } : {}),
  });
  hubs.push(hub);
  await hub.admin.addServer({
    name: 'asker',
    slug: 'asker',
    url,
    transport: 'streamable-http',
    headers: [],
  });
  await until(
    () =>
      hub.admin.listServers().find((server) => server.slug === 'asker')?.status.state === 'ready',
    'asker ready',
  );
  return hub;
}

interface TestClient {
  client: Client;
  asked: ElicitResult['content'][];
}

/** A client that answers every elicitation with a name only (no colour) and counts them. */
async function clientOf(
  hub: Hub,
  name: string,
  options: { modern?: boolean; elicitation?: boolean } = {},
): Promise<TestClient> {
  const client = new Client(
    { name, version: '1.0.0' },
    {
      capabilities: options.elicitation === false ? {} : { elicitation: { form: {} } },
      ...(options.modern ? { versionNegotiation: { mode: 'auto' as const } } : {}),
    },
  );
  const asked: TestClient['asked'] = [];
  if (options.elicitation !== false) {
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push((request.params as { message: string }).message as never);
      return { action: 'accept', content: { name } };
    });
  }
  const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
  await hub.connect(hubSide, { origin: 'test', clientName: name, sessionId: crypto.randomUUID() });
  await client.connect(clientSide);
  return { client, asked };
}

function textOf(result: unknown): string {
  return (result as { content: Array<{ text: string }> }).content[0]!.text;
}

describe.each([
  ['a 2025-era server', false],
  ['a 2026-07-28 server', true],
])('elicitation from %s', (_label, modernServer) => {
  it('negotiates the era it should', async () => {
    const hub = await hubWith(modernServer);
    const version = hub.admin
      .listServers()
      .find((server) => server.slug === 'asker')?.protocolVersion;
    expect(version).toBe(modernServer ? '2026-07-28' : '2025-11-25');
  });

  it('keeps the server ready through its health checks', async () => {
    const upstreams = new MemoryUpstreams();
    const clock = new FakeClock();
    const hub = await hubWith(modernServer, upstreams, clock);
    const connects = upstreams.connects;
    // 2026-07-28 has no ping: a health check that sent one would fail and reconnect each time.
    for (let check = 0; check < 3; check++) await clock.advance(5_000);
    expect(hub.admin.listServers().find((server) => server.slug === 'asker')?.status).toEqual({
      state: 'ready',
    });
    expect(upstreams.connects).toBe(connects);
  });

  it.each([
    ['a 2025-era client', false],
    ['a 2026-07-28 client', true],
  ])(
    'reaches only the calling session, %s, with schema defaults filled in',
    async (_client, modernClient) => {
      const hub = await hubWith(modernServer);
      const caller = await clientOf(hub, 'caller', { modern: modernClient });
      const bystander = await clientOf(hub, 'bystander', { modern: modernClient });
      const result = await caller.client.callTool({ name: 'asker__ask', arguments: {} });
      expect(JSON.parse(textOf(result))).toEqual({
        action: 'accept',
        content: { name: 'caller', color: 'blue' },
      });
      expect(caller.asked).toEqual(['Who are you?']);
      expect(bystander.asked).toEqual([]);
      const eras = hub.admin.listSessions().map((session) => session.era);
      expect(eras).toEqual(modernClient ? ['modern', 'modern'] : ['legacy', 'legacy']);
    },
  );

  it('goes to the person in the dashboard when the client cannot answer', async () => {
    const hub = await hubWith(modernServer);
    // A dashboard is open (every open dashboard listens to the hub's events).
    hub.events.subscribe(() => {});
    const { client } = await clientOf(hub, 'plain', { elicitation: false });
    const call = client.callTool({ name: 'asker__ask', arguments: {} });
    await until(() => hub.admin.listElicitations().length === 1, 'the dashboard shows the request');
    const [shown] = hub.admin.listElicitations();
    expect(shown).toMatchObject({
      serverSlug: 'asker',
      clientName: 'plain',
      message: 'Who are you?',
      mode: 'form',
      requestedSchema: SCHEMA,
    });
    hub.admin.answerElicitation(shown!.id, { action: 'accept', content: { name: 'Ada' } });
    expect(JSON.parse(textOf(await call))).toEqual({
      action: 'accept',
      content: { name: 'Ada', color: 'blue' },
    });
    expect(hub.admin.listElicitations()).toEqual([]);
  });

  it('takes the request off the dashboard when the client cancels its call', async () => {
    const hub = await hubWith(modernServer);
    // A dashboard is open (every open dashboard listens to the hub's events).
    hub.events.subscribe(() => {});
    const { client } = await clientOf(hub, 'impatient', { elicitation: false });
    const abort = new AbortController();
    const call = client.callTool({ name: 'asker__ask', arguments: {} }, { signal: abort.signal });
    await until(() => hub.admin.listElicitations().length === 1, 'the dashboard shows the request');
    abort.abort('gave up');
    await expect(call).rejects.toThrow();
    await until(
      () => hub.admin.listElicitations().length === 0,
      'the request leaves the dashboard',
    );
  });

  it('refuses sampling for a client without it, naming the client', async () => {
    const hub = await hubWith(modernServer);
    const { client } = await clientOf(hub, 'no-sampling');
    const outcome = await client
      .callTool({ name: 'asker__sample', arguments: {} })
      .then((result) => JSON.stringify(result))
      .catch((error: unknown) => String(error));
    // A 2026-07-28 server hears the caller cannot sample and refuses before it asks; a 2025 one
    // (one connection for every client) asks, and the hub refuses on the client's behalf.
    expect(outcome).toMatch(
      modernServer
        ? /sampling\/createMessage.*client capabilities do not declare the required capability/
        : /client 'no-sampling' does not support sampling/,
    );
  });
});

describe('a 2026-07-28 server', () => {
  it('hears what the calling client can do, plus elicitation while a dashboard is open', async () => {
    const hub = await hubWith(true);
    const plain = await clientOf(hub, 'plain', { elicitation: false });
    const rich = new Client(
      { name: 'rich', version: '1.0.0' },
      { capabilities: { sampling: {}, roots: {}, elicitation: { form: {} } } },
    );
    const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
    await hub.connect(hubSide, { origin: 'test', clientName: 'rich', sessionId: 'rich-1' });
    await rich.connect(clientSide);
    const declared = async (client: Client) =>
      JSON.parse(textOf(await client.callTool({ name: 'asker__capabilities', arguments: {} })));
    // Nobody could answer an elicitation the client cannot: the server hears nothing of it.
    expect(await declared(plain.client)).toEqual({});
    expect(await declared(rich)).toEqual({ elicitation: { form: {} }, sampling: {}, roots: {} });
    // A dashboard opens: the person can answer, in either mode.
    const stop = hub.events.subscribe(() => {});
    expect(await declared(plain.client)).toEqual({ elicitation: { form: {}, url: {} } });
    stop();
  });
});

describe('a 2026-07-28 retry', () => {
  it('continues only the request whose requestState it carries', async () => {
    const hub = await hubWith(true);
    const client = new Client(
      { name: 'manual', version: '1.0.0' },
      {
        capabilities: { elicitation: { form: {} } },
        versionNegotiation: { mode: 'auto' },
        inputRequired: { autoFulfill: false },
      },
    );
    const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
    await hub.connect(hubSide, { origin: 'test', clientName: 'manual', sessionId: 'm1' });
    await client.connect(clientSide);
    const asked = (await client.callTool(
      { name: 'asker__ask', arguments: {} },
      { allowInputRequired: true },
    )) as unknown as { resultType: string; requestState: string };
    expect(asked.resultType).toBe('input_required');
    const elsewhere = {
      name: 'asker__sample',
      arguments: {},
      requestState: asked.requestState,
      inputResponses: { q: { action: 'accept', content: { name: 'Eve' } } },
    };
    await expect(client.callTool(elsewhere as never)).rejects.toThrow(
      /belongs to another request \(tools\/call ask\)/,
    );
    // The flow it belongs to is still there for the right retry.
    const answered = await client.callTool({
      name: 'asker__ask',
      arguments: {},
      requestState: asked.requestState,
      inputResponses: { q: { action: 'accept', content: { name: 'Ada' } } },
    } as never);
    expect(JSON.parse(textOf(answered))).toEqual({
      action: 'accept',
      content: { name: 'Ada', color: 'blue' },
    });
  });

  /** A 2026-07-28 client of `origin` named `name` that answers input by hand, on its own connection. */
  async function manualClient(hub: Hub, origin: string, name: string): Promise<Client> {
    const client = new Client(
      { name, version: '1.0.0' },
      {
        capabilities: { elicitation: { form: {} } },
        versionNegotiation: { mode: 'auto' },
        inputRequired: { autoFulfill: false },
      },
    );
    const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
    await hub.connect(hubSide, { origin, clientName: name, sessionId: crypto.randomUUID() });
    await client.connect(clientSide);
    return client;
  }

  it('continues a call on a new connection, and refuses its requestState to another client', async () => {
    const hub = await hubWith(true);
    const first = await manualClient(hub, 'https://chat.test', 'stateless');
    const asked = (await first.callTool(
      { name: 'asker__ask', arguments: {} },
      { allowInputRequired: true },
    )) as unknown as { resultType: string; requestState: string };
    expect(asked.resultType).toBe('input_required');
    // A stateless HTTP client opens a connection per request: the first one is gone.
    await first.close();
    const retry = {
      name: 'asker__ask',
      arguments: {},
      requestState: asked.requestState,
      inputResponses: { q: { action: 'accept', content: { name: 'Ada' } } },
    };

    // Another page (another origin), and a client of the same origin under another name.
    const stranger = await manualClient(hub, 'https://evil.test', 'stateless');
    await expect(stranger.callTool(retry as never)).rejects.toThrow(
      /requestState was given to another client/,
    );
    const sibling = await manualClient(hub, 'https://chat.test', 'other');
    await expect(sibling.callTool(retry as never)).rejects.toThrow(
      /requestState was given to another client/,
    );

    const again = await manualClient(hub, 'https://chat.test', 'stateless');
    const answered = await again.callTool(retry as never);
    expect(JSON.parse(textOf(answered))).toEqual({
      action: 'accept',
      content: { name: 'Ada', color: 'blue' },
    });
    // Used once: the same state cannot continue the call a second time.
    await expect(again.callTool(retry as never)).rejects.toThrow(/no longer has the call/);
  });
});
