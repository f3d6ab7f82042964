/**
 * A hub with the person's `ConsentPolicy` on memory stores and one in-memory server, `shop`
 * (`look`: read-only; `wipe`: destructive), for the consent tests: clients of one origin connect,
 * wait for the person, and are approved through the hub's person queue as the dashboard would.
 * Call `closeConsentWorlds()` after each test.
 */
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { McpServer, type RegisteredTool } from '@modelcontextprotocol/server';
import * as z from 'zod/v4';
import { createHub, type Hub } from '../../src/hub/index.ts';
import {
  MemoryGrantStore,
  MemoryJournalStore,
  MemoryPinStore,
  MemoryRegistryStore,
} from '../../src/hub/memory-stores.ts';
import { CLIENT_APPROVAL } from '../../src/hub/person/consent.ts';
import { systemClock } from '../../src/hub/platform.ts';
import { ConsentPolicy } from '../../src/hub/policy/consent-policy.ts';
import { MemoryUpstreams } from './memory-upstreams.ts';
import { until } from './until.ts';

const cleanups: Array<() => Promise<unknown>> = [];

/** Closes every hub and client the helpers below made, newest first. */
export async function closeConsentWorlds(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

export const ORIGIN = 'http://127.0.0.1:5173';

/** The newest shop's `look` tool: a test changes its description to pull the rug. */
export let look: RegisteredTool | undefined;

export function shop(): McpServer {
  const server = new McpServer({ name: 'shop', version: '1.0.0' });
  look = server.registerTool(
    'look',
    { description: 'Looks at the shop.', annotations: { readOnlyHint: true } },
    async () => ({ content: [{ type: 'text', text: 'looked' }] }),
  );
  server.registerTool(
    'wipe',
    {
      description: 'Wipes the shop.',
      inputSchema: z.object({ reason: z.string() }),
      annotations: { destructiveHint: true },
    },
    async ({ reason }) => ({ content: [{ type: 'text', text: `wiped: ${reason}` }] }),
  );
  server.registerPrompt('brief', { description: 'A briefing.' }, () => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'Brief me.' } }],
  }));
  server.registerResource('stock', 'shop://stock', { mimeType: 'text/plain' }, (uri) => ({
    contents: [{ uri: uri.href, text: '3 apples' }],
  }));
  // Subscriptions too (McpServer has no API of its own for them).
  server.server.registerCapabilities({ resources: { subscribe: true } });
  server.server.setRequestHandler('resources/subscribe', async () => ({}));
  return server;
}

export interface World {
  registry: MemoryRegistryStore;
  grants: MemoryGrantStore;
  pins: MemoryPinStore;
  journal: MemoryJournalStore;
  upstreams: MemoryUpstreams;
  url: string;
}

export function world(): World {
  const upstreams = new MemoryUpstreams();
  return {
    registry: new MemoryRegistryStore(),
    grants: new MemoryGrantStore(),
    pins: new MemoryPinStore(),
    journal: new MemoryJournalStore(),
    upstreams,
    url: upstreams.add('shop', shop),
  };
}

/** A hub on `w`'s stores; `watched`: a dashboard is open (it listens to the hub's events). */
export async function hubOn(
  w: World,
  options: {
    watched?: boolean;
    consentWaitMs?: number;
    notify?: (request: { id: string; title: string; body: string }) => Promise<boolean>;
  } = {},
): Promise<{ hub: Hub; policy: ConsentPolicy; unwatch(): void }> {
  const policy = new ConsentPolicy({ grants: w.grants, pins: w.pins, clock: systemClock });
  const hub = await createHub({
    policy,
    registry: w.registry,
    journal: w.journal,
    connectors: [w.upstreams.connector],
    startupGraceMs: 0,
    ...(options.consentWaitMs ? { consentWaitMs: options.consentWaitMs } : {}),
    ...(options.notify ? { notify: options.notify } : {}),
  });
  cleanups.push(() => hub.close());
  let unwatch = (): void => {};
  if (options.watched ?? true) {
    unwatch = hub.events.subscribe(() => {});
    cleanups.push(async () => unwatch());
  }
  if (!hub.admin.listServers().some((server) => server.slug === 'shop')) {
    await hub.admin.addServer({
      name: 'shop',
      slug: 'shop',
      url: w.url,
      transport: 'streamable-http',
      headers: [],
    });
  }
  await until(
    () => hub.admin.listServers().find((s) => s.slug === 'shop')?.status.state === 'ready',
    'the shop to be ready',
  );
  return { hub, policy, unwatch: () => unwatch() };
}

/** A client page of ORIGIN named `name`, with the `list_changed` notifications it heard. */
export async function clientOf(hub: Hub, name = 'chat', era: 'modern' | 'legacy' = 'legacy') {
  const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
  await hub.connect(hubSide, { origin: ORIGIN, clientName: name, sessionId: crypto.randomUUID() });
  // `modern`: the stateless 2026-07-28 revision (the client opens with server/discover).
  const client = new Client(
    { name, version: '1.0.0' },
    era === 'modern' ? { versionNegotiation: { mode: 'auto' as const } } : {},
  );
  const heard: string[] = [];
  client.setNotificationHandler('notifications/tools/list_changed', () => {
    heard.push('tools');
  });
  await client.connect(clientSide);
  cleanups.push(() => client.close());
  return { client, heard };
}

/** The id of the newest request of `kind` waiting for the person, once there is one. */
export async function waiting(hub: Hub, kind: string): Promise<string> {
  await until(() => hub.person.list(kind).length > 0, `a ${kind} request for the person`);
  return hub.person.list(kind).at(-1)!.id;
}

export async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((tool) => tool.name).sort();
}

/** The shop's tools a client sees (the hub's built-in server has its own). */
export async function shopTools(client: Client): Promise<string[]> {
  return (await toolNames(client)).filter((name) => name.startsWith('shop__'));
}

export async function approved(hub: Hub, name = 'chat') {
  const connected = await clientOf(hub, name);
  hub.person.answer(await waiting(hub, CLIENT_APPROVAL), { approve: true });
  await until(() => connected.heard.length > 0, 'list_changed after the approval');
  return connected;
}
