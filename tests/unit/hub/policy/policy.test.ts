/**
 * The policy seam on every path: a deny policy refuses every request a client can make (lists,
 * tools, prompts, resources, templates, completion, subscribe, log level) with Nexus's "denied"
 * error, an "ask" policy with "consent required", and a filtering policy hides items from every
 * list, item by item. The actions carry what a consent prompt and a pin need: the principal as
 * the hub was given it, the tool's full definition and the arguments.
 */
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { Server } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import { NexusErrorCode } from '../../../../src/protocol/errors.ts';
import { allowAllPolicy, createHub, type Hub } from '../../../../src/hub/index.ts';
import type {
  Listed,
  ListKind,
  Policy,
  PolicyAction,
  PolicyDecision,
  Principal,
} from '../../../../src/hub/policy/policy.ts';
import { protocolError } from '../../../support/protocol-error.ts';
import { MemoryUpstreams } from '../../../support/memory-upstreams.ts';
import { until } from '../../../support/until.ts';

const hubs: Hub[] = [];
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});

/** A server with two of everything, completions, subscriptions and logging. */
function shop(label: string): () => Server {
  return () => {
    const server = new Server(
      { name: label, version: '1.0.0' },
      {
        capabilities: {
          tools: {},
          prompts: {},
          resources: { subscribe: true },
          completions: {},
          logging: {},
        },
      },
    );
    server.setRequestHandler('tools/list', async () => ({
      tools: ['open', 'secret'].map((name) => ({
        name,
        description: `${name} of ${label}`,
        inputSchema: { type: 'object' as const, properties: { n: { type: 'number' } } },
        annotations: { readOnlyHint: name === 'open' },
      })),
    }));
    server.setRequestHandler('tools/call', async (request) => ({
      content: [{ type: 'text', text: `${label}:${request.params.name}` }],
    }));
    server.setRequestHandler('prompts/list', async () => ({
      prompts: [{ name: 'open' }, { name: 'secret' }],
    }));
    server.setRequestHandler('prompts/get', async () => ({ messages: [] }));
    server.setRequestHandler('resources/list', async () => ({
      resources: [
        { uri: `memo://${label}/open`, name: 'open' },
        { uri: `memo://${label}/secret`, name: 'secret' },
      ],
    }));
    server.setRequestHandler('resources/templates/list', async () => ({
      resourceTemplates: [
        { uriTemplate: `book://${label}/{id}`, name: 'open' },
        { uriTemplate: `note://${label}/{id}`, name: 'secret' },
      ],
    }));
    server.setRequestHandler('resources/read', async (request) => ({
      contents: [{ uri: request.params.uri, text: 'x' }],
    }));
    server.setRequestHandler('resources/subscribe', async () => ({}));
    server.setRequestHandler('resources/unsubscribe', async () => ({}));
    server.setRequestHandler('completion/complete', async () => ({
      completion: { values: ['1'] },
    }));
    server.setRequestHandler('logging/setLevel', async () => ({}));
    return server;
  };
}

/** A policy that answers `decision` to every action but lists, and records what it was asked. */
function recording(decision: PolicyDecision, hide: (listed: Listed) => boolean = () => false) {
  const asked: Array<{ principal: Principal; action: PolicyAction }> = [];
  const filtered: ListKind[] = [];
  const policy: Policy = {
    authorize: (principal, action) => {
      asked.push({ principal, action });
      return action.type === 'list' ? 'allow' : decision;
    },
    filter: (_principal, items) => {
      if (items[0]) filtered.push(items[0].kind);
      const kept = items.filter((listed) => !hide(listed));
      return kept.length === items.length ? items : kept;
    },
  };
  return { policy, asked, filtered };
}

async function hubWith(policy: Policy): Promise<{ hub: Hub; client: Client }> {
  const upstreams = new MemoryUpstreams();
  const hub = await createHub({ policy, connectors: [upstreams.connector] });
  hubs.push(hub);
  for (const label of ['alpha', 'beta']) {
    const url = upstreams.add(label, shop(label) as never);
    await hub.admin.addServer({ name: label, slug: label, url, transport: 'sse', headers: [] });
  }
  await until(
    () => hub.admin.listServers().every((server) => server.status.state === 'ready'),
    'servers ready',
  );
  const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
  await hub.connect(hubSide, {
    origin: 'https://client.example',
    clientName: 'tester',
    sessionId: 'session-1',
  });
  const client = new Client({ name: 'tester', version: '1.0.0' });
  await client.connect(clientSide);
  clients.push(client);
  return { hub, client };
}

/** Every request a client can make that is not a list. */
const REQUESTS: Array<[string, (client: Client) => Promise<unknown>]> = [
  ['tools/call', (c) => c.callTool({ name: 'alpha__open', arguments: { n: 1 } })],
  ['prompts/get', (c) => c.getPrompt({ name: 'alpha__open' })],
  ['resources/read', (c) => c.readResource({ uri: 'memo://alpha/open' })],
  ['resources/subscribe', (c) => c.subscribeResource({ uri: 'memo://alpha/open' })],
  [
    'completion/complete (template)',
    (c) =>
      c.complete({
        ref: { type: 'ref/resource', uri: 'book://alpha/{id}' },
        argument: { name: 'id', value: '' },
      }),
  ],
  [
    'completion/complete (prompt)',
    (c) =>
      c.complete({
        ref: { type: 'ref/prompt', name: 'alpha__open' },
        argument: { name: 'x', value: '' },
      }),
  ],
  ['logging/setLevel', (c) => c.setLoggingLevel('debug')],
];

describe('a deny policy', () => {
  it.each(REQUESTS)('refuses %s with the denied code, naming the client', async (_, request) => {
    const { client } = await hubWith(recording('deny').policy);
    const error = await protocolError(request(client));
    expect(error.code).toBe(NexusErrorCode.Denied);
    expect(error.message).toContain("client 'tester'");
    expect((error.data as { nexus: string; next: string }).nexus).toBe('denied');
    expect((error.data as { next: string }).next).toMatch(/dashboard/);
  });

  it('refuses every list with the denied code', async () => {
    const policy: Policy = { ...allowAllPolicy, authorize: () => 'deny' };
    const { client } = await hubWith(policy);
    for (const list of [
      () => client.listTools(),
      () => client.listPrompts(),
      () => client.listResources(),
      () => client.listResourceTemplates(),
    ]) {
      expect((await protocolError(list())).code).toBe(NexusErrorCode.Denied);
    }
  });

  it('names the server and tool a denied call was for', async () => {
    const { client } = await hubWith(recording('deny').policy);
    const error = await protocolError(client.callTool({ name: 'beta__secret', arguments: {} }));
    expect(error.data).toMatchObject({ server: 'beta', tool: 'beta__secret' });
  });
});

describe('an ask policy', () => {
  it.each(REQUESTS)('answers %s with consent required (no way to ask yet)', async (_, request) => {
    const { client } = await hubWith(recording('ask').policy);
    const error = await protocolError(request(client));
    expect(error.code).toBe(NexusErrorCode.ConsentRequired);
    expect((error.data as { nexus: string }).nexus).toBe('consent-required');
  });
});

describe('the actions a policy sees', () => {
  it('carry the principal, the tool definition and the arguments', async () => {
    const { policy, asked } = recording('allow');
    const { client } = await hubWith(policy);
    const result = await client.callTool({ name: 'beta__secret', arguments: { n: 7 } });
    expect(result.content).toEqual([{ type: 'text', text: 'beta:secret' }]);
    const call = asked.find((each) => each.action.type === 'call-tool');
    expect(call?.principal).toEqual({
      origin: 'https://client.example',
      clientName: 'tester',
      sessionId: 'session-1',
    });
    expect(call?.action).toMatchObject({
      type: 'call-tool',
      tool: 'beta__secret',
      arguments: { n: 7 },
      definition: {
        name: 'secret',
        description: 'secret of beta',
        inputSchema: { type: 'object', properties: { n: { type: 'number' } } },
        annotations: { readOnlyHint: false },
      },
    });
  });
});

describe('a filtering policy', () => {
  /** The ids of the two shops, known once the hub has them; the built-in server is hidden too. */
  const shops = new Map<string, string>();
  const shopIdsOf = (hub: Hub) => {
    for (const server of hub.admin.listServers()) shops.set(server.slug, server.id);
  };
  const nameOf = (listed: Listed): string => ('name' in listed.item ? listed.item.name : '');

  it('hides items from every list, item by item, and leaves the rest in order', async () => {
    const { policy, filtered } = recording(
      'allow',
      (listed) =>
        ![shops.get('alpha'), shops.get('beta')].includes(listed.serverId) ||
        nameOf(listed).includes('secret'),
    );
    const { hub, client } = await hubWith(policy);
    shopIdsOf(hub);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual([
      'alpha__open',
      'beta__open',
    ]);
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual([
      'alpha__open',
      'beta__open',
    ]);
    expect((await client.listResources()).resources.map((resource) => resource.uri)).toEqual([
      'memo://alpha/open',
      'memo://beta/open',
    ]);
    expect(
      (await client.listResourceTemplates()).resourceTemplates.map((each) => each.uriTemplate),
    ).toEqual(['book://alpha/{id}', 'book://beta/{id}']);
    expect(new Set(filtered)).toEqual(new Set(['prompts', 'resources', 'templates', 'tools']));
  });

  it('sees which server each item comes from', async () => {
    const { policy } = recording('allow', (listed) => listed.serverId !== shops.get('alpha'));
    const { hub, client } = await hubWith(policy);
    shopIdsOf(hub);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual([
      'alpha__open',
      'alpha__secret',
    ]);
  });
});
