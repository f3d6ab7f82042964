/**
 * The Inspector's memory is bounded by bytes, not only by entries (issue 12, item 4): measured
 * messages beyond the byte budget keep a preview (redacted before it is cut) and their real size,
 * the journal keeps large messages as a preview too, and a restart reads previews back as such.
 */
import { describe, expect, it } from 'vitest';
import { Inspector, PREVIEW_CHARS } from '../../../../src/hub/journal/protocol-log.ts';
import { ProtocolRecorder } from '../../../../src/hub/journal/recorder.ts';
import { MemoryJournalStore, MemoryRegistryStore } from '../../../../src/hub/memory-stores.ts';
import { FakeClock } from '../../../support/fake-clock.ts';

function ping(id: number, pad: number) {
  return { jsonrpc: '2.0' as const, id, method: 'ping', params: { pad: 'x'.repeat(pad) } };
}

describe('the byte budget', () => {
  it('keeps whole only the newest messages that fit, and their real sizes', () => {
    const inspector = new Inspector(new FakeClock(), 100, () => {}, 2_500);
    inspector.watch();
    for (let id = 1; id <= 4; id++)
      inspector.record('client', 'in', { sessionId: 's' }, ping(id, 1_000));
    for (const entry of inspector.entries())
      inspector.measured(entry, JSON.stringify(entry.message));
    const entries = inspector.entries();
    expect(entries.map((entry) => entry.truncated ?? false)).toEqual([true, true, false, false]);
    for (const entry of entries) expect(entry.size).toBe(JSON.stringify(ping(1, 1_000)).length);
    expect(entries[0]!.message).toBeUndefined();
    expect(entries[0]!.preview).toBe(JSON.stringify(ping(1, 1_000)).slice(0, PREVIEW_CHARS));
  });

  it('truncates at once a message larger than the whole budget', () => {
    const inspector = new Inspector(new FakeClock(), 100, () => {}, 1_000);
    inspector.watch();
    inspector.record('client', 'in', { sessionId: 's' }, ping(1, 50_000));
    const [entry] = inspector.entries();
    inspector.measured(entry!, JSON.stringify(entry!.message));
    expect(entry!.truncated).toBe(true);
    expect(entry!.preview).toHaveLength(PREVIEW_CHARS);
  });

  it('frees the budget of entries the ring drops', () => {
    const inspector = new Inspector(new FakeClock(), 10, () => {}, 12 * 1_100);
    inspector.watch();
    for (let id = 1; id <= 30; id++) {
      inspector.record('client', 'in', { sessionId: 's' }, ping(id, 1_000));
      const newest = inspector.entries().at(-1)!;
      inspector.measured(newest, JSON.stringify(newest.message));
    }
    // Ten entries of ~1 kB fit in 12 kB: none is truncated once the older ones left the ring.
    expect(inspector.entries().map((entry) => entry.truncated ?? false)).toEqual(
      Array(10).fill(false),
    );
  });
});

describe('the recorder with large messages', () => {
  it('journals a preview, redacted before it was cut, and reads it back as one', async () => {
    const clock = new FakeClock();
    const journal = new MemoryJournalStore();
    const secret = 'sk-live-0123456789abcdef';
    const recorder = new ProtocolRecorder({
      clock,
      registry: new MemoryRegistryStore(),
      journal,
      capacity: 100,
      fullBytes: 1_000_000,
      secrets: () => [secret],
      recorded: () => {},
      log: () => {},
    });
    recorder.inspector.watch();
    // The secret straddles the preview's end: cut first, half of it would stay readable.
    const head = 'y'.repeat(PREVIEW_CHARS - 40);
    const big = { jsonrpc: '2.0', id: 1, result: { text: head + secret + 'z'.repeat(400_000) } };
    recorder.inspector.record('server', 'in', { serverId: 'a' }, big);
    recorder.inspector.record('server', 'in', { serverId: 'a' }, ping(2, 10));
    await recorder.close();
    const [large, small] = await journal.latest(10);
    expect(large!.truncated).toBe(true);
    expect(large!.size).toBe(JSON.stringify(big).length);
    expect(large!.json.length).toBeLessThanOrEqual(PREVIEW_CHARS);
    expect(large!.json).not.toContain(secret.slice(0, 10));
    expect(small!.truncated).toBeUndefined();

    const restarted = new ProtocolRecorder({
      clock,
      registry: new MemoryRegistryStore(),
      journal,
      capacity: 100,
      secrets: () => [],
      recorded: () => {},
      log: () => {},
    });
    await restarted.restore();
    const [first, second] = restarted.inspector.entries();
    expect(first).toMatchObject({ truncated: true, message: undefined, size: large!.size });
    expect(second!.message).toEqual(ping(2, 10));
  });
});
