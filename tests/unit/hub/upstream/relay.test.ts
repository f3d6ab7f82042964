/**
 * Results the hub does not understand reach clients as the server sent them (issue 12, item 6):
 * an unknown content block type, base64 the SDK's schema refuses, a prompt message of an unknown
 * role, a resource's contents of an unknown shape. The SDKs on both sides of the hub would refuse
 * them (../../../../src/hub/upstream/relay.ts carries them around).
 */
import { Client, InMemoryTransport, type Transport } from '@modelcontextprotocol/client';
import { afterEach, expect, it } from 'vitest';
import { allowAllPolicy, createHub, type Hub } from '../../../../src/hub/index.ts';
import { Playground } from '../../../../src/hub/admin/playground.ts';
import { MemoryRegistryStore } from '../../../../src/hub/memory-stores.ts';
import { hubWithMemoryServer } from '../../../support/memory-upstreams.ts';
import { until } from '../../../support/until.ts';

const hubs: Hub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});

const ODD_CONTENT = [
  { type: 'hologram', frames: [1, 2, 3] },
  { type: 'image', data: '%%% not base64', mimeType: 'image/png' },
  { type: 'text', text: 'plain' },
];
const ODD_MESSAGES = [{ role: 'narrator', content: { type: 'smell', of: 'coffee' } }];
const ODD_CONTENTS = [
  { uri: 'odd://1', blob: '%%%', mimeType: 'x/y' },
  { uri: 'odd://1', hologram: true },
];

/**
 * A server written by hand, below any SDK (an SDK server checks its own results): it answers
 * with the odd parts above, and with `_meta` of its own.
 */
function handWritten() {
  let peer: Transport | undefined;
  const answer = (id: unknown, result: unknown) =>
    void peer?.send({ jsonrpc: '2.0', id, result } as never);
  return {
    async connect(transport: Transport) {
      peer = transport;
      transport.onmessage = (message) => {
        if (!('method' in message) || !('id' in message)) return;
        switch (message.method) {
          case 'initialize':
            return answer(message.id, {
              protocolVersion: '2025-06-18',
              capabilities: { tools: {}, prompts: {}, resources: {} },
              serverInfo: { name: 'odd', version: '1' },
            });
          case 'tools/list':
            return answer(message.id, { tools: [{ name: 't', inputSchema: { type: 'object' } }] });
          case 'prompts/list':
            return answer(message.id, { prompts: [{ name: 'p' }] });
          case 'resources/list':
            return answer(message.id, { resources: [{ uri: 'odd://1', name: 'r' }] });
          case 'resources/templates/list':
            return answer(message.id, { resourceTemplates: [] });
          case 'tools/call':
            return answer(message.id, { content: ODD_CONTENT, _meta: { 'odd/own': 1 } });
          case 'prompts/get':
            return answer(message.id, { messages: ODD_MESSAGES });
          case 'resources/read':
            return answer(message.id, { contents: ODD_CONTENTS });
          case 'ping':
            return answer(message.id, {});
          default:
            void peer?.send({
              jsonrpc: '2.0',
              id: message.id,
              error: { code: -32601, message: 'Method not found' },
            } as never);
        }
      };
      await transport.start();
    },
    async close() {
      await peer?.close();
    },
  };
}

it('relays unknown content types and odd encodings unchanged, both SDKs notwithstanding', async () => {
  const { hub } = await hubWithMemoryServer('odd', handWritten, hubs);
  // A raw client: the SDK's Client would refuse these results itself.
  const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
  await hub.connect(hubSide, { origin: 'http://127.0.0.1', clientName: 'raw', sessionId: 's' });
  const answers = new Map<unknown, unknown>();
  clientSide.onmessage = (message) => {
    if ('id' in message && !('method' in message)) answers.set(message.id, message);
  };
  await clientSide.start();
  const send = (message: object) => clientSide.send({ jsonrpc: '2.0', ...message } as never);
  await send({
    id: 0,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'r', version: '1' },
    },
  });
  await until(() => answers.has(0), 'initialize');
  await send({ method: 'notifications/initialized' });
  await send({ id: 1, method: 'tools/call', params: { name: 'odd__t', arguments: {} } });
  await send({ id: 2, method: 'prompts/get', params: { name: 'odd__p' } });
  await send({ id: 3, method: 'resources/read', params: { uri: 'odd://1' } });
  await until(() => answers.size === 4, 'three answers');
  expect(answers.get(1)).toEqual({
    jsonrpc: '2.0',
    id: 1,
    result: { content: ODD_CONTENT, _meta: { 'odd/own': 1 } },
  });
  expect(answers.get(2)).toEqual({ jsonrpc: '2.0', id: 2, result: { messages: ODD_MESSAGES } });
  expect(answers.get(3)).toEqual({ jsonrpc: '2.0', id: 3, result: { contents: ODD_CONTENTS } });

  // The Playground's own SDK client gets them unchanged too (the page shows them as JSON).
  const playground = new Playground(hub, 'http://127.0.0.1', '1');
  expect(await playground.callTool('odd__t', {})).toEqual({
    content: ODD_CONTENT,
    _meta: { 'odd/own': 1 },
  });
  expect((await playground.getPrompt('odd__p', {})).messages).toEqual(ODD_MESSAGES);
  expect((await playground.readResource('odd://1')).contents).toEqual(ODD_CONTENTS);
  await playground.close();
});

it('leaves results the SDK knows exactly as they were (no token, no copy of _meta)', async () => {
  const hub = await createHub({ policy: allowAllPolicy, registry: new MemoryRegistryStore() });
  hubs.push(hub);
  const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
  await hub.connect(hubSide, { origin: 'http://127.0.0.1', clientName: 'c', sessionId: 's' });
  const client = new Client({ name: 'c', version: '1' });
  await client.connect(clientSide);
  const result = await client.callTool({ name: 'nexus__clock', arguments: {} });
  expect(result._meta).toBeUndefined();
  expect(result.content).toEqual([{ type: 'text', text: expect.any(String) }]);
});
