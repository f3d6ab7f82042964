/**
 * The admin API behind the dashboard's server pages, clients page and Playground (issue 4, items
 * 1 to 4, hub side): a server in full, health-check latencies and the last error, disconnecting a
 * client, and calls made by hand through the hub's own session.
 */
import { McpServer } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  allowAllPolicy,
  createHub,
  PLAYGROUND_CLIENT_NAME,
  type Hub,
} from '../../../src/hub/index.ts';
import { createAdminApi, type AdminHandle } from '../../../src/worker/admin.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { MemoryUpstreams } from '../../support/memory-upstreams.ts';
import { until } from '../../support/until.ts';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server with one of everything, and instructions. */
function weather(): McpServer {
  const server = new McpServer(
    { name: 'weather-server', version: '3.1.0' },
    { instructions: 'Temperatures are in Celsius.' },
  );
  server.registerTool(
    'forecast',
    {
      title: 'Forecast',
      description: 'Tomorrow in a city',
      inputSchema: z.object({ city: z.string() }),
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async ({ city }) => ({ content: [{ type: 'text', text: `Sunny in ${city}` }] }),
  );
  server.registerPrompt(
    'packing',
    { description: 'What to pack', argsSchema: z.object({ days: z.string() }) },
    ({ days }) => ({
      messages: [{ role: 'user', content: { type: 'text', text: `Pack for ${days} days` } }],
    }),
  );
  server.registerResource('today', 'weather://today', { mimeType: 'text/plain' }, async (uri) => ({
    contents: [{ uri: uri.href, text: 'Mild' }],
  }));
  return server;
}

async function setUp(clock?: FakeClock): Promise<{
  hub: Hub;
  admin: AdminHandle;
  upstreams: MemoryUpstreams;
  id: string;
}> {
  const upstreams = new MemoryUpstreams();
  const url = upstreams.add('weather', weather);
  const hub = await createHub({
    policy: allowAllPolicy,
    connectors: [upstreams.connector],
    random: () => 0.5,
    ...(clock ? { clock } : {}),
  });
  cleanups.push(() => hub.close());
  const { id } = await hub.admin.addServer({
    name: 'Weather',
    slug: 'weather',
    url,
    transport: 'streamable-http',
    headers: [],
  });
  await until(
    () => hub.admin.listServers().find((server) => server.id === id)?.status.state === 'ready',
    'weather ready',
  );
  const admin = createAdminApi(hub, 'shared', 'http://127.0.0.1:4173');
  cleanups.push(() => admin.dispose());
  return { hub, admin, upstreams, id };
}

describe('a server in full', () => {
  it('shows what the server declared and its catalog under the names clients use', async () => {
    const { admin, id } = await setUp();
    const detail = await admin.api.serverDetail(id);
    expect(detail.serverInfo).toEqual({ name: 'weather-server', version: '3.1.0' });
    expect(detail.instructions).toBe('Temperatures are in Celsius.');
    expect(detail.capabilities?.tools).toBeDefined();
    expect(detail.counts).toEqual({ tools: 1, prompts: 1, resources: 1, templates: 0 });
    const [tool] = detail.toolDetails;
    expect(tool).toMatchObject({
      name: 'weather__forecast',
      upstreamName: 'forecast',
      title: 'Forecast',
      annotations: { readOnlyHint: true, openWorldHint: true },
    });
    expect(tool!.inputSchema.properties).toEqual({ city: { type: 'string' } });
    expect(detail.prompts.map((prompt) => [prompt.name, prompt.arguments?.[0]?.name])).toEqual([
      ['weather__packing', 'days'],
    ]);
    expect(detail.resources.map((resource) => resource.uri)).toEqual(['weather://today']);
  });

  it('keeps the latencies of the last health checks and the last error after a recovery', async () => {
    const clock = new FakeClock();
    const { hub, admin, upstreams, id } = await setUp(clock);
    const weatherView = () => hub.admin.listServers().find((server) => server.id === id)!;
    expect(weatherView().latencyMs).toEqual([]);
    await clock.advance(5_000);
    await until(() => weatherView().latencyMs.length === 1, 'a health check timed');
    // The fake clock stands still during the in-memory round trip.
    expect(weatherView().latencyMs).toEqual([0]);

    await upstreams.takeDown('weather');
    await until(() => weatherView().status.state === 'error', 'the server down');
    upstreams.down.delete('weather');
    await clock.advance(60_000);
    await until(() => weatherView().status.state === 'ready', 'the server back');
    const view = (await admin.api.listServers()).find((server) => server.id === id)!;
    expect(view.lastError?.reason).toMatch(/closed the connection|refused/);
  });
});

describe('the playground', () => {
  it('calls, reads and gets through its own session, listed among the clients', async () => {
    const { admin } = await setUp();
    const result = await admin.api.callTool('weather__forecast', { city: 'Oslo' });
    expect(result.content).toEqual([{ type: 'text', text: 'Sunny in Oslo' }]);
    const read = await admin.api.readResource('weather://today');
    expect(read.contents).toEqual([{ uri: 'weather://today', text: 'Mild' }]);
    const prompt = await admin.api.getPrompt('weather__packing', { days: '3' });
    expect(prompt.messages[0]!.content).toEqual({ type: 'text', text: 'Pack for 3 days' });

    const [session] = await admin.api.listSessions();
    expect(session).toMatchObject({
      clientName: PLAYGROUND_CLIENT_NAME,
      origin: 'http://127.0.0.1:4173',
      calls: 1,
    });
  });

  it('says what went wrong when the tool is unknown', async () => {
    const { admin } = await setUp();
    await expect(admin.api.callTool('weather__nowcast', {})).rejects.toThrow(
      /Unknown tool 'weather__nowcast'/,
    );
  });
});

describe('connected clients', () => {
  it('can be disconnected from the dashboard; the playground opens a new session after', async () => {
    const { admin } = await setUp();
    await admin.api.callTool('weather__forecast', { city: 'Rome' });
    const [first] = await admin.api.listSessions();
    await admin.api.disconnectSession(first!.sessionId);
    expect(await admin.api.listSessions()).toEqual([]);
    await expect(admin.api.disconnectSession(first!.sessionId)).rejects.toThrow(
      /already disconnected/,
    );

    await admin.api.callTool('weather__forecast', { city: 'Lima' });
    const [second] = await admin.api.listSessions();
    expect(second!.sessionId).not.toBe(first!.sessionId);
  });
});
