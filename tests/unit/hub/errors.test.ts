/**
 * One error shape for clients: the code says which kind of failure it is, `data` names the
 * server (and tool) involved and says what to do next (src/protocol/errors.ts).
 */
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import { NexusErrorCode, allowAllPolicy, createHub, type Hub } from '../../../src/hub/index.ts';
import { protocolError } from '../../support/protocol-error.ts';
import { MemoryUpstreams } from '../../support/memory-upstreams.ts';
import { until } from '../../support/until.ts';

const hubs: Hub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});

async function setUp() {
  const upstreams = new MemoryUpstreams();
  const hub = await createHub({ policy: allowAllPolicy, connectors: [upstreams.connector] });
  hubs.push(hub);
  const url = upstreams.add('weather', () => {
    const server = new McpServer({ name: 'weather', version: '1' });
    server.registerTool('today', { description: 'today' }, async () => ({ content: [] }));
    // A resource read whose result breaks the MCP schema (contents that are not a list).
    server.registerResource(
      'map',
      'weather://map',
      {},
      async () => ({ contents: 'a map of the sky' }) as never,
    );
    return server;
  });
  const view = await hub.admin.addServer({
    name: 'weather',
    slug: 'weather',
    url,
    transport: 'sse',
    headers: [],
  });
  await until(
    () => hub.admin.listServers().every((server) => server.status.state === 'ready'),
    'ready',
  );
  const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
  await hub.connect(hubSide, { origin: 'test', clientName: 'c', sessionId: 's' });
  const client = new Client({ name: 'c', version: '1' });
  await client.connect(clientSide);
  return { hub, client, id: view.id, upstreams };
}

describe('errors clients get from Nexus', () => {
  it('an unknown tool is −32602, saying to list the tools again', async () => {
    const { client } = await setUp();
    const error = await protocolError(
      client.callTool({ name: 'weather__tomorrow', arguments: {} }),
    );
    expect(error.code).toBe(NexusErrorCode.InvalidParams);
    expect(error.data).toMatchObject({
      nexus: 'invalid-params',
      next: expect.stringMatching(/tools\/list/),
    });
  });

  it('a result the server got wrong is −32065, naming the server and what was wrong', async () => {
    const { client } = await setUp();
    const error = await protocolError(client.readResource({ uri: 'weather://map' }));
    expect(error.code).toBe(NexusErrorCode.InvalidResult);
    expect(error.message).toMatch(
      /^Server 'weather' answered resource weather:\/\/map with a result Nexus could not read \(contents: expected array, received string\)/,
    );
    expect(error.data).toMatchObject({ nexus: 'invalid-result', server: 'weather' });
  });

  it('a disabled server is "server unavailable", naming it and how to enable it', async () => {
    const { hub, client, id } = await setUp();
    await hub.admin.setEnabled(id, false);
    const error = await protocolError(client.callTool({ name: 'weather__today', arguments: {} }));
    expect(error.code).toBe(NexusErrorCode.ServerUnavailable);
    expect(error.message).toMatch(/Server 'weather' is disabled/);
    expect(error.data).toMatchObject({
      nexus: 'server-unavailable',
      server: 'weather',
      state: 'disabled',
      next: expect.stringMatching(/Enable it/),
    });
  });

  it('a server that is down is "server unavailable" with its reason', async () => {
    const { hub, client, upstreams } = await setUp();
    await upstreams.takeDown('weather');
    await until(
      () =>
        hub.admin.listServers().find((server) => server.slug === 'weather')?.status.state ===
        'error',
      'down',
    );
    const error = await protocolError(client.callTool({ name: 'weather__today', arguments: {} }));
    expect(error.code).toBe(NexusErrorCode.ServerUnavailable);
    expect(error.data).toMatchObject({ server: 'weather', state: 'error' });
    expect(error.message).toMatch(/is down \(.+\)/);
  });
});
