/**
 * The Audit page as a windowed journal (src/ui/audit/, src/ui/state/audit.svelte.ts): rows oldest
 * first with keys that survive a new fetch, at most about 80 of 10,000 in the DOM, the chips and
 * the search box turned into the hub's query (the search after a pause in typing), fetches while
 * there is traffic at most every 2 s with one after the last, a slow fetch never overwriting a
 * newer one, the detail pane with the arguments and the links to the Inspector, and the CSV export
 * keeping a spreadsheet from running a server's words as formulas. Rendered to HTML with
 * svelte/server against a stand-in hub.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JournalEvent } from '../../../src/protocol/consent.ts';
import AuditPage from '../../../src/ui/audit/AuditPage.svelte';
import { inspectorLinks, journalCsv, journalRows } from '../../../src/ui/audit/journal.ts';
import {
  auditAddress,
  auditQuery,
  filterCount,
  filtersFromAddress,
  NO_FILTERS,
} from '../../../src/ui/audit/query.ts';
import { auditedSubject, filterFromAddress } from '../../../src/ui/inspector/row-format.ts';
import { AuditState, REFRESH_MS, TYPING_MS } from '../../../src/ui/state/audit.svelte.ts';
import { FakeAdmin, connectedHub } from './fake-hub.ts';
import { renderWithHub } from './render.ts';

const START = 1_800_000_000_000;

/** `count` tool calls, oldest first, one every 10 ms, alternating clients and decisions. */
function callsOf(count: number, first = 0): JournalEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const n = first + i;
    return {
      kind: 'audit',
      at: START + n * 10,
      event: 'tool-called',
      clientName: n % 2 ? 'beta agent' : 'alpha agent',
      sessionId: n % 2 ? 'tab-b' : 'tab-a',
      serverId: 'id-shop',
      serverSlug: 'shop',
      method: 'tools/call',
      target: `shop__call_${n}`,
      decision: n % 3 === 0 ? 'ask' : 'allow',
      rule: n % 3 === 0 ? 'person:allow-once' : 'grant',
      outcome: 'ok',
      durationMs: 3.4,
    } satisfies JournalEvent;
  });
}

function rowsIn(html: string) {
  return [...html.matchAll(/<div role="row"([^>]*)>/g)].map(([, attributes = '']) => ({
    index: Number(/aria-rowindex="(\d+)"/.exec(attributes)?.[1]),
    key: /data-key="(\d+)"/.exec(attributes)?.[1],
  }));
}

async function journalWith(events: JournalEvent[]) {
  const admin = new FakeAdmin();
  admin.journal = events;
  const hub = await connectedHub(admin);
  const audit = new AuditState(hub);
  await audit.load();
  return {
    admin,
    audit,
    render: () => renderWithHub(AuditPage, hub, { given: audit }),
    [Symbol.dispose]() {
      audit.dispose();
      hub[Symbol.dispose]();
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the journal rows', () => {
  it('are oldest first, with keys that strictly increase and stay the same on the next fetch', () => {
    const sameMs: JournalEvent = { kind: 'audit', at: START, event: 'a' };
    const clockBack: JournalEvent = { kind: 'security', at: START - 5_000, event: 'c' };
    const nan = { kind: 'audit', at: Number.NaN, event: 'd' } as JournalEvent;
    // Newest first, as the hub answers.
    const first = journalRows([clockBack, { ...sameMs, event: 'b' }, sameMs, nan]);
    expect(first.map((row) => row.event.event)).toEqual(['d', 'a', 'b', 'c']);
    for (let i = 1; i < first.length; i++) {
      expect(first[i]!.key).toBeGreaterThan(first[i - 1]!.key);
    }
    // A new event arrives and the oldest is trimmed: the others keep their keys.
    const newer: JournalEvent = { kind: 'audit', at: START + 1, event: 'e' };
    const second = journalRows([newer, clockBack, { ...sameMs, event: 'b' }, sameMs]);
    expect(second.slice(0, 3).map((row) => row.key)).toEqual(first.slice(1).map((r) => r.key));
  });

  it('link to the Inspector showing their client, and their server', () => {
    const [event] = callsOf(1);
    const links = inspectorLinks(event!);
    expect(links.map((link) => filterFromAddress(link.address))).toEqual([
      { sessionId: 'tab-a' },
      { serverId: 'id-shop' },
    ]);
    expect(inspectorLinks({ kind: 'audit', at: START, event: 'settings-changed' })).toEqual([]);
  });

  it('export as CSV oldest first, quoted, with a server’s formula-like words made inert', () => {
    const hostile: JournalEvent = {
      kind: 'audit',
      at: START + 1,
      event: 'tool-called',
      target: '=HYPERLINK("http://evil","click")',
      detail: 'line one\nline, two',
      errorCode: -32603,
    };
    const csv = journalCsv([hostile, ...callsOf(1)]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'at,kind,event,clientName,origin,serverSlug,method,target,decision,rule,outcome,errorCode,durationMs,detail,arguments',
    );
    expect(lines[1]).toMatch(/^2027-01-15T08:00:00\.000Z,audit,tool-called,alpha agent,/);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"",""click"")"`);
    expect(csv).toContain('-32603');
    expect(csv).not.toContain("'-32603");
    expect(csv).toContain('"line one\nline, two"');
  });
});

describe('links into the journal', () => {
  it('carry a search and a server in the address, and read back only those', () => {
    const address = auditAddress({ text: 'alpha agent & co', server: 'shop' });
    expect(address).toBe('#/audit/q=alpha+agent+%26+co&server=shop');
    expect(filtersFromAddress(address)).toEqual({ text: 'alpha agent & co', server: 'shop' });
    expect(auditAddress({})).toBe('#/audit');
    expect(filtersFromAddress('#/audit')).toEqual({});
    expect(filtersFromAddress('#/inspector/q=x')).toEqual({});
    expect(filtersFromAddress('#/audit/kind=security&q=%E0%A4%A')).toEqual({ text: '\uFFFD%A' });
  });

  it('name the tool, prompt or URI of an Inspector request, whatever its JSON holds', () => {
    const call = (params: unknown) => JSON.stringify({ method: 'tools/call', params });
    expect(auditedSubject('tools/call', call({ name: 'shop__wipe' }))).toBe('shop__wipe');
    expect(auditedSubject('resources/read', JSON.stringify({ params: { uri: 'file:///a' } }))).toBe(
      'file:///a',
    );
    for (const params of [{ name: { toString: 1 } }, { name: ['a'] }, { name: 7 }, null, 'x']) {
      expect(auditedSubject('tools/call', call(params))).toBeUndefined();
    }
    expect(auditedSubject('tools/call', call({ name: 'x'.repeat(5_000) }))).toBeUndefined();
    expect(auditedSubject('tools/call', '{"params":{"name":"cut')).toBeUndefined();
    expect(auditedSubject('tools/list', call({ name: 'shop__wipe' }))).toBeUndefined();
    expect(auditedSubject(undefined, call({ name: 'shop__wipe' }))).toBeUndefined();
  });
});

describe('the filters', () => {
  it('turn chips, search, server and times into the hub’s query', () => {
    expect(auditQuery(NO_FILTERS)).toEqual({ limit: 10_000 });
    const filters = {
      ...NO_FILTERS,
      kind: 'security' as const,
      decision: 'deny' as const,
      errorsOnly: true,
      text: '  wipe ',
      server: 'shop',
      to: '2027-01-15T10:42',
    };
    expect(auditQuery(filters)).toMatchObject({
      kind: 'security',
      decision: 'deny',
      outcome: 'error',
      text: 'wipe',
      server: 'shop',
      to: new Date('2027-01-15T10:42').getTime() + 59_999,
    });
    expect(filterCount(filters)).toBe(6);
  });

  it('fetch at once for a chip, and once after a pause in typing for the search box', async () => {
    using page = await journalWith(callsOf(30));
    vi.useFakeTimers();
    page.audit.setFilters({ decision: 'ask' });
    await vi.waitFor(() => expect(page.audit.list.items).toHaveLength(10));
    for (const text of ['s', 'sh', 'shop__call_1']) page.audit.setFilters({ text });
    await vi.advanceTimersByTimeAsync(TYPING_MS - 1);
    expect(page.admin.calls.auditEvents).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(page.admin.calls.auditEvents).toHaveLength(3));
    expect(page.admin.calls.auditEvents[2]).toMatchObject({
      decision: 'ask',
      text: 'shop__call_1',
    });
    vi.useRealTimers();
    await vi.waitFor(() =>
      expect(page.audit.list.items.map((row) => row.event.target)).toEqual([
        'shop__call_12',
        'shop__call_15',
        'shop__call_18',
      ]),
    );
  });
});

describe('the journal with 10,000 events', () => {
  it('puts about 60 rows in the DOM, the newest in view, and says how many there are', async () => {
    using page = await journalWith(callsOf(10_000));
    const { html, text } = page.render();
    const rows = rowsIn(html);
    expect(rows.length).toBeLessThanOrEqual(80);
    expect(rows.length).toBeGreaterThan(10);
    expect(html).toMatch(/role="grid"[^>]*aria-label="Audit journal"/);
    expect(html).toMatch(/role="grid"[^>]*aria-rowcount="10001"/);
    expect(rows.at(-1)?.index).toBe(10_001);
    expect(text).toContain('shop__call_9999');
    expect(text).not.toContain('shop__call_0 ');
    expect(text).toContain('The newest 10,000 events that match');
  });

  it('keeps the rows in view put as events arrive, and counts them for "jump to live"', async () => {
    using page = await journalWith(callsOf(5_000));
    const list = page.audit.list;
    list.key('Home');
    const top = list.items[0]!.key;
    page.admin.journal = [...page.admin.journal, ...callsOf(3, 5_000)];
    await page.audit.load();
    expect(list.range.first).toBe(0);
    expect(list.selectedKey).toBe(top);
    expect(list.unseen).toBe(3);
    expect(page.render().text).toContain('3 new — jump to live');
    list.jumpToLive();
    expect(list.following).toBe(true);
    expect(list.unseen).toBe(0);
  });
});

describe('fetching again', () => {
  it('happens while there is traffic at most every 2 s, and once after the last', async () => {
    using page = await journalWith(callsOf(3));
    vi.useFakeTimers();
    const fetches = () => page.admin.calls.auditEvents.length;
    const before = fetches();
    page.audit.refreshSoon();
    page.audit.refreshSoon();
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    expect(fetches()).toBe(before + 1);
    // More traffic right after: the next fetch waits out the 2 s.
    page.audit.refreshSoon();
    await vi.advanceTimersByTimeAsync(REFRESH_MS - 10);
    expect(fetches()).toBe(before + 1);
    await vi.advanceTimersByTimeAsync(10);
    expect(fetches()).toBe(before + 2);
  });

  it('never lets a slow fetch overwrite a newer one', async () => {
    using page = await journalWith(callsOf(6));
    let release!: () => void;
    page.admin.holdAudit = new Promise((resolve) => (release = resolve));
    const asked = page.admin.calls.auditEvents.length;
    const slow = page.audit.load();
    // The hub has the first fetch (and holds it) before the second is asked for.
    await vi.waitFor(() => expect(page.admin.calls.auditEvents).toHaveLength(asked + 1));
    page.admin.holdAudit = undefined;
    page.audit.setFilters({ decision: 'ask' });
    await vi.waitFor(() => expect(page.audit.list.items).toHaveLength(2));
    release();
    await slow;
    expect(page.audit.list.items).toHaveLength(2);
  });
});

describe('the detail pane', () => {
  it('shows the open event whole, its arguments as a tree, and links to the Inspector', async () => {
    const [call] = callsOf(1);
    using page = await journalWith([{ ...call!, arguments: '{"reason":"[redacted]","n":2}' }]);
    expect(page.render().text).toContain('Open a row');
    page.audit.list.key('End');
    page.audit.openSelected();
    const { html, text } = page.render();
    expect(text).toMatch(/Decision ask · person:allow-once/);
    expect(text).toContain('Arguments (secrets redacted)');
    expect(text).toContain('[redacted]');
    expect(html).toContain('href="#/inspector/client=tab-a"');
    expect(html).toContain('href="#/inspector/server=id-shop"');
    page.audit.close();
    expect(page.render().text).toContain('Open a row');
  });
});
