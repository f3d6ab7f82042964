/**
 * The Inspector's pairing (src/ui/inspector/exchanges.ts): a request and its answer are one row,
 * matched by side, connection and id, whatever order the answers come in and whatever a peer
 * put in its ids; notifications and answers without their request are rows of their own; the
 * oldest rows go when the hub's capacity (in messages) is passed; and the filters read the
 * indexes by server, client and method.
 */
import { describe, expect, it } from 'vitest';
import type { TrafficView } from '../../../src/protocol/views.ts';
import { ExchangeLog, NO_FILTER, idKey } from '../../../src/ui/inspector/exchanges.ts';

let seq = 0;

/** One message as the hub lists it; by default a client's request to the hub. */
function message(patch: Partial<TrafficView> = {}): TrafficView {
  seq++;
  return {
    seq,
    at: 1_000 + seq,
    side: 'client',
    direction: 'in',
    kind: 'request',
    sessionId: 's1',
    clientName: 'agent',
    size: 100,
    ...patch,
  };
}

/** A client's request (in) and its answer (out). */
const request = (id: unknown, patch: Partial<TrafficView> = {}) =>
  message({ id: id as string, method: 'tools/call', ...patch });
const response = (id: unknown, patch: Partial<TrafficView> = {}) =>
  message({ id: id as string, kind: 'response', direction: 'out', ...patch });

describe('pairing requests and answers', () => {
  it('a request and its response are one row, ok, with the latency between them', () => {
    const log = new ExchangeLog();
    const asked = request(1, { at: 5_000 });
    const answered = response(1, { at: 5_042, size: 300 });
    expect(log.add([asked, answered])).toEqual({ rows: 1, answered: 1, skipped: 0 });
    const [row] = log.all();
    expect(row).toMatchObject({
      key: asked.seq,
      first: asked,
      answer: answered,
      status: 'ok',
      method: 'tools/call',
      latencyMs: 42,
      size: 400,
      messages: 2,
      sessionId: 's1',
      clientName: 'agent',
    });
    expect(log.messages).toBe(2);
  });

  it('pairs answers that come out of order, and across fetches', () => {
    const log = new ExchangeLog();
    const asks = [request(1), request(2), request(3)];
    log.add(asks);
    expect(log.all().map((row) => row.status)).toEqual(['pending', 'pending', 'pending']);
    log.add([response(3)]);
    log.add([response(1), response(2)]);
    const rows = log.all();
    expect(rows.map((row) => row.first.id)).toEqual([1, 2, 3]);
    expect(rows.map((row) => row.answer?.id)).toEqual([1, 2, 3]);
    expect(rows.every((row) => row.status === 'ok')).toBe(true);
  });

  it('an error answer makes the row an error; an invalid message an invalid one', () => {
    const log = new ExchangeLog();
    log.add([request(7), message({ id: 7, kind: 'error', direction: 'out' })]);
    // A frame the hub refused (it had an id): the hub's −32600 answer joins its row.
    log.add([
      message({ id: 8, kind: 'invalid', problem: 'params is not an object' }),
      message({ id: 8, kind: 'error', direction: 'out' }),
    ]);
    // Refused without a readable id: nothing can answer it.
    log.add([message({ kind: 'invalid', problem: 'not JSON' })]);
    expect(log.all().map((row) => [row.status, row.messages])).toEqual([
      ['error', 2],
      ['invalid', 2],
      ['invalid', 1],
    ]);
  });

  it('notifications and answers whose request is not here are rows of their own', () => {
    const log = new ExchangeLog();
    log.add([
      message({ kind: 'notification', method: 'notifications/progress' }),
      response(99),
      message({ id: 98, kind: 'error', direction: 'out' }),
    ]);
    expect(log.all().map((row) => row.status)).toEqual(['one-way', 'ok', 'error']);
    expect(log.all().every((row) => row.answer === undefined)).toBe(true);
  });

  it('the same id on another connection, side or direction is another exchange', () => {
    const log = new ExchangeLog();
    log.add([
      request(1, { sessionId: 's1' }),
      request(1, { sessionId: 's2' }),
      // The hub asking the same client something, with the same id.
      request(1, { sessionId: 's1', direction: 'out', method: 'elicitation/create' }),
      // The hub's own request to a server.
      message({
        id: 1,
        side: 'server',
        direction: 'out',
        serverId: 'srv',
        sessionId: undefined,
        method: 'tools/call',
      }),
    ]);
    log.add([
      message({
        id: 1,
        kind: 'response',
        side: 'server',
        direction: 'in',
        serverId: 'srv',
        sessionId: undefined,
      }),
      // The client answering the hub's elicitation (in), then the hub answering s2 (out).
      response(1, { sessionId: 's1', direction: 'in' }),
      response(1, { sessionId: 's2' }),
    ]);
    const rows = log.all();
    expect(rows.map((row) => row.status)).toEqual(['pending', 'ok', 'ok', 'ok']);
    expect(rows[2]?.method).toBe('elicitation/create');
    expect(rows[3]?.serverId).toBe('srv');
  });

  it('two requests with one id in flight are answered in the order they were asked', () => {
    const log = new ExchangeLog();
    const first = request('dup', { at: 10 });
    const second = request('dup', { at: 20 });
    log.add([first, second, response('dup', { at: 25 }), response('dup', { at: 40 })]);
    const rows = log.all();
    expect(rows.map((row) => row.latencyMs)).toEqual([15, 20]);
    // A third answer has no request left: a row of its own.
    log.add([response('dup')]);
    expect(log.size).toBe(3);
  });

  it('ids are compared as the hub compares them (text), and odd ids are never paired', () => {
    expect(idKey(1)).toBe('1');
    expect(idKey('1')).toBe('1');
    for (const odd of [null, undefined, true, { a: 1 }, [1], Number.NaN, Infinity, 10n]) {
      expect(idKey(odd)).toBeUndefined();
    }
    const log = new ExchangeLog();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const odd = [null, { a: 1 }, [1, 2], true, cycle, 10n, Number.NaN];
    expect(() => {
      for (const id of odd) log.add([request(id), response(id)]);
    }).not.toThrow();
    // Each request waits and each answer stands alone: no guess pairs them.
    expect(log.all().map((row) => row.status)).toEqual(odd.flatMap(() => ['pending', 'ok']));
    // A number answered with the same number as text pairs, as the hub pairs it.
    log.add([request(5), response('5')]);
    expect(log.all().at(-1)?.status).toBe('ok');
    expect(log.all().at(-1)?.answer).toBeDefined();
  });

  it('never throws on fields a peer or an old journal filled oddly', () => {
    const log = new ExchangeLog();
    const junk = [
      { seq: 'x' },
      { seq: Number.NaN },
      {},
      null,
      { seq: 1_000_000, kind: 'request', side: 7, direction: null, method: { evil: true }, id: [] },
      { seq: 1_000_001, kind: 'response', at: 'yesterday', size: -5, sessionId: 42 },
    ] as unknown as TrafficView[];
    expect(() => log.add(junk)).not.toThrow();
    expect(log.size).toBe(2);
    expect(log.all()[0]?.method).toBeUndefined();
    expect(log.all()[1]).toMatchObject({ size: 0, at: 0, status: 'ok' });
    expect(() => log.select({ ...NO_FILTER, method: 'x', sessionId: '42' })).not.toThrow();
  });

  it('a message not newer than the last one taken is skipped (overlapping fetches)', () => {
    const log = new ExchangeLog();
    const a = request(1);
    const b = response(1);
    log.add([a]);
    expect(log.add([a, b])).toEqual({ rows: 0, answered: 1, skipped: 1 });
    expect(log.messages).toBe(2);
  });
});

describe('capacity', () => {
  it('drops the oldest rows until the messages fit, and the indexes forget them', () => {
    const log = new ExchangeLog();
    for (let i = 0; i < 10; i++) {
      const server = {
        side: 'server' as const,
        serverId: `srv${i % 2}`,
        serverSlug: `srv${i % 2}`,
        sessionId: undefined,
      };
      log.add([
        message({
          ...server,
          id: i,
          direction: 'out',
          method: i < 5 ? 'tools/list' : 'tools/call',
        }),
        message({ ...server, id: i, direction: 'in', kind: 'response' }),
      ]);
    }
    expect(log.messages).toBe(20);
    expect(log.trim(7)).toBe(7);
    expect(log.size).toBe(3);
    expect(log.messages).toBe(6);
    expect(log.all().map((row) => row.first.id)).toEqual([7, 8, 9]);
    expect(log.select({ ...NO_FILTER, method: 'tools/list' })).toEqual([]);
    expect(log.select({ ...NO_FILTER, serverId: 'srv1' }).map((row) => row.first.id)).toEqual([
      7, 9,
    ]);
    expect(
      log
        .servers()
        .map((server) => server.id)
        .sort(),
    ).toEqual(['srv0', 'srv1']);
    expect(log.get(log.all()[0]!.key)?.first.id).toBe(7);
  });

  it('an answer whose request was trimmed away is a row of its own', () => {
    const log = new ExchangeLog();
    log.add([request('slow'), request('quick'), response('quick')]);
    log.trim(2);
    expect(log.all().map((row) => row.first.id)).toEqual(['quick']);
    log.add([response('slow')]);
    expect(log.all().map((row) => [row.first.id, row.status, row.messages])).toEqual([
      ['quick', 'ok', 2],
      ['slow', 'ok', 1],
    ]);
  });

  it('clear forgets every row, and what was cleared does not come back', () => {
    const log = new ExchangeLog();
    const asked = request(1);
    log.add([asked]);
    log.clear();
    expect(log.size).toBe(0);
    expect(log.add([asked]).skipped).toBe(1);
    // Its answer, after the clear, has no request to join.
    log.add([response(1)]);
    expect(log.all().map((row) => row.status)).toEqual(['ok']);
  });
});

describe('filters through the indexes', () => {
  function sample(): ExchangeLog {
    const log = new ExchangeLog();
    log.add([
      request(1, { sessionId: 'a', clientName: 'alpha', method: 'tools/call' }),
      request(2, { sessionId: 'b', clientName: 'beta', method: 'tools/list' }),
      response(2, { sessionId: 'b' }),
      message({
        side: 'server',
        direction: 'out',
        serverId: 'gh',
        serverSlug: 'github',
        sessionId: undefined,
        id: 1,
        method: 'tools/call',
      }),
      message({
        side: 'server',
        direction: 'in',
        serverId: 'gh',
        sessionId: undefined,
        id: 1,
        kind: 'error',
      }),
      message({
        kind: 'notification',
        sessionId: 'a',
        clientName: 'alpha',
        method: 'notifications/cancelled',
      }),
    ]);
    return log;
  }
  const ids = (rows: Array<{ first: TrafficView }>) => rows.map((row) => row.first.method);

  it('by client, server, method text (any case) and errors only, alone or together', () => {
    const log = sample();
    expect(log.select(NO_FILTER)).toHaveLength(4);
    expect(ids(log.select({ ...NO_FILTER, sessionId: 'a' }))).toEqual([
      'tools/call',
      'notifications/cancelled',
    ]);
    expect(ids(log.select({ ...NO_FILTER, serverId: 'gh' }))).toEqual(['tools/call']);
    expect(ids(log.select({ ...NO_FILTER, method: ' TOOLS/ ' }))).toEqual([
      'tools/call',
      'tools/list',
      'tools/call',
    ]);
    expect(log.select({ ...NO_FILTER, errorsOnly: true }).map((row) => row.serverId)).toEqual([
      'gh',
    ]);
    expect(log.select({ ...NO_FILTER, sessionId: 'a', method: 'call' })).toHaveLength(1);
    expect(log.select({ ...NO_FILTER, sessionId: 'nobody' })).toEqual([]);
    expect(log.select({ ...NO_FILTER, method: 'resources' })).toEqual([]);
  });

  it('names the servers and clients that have rows, for the filters to offer', () => {
    const log = sample();
    expect(log.servers()).toEqual([{ id: 'gh', slug: 'github' }]);
    expect(log.clients()).toEqual([
      { sessionId: 'a', clientName: 'alpha' },
      { sessionId: 'b', clientName: 'beta' },
    ]);
  });

  it('selects from 10,000 rows by server without testing them all', () => {
    const log = new ExchangeLog();
    const batch: TrafficView[] = [];
    for (let i = 0; i < 10_000; i++) {
      batch.push(
        message({
          side: 'server',
          direction: 'out',
          serverId: i % 100 === 0 ? 'rare' : 'busy',
          sessionId: undefined,
          id: i,
          kind: 'notification',
          method: 'notifications/message',
        }),
      );
    }
    log.add(batch);
    const started = performance.now();
    const rare = log.select({ ...NO_FILTER, serverId: 'rare' });
    const took = performance.now() - started;
    expect(rare).toHaveLength(100);
    expect(took).toBeLessThan(5);
  });
});
