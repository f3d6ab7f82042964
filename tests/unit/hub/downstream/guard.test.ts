/**
 * The hub's door (src/hub/downstream/guard.ts) against what careless and hostile clients send,
 * over a real MessageChannel into a real hub with the Inspector recording: every request whose
 * id can be read gets exactly one answer with the right code and its own id back, nothing throws
 * (Vitest fails a test on any uncaught error), and the Inspector and journal keep working.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { allowAllPolicy, createHub, type Hub } from '../../../../src/hub/index.ts';
import { MemoryJournalStore, MemoryRegistryStore } from '../../../../src/hub/memory-stores.ts';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';
import { guardTransport, readableError } from '../../../../src/hub/downstream/guard.ts';
import { MessagePortTransport } from '../../../../src/transports/message-port.ts';
import {
  INTERNAL_ERROR,
  INVALID_PARAMS,
  INVALID_REQUEST,
  JUNK_TEXT,
  TEXT_ID_CASES,
  framesArb,
  idKey,
  initializeRequest,
  runFuzz,
  type Frame,
} from '../../../support/hostile-frames.ts';
import { countingIds } from '../../../support/fake-clock.ts';
import { until } from '../../../support/until.ts';

const hubs: Hub[] = [];
const ports: MessagePort[] = [];
afterEach(async () => {
  for (const port of ports.splice(0)) port.close();
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});

interface Answer {
  id: unknown;
  code?: number;
  message?: string;
}

/** A hub with only its built-in server, a dashboard "watching", and one raw client port. */
async function hubWithPort() {
  const journal = new MemoryJournalStore();
  const hub = await createHub({
    policy: allowAllPolicy,
    registry: new MemoryRegistryStore(),
    journal,
  });
  hubs.push(hub);
  hub.recorder.inspector.watch();
  const { port1, port2 } = new MessageChannel();
  ports.push(port1);
  await hub.connect(new MessagePortTransport(port2, { text: true }), {
    origin: 'http://127.0.0.1',
    clientName: 'fuzz',
    sessionId: 'fuzz-session',
  });
  return { hub, journal, port: port1 };
}

/** `hubWithPort`, with the session initialized and every answer collected. */
async function rawClient() {
  const { hub, journal, port } = await hubWithPort();
  const answers: Answer[] = [];
  port.addEventListener('message', (event: MessageEvent) => {
    const data: unknown = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
    for (const message of Array.isArray(data) ? data : [data]) {
      if (typeof message !== 'object' || message === null || 'method' in message) continue;
      const { id, error } = message as { id: unknown; error?: { code: number; message: string } };
      answers.push(error ? { id, code: error.code, message: error.message } : { id });
    }
  });
  port.start();
  const post = (frame: Frame) =>
    port.postMessage(frame.as === 'text' ? JSON.stringify(frame.payload) : frame.payload);
  post({ as: 'text', payload: initializeRequest('init') });
  await until(() => answers.some((answer) => answer.id === 'init'), 'the answer to initialize');
  post({ as: 'text', payload: { jsonrpc: '2.0', method: 'notifications/initialized' } });
  return { hub, journal, answers, post, port };
}

/**
 * The answers per id key, once `expected` answers came. Then a last ping: the hub handles a
 * port's messages in order, so a second answer to any of them would have left before its answer.
 */
async function answersFor(
  answers: Answer[],
  expected: number,
  post: (frame: Frame) => void,
): Promise<Map<string, Answer[]>> {
  await until(() => answers.length - 1 >= expected, `${expected} answers`, 10_000);
  post({ as: 'text', payload: { jsonrpc: '2.0', id: 'sentinel', method: 'ping' } });
  await until(() => answers.some((answer) => answer.id === 'sentinel'), 'the last ping');
  const byId = new Map<string, Answer[]>();
  for (const answer of answers) {
    const key = idKey(answer.id);
    byId.set(key, [...(byId.get(key) ?? []), answer]);
  }
  return byId;
}

describe('the door of a client session', () => {
  it('answers each malformed request once, with −32600, −32601 or −32602 in words', async () => {
    const { answers, post } = await rawClient();
    const cases: Array<[unknown, number, RegExp]> = [
      [
        { jsonrpc: '2.0', id: 1, method: 'tools/call', params: [] },
        INVALID_REQUEST,
        /"params" must be an object, not an array/,
      ],
      [
        { jsonrpc: '2.0', id: 2, method: 'ping', params: [1, 2] },
        INVALID_REQUEST,
        /"params" must be an object/,
      ],
      [{ jsonrpc: '1.0', id: 3, method: 'ping' }, INVALID_REQUEST, /"jsonrpc" must be "2.0"/],
      [
        { jsonrpc: '2.0', id: 4, method: 'tools/call', params: 'x' },
        INVALID_REQUEST,
        /not a string/,
      ],
      [{ jsonrpc: '2.0', id: 5, method: 'tools/call', params: null }, INVALID_REQUEST, /not null/],
      [{ jsonrpc: '2.0', id: 6, method: { a: 1 } }, INVALID_REQUEST, /"method" must be a string/],
      [{ jsonrpc: '2.0', id: 7 }, INVALID_REQUEST, /neither a request/],
      [{ jsonrpc: '2.0', id: 8, method: 'nope/nope' }, -32601, /Method not found/],
      [
        { jsonrpc: '2.0', id: 9, method: 'tools/list', params: { _meta: 5 } },
        INVALID_PARAMS,
        /"params._meta" must be an object/,
      ],
      [
        { jsonrpc: '2.0', id: 10, method: 'tools/list', params: { _meta: { progressToken: {} } } },
        INVALID_PARAMS,
        /progressToken/,
      ],
      [
        { jsonrpc: '2.0', id: 11, method: 'tools/call', params: { name: 5 } },
        INVALID_PARAMS,
        /^Invalid tools\/call request: params\.name: expected string, received number$/,
      ],
      [
        { jsonrpc: '2.0', id: 12, method: 'resources/read', params: { uri: {} } },
        INVALID_PARAMS,
        /^Invalid resources\/read request: params\.uri: expected string, received object$/,
      ],
      [
        { jsonrpc: '2.0', id: 13, method: 'tools/list', params: { cursor: 5 } },
        INVALID_PARAMS,
        /params\.cursor: expected string/,
      ],
    ];
    for (const [payload] of cases) post({ as: 'text', payload });
    const byId = await answersFor(answers, cases.length, post);
    for (const [payload, code, words] of cases) {
      const id = (payload as { id: number }).id;
      const got = byId.get(idKey(id)) ?? [];
      expect(got, `answers to id ${id}`).toHaveLength(1);
      expect(got[0]!.code, `code for id ${id}`).toBe(code);
      expect(got[0]!.message, `message for id ${id}`).toMatch(words);
    }
  });

  it('gives every id back as it was sent, numbers the SDK cannot take included', async () => {
    const { answers, port, post } = await rawClient();
    for (const { text } of TEXT_ID_CASES) port.postMessage(text);
    // Structured clones carry numbers as they are.
    for (const id of [2.25, -7, 2 ** 60, Number.MAX_VALUE]) {
      port.postMessage({ jsonrpc: '2.0', id, method: 'ping' });
    }
    const byId = await answersFor(answers, TEXT_ID_CASES.length + 4, post);
    for (const id of [...TEXT_ID_CASES.map((c) => c.id), 2.25, -7, 2 ** 60, Number.MAX_VALUE]) {
      const got = byId.get(idKey(id)) ?? [];
      expect(got, `answers to id ${id}`).toHaveLength(1);
      expect(got[0]!.code, `id ${id} answered with an error: ${got[0]?.message}`).toBeUndefined();
    }
  });

  it('cancels a request under the stand-in id the SDK knows it by, and answers under the original', async () => {
    const sent: unknown[] = [];
    const inner: Transport = {
      start: async () => {},
      send: async (message) => void sent.push(message),
      close: async () => {},
    };
    const guarded = guardTransport(inner, { ids: countingIds(), received: () => {} });
    const seen: JSONRPCMessage[] = [];
    guarded.onmessage = (message) => seen.push(message);
    inner.onmessage!({ jsonrpc: '2.0', id: 0.5, method: 'tools/list' } as never);
    inner.onmessage!({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 0.5 },
    } as never);
    const standIn = (seen[0] as { id: unknown }).id;
    expect(standIn).toBeTypeOf('string');
    expect(seen[1]).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: standIn },
    });
    await guarded.send({ jsonrpc: '2.0', id: standIn as string, result: {} });
    expect(sent).toEqual([{ jsonrpc: '2.0', id: 0.5, result: {} }]);
  });

  it('drops what has no readable id, records it in the Inspector as invalid and counts it', async () => {
    const { hub, answers, port } = await rawClient();
    const before = hub.recorder.inspector.dropped;
    port.postMessage({ jsonrpc: '2.0', id: 10n, method: 'ping' });
    port.postMessage({ jsonrpc: '2.0', id: { toString: 1 }, method: 'ping' });
    port.postMessage({ jsonrpc: '2.0', id: null, method: 'ping' });
    port.postMessage(JSON.stringify([[{ jsonrpc: '2.0', method: 'ping' }]]));
    port.postMessage({ jsonrpc: '2.0', id: 'last', method: 'ping' });
    await until(() => answers.some((answer) => answer.id === 'last'), 'the answer to "last"');
    expect(answers.map((answer) => answer.id)).toEqual(['init', 'last']);
    expect(hub.recorder.inspector.dropped - before).toBe(4);
    const invalid = hub.admin.traffic().filter((entry) => entry.kind === 'invalid');
    expect(invalid.map((entry) => entry.problem)).toEqual([
      'an id that is neither a string nor a number but a bigint',
      'an id that is neither a string nor a number but an object',
      'an id that is neither a string nor a number but null',
      'a JSON-RPC batch; MCP takes one message at a time (no readable id, so no answer)',
    ]);
    // Every entry's detail can be shown, the BigInt and the cycle-free object included.
    for (const entry of invalid)
      expect(hub.admin.trafficDetail(entry.seq)?.json).toBeTypeOf('string');
    expect(hub.admin.trafficDetail(invalid[0]!.seq)?.json).toContain('"10n"');
  });

  it('survives junk text and keeps answering', async () => {
    const { answers, port } = await rawClient();
    for (const text of JUNK_TEXT) port.postMessage(text);
    port.postMessage(JSON.stringify({ jsonrpc: '2.0', id: 'still', method: 'ping' }));
    await until(() => answers.some((answer) => answer.id === 'still'), 'the answer to "still"');
    expect(answers.map((answer) => answer.id)).toEqual(['init', 'still']);
  });

  it('fuzz: every frame with a readable id gets exactly one answer with the right code', async () => {
    const { hub, journal, port: port1 } = await hubWithPort();
    const frames = fc.sample(framesArb(1_500), { seed: 20261203, numRuns: 1 })[0]!;
    const report = await runFuzz(port1, frames);
    expect(report.wrong.slice(0, 20)).toEqual([]);
    expect(report.answered).toBe(report.expected);
    expect(report.unexpected).toBe(0);
    expect(report.expected).toBeGreaterThan(800);
    // The Inspector still records new calls, and the journal took the last batches whole (BigInt
    // ids and cycles included): it holds the newest buffer's worth, up to the very last message.
    const recorded = hub.admin.traffic();
    expect(recorded.at(-1)?.id).toBe('end');
    await hub.recorder.close();
    const saved = await journal.latest(100_000);
    expect(saved.map((record) => record.seq)).toEqual(recorded.map((entry) => entry.seq));
  });
});

describe('readableError', () => {
  it('words a schema dump and leaves other errors alone', () => {
    const dump = JSON.stringify([
      {
        code: 'invalid_type',
        path: ['params', 'name'],
        message: 'Invalid input: expected string, received number',
      },
    ]);
    const internal = {
      jsonrpc: '2.0' as const,
      id: 1,
      error: { code: INTERNAL_ERROR, message: dump },
    };
    expect(readableError(internal, 'prompts/get')).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: INVALID_PARAMS,
        message: 'Invalid prompts/get request: params.name: expected string, received number',
      },
    });
    const other = {
      jsonrpc: '2.0' as const,
      id: 1,
      error: { code: INTERNAL_ERROR, message: 'boom [1]' },
    };
    expect(readableError(other, 'tools/call')).toBe(other);
  });
});

describe('session ids', () => {
  it('refuses a second connection with a session id already open', async () => {
    const { hub } = await rawClient();
    const { port2 } = new MessageChannel();
    await expect(
      hub.connect(new MessagePortTransport(port2), {
        origin: 'http://127.0.0.1',
        clientName: 'copycat',
        sessionId: 'fuzz-session',
      }),
    ).rejects.toThrow(/already open/);
    port2.close();
    expect([...hub.sessions.map.values()].map((session) => session.principal.clientName)).toEqual([
      'fuzz',
    ]);
  });
});
