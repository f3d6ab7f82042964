/**
 * The Inspector page at scale, rendered with the state it keeps (src/ui/state/inspector.svelte.ts)
 * against a stand-in hub that holds 10,000 messages: one row per exchange, about 60 rows in the
 * DOM whatever the total, aria-rowcount telling the whole, Home and End moving the selection
 * with the window following it, live follow and the "jump to live" pill, the detail pane with
 * both messages of an exchange, and the Lanes view. Rendered to HTML on the server (Node has no
 * DOM), so what a key or a scroll does is asked of the state, as the component forwards it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TrafficView } from '../../../src/protocol/views.ts';
import InspectorPage from '../../../src/ui/inspector/InspectorPage.svelte';
import { ANNOUNCE_MS, InspectorState } from '../../../src/ui/state/inspector.svelte.ts';
import { FakeAdmin, connectedHub, serverView } from './fake-hub.ts';
import { renderWithHub } from './render.ts';

/**
 * `calls` tool calls, each on both legs (client ↔ hub and hub ↔ server): 4 messages, 2 rows.
 * Calls alternate between two clients and two servers; latencies vary.
 */
function trafficOf(calls: number, firstSeq = 1): TrafficView[] {
  const messages: TrafficView[] = [];
  let seq = firstSeq;
  const at = 1_800_000_000_000;
  for (let call = 0; call < calls; call++) {
    const start = at + (seq - 1) * 10;
    const client = {
      side: 'client' as const,
      sessionId: call % 2 ? 'tab-b' : 'tab-a',
      clientName: call % 2 ? 'beta agent' : 'alpha agent',
    };
    const server = {
      side: 'server' as const,
      serverId: call % 2 ? 'id-files' : 'id-github',
      serverSlug: call % 2 ? 'files' : 'github',
    };
    const id = call;
    const method = 'tools/call';
    messages.push(
      { ...client, seq: seq++, at: start, direction: 'in', kind: 'request', method, id, size: 120 },
      {
        ...server,
        seq: seq++,
        at: start + 1,
        direction: 'out',
        kind: 'request',
        method,
        id,
        size: 130,
      },
      {
        ...server,
        seq: seq++,
        at: start + 1 + (call % 50),
        direction: 'in',
        kind: 'response',
        method,
        id,
        size: 400,
      },
      {
        ...client,
        seq: seq++,
        at: start + 3 + (call % 50),
        direction: 'out',
        kind: 'response',
        method,
        id,
        size: 390,
      },
    );
  }
  return messages;
}

/** The grid's rows in the rendered HTML (the header row included), from their opening tags. */
function rowsIn(html: string) {
  return [...html.matchAll(/<div role="row"([^>]*)>/g)].map(([, attributes = '']) => ({
    index: Number(/aria-rowindex="(\d+)"/.exec(attributes)?.[1]),
    key: /data-key="(\d+)"/.exec(attributes)?.[1],
    selected: /aria-selected="true"/.test(attributes),
  }));
}

function gridAttribute(html: string, name: string): string | undefined {
  const grid = /<div[^>]*role="grid"[^>]*>/.exec(html)?.[0] ?? '';
  return new RegExp(`${name}="([^"]*)"`).exec(grid)?.[1];
}

async function inspectorWith(messages: TrafficView[], capacity = 10_000) {
  const admin = new FakeAdmin();
  admin.servers = [
    serverView({ id: 'id-github', name: 'GitHub', slug: 'github' }),
    serverView({ id: 'id-files', name: 'Files', slug: 'files' }),
  ];
  admin.inspector = { enabled: true, capacity };
  admin.buffer = messages;
  const hub = await connectedHub(admin);
  const inspector = new InspectorState(hub);
  await inspector.loadSettings();
  await inspector.refresh();
  const render = () => renderWithHub(InspectorPage, hub, { given: inspector });
  return {
    admin,
    hub,
    inspector,
    render,
    [Symbol.dispose]() {
      inspector.dispose();
      hub[Symbol.dispose]();
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the Inspector with 10,000 messages', () => {
  it('lists one row per exchange and puts about 60 of them in the DOM, newest in view', async () => {
    using page = await inspectorWith(trafficOf(2_500));
    expect(page.admin.calls.traffic).toEqual([0]);
    // 10,000 messages, each request with its answer: 5,000 rows.
    expect(page.inspector.log.messages).toBe(10_000);
    expect(page.inspector.visible).toHaveLength(5_000);

    const { html, text } = page.render();
    const rows = rowsIn(html);
    expect(rows.length).toBeLessThanOrEqual(80);
    expect(rows.length).toBeGreaterThan(10);
    // The grid says how many rows there are in all: the header and 5,000 exchanges.
    expect(gridAttribute(html, 'aria-rowcount')).toBe('5001');
    expect(rows[0]?.index).toBe(1);
    // Live: the newest row is rendered (the list starts at the bottom).
    expect(rows.at(-1)?.index).toBe(5001);
    expect(html).toMatch(/role="grid"[^>]*aria-label="Exchanges"/);
    // Both legs of a call, paired, with their route, client or server, status and latency.
    expect(text).toContain('client ▸ hub');
    expect(text).toContain('hub ▸ server');
    expect(text).toMatch(/beta agent .*tools\/call.* ok \d+ ms/);
    expect(html).not.toContain('jump to live');
  });

  it('End and Home select the last and first row and bring each into the window', async () => {
    using page = await inspectorWith(trafficOf(2_500));
    const list = page.inspector.list;

    expect(list.key('Home')).toBe('moved');
    let html = page.render().html;
    let rows = rowsIn(html);
    expect(rows.find((row) => row.selected)?.index).toBe(2);
    expect(rows.some((row) => row.index === 5001)).toBe(false);
    expect(rows.length).toBeLessThanOrEqual(80);
    const first = page.inspector.visible[0]!;
    expect(gridAttribute(html, 'aria-activedescendant')).toBe(`exchange-${first.key}`);
    // Scrolled to the top, the person is no longer following the live end.
    expect(list.following).toBe(false);

    expect(list.key('ArrowDown')).toBe('moved');
    expect(list.key('PageDown')).toBe('moved');
    expect(list.selectedIndex).toBe(1 + 16);

    expect(list.key('End')).toBe('moved');
    html = page.render().html;
    rows = rowsIn(html);
    expect(rows.find((row) => row.selected)?.index).toBe(5001);
    expect(rows.some((row) => row.index === 2)).toBe(false);
    expect(list.following).toBe(true);

    // Enter opens the selected row; it asks the hub for both its messages, and only those.
    expect(list.key('Enter')).toBe('open');
    await page.inspector.openSelected();
    const last = page.inspector.visible.at(-1)!;
    expect(page.admin.calls.trafficDetail.sort()).toEqual(
      [last.first.seq, last.answer!.seq].sort(),
    );
  });

  it('scrolled up, new rows stay out of the way and a pill offers to jump to live', async () => {
    using page = await inspectorWith(trafficOf(2_500));
    const list = page.inspector.list;
    list.scrolled(1_000 * 30);
    const topKey = page.inspector.visible[1_000]!.key;
    expect(list.following).toBe(false);

    // Ten more calls arrive: 40 messages, 20 rows; the hub keeps 10,000 messages, so the
    // oldest 20 rows go. The row at the top of the view stays at the top.
    page.admin.buffer = [...page.admin.buffer, ...trafficOf(10, 10_001)];
    await page.inspector.refresh();
    expect(page.inspector.log.messages).toBe(10_000);
    expect(page.inspector.visible[Math.floor(list.scrollTop / 30)]?.key).toBe(topKey);
    expect(list.unseen).toBe(20);
    let shown = page.render();
    expect(shown.buttons.map((button) => button.text)).toContain('20 new — jump to live');
    expect(rowsIn(shown.html).some((row) => row.index === 5001)).toBe(false);

    list.jumpToLive();
    expect(list.following).toBe(true);
    shown = page.render();
    expect(shown.html).not.toContain('jump to live');
    expect(rowsIn(shown.html).at(-1)?.index).toBe(5001);

    // Following, the next rows keep the view at the bottom.
    page.admin.buffer = [...page.admin.buffer, ...trafficOf(1, 10_041)];
    await page.inspector.refresh();
    expect(list.following).toBe(true);
    expect(list.scrollTop).toBe(5_000 * 30 - list.viewportHeight);
  });

  it('filters the exchanges by client, server, method and errors, and counts them', async () => {
    const messages = trafficOf(2_500);
    // One failed call on the files server.
    messages.push(
      {
        seq: 10_001,
        at: 1,
        side: 'server',
        serverId: 'id-files',
        serverSlug: 'files',
        direction: 'out',
        kind: 'request',
        method: 'resources/read',
        id: 'r',
        size: 50,
      },
      {
        seq: 10_002,
        at: 9,
        side: 'server',
        serverId: 'id-files',
        serverSlug: 'files',
        direction: 'in',
        kind: 'error',
        id: 'r',
        size: 80,
      },
    );
    using page = await inspectorWith(messages, 20_000);
    page.inspector.setFilter({ sessionId: 'tab-a' });
    expect(page.inspector.visible).toHaveLength(1_250);
    expect(gridAttribute(page.render().html, 'aria-rowcount')).toBe('1251');
    page.inspector.setFilter({ sessionId: '', serverId: 'id-files' });
    expect(page.inspector.visible).toHaveLength(1_251);
    page.inspector.setFilter({ method: 'RESOURCES' });
    expect(page.inspector.visible.map((row) => row.status)).toEqual(['error']);
    page.inspector.setFilter({ method: '', serverId: '', errorsOnly: true });
    expect(page.inspector.visible).toHaveLength(1);
    const shown = page.render();
    expect(shown.text).toContain('resources/read');
    expect(shown.text).toContain('error');
    expect(shown.text).toContain('8 ms');
  });

  it('announces counts only, at most every two seconds', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    using page = await inspectorWith(trafficOf(1_000));
    expect(page.inspector.announcement).toBe('2,000 exchanges (4,000 messages).');
    page.inspector.setFilter({ sessionId: 'tab-b' });
    // Within the two seconds: not said yet.
    expect(page.inspector.announcement).toBe('2,000 exchanges (4,000 messages).');
    vi.advanceTimersByTime(ANNOUNCE_MS);
    expect(page.inspector.announcement).toBe(
      '500 of 2,000 exchanges (4,000 messages) match the filters.',
    );
    expect(page.render().html).toMatch(
      /role="status"[^>]*data-testid="inspector-counts"[^>]*>\s*500 of 2,000 exchanges/,
    );
  });
});

describe('the detail pane', () => {
  it('shows the request and the response of the open row, each with Copy JSON', async () => {
    using page = await inspectorWith(trafficOf(3));
    const row = page.inspector.visible.find((each) => each.first.side === 'server')!;
    const long = `{ "result": "${'x'.repeat(30_000)}" }`;
    page.admin.trafficDetails = {
      [row.first.seq]: {
        json: '{ "method": "tools/call", "params": { "name": "files__read" } }',
        curl: "curl -X POST 'https://example.com/mcp'",
      },
      [row.answer!.seq]: { json: long },
    };
    let shown = page.render();
    expect(shown.text).toContain('Open a row');
    expect(page.admin.calls.trafficDetail).toEqual([]);

    await page.inspector.open(row.key);
    shown = page.render();
    expect(shown.html).toMatch(/<article[^>]*aria-label="Request"/);
    expect(shown.html).toMatch(/<article[^>]*aria-label="Response"/);
    expect(shown.text).toContain('"name": "files__read"');
    // The decision about the call is in the journal: a link to its events there.
    expect(shown.html).toContain('href="#/audit/q=files__read"');
    expect(shown.buttons.map((button) => button.name)).toEqual(
      expect.arrayContaining([
        'Copy JSON of the request',
        'Copy as cURL',
        'Copy JSON of the response',
        'Download JSON of the response',
        'Show all (slow for a message this large)',
      ]),
    );
    // The 30,000-character answer shows its first 20,000 until asked.
    expect(shown.text).toContain(
      `Showing the first 20,000 of ${long.length.toLocaleString()} characters.`,
    );
    expect(rowsIn(shown.html).find((each) => each.selected)?.key).toBe(String(row.key));
  });

  it('a pending request shows "No answer yet", and its answer is fetched when it comes', async () => {
    const messages = trafficOf(1).slice(0, 1);
    using page = await inspectorWith(messages);
    const row = page.inspector.visible[0]!;
    page.admin.trafficDetails = { 1: { json: '{"id":0}' }, 4: { json: '{"result":{}}' } };
    await page.inspector.open(row.key);
    expect(page.render().text).toContain('No answer yet.');
    page.admin.buffer = trafficOf(1);
    await page.inspector.refresh();
    await vi.waitFor(() => expect(page.inspector.details[4]).toBeDefined());
    const shown = page.render();
    expect(shown.text).toContain('{"result":{}}');
    expect(shown.text).not.toContain('No answer yet.');
  });
});

describe('the Lanes view', () => {
  it('adds a lane per server (and one for the clients) with a mark in the row’s lane', async () => {
    using page = await inspectorWith(trafficOf(4));
    page.inspector.view = 'lanes';
    const { html } = page.render();
    expect(html).toMatch(/aria-colcount="9"/);
    const names = [...html.matchAll(/class="lane-name(?: [^"]*)?"[^>]*>([^<]*)</g)].map(
      (m) => m[1],
    );
    expect(names).toEqual(['clients', 'files', 'github']);
    // Each row names its lane for a screen reader; the mark's shape is its status.
    expect(html).toContain('github lane');
    expect(html).toContain('clients lane');
    expect(html).toMatch(/class="mark[^"]*"[^>]*>●</);
  });
});
