/**
 * The ⌘K palette as a person uses it: open, type, ↓, Enter goes to the tool's Playground; Esc
 * closes; and the combobox tells a screen reader which option is active. Node has no DOM, so the
 * keys go to `PaletteState.keydown` (the component hands it every key the query box gets, and
 * Esc to the state through the <dialog>'s cancel and close), and the markup is read from
 * `svelte/server`'s HTML after each step.
 */
import { render } from 'svelte/server';
import { describe, expect, it, vi } from 'vitest';
import CommandPalette from '../../../src/ui/palette/CommandPalette.svelte';
import { PaletteState } from '../../../src/ui/palette/palette.svelte.ts';
import { HubState } from '../../../src/ui/state/hub.svelte.ts';
import { serverView } from './fake-hub.ts';

function hubWith(
  servers = [
    github(),
    serverView({
      id: 'id-down',
      name: 'down',
      slug: 'down',
      status: { state: 'error', reason: 'refused' },
    }),
  ],
): HubState {
  const hub = new HubState();
  hub.servers = servers;
  hub.loaded = true;
  return hub;
}

function github(toolNames = ['create_issue', 'create_branch', 'list_issues']) {
  return serverView({
    id: 'id-github',
    name: 'GitHub',
    slug: 'github',
    tools: toolNames.map((name) => ({ name: `github__${name}`, upstreamName: name })),
  });
}

function palette(hub = hubWith()) {
  const go = vi.fn<(href: string) => void>();
  return { palette: new PaletteState({ hub, go }), go };
}

interface Option {
  id: string;
  selected: boolean;
  text: string;
}

/** The palette's markup, read back as a screen reader would see its combobox and options. */
function shown(state: PaletteState) {
  const { body } = render(CommandPalette, { props: { palette: state } });
  const attribute = (tag: string, name: string): string | undefined =>
    new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1];
  const inputTag = /<input[^>]*>/.exec(body)?.[0];
  const listTag = /<ul[^>]*role="listbox"[^>]*>/.exec(body)?.[0];
  const options: Option[] = [...body.matchAll(/<li([^>]*)>([\s\S]*?)<\/li>/g)].map(
    ([, attributes = '', inner = '']) => ({
      id: attribute(attributes, 'id') ?? '',
      selected: attribute(attributes, 'aria-selected') === 'true',
      text: inner
        .replace(/<!--[\s\S]*?-->/g, '')
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    }),
  );
  return {
    body,
    dialog: /<dialog[^>]*>/.exec(body)?.[0],
    combobox:
      inputTag === undefined
        ? undefined
        : {
            role: attribute(inputTag, 'role'),
            controls: attribute(inputTag, 'aria-controls'),
            expanded: attribute(inputTag, 'aria-expanded'),
            activedescendant: attribute(inputTag, 'aria-activedescendant'),
            label: new RegExp(
              `<label[^>]*for="${attribute(inputTag, 'id')}"[^>]*>([^<]*)</label>`,
            ).exec(body)?.[1],
          },
    listbox:
      listTag === undefined
        ? undefined
        : { id: attribute(listTag, 'id'), hidden: /\shidden/.test(listTag) },
    options,
  };
}

describe('the command palette', () => {
  it('goes to the Playground at a tool: open, type, ↓, Enter', () => {
    const { palette: state, go } = palette();
    state.show();
    state.query = 'create';
    expect(state.results.map((item) => item.label)).toEqual(['create_issue', 'create_branch']);
    expect(state.keydown('ArrowDown')).toBe(true);
    expect(state.keydown('Enter')).toBe(true);
    expect(go).toHaveBeenCalledExactlyOnceWith('#/playground/github__create_branch');
    // Going somewhere closes it.
    expect(state.open).toBe(false);
  });

  it('goes to a server page or a page the same way, and leaves other keys to the box', () => {
    const { palette: state, go } = palette();
    state.show();
    state.query = 'git';
    state.keydown('Enter');
    expect(go).toHaveBeenLastCalledWith('#/servers/id-github');
    state.show();
    state.query = 'wait';
    state.keydown('Enter');
    expect(go).toHaveBeenLastCalledWith('#/waiting');
    // Home, End and letters move the caret or type: not the palette's.
    expect(state.keydown('Home')).toBe(false);
    expect(state.keydown('a')).toBe(false);
  });

  it('↑ and ↓ wrap around; typing makes the best match active again', () => {
    const { palette: state } = palette();
    state.show();
    state.query = 'issue';
    const count = state.results.length;
    expect(count).toBe(2);
    state.keydown('ArrowUp');
    expect(state.active).toBe(count - 1);
    state.keydown('ArrowDown');
    expect(state.active).toBe(0);
    state.keydown('ArrowDown');
    state.query = 'issues';
    expect(state.active).toBe(0);
  });

  it('does nothing on Enter when nothing matches', () => {
    const { palette: state, go } = palette();
    state.show();
    state.query = 'zzzz';
    expect(state.active).toBe(-1);
    state.keydown('Enter');
    expect(go).not.toHaveBeenCalled();
    expect(state.open).toBe(true);
  });

  it('Esc closes it (the dialog cancels, its close reaches the state) and shows nothing', () => {
    const { palette: state, go } = palette();
    state.show();
    expect(shown(state).combobox).toBeDefined();
    // What the <dialog>'s `close` event handler does after the native Esc cancel.
    state.close();
    expect(state.open).toBe(false);
    expect(go).not.toHaveBeenCalled();
    const closed = shown(state);
    expect(closed.dialog).toBeDefined();
    expect(closed.combobox).toBeUndefined();
    expect(closed.options).toEqual([]);
    // Opening again starts from an empty query.
    state.query = 'create';
    state.show();
    expect(state.query).toBe('');
  });

  it('is a dialog named "Go to" with a labelled combobox that controls the listbox', () => {
    const { palette: state } = palette();
    state.show();
    const view = shown(state);
    expect(view.dialog).toMatch(/aria-label="Go to"/);
    expect(view.combobox).toMatchObject({
      role: 'combobox',
      expanded: 'true',
      label: 'Page, server or tool',
    });
    expect(view.listbox?.id).toBeTruthy();
    expect(view.combobox?.controls).toBe(view.listbox?.id);
    expect(view.body).toMatch(/role="listbox"[^>]*aria-label="Results"/);
  });

  it('points aria-activedescendant at the active option, and moves it with ↓', () => {
    const { palette: state } = palette();
    state.show();
    state.query = 'create';
    const first = shown(state);
    expect(first.options.map((option) => option.selected)).toEqual([true, false]);
    expect(first.combobox?.activedescendant).toBe(first.options[0]?.id);

    state.keydown('ArrowDown');
    const second = shown(state);
    expect(second.options.map((option) => option.selected)).toEqual([false, true]);
    expect(second.combobox?.activedescendant).toBe(second.options[1]?.id);
    expect(second.options[1]?.text).toBe('Tool create_branch GitHub · github__create_branch');
    // Option ids are distinct, and none is made of a name a server chose.
    expect(new Set(second.options.map((option) => option.id)).size).toBe(2);
    expect(second.options.some((option) => option.id.includes('create'))).toBe(false);
  });

  it('says nothing is expanded or active when nothing matches, and why', () => {
    const { palette: state } = palette();
    state.show();
    state.query = 'zzzz';
    const view = shown(state);
    expect(view.combobox?.expanded).toBe('false');
    expect(view.combobox?.activedescendant).toBeUndefined();
    expect(view.listbox?.hidden).toBe(true);
    expect(view.body).toContain('No page, server or tool matches “zzzz”.');
  });

  it('lists pages and servers, each with its kind, and a server with its status glyph', () => {
    const { palette: state } = palette();
    state.show();
    const texts = shown(state).options.map((option) => option.text);
    expect(texts.slice(0, 3)).toEqual(['Page Servers', 'Page Clients', 'Page Playground']);
    expect(texts).toContain('Page Waiting for you');
    expect(texts).toContain('Server ● GitHub github · ready');
    expect(texts).toContain('Server ▲ down error');
    expect(texts.some((text) => text.startsWith('Tool'))).toBe(false);
  });

  it('renders at most 50 options for 10,000 tools, and says how many matched', () => {
    const names = Array.from({ length: 10_000 }, (_, index) => `tool_${index}`);
    const { palette: state } = palette(hubWith([github(names)]));
    state.show();
    state.query = 'tool';
    const view = shown(state);
    expect(view.options).toHaveLength(50);
    expect(view.body).toContain(
      `The best 50 of ${(10_000).toLocaleString()} matches. Type more to narrow them.`,
    );
  });

  it('shows names from servers as text, never as markup', () => {
    const hostile = '<img src=x onerror="alert(1)">';
    const { palette: state } = palette(
      hubWith([serverView({ id: 'evil', name: hostile, slug: 'evil' })]),
    );
    state.show();
    state.query = 'img';
    const { body } = shown(state);
    expect(body).not.toContain('<img');
    expect(body).toContain('&lt;img src=x onerror=');
  });

  it('says while the server list loads, and when it failed that the pages still work', () => {
    const hub = new HubState();
    const state = new PaletteState({ hub, go: () => undefined });
    state.show();
    expect(state.loading).toBe(true);
    expect(shown(state).body).toContain('Loading servers and tools…');

    hub.connectionError = 'Nexus could not reach its hub: the worker crashed.';
    expect(state.loading).toBe(false);
    const view = shown(state);
    expect(view.body).toMatch(
      /role="alert"[^>]*>Servers and tools cannot be listed: Nexus could not reach its hub: the worker crashed\. The pages can still be opened from here\.</,
    );
    expect(view.options.map((option) => option.text)[0]).toBe('Page Servers');
  });
});
