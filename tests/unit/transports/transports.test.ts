/**
 * The MessagePort transport and the hub-side handshake, over Node's `MessageChannel` (the same
 * HTML MessagePort semantics the browser has: structured clone, queued until started, in order).
 * The browser side of the same code runs in tests/e2e/hub.spec.ts.
 */
import {
  Client as ClientV2,
  InMemoryTransport,
  type JSONRPCMessage,
} from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { allowAllPolicy, createHub, type Hub } from '../../../src/hub/index.ts';
import { MessagePortTransport, type PortLike } from '../../../src/transports/message-port.ts';
import { WIRE_VERSION, type HelloFrame } from '../../../src/protocol/port-frames.ts';
import { acceptHello } from '../../../src/worker/ports.ts';
import { until } from '../../support/until.ts';
import { transportCases, type TransportPair } from '../../contract/transport.contract.ts';

const ports: MessagePort[] = [];
const hubs: Hub[] = [];
afterEach(async () => {
  // An open Node MessagePort keeps the event loop alive; close what a test left open.
  for (const port of ports.splice(0)) port.close();
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});

function channel(): [MessagePort, MessagePort] {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  return [port1, port2];
}

function portPair(text = false): TransportPair {
  const [one, two] = channel();
  return [new MessagePortTransport(one, { text }), new MessagePortTransport(two, { text })];
}

describe('SDK InMemoryTransport meets the transport contract (reference)', () => {
  for (const c of transportCases) {
    it(c.name, () => c.run(async () => InMemoryTransport.createLinkedPair()));
  }
});

describe('MessagePortTransport meets the transport contract', () => {
  for (const c of transportCases) {
    it(c.name, () => c.run(async () => portPair()));
  }
});

describe('MessagePortTransport sending text frames meets the transport contract', () => {
  for (const c of transportCases) {
    it(c.name, () => c.run(async () => portPair(true)));
  }
});

/** Resolves with the next `count` messages that reach a raw port. */
function nextMessages(port: MessagePort, count: number): Promise<unknown[]> {
  return new Promise((resolve) => {
    const seen: unknown[] = [];
    const listener = (event: MessageEvent): void => {
      seen.push(event.data);
      if (seen.length < count) return;
      port.removeEventListener('message', listener);
      resolve(seen);
    };
    port.addEventListener('message', listener);
    port.start();
  });
}

/** A started transport on one end of a channel, recording what it delivers and reports. */
async function listening() {
  const [mine, theirs] = channel();
  const transport = new MessagePortTransport(mine);
  const received: unknown[] = [];
  const errors: string[] = [];
  transport.onmessage = (message) => received.push(message);
  transport.onerror = (error) => errors.push(error.message);
  await transport.start();
  return { theirs, received, errors };
}

describe('MessagePortTransport', () => {
  it('posts a JSON-RPC message as a structured clone, not as JSON text', async () => {
    const [mine, theirs] = channel();
    const transport = new MessagePortTransport(mine);
    await transport.start();
    const arrived = nextMessages(theirs, 1);
    const message: JSONRPCMessage = { jsonrpc: '2.0', id: 1, method: 'ping' };
    await transport.send(message);
    expect(await arrived).toEqual([message]);
  });

  it('says nexus/bye when it closes, and runs dispose once before onclose', async () => {
    const [mine, theirs] = channel();
    const order: string[] = [];
    const transport = new MessagePortTransport(mine, { dispose: () => order.push('dispose') });
    transport.onclose = () => order.push('onclose');
    await transport.start();
    const arrived = nextMessages(theirs, 1);
    await transport.close();
    await transport.close();
    expect(await arrived).toEqual([{ type: 'nexus/bye' }]);
    expect(order).toEqual(['dispose', 'onclose']);
  });

  it('closes when the other end closes its port without a bye', async () => {
    const [mine, theirs] = channel();
    const transport = new MessagePortTransport(mine);
    const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
    await transport.start();
    theirs.close();
    await closed;
    await expect(transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' })).rejects.toThrow(
      /closed/,
    );
  });

  it('keeps handshake frames from the SDK and reports a non-object as an error', async () => {
    const { theirs, received, errors } = await listening();
    theirs.postMessage({ type: 'nexus/welcome', sessionId: 's', mode: 'shared' });
    theirs.postMessage(42);
    theirs.postMessage({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await new Promise<void>((resolve) => {
      const wait = (): void => void (received.length > 0 ? resolve() : setTimeout(wait, 1));
      wait();
    });
    expect(received).toEqual([{ jsonrpc: '2.0', method: 'notifications/initialized' }]);
    expect(errors).toEqual(['Ignored a message that is not a JSON-RPC object (number).']);
  });

  it('refuses a second start', async () => {
    const [mine] = channel();
    const transport = new MessagePortTransport(mine);
    await transport.start();
    await expect(transport.start()).rejects.toThrow(/already started/);
  });

  it('rejects a message that cannot be cloned, and stays usable', async () => {
    const [mine, theirs] = channel();
    const transport = new MessagePortTransport(mine);
    await transport.start();
    const bad = {
      jsonrpc: '2.0',
      id: 1,
      method: 'x',
      params: { f: () => 1 },
    } as unknown as JSONRPCMessage;
    await expect(transport.send(bad)).rejects.toThrow();
    const arrived = nextMessages(theirs, 1);
    await transport.send({ jsonrpc: '2.0', id: 2, method: 'ping' });
    expect(await arrived).toEqual([{ jsonrpc: '2.0', id: 2, method: 'ping' }]);
  });
});

describe('MessagePortTransport text frames', () => {
  const ping = (id: number): JSONRPCMessage => ({ jsonrpc: '2.0', id, method: 'ping' });

  it('sends the messages of one turn as ONE frame of JSON text, in order, to an end that reads them', async () => {
    const [mine, theirs] = channel();
    const transport = new MessagePortTransport(mine, { text: true });
    await transport.start();
    const arrived = nextMessages(theirs, 2);
    await Promise.all([transport.send(ping(1)), transport.send(ping(2)), transport.send(ping(3))]);
    // A lone message is not wrapped in an array.
    await transport.send(ping(4));
    expect(await arrived).toEqual([
      JSON.stringify([ping(1), ping(2), ping(3)]),
      JSON.stringify(ping(4)),
    ]);
  });

  it('posts each message alone, as an object, to an end that did not say it reads text', async () => {
    const [mine, theirs] = channel();
    const transport = new MessagePortTransport(mine);
    await transport.start();
    const arrived = nextMessages(theirs, 2);
    await Promise.all([transport.send(ping(1)), transport.send(ping(2))]);
    expect(await arrived).toEqual([ping(1), ping(2)]);
  });

  it('delivers the messages of a text frame in order, and reports what is not JSON-RPC', async () => {
    const { theirs, received, errors } = await listening();
    theirs.postMessage('{not json');
    theirs.postMessage(JSON.stringify([ping(1), 7, ping(2)]));
    theirs.postMessage(JSON.stringify(ping(3)));
    await until(() => received.length === 3, 'the frames delivered');
    expect(received).toEqual([ping(1), ping(2), ping(3)]);
    expect(errors).toEqual([
      'Ignored a text frame that is not JSON: {not json',
      'Ignored a message that is not a JSON-RPC object (number).',
    ]);
  });

  it('fails only the send of a message that cannot be serialized; the rest of the turn arrives', async () => {
    const [mine, theirs] = channel();
    const transport = new MessagePortTransport(mine, { text: true });
    await transport.start();
    const bad = { ...ping(2), params: { big: 1n } } as unknown as JSONRPCMessage;
    const arrived = nextMessages(theirs, 2);
    const sends = [transport.send(ping(1)), transport.send(bad), transport.send(ping(3))];
    const outcomes = await Promise.allSettled(sends);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(await arrived).toEqual([JSON.stringify(ping(1)), JSON.stringify(ping(3))]);
  });

  it('posts what was sent this turn before its bye when it closes', async () => {
    const [mine, theirs] = channel();
    const transport = new MessagePortTransport(mine, { text: true });
    await transport.start();
    const arrived = nextMessages(theirs, 2);
    const sent = [transport.send(ping(1)), transport.send(ping(2))];
    await transport.close();
    await Promise.all(sent);
    expect(await arrived).toEqual([JSON.stringify([ping(1), ping(2)]), { type: 'nexus/bye' }]);
  });

  it('the hub answers calls that arrived together in one frame, though the SDK hands them over microtasks apart', async () => {
    const hub = await createHub({ policy: allowAllPolicy });
    hubs.push(hub);
    const [clientPort, hubPort] = channel();
    await hub.connect(new MessagePortTransport(hubPort, { text: true }), {
      origin: 'http://127.0.0.1',
      clientName: 'text-client',
      sessionId: 'session-t',
    });
    const client = new ClientV2({ name: 'text-client', version: '1.0.0' });
    await client.connect(new MessagePortTransport(clientPort, { text: true }));
    await client.listTools();
    // Watch the frames the hub posts from here on.
    const frames: unknown[] = [];
    clientPort.addEventListener('message', (event) => frames.push(event.data));
    const calls = Array.from({ length: 32 }, () =>
      client.callTool({ name: 'nexus__clock', arguments: {} }),
    );
    const results = await Promise.all(calls);
    expect(results.every((result) => result.isError !== true)).toBe(true);
    expect(frames).toHaveLength(1);
    expect(JSON.parse(frames[0] as string)).toHaveLength(32);
    await client.close();
  });
});

describe('SDK clients reach the hub over a MessagePort', () => {
  async function hubOverPort(): Promise<MessagePortTransport> {
    const hub = await createHub({ policy: allowAllPolicy });
    hubs.push(hub);
    const [clientPort, hubPort] = channel();
    await hub.connect(new MessagePortTransport(hubPort), {
      origin: 'http://127.0.0.1',
      clientName: 'port-client',
      sessionId: 'session-1',
    });
    return new MessagePortTransport(clientPort, { hubSessionId: 'session-1' });
  }

  it('a v2 SDK Client lists the built-in tools and calls one', async () => {
    const client = new ClientV2({ name: 'v2', version: '1.0.0' });
    await client.connect(await hubOverPort());
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('nexus__add_note');
    const added = await client.callTool({
      name: 'nexus__add_note',
      arguments: { title: 'Port', body: 'over a MessagePort' },
    });
    expect(JSON.stringify(added.content)).toMatch(/Added note/);
    await client.close();
  });

  it('a v1 SDK Client (@modelcontextprotocol/sdk) works the same', async () => {
    const client = new ClientV1({ name: 'v1', version: '1.0.0' });
    await client.connect(await hubOverPort());
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('nexus__list_notes');
    const listed = await client.callTool({ name: 'nexus__list_notes', arguments: {} });
    expect(listed.isError).not.toBe(true);
    await client.close();
  });
});

describe('acceptHello (the hub side of the handshake)', () => {
  const hello: HelloFrame = {
    type: 'nexus/hello',
    wire: WIRE_VERSION,
    role: 'client',
    sessionId: 'abc',
    lock: 'nexus-session:abc',
    clientName: 'agent',
    clientVersion: '1.0.0',
    href: 'http://127.0.0.1/app',
  };

  it('resolves with a valid hello, rebuilt from its known fields only', async () => {
    const [page, hub] = channel();
    const accepted = acceptHello(hub);
    page.postMessage({ ...hello, extra: 'dropped', text: 'yes' });
    expect(await accepted).toEqual(hello);
  });

  it("keeps a page's word that it reads text frames", async () => {
    const [page, hub] = channel();
    const accepted = acceptHello(hub);
    page.postMessage({ ...hello, text: true });
    expect(await accepted).toEqual({ ...hello, text: true });
  });

  it.each([
    ['another handshake version', { ...hello, wire: 2 }, /handshake version 2.*Reload the page/],
    ['a JSON-RPC message first', { jsonrpc: '2.0', id: 1, method: 'initialize' }, /nexus\/hello/],
    ['an unknown role', { ...hello, role: 'root' }, /unknown role "root"/],
    ['no client name', { ...hello, clientName: '' }, /clientName/],
    ['a reserved lock name', { ...hello, lock: '-reserved' }, /no usable lock/],
    ['a missing field', { ...hello, href: undefined }, /lacks "href"/],
  ])('refuses %s, telling the page why', async (_what, frame, reason) => {
    const [page, hub] = channel();
    const accepted = acceptHello(hub);
    const answer = nextMessages(page, 1);
    page.postMessage(frame);
    await expect(accepted).rejects.toThrow(reason);
    const [refused] = (await answer) as Array<{ type: string; reason: string }>;
    expect(refused?.type).toBe('nexus/refused');
    expect(refused?.reason).toMatch(reason);
  });

  it('gives up on a page that never says hello', async () => {
    const [, hub] = channel();
    await expect(acceptHello(hub, 30)).rejects.toThrow(/no hello within 30 ms/);
  });
});

// `PortLike` must stay satisfiable by the platform's MessagePort (browser and Node alike).
const _portFits: PortLike = new MessageChannel().port1;
_portFits.close();
