/**
 * The command palette's pure half: what it offers (pages, servers, tools, each with the hash of
 * where it goes) and how a query ranks them: exact, then prefix, then word start, then substring,
 * then characters in order; stable, capped, and unbothered by whatever names servers send.
 */
import { describe, expect, it } from 'vitest';
import type { ServerView, ToolView } from '../../../src/protocol/views.ts';
import { parseRoute } from '../../../src/ui/app/router.svelte.ts';
import {
  clip,
  LABEL_MAX,
  PAGES,
  paletteItems,
  rank,
  RESULT_LIMIT,
  resultSummary,
  type PaletteItem,
} from '../../../src/ui/palette/palette.ts';
import { isPaletteShortcut, type ShortcutKeys } from '../../../src/ui/palette/shortcut.ts';
import { serverView } from './fake-hub.ts';

function tool(slug: string, upstreamName: string, title?: string): ToolView {
  return { name: `${slug}__${upstreamName}`, upstreamName, ...(title ? { title } : {}) };
}

/** A ready server `slug` offering tools with these upstream names. */
function server(slug: string, toolNames: string[], patch: Partial<ServerView> = {}): ServerView {
  return serverView({
    id: `id-${slug}`,
    name: slug,
    slug,
    tools: toolNames.map((name) => tool(slug, name)),
    ...patch,
  });
}

/** The labels of the ranked tools, in order. */
function toolLabels(items: readonly PaletteItem[]): string[] {
  return items.filter((item) => item.kind === 'tool').map((item) => item.label);
}

describe('what the palette offers', () => {
  it('offers every page of the dashboard, each with its route hash', () => {
    const pages = paletteItems([]).map(({ kind, label, href }) => ({ kind, label, href }));
    expect(pages).toEqual([
      { kind: 'page', label: 'Servers', href: '#/servers' },
      { kind: 'page', label: 'Clients', href: '#/clients' },
      { kind: 'page', label: 'Playground', href: '#/playground' },
      { kind: 'page', label: 'Inspector', href: '#/inspector' },
      { kind: 'page', label: 'Activity', href: '#/activity' },
      { kind: 'page', label: 'Permissions', href: '#/permissions' },
      { kind: 'page', label: 'Audit', href: '#/audit' },
      { kind: 'page', label: 'Waiting for you', href: '#/waiting' },
    ]);
    // Each hash leads back to the page it names (the router's inverse).
    for (const { route } of PAGES) {
      const href = paletteItems([]).find((item) => parseRoute(item.href).page === route.page);
      expect(href, route.page).toBeDefined();
    }
  });

  it("offers each server by name, going to the server's page, with its status", () => {
    const items = paletteItems([
      server('github', [], { id: 'a/b c', name: 'GitHub' }),
      server('slack', [], { status: { state: 'error', reason: 'refused' } }),
    ]);
    const servers = items.filter((item) => item.kind === 'server');
    expect(servers).toMatchObject([
      { label: 'GitHub', slug: 'github', state: 'ready', href: '#/servers/a%2Fb%20c' },
      { label: 'slack', slug: 'slack', state: 'error', href: '#/servers/id-slack' },
    ]);
    // The hash survives ids with slashes and spaces.
    expect(parseRoute(servers[0]!.href)).toEqual({ page: 'server', id: 'a/b c' });
  });

  it('offers each tool of a ready server, going to the Playground with it chosen', () => {
    const items = paletteItems([
      server('github', ['create_issue']),
      // Tools of a server that is not ready cannot be called: the Playground does not offer them.
      server('down', ['stale'], { status: { state: 'connecting' } }),
    ]);
    const tools = items.filter((item) => item.kind === 'tool');
    expect(tools).toEqual([
      expect.objectContaining({
        kind: 'tool',
        label: 'create_issue',
        name: 'github__create_issue',
        serverName: 'github',
        href: '#/playground/github__create_issue',
      }),
    ]);
    expect(parseRoute(tools[0]!.href)).toEqual({
      page: 'playground',
      tool: 'github__create_issue',
    });
  });

  it("labels a tool by its title when it has one, and finds it by either name or its server's", () => {
    const items = paletteItems([
      serverView({
        id: 'g',
        name: 'GitHub',
        slug: 'gh',
        tools: [tool('gh', 'create_issue', 'Open an issue')],
      }),
    ]);
    const [found] = rank(items, 'open an').items;
    expect(found).toMatchObject({ kind: 'tool', label: 'Open an issue', serverName: 'GitHub' });
    expect(rank(items, 'create_iss').items[0]?.label).toBe('Open an issue');
    expect(rank(items, 'gh__create').items[0]?.label).toBe('Open an issue');
    // Its server's name finds it too, after the server itself.
    expect(rank(items, 'github').items.map((item) => item.kind)).toEqual(['server', 'tool']);
  });
});

describe('ranking a query', () => {
  const items = paletteItems([
    server('lab', [
      'tissue_sample', // contains "issue"
      'list_issues', // a word starts with "issue"
      'issue_create', // starts with "issue"
      'issue', // is "issue"
      'i_s_s_u_e', // holds i, s, s, u, e in order
      'profile', // contains "file" (listed first: only the word start can put the next ahead)
      'getFileContents', // "file" starts a camelCase word
    ]),
  ]);

  it('puts an exact name first, then prefixes, word starts, substrings, then fuzzy matches', () => {
    expect(toolLabels(rank(items, 'issue').items)).toEqual([
      'issue',
      'issue_create',
      'list_issues',
      'tissue_sample',
      'i_s_s_u_e',
    ]);
  });

  it('ignores case in the query and in names, and treats camelCase as word starts', () => {
    expect(toolLabels(rank(items, 'ISSUE_C').items)).toEqual(['issue_create']);
    expect(toolLabels(rank(items, 'File').items)).toEqual(['getFileContents', 'profile']);
  });

  it('finds names holding the characters in order, a space matching anything', () => {
    expect(toolLabels(rank(items, 'gfc').items)).toEqual(['getFileContents']);
    expect(toolLabels(rank(items, 'get cont').items)).toEqual(['getFileContents']);
    // Characters out of order do not match.
    expect(rank(items, 'cfg').total).toBe(0);
  });

  it('keeps the order of the items among equal matches (pages, then servers, then tools)', () => {
    const many = paletteItems([
      server('alpha', ['search_a', 'search_b']),
      server('search', ['search_c']),
    ]);
    expect(rank(many, 'search').items.map((item) => `${item.kind}:${item.label}`)).toEqual([
      'server:search',
      'tool:search_a',
      'tool:search_b',
      'tool:search_c',
    ]);
  });

  it('lists the pages and the servers, not the tools, for an empty or blank query', () => {
    const offered = paletteItems([server('github', ['create_issue'])]);
    const { items: shown, total } = rank(offered, '   ');
    expect(shown.map((item) => item.kind)).toEqual([...PAGES.map(() => 'page'), 'server']);
    expect(total).toBe(PAGES.length + 1);
  });

  it(`returns at most ${RESULT_LIMIT} results, the best ones, and how many matched`, () => {
    const names = Array.from({ length: 200 }, (_, index) => `tool_${index}`);
    const offered = paletteItems([server('big', [...names, 'tool'])]);
    const ranked = rank(offered, 'tool');
    expect(ranked.items).toHaveLength(RESULT_LIMIT);
    expect(ranked.total).toBe(201);
    // The exact match came last in the list and still leads.
    expect(ranked.items[0]?.label).toBe('tool');
    expect(rank(offered, 'tool', 5).items).toHaveLength(5);
  });

  it('ranks 10,000 tools, finding the best match wherever it is', () => {
    const names = Array.from({ length: 10_000 }, (_, index) => `operation_${index}_of_many`);
    names[9_999] = 'deploy_release';
    const offered = paletteItems([server('huge', names)]);
    expect(offered.filter((item) => item.kind === 'tool')).toHaveLength(10_000);
    expect(toolLabels(rank(offered, 'deploy').items)).toEqual(['deploy_release']);
    const broad = rank(offered, 'op');
    expect(broad.total).toBe(9_999);
    expect(broad.items).toHaveLength(RESULT_LIMIT);
    expect(broad.items[0]?.label).toBe('operation_0_of_many');
  });
});

describe('names servers send', () => {
  const long = 'x'.repeat(1_000_000);
  const odd = [
    serverView({ id: 'empty', name: '', slug: '', tools: [{ name: '', upstreamName: '' }] }),
    serverView({ id: 'long', name: long, slug: 'long', tools: [tool('long', long)] }),
    serverView({
      id: 'rtl',
      name: 'خادم عربي',
      slug: 'rtl',
      tools: [tool('rtl', 'חיפוש\u202Eevil'), tool('rtl', '🔍🚀 search 👩‍👩‍👧')],
    }),
    serverView({
      id: 'html',
      name: '<img src=x onerror=alert(1)>',
      slug: 'html',
      tools: [
        // The hub exposes such a name under an ASCII one; its own name is only a label.
        { name: 'html__lone_surrogate_x1', upstreamName: '\ud800lone surrogate' },
        // No URL can hold this one: it is left out, not thrown over.
        { name: 'html__\udc00', upstreamName: 'unroutable' },
        tool('html', 'İstanbul'),
      ],
    }),
  ];

  it('builds items from empty, huge, right-to-left, emoji and markup names without throwing', () => {
    const items = paletteItems(odd);
    // A server with no name or slug is listed under its id; a tool with no name at all, under
    // words a person can read.
    const empty = items.find((item) => item.kind === 'server' && item.href === '#/servers/empty');
    expect(empty?.label).toBe('empty');
    expect(toolLabels(items)).toContain('(no name)');
    const huge = items.find((item) => item.kind === 'server' && item.href === '#/servers/long');
    expect(huge?.label.length).toBe(LABEL_MAX + 1);
    expect(huge?.label.endsWith('…')).toBe(true);
    // Markup is kept as the text it is (the component renders it as text).
    expect(items.some((item) => item.label === '<img src=x onerror=alert(1)>')).toBe(true);
    expect(toolLabels(items)).toContain('\ud800lone surrogate');
    expect(toolLabels(items)).not.toContain('unroutable');
  });

  it.each([
    '',
    'x',
    'xxxx',
    'خادم',
    'חיפוש',
    '🔍',
    '👩‍👩‍👧',
    '\ud800',
    'i̇stanbul',
    '<img',
    '   a  ',
    '\u202E',
  ])('ranks the query %j without throwing', (query) => {
    const ranked = rank(paletteItems(odd), query);
    expect(ranked.items.length).toBeLessThanOrEqual(RESULT_LIMIT);
  });

  it('finds right-to-left and emoji names', () => {
    const items = paletteItems(odd);
    expect(rank(items, 'خادم').items[0]).toMatchObject({ kind: 'server', label: 'خادم عربي' });
    expect(rank(items, 'search').items[0]?.label).toBe('🔍🚀 search 👩‍👩‍👧');
    expect(rank(items, '🚀').items[0]?.label).toBe('🔍🚀 search 👩‍👩‍👧');
  });

  it('never cuts a character in half when clipping', () => {
    expect(clip('ab😀cd', 3)).toBe('ab…');
    expect(clip('ab😀cd', 4)).toBe('ab😀…');
    expect(clip('short', 10)).toBe('short');
  });
});

describe('the summary under the list', () => {
  it('says what is listed, how many matched, and when the list was cut', () => {
    expect(resultSummary('', 9, 9)).toBe('Pages and servers. Type to find tools too.');
    expect(resultSummary('zz', 0, 0)).toBe('No page, server or tool matches “zz”.');
    expect(resultSummary('a', 1, 1)).toBe('1 match.');
    expect(resultSummary('a', 7, 7)).toBe('7 matches.');
    expect(resultSummary('a', 50, 812)).toBe(
      'The best 50 of 812 matches. Type more to narrow them.',
    );
  });
});

describe('the ⌘K / Ctrl+K shortcut', () => {
  const press = (patch: Partial<ShortcutKeys>): boolean =>
    isPaletteShortcut({
      key: 'k',
      code: 'KeyK',
      metaKey: false,
      ctrlKey: false,
      altKey: false,
      shiftKey: false,
      isComposing: false,
      ...patch,
    });

  it('is ⌘K or Ctrl+K, also where the K key types a non-Latin letter', () => {
    expect(press({ metaKey: true })).toBe(true);
    expect(press({ ctrlKey: true })).toBe(true);
    expect(press({ ctrlKey: true, key: 'K' })).toBe(true);
    expect(press({ ctrlKey: true, key: 'л' })).toBe(true);
  });

  it('is not K alone, with Shift or Alt, while composing, or another Latin letter on that key', () => {
    expect(press({})).toBe(false);
    expect(press({ ctrlKey: true, shiftKey: true })).toBe(false);
    expect(press({ metaKey: true, altKey: true })).toBe(false);
    expect(press({ ctrlKey: true, isComposing: true })).toBe(false);
    // Dvorak: the key where QWERTY has K types "t"; Ctrl+T stays the browser's.
    expect(press({ ctrlKey: true, key: 't' })).toBe(false);
  });
});
