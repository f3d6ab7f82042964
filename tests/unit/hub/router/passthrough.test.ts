/**
 * What survives the trip through the hub (issue 3, items 8 and 9): tool metadata and JSON Schemas
 * exactly as the server gave them, every content type, the union of capabilities with the
 * servers' instructions, and sessions scoped to one server.
 */
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { McpServer, Server } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import { allowAllPolicy, createHub, type Hub } from '../../../../src/hub/index.ts';
import { MemoryUpstreams } from '../../../support/memory-upstreams.ts';
import { until } from '../../../support/until.ts';

const hubs: Hub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
});

/** A schema the hub must not touch: 2020-12 dialect, a `$ref` into `$defs`, unusual keywords. */
const INPUT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: { point: { $ref: '#/$defs/point' } },
  required: ['point'],
  $defs: {
    point: {
      type: 'object',
      properties: { x: { type: 'number' }, y: { type: 'number' } },
      additionalProperties: false,
    },
  },
  unevaluatedProperties: false,
} as const;

const OUTPUT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: { distance: { type: 'number', minimum: 0 } },
  required: ['distance'],
} as const;

const TOOL = {
  name: 'measure',
  title: 'Measure a point',
  description: 'Distance of a point from the origin',
  inputSchema: INPUT_SCHEMA,
  outputSchema: OUTPUT_SCHEMA,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  icons: [{ src: 'https://example.invalid/ruler.png', mimeType: 'image/png', sizes: ['48x48'] }],
  _meta: { 'example.com/owner': 'geometry-team' },
};

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const WAV = 'UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA=';

const RESULT = {
  content: [
    { type: 'text', text: '{"distance":5}', annotations: { audience: ['assistant'] } },
    { type: 'image', data: PNG, mimeType: 'image/png' },
    { type: 'audio', data: WAV, mimeType: 'audio/wav' },
    { type: 'resource_link', uri: 'geo://points/1', name: 'point 1', mimeType: 'application/json' },
    {
      type: 'resource',
      resource: { uri: 'geo://points/1', mimeType: 'application/json', text: '{"x":3,"y":4}' },
      _meta: { 'example.com/cached': true },
    },
  ],
  structuredContent: { distance: 5 },
  _meta: { 'example.com/took-ms': 3 },
};

function geometry(): Server {
  const server = new Server(
    { name: 'geometry', version: '2.0.0' },
    { capabilities: { tools: {} }, instructions: 'Coordinates are in metres.' },
  );
  server.setRequestHandler('tools/list', async () => ({ tools: [TOOL] }) as never);
  server.setRequestHandler('tools/call', async () => RESULT as never);
  return server;
}

function notesLike(): McpServer {
  const server = new McpServer(
    { name: 'jotter', version: '1.0.0' },
    { capabilities: { logging: {} }, instructions: 'Keep notes short.' },
  );
  server.registerTool('jot', { description: 'writes a note' }, async () => ({
    content: [{ type: 'text', text: 'noted' }],
  }));
  return server;
}

async function hubWith(servers: Record<string, () => Server | McpServer>): Promise<Hub> {
  const upstreams = new MemoryUpstreams();
  const hub = await createHub({ policy: allowAllPolicy, connectors: [upstreams.connector] });
  hubs.push(hub);
  for (const [slug, factory] of Object.entries(servers)) {
    const url = upstreams.add(slug, factory as () => McpServer);
    await hub.admin.addServer({ name: slug, slug, url, transport: 'streamable-http', headers: [] });
  }
  await until(
    () => hub.admin.listServers().every((server) => server.status.state === 'ready'),
    'every server ready',
  );
  return hub;
}

async function connect(hub: Hub, server?: string): Promise<Client> {
  const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
  await hub.connect(
    hubSide,
    { origin: 'test', clientName: 'probe', sessionId: crypto.randomUUID() },
    server === undefined ? {} : { server },
  );
  const client = new Client({ name: 'probe', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

describe('metadata and content', () => {
  it('passes a tool definition through unchanged but for its name', async () => {
    const hub = await hubWith({ geo: geometry });
    const client = await connect(hub);
    const { tools } = await client.listTools();
    const measure = tools.find((tool) => tool.name === 'geo__measure');
    expect(measure).toEqual({ ...TOOL, name: 'geo__measure' });
  });

  it('passes every content type, structured content and _meta through unchanged', async () => {
    const hub = await hubWith({ geo: geometry });
    const client = await connect(hub);
    const result = await client.callTool({
      name: 'geo__measure',
      arguments: { point: { x: 3, y: 4 } },
    });
    expect(result).toEqual(RESULT);
  });
});

describe('capabilities and instructions', () => {
  it('announce the union of the servers and their instructions, each attributed', async () => {
    const hub = await hubWith({ geo: geometry, jot: notesLike });
    const client = await connect(hub);
    const capabilities = client.getServerCapabilities();
    expect(capabilities?.tools?.listChanged).toBe(true);
    expect(capabilities?.logging).toEqual({});
    expect(capabilities?.resources?.subscribe).toBeUndefined();
    const instructions = client.getInstructions() ?? '';
    expect(instructions).toMatch(/## geo \(.*geo__.*\)\s+Coordinates are in metres\./);
    expect(instructions).toMatch(/## jot \(.*jot__.*\)\s+Keep notes short\./);
  });

  it('leave logging out when no server offers it', async () => {
    const hub = await hubWith({ geo: geometry });
    const client = await connect(hub);
    expect(client.getServerCapabilities()?.logging).toBeUndefined();
  });
});

describe('a session scoped to one server', () => {
  it('sees that server alone, under its own names, through the hub', async () => {
    const hub = await hubWith({ geo: geometry, jot: notesLike });
    const client = await connect(hub, 'jot');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['jot']);
    const result = await client.callTool({ name: 'jot', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'noted' }]);
    expect(client.getInstructions()).toBe('Keep notes short.');
    // Still a hub session: it shows in the sessions list and its calls are counted.
    expect(hub.admin.listSessions()).toMatchObject([{ clientName: 'probe', calls: 1 }]);
    await expect(client.callTool({ name: 'measure', arguments: {} })).rejects.toThrow(
      /no longer offers tool 'measure'/,
    );
  });

  it('is refused for a slug no server has', async () => {
    const hub = await hubWith({ geo: geometry });
    await expect(connect(hub, 'nope')).rejects.toThrow(/No server with the slug 'nope'/);
  });
});
