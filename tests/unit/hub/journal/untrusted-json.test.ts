/**
 * What the Inspector, the journal and the dashboard's detail view make of values that are not
 * JSON (issue 12, item 2): a structured-clone frame may hold a BigInt or a cycle, a client may put
 * an object where a string belongs. Nothing of it throws; the text says what was there.
 */
import { describe, expect, it } from 'vitest';
import { Inspector, sizeOf } from '../../../../src/hub/journal/protocol-log.ts';
import { jsonOf } from '../../../../src/hub/journal/untrusted-json.ts';
import { FakeClock } from '../../../support/fake-clock.ts';

describe('jsonOf', () => {
  it('is JSON.stringify for JSON values', () => {
    const value = { a: [1, 'two', null, { b: true }] };
    expect(jsonOf(value)).toBe(JSON.stringify(value));
    expect(jsonOf(value, 2)).toBe(JSON.stringify(value, null, 2));
    expect(jsonOf(undefined)).toBe('null');
  });

  it('writes a BigInt as a string and cuts a cycle, keeping shared (acyclic) parts whole', () => {
    const shared = { s: 1 };
    const cyclic: Record<string, unknown> = { id: 10n, shared, again: shared };
    cyclic.self = cyclic;
    expect(JSON.parse(jsonOf(cyclic))).toEqual({
      id: '10n',
      shared: { s: 1 },
      again: { s: 1 },
      self: '[cycle]',
    });
  });

  it('says so, in valid JSON, when even that fails (nesting deeper than the stack)', () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const text = jsonOf(deep);
    expect(JSON.parse(text)).toMatch(/^\[not serializable: /);
  });
});

describe('the Inspector with hostile messages', () => {
  it('records any value without throwing, taking only a string method and a readable id', () => {
    const inspector = new Inspector(new FakeClock());
    inspector.watch();
    const cyclic: Record<string, unknown> = { jsonrpc: '2.0', id: 1, method: 'tools/call' };
    cyclic.params = cyclic;
    const hostile: unknown[] = [
      { jsonrpc: '2.0', id: { toString: 1 }, method: 'ping' },
      { jsonrpc: '2.0', id: 2n, method: { toString: 1 } },
      cyclic,
      [1, 2],
      'text',
    ];
    for (const message of hostile) inspector.record('client', 'in', { sessionId: 's' }, message);
    inspector.record('client', 'out', { sessionId: 's' }, { jsonrpc: '2.0', id: 1, result: 10n });
    const entries = inspector.entries();
    expect(entries.map((entry) => [entry.kind, entry.method, entry.id])).toEqual([
      ['notification', 'ping', undefined],
      ['notification', undefined, undefined],
      ['request', 'tools/call', 1],
      ['invalid', undefined, undefined],
      ['invalid', undefined, undefined],
      ['response', 'tools/call', 1],
    ]);
    for (const entry of entries) expect(sizeOf(entry.message)).toBeGreaterThan(0);
  });

  it('counts what was dropped at the door even while nobody watches', () => {
    const inspector = new Inspector(new FakeClock());
    inspector.record('client', 'in', { sessionId: 's' }, { id: null }, { problem: 'no id' });
    inspector.record(
      'client',
      'in',
      { sessionId: 's' },
      { id: 1 },
      { problem: 'bad', answered: 1 },
    );
    expect(inspector.dropped).toBe(1);
    expect(inspector.entries()).toEqual([]);
  });
});
