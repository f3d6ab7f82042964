/**
 * A server's catalog, list by list (issue 12, items 3 and 5): a list that fails is reported in
 * the server's status and the others stay usable; names listed twice reach clients once (the
 * first wins) with a warning; a prompt's repeated argument names are kept once.
 */
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { ProtocolError, ProtocolErrorCode, Server } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import type { Hub } from '../../../../src/hub/index.ts';
import { dedupe } from '../../../../src/hub/upstream/catalog.ts';
import { hubWithMemoryServer } from '../../../support/memory-upstreams.ts';

const hubs: Hub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});

/** Lists `echo` twice, a prompt twice (with a repeated argument) and fails its templates list. */
function sloppy(): Server {
  const server = new Server(
    { name: 'sloppy', version: '1.0.0' },
    { capabilities: { tools: {}, prompts: {}, resources: {} } },
  );
  const tool = (description: string) => ({
    name: 'echo',
    description,
    inputSchema: { type: 'object' as const },
  });
  server.setRequestHandler('tools/list', async () => ({
    tools: [tool('first'), tool('second'), { ...tool('other'), name: 'other' }],
  }));
  server.setRequestHandler('tools/call', async (request) => ({
    content: [{ type: 'text', text: `called ${request.params.name}` }],
  }));
  server.setRequestHandler('prompts/list', async () => ({
    prompts: [
      { name: 'ask', arguments: [{ name: 'q' }, { name: 'q', required: true }, { name: 'r' }] },
      { name: 'ask', description: 'again' },
    ],
  }));
  server.setRequestHandler('resources/list', async () => ({
    resources: [{ uri: 'memo://a', name: 'a' }],
  }));
  server.setRequestHandler('resources/templates/list', async () => {
    throw new ProtocolError(ProtocolErrorCode.MethodNotFound, 'Method not found');
  });
  return server;
}

async function hubWith(factory: () => Server) {
  const { hub, id, server } = await hubWithMemoryServer('sloppy', factory, hubs);
  const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
  await hub.connect(hubSide, { origin: 'http://127.0.0.1', clientName: 'c', sessionId: 's' });
  const client = new Client({ name: 'c', version: '1' });
  await client.connect(clientSide);
  return { hub, id, server, client };
}

describe('a server catalog, list by list', () => {
  it('keeps a server ready whose templates list fails, with its other lists usable', async () => {
    const { hub, server, client } = await hubWith(sloppy);
    const status = server().status;
    expect(status.state).toBe('ready');
    expect(status.state === 'ready' && status.warnings).toEqual([
      "The server lists the tool 'echo' 2 times; Nexus offers the first.",
      "The prompt 'ask' names an argument more than once; Nexus keeps the first of each.",
      "The server lists the prompt 'ask' 2 times; Nexus offers the first.",
      expect.stringMatching(
        /^Its resource templates could not be listed \(.*Method not found.*\); the rest of the server works\.$/,
      ),
    ]);
    const mine = <T extends { name: string }>(items: T[]) =>
      items.filter((item) => item.name.startsWith('sloppy__'));
    const tools = mine((await client.listTools()).tools);
    expect(tools.map((tool) => [tool.name, tool.description])).toEqual([
      ['sloppy__echo', 'first'],
      ['sloppy__other', 'other'],
    ]);
    // The dashboard's Playground reads one definition by the name clients see.
    expect(hub.admin.toolDefinition('sloppy__echo')).toMatchObject({
      name: 'sloppy__echo',
      upstreamName: 'echo',
      description: 'first',
    });
    expect(hub.admin.toolDefinition('sloppy__nothing')).toBeUndefined();
    const called = await client.callTool({ name: 'sloppy__echo', arguments: {} });
    expect(called.content).toEqual([{ type: 'text', text: 'called echo' }]);
    const prompts = mine((await client.listPrompts()).prompts);
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.arguments?.map((arg) => [arg.name, arg.required])).toEqual([
      ['q', undefined],
      ['r', undefined],
    ]);
    const resources = (await client.listResources()).resources;
    expect(resources.map((r) => r.uri).filter((uri) => uri.startsWith('memo:'))).toEqual([
      'memo://a',
    ]);
    expect(mine((await client.listResourceTemplates()).resourceTemplates)).toEqual([]);
  });
});

describe('dedupe', () => {
  it('returns the list itself when nothing repeats', () => {
    const list = [
      { name: 'a', inputSchema: { type: 'object' as const } },
      { name: 'b', inputSchema: { type: 'object' as const } },
    ];
    expect(dedupe('tools', list)).toEqual({ list, warnings: [] });
    expect(dedupe('tools', list).list).toBe(list);
  });

  it('keys resources by URI and templates by name', () => {
    const resources = [
      { uri: 'x://1', name: 'same' },
      { uri: 'x://2', name: 'same' },
      { uri: 'x://1', name: 'other' },
    ];
    expect(dedupe('resources', resources).list.map((r) => r.name)).toEqual(['same', 'same']);
    const templates = [
      { uriTemplate: 'a://{x}', name: 't' },
      { uriTemplate: 'b://{x}', name: 't' },
    ];
    expect(dedupe('templates', templates).list).toEqual([templates[0]]);
  });
});
