/**
 * The always-on journal: server changes are audit events and refused requests security events,
 * recorded with no dashboard watching, redacted, kept in the JournalStore and untouched by the
 * Inspector's clear.
 */
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { allowAllPolicy, createHub, type Hub } from '../../../../src/hub/index.ts';
import { AuditJournal } from '../../../../src/hub/journal/audit.ts';
import { MemoryJournalStore } from '../../../../src/hub/memory-stores.ts';
import { FakeClock } from '../../../support/fake-clock.ts';

const hubs: Hub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});

describe('the audit journal', () => {
  it('records server changes with no dashboard watching', async () => {
    const journal = new MemoryJournalStore();
    const hub = await createHub({ policy: allowAllPolicy, journal });
    hubs.push(hub);
    expect(hub.recorder.inspector.active).toBe(false);
    const added = await hub.admin.addServer({
      name: 'Weather',
      slug: 'weather',
      url: 'http://127.0.0.1:9/mcp?token=abc',
      transport: 'auto',
      headers: [],
    });
    await hub.admin.setEnabled(added.id, false);
    await hub.admin.editServer(added.id, { name: 'Weather 2' });
    await hub.admin.removeServer(added.id);
    const events = await hub.audit.events('audit', 10);
    expect(events.map((event) => [event.event, event.serverSlug])).toEqual([
      ['server-added', 'weather'],
      ['server-disabled', 'weather'],
      ['server-edited', 'weather'],
      ['server-removed', 'weather'],
    ]);
    // The URL's host names the server; its query (which may carry a token) is left out.
    expect(events[0]!.detail).toBe("Server 'weather' (127.0.0.1) was added.");
    expect(await journal.events('audit', 10)).toEqual(events);
  });

  it('records a refused request as a security event naming client, server and action', async () => {
    const journal = new MemoryJournalStore();
    const hub = await createHub({
      policy: {
        ...allowAllPolicy,
        authorize: (_p, action) => (action.type === 'list' ? 'allow' : 'deny'),
      },
      journal,
    });
    hubs.push(hub);
    const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
    await hub.connect(hubSide, { origin: 'https://a.example', clientName: 'A', sessionId: 's-1' });
    const client = new Client({ name: 'A', version: '1' });
    await client.connect(clientSide);
    await expect(client.callTool({ name: 'nexus__clock', arguments: {} })).rejects.toThrow(
      /does not allow client 'A'/,
    );
    await client.close();
    expect(await hub.audit.events('security', 10)).toEqual([
      expect.objectContaining({
        kind: 'security',
        event: 'request-denied',
        origin: 'https://a.example',
        clientName: 'A',
        sessionId: 's-1',
        serverSlug: 'nexus',
        detail: 'call nexus__clock',
      }),
    ]);
    expect(await hub.audit.events('audit', 10)).toEqual([]);
  });

  it('writes within 100 ms in one batch, redacted, at once when read, and on close', async () => {
    const clock = new FakeClock();
    const journal = new MemoryJournalStore();
    const batches: number[] = [];
    const append = journal.appendEvents.bind(journal);
    journal.appendEvents = async (events, keep) => {
      batches.push(events.length);
      return append(events, keep);
    };
    // Dashboards hear of each batch once it is in the store (and of nothing before).
    const told: number[] = [];
    const audit = new AuditJournal({
      clock,
      journal,
      secrets: () => ['sk-secret-1'],
      log: () => {},
      written: () => told.push(batches.length),
    });
    audit.record({ kind: 'security', event: 'odd', detail: 'saw sk-secret-1 and Cookie: a=b' });
    await clock.advance(50);
    audit.record({ kind: 'audit', event: 'server-added' });
    expect(batches).toEqual([]);
    await clock.advance(50);
    expect(batches).toEqual([2]);
    expect(told).toEqual([1]);
    expect((await journal.events('security', 10))[0]!.detail).toBe('saw •••• and Cookie: ••••');
    // Reading through the journal writes what waits first.
    audit.record({ kind: 'audit', event: 'server-edited' });
    expect((await audit.events('audit', 10)).map((event) => event.event)).toEqual([
      'server-added',
      'server-edited',
    ]);
    audit.record({ kind: 'audit', event: 'server-removed' });
    await audit.close();
    expect(batches).toEqual([2, 1, 1]);
    expect(told).toEqual([1, 2, 3]);
  });

  it('trims the store at most once a second, and writes no more than it keeps', async () => {
    const clock = new FakeClock();
    const journal = new MemoryJournalStore();
    const audit = new AuditJournal({
      clock,
      journal,
      secrets: () => [],
      log: () => {},
      retention: () => ({ count: 2 }),
    });
    const record = async (...names: string[]) => {
      for (const event of names) audit.record({ kind: 'audit', event });
      await audit.close();
    };
    await record('a', 'b', 'c');
    // More than it keeps at once: only the newest two are written.
    expect((await journal.events('audit', 10)).map((event) => event.event)).toEqual(['b', 'c']);
    await record('d');
    await record('e');
    // Within the second: written, not trimmed.
    expect((await journal.events('audit', 10)).map((event) => event.event)).toEqual([
      'b',
      'c',
      'd',
      'e',
    ]);
    await clock.advance(1_000);
    await record('f');
    expect((await journal.events('audit', 10)).map((event) => event.event)).toEqual(['e', 'f']);
  });
});
