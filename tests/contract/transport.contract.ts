/**
 * The MCP `Transport` contract as the hub relies on it, run against the SDK's `InMemoryTransport`
 * (the reference) and Nexus's `MessagePortTransport` (tests/unit/transports.test.ts). Each case gets
 * a fresh linked pair `[a, b]`: what one sends, the other receives.
 */
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { assert, assertEqual, assertRejects, type ContractCase } from './assert.ts';

export type TransportPair = [Transport, Transport];

/** Records what one end receives and lets a case wait for it without sleeping. */
class Probe {
  readonly messages: JSONRPCMessage[] = [];
  closes = 0;
  /** How many messages had arrived when onclose first fired. */
  messagesAtClose = -1;
  #waiters: Array<() => void> = [];

  constructor(readonly transport: Transport) {
    transport.onmessage = (message) => {
      this.messages.push(message);
      this.#wake();
    };
    transport.onclose = () => {
      if (this.closes === 0) this.messagesAtClose = this.messages.length;
      this.closes++;
      this.#wake();
    };
  }

  /** Resolves once `done()` holds; rejects after 5 s with what was seen so far. */
  until(done: () => boolean, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`Timed out waiting for ${what}; saw ${JSON.stringify(this.messages)}`)),
        5_000,
      );
      const check = (): void => {
        if (!done()) return this.#waiters.push(check) as unknown as void;
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(check);
    });
  }

  received(count: number): Promise<void> {
    return this.until(() => this.messages.length >= count, `${count} message(s)`);
  }

  closed(): Promise<void> {
    return this.until(() => this.closes > 0, 'onclose');
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter();
  }
}

function request(id: number, params: Record<string, unknown> = {}): JSONRPCMessage {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: params } };
}

/**
 * Lets queued message deliveries run. Used only to show that something does NOT arrive; a
 * MessagePort delivers in a macrotask, so one timer turn after the sender's last post is enough.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}

/** A fresh pair with a probe on each end, both started. */
async function startedPair(make: () => Promise<TransportPair>) {
  const [a, b] = await make();
  const atA = new Probe(a);
  const atB = new Probe(b);
  await a.start();
  await b.start();
  return { a, b, atA, atB };
}

export const transportCases: ContractCase<TransportPair>[] = [
  {
    name: 'messages arrive intact and in order, in both directions',
    async run(make) {
      const { a, b, atA, atB } = await startedPair(make);
      const nested = { text: 'ünïcode 🗒', list: [1, 2, { deep: [true, null] }], empty: {} };
      const toB = [
        request(1, nested),
        request(2),
        { jsonrpc: '2.0', method: 'notifications/initialized' },
      ];
      const toA = [
        { jsonrpc: '2.0', id: 1, result: { content: [] } },
        { jsonrpc: '2.0', id: 2, error: { code: -32602, message: 'bad' } },
      ];
      for (const message of toB) await a.send(message as JSONRPCMessage);
      for (const message of toA) await b.send(message as JSONRPCMessage);
      await atB.received(toB.length);
      await atA.received(toA.length);
      assertEqual(atB.messages, toB, 'what b received');
      assertEqual(atA.messages, toA, 'what a received');
    },
  },
  {
    name: 'messages sent before the receiver starts are delivered when it starts, in order',
    async run(make) {
      const [a, b] = await make();
      await a.start();
      await a.send(request(1));
      await a.send(request(2));
      // The SDK's Client and Server install their callbacks and THEN call start(): nothing sent in
      // between (e.g. by a fast hub answering at once) may be lost.
      await settle();
      const atB = new Probe(b);
      await b.start();
      await a.send(request(3));
      await atB.received(3);
      assertEqual(
        atB.messages.map((m) => (m as { id: number }).id),
        [1, 2, 3],
        'ids received',
      );
    },
  },
  {
    name: 'closing one end closes both, and onclose fires exactly once on each',
    async run(make) {
      const { a, b, atA, atB } = await startedPair(make);
      await a.close();
      await a.close();
      await atB.closed();
      await b.close();
      await settle();
      assertEqual([atA.closes, atB.closes], [1, 1], 'onclose calls on [a, b]');
    },
  },
  {
    name: 'a message sent just before close still arrives, before the other end closes',
    async run(make) {
      const { a, atB } = await startedPair(make);
      await a.send(request(7));
      await a.close();
      await atB.closed();
      assertEqual(atB.messagesAtClose, 1, 'messages b had received when it closed');
    },
  },
  {
    name: 'send on a closed transport rejects, on either end',
    async run(make) {
      const { a, b, atB } = await startedPair(make);
      await a.close();
      await atB.closed();
      await assertRejects(a.send(request(1)), 'send on the end that closed');
      await assertRejects(b.send(request(1)), 'send on the end that was closed by the other');
      assert(atB.messages.length === 0, 'nothing was delivered after close');
    },
  },
];
