/**
 * 2026-07-28 calls waiting for their client's answers are the hub's (issue 13, item 5): bound to
 * the client that was asked, used once, gone after their time, and bounded in number.
 */
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../../../src/hub/downstream/input.ts';
import { WaitingCalls } from '../../../../src/hub/downstream/waiting-calls.ts';
import { FakeClock, countingIds } from '../../../support/fake-clock.ts';

const exchange: Exchange<unknown> = {
  next: async () => ({ kind: 'complete', result: {} }),
};
const call = { exchange, serverId: 's1', target: 'tools/call ask', answered: {} };
const alice = { origin: 'https://a.test', clientName: 'chat', sessionId: 'one' };

function waiting(ttlMs = 1_000, capacity = 3) {
  const clock = new FakeClock();
  return { clock, calls: new WaitingCalls(clock, countingIds('state'), ttlMs, capacity) };
}

describe('calls waiting for a 2026-07-28 client', () => {
  it('are continued by the same client on another session, once', () => {
    const { calls } = waiting();
    const token = calls.park(alice, call);
    const again = { ...alice, sessionId: 'two' };
    expect(calls.take(token, again, 's1', 'tools/call ask')).toMatchObject(call);
    expect(calls.take(token, again, 's1', 'tools/call ask')).toEqual({ refused: 'unknown' });
  });

  it('refuse another origin or client name, and stay for their own client', () => {
    const { calls } = waiting();
    const token = calls.park(alice, call);
    expect(
      calls.take(token, { ...alice, origin: 'https://b.test' }, 's1', 'tools/call ask'),
    ).toEqual({ refused: 'not-yours' });
    expect(calls.take(token, { ...alice, clientName: 'other' }, 's1', 'tools/call ask')).toEqual({
      refused: 'not-yours',
    });
    expect(calls.take(token, alice, 's1', 'tools/call other')).toEqual({
      refused: 'other-request',
      target: 'tools/call ask',
    });
    expect(calls.take(token, alice, 's1', 'tools/call ask')).toMatchObject({ serverId: 's1' });
    expect(calls.take(token, alice, 's1', 'tools/call ask')).toEqual({ refused: 'unknown' });
  });

  it('expire after their time', async () => {
    const { clock, calls } = waiting(1_000);
    const token = calls.park(alice, call);
    await clock.advance(1_001);
    expect(calls.take(token, alice, 's1', 'tools/call ask')).toEqual({ refused: 'unknown' });
    expect(calls.size).toBe(0);
  });

  it('keep the newest when too many wait', () => {
    const { calls } = waiting(1_000, 3);
    const tokens = [1, 2, 3, 4].map(() => calls.park(alice, call));
    expect(calls.size).toBe(3);
    expect(calls.take(tokens[0]!, alice, 's1', 'tools/call ask')).toEqual({ refused: 'unknown' });
    expect(calls.take(tokens[3]!, alice, 's1', 'tools/call ask')).toMatchObject({ serverId: 's1' });
  });
});
