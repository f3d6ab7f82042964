/**
 * The app shell's state and words: the "Waiting for you" drawer opens by itself for something
 * new (not on every refetch once the person closed it) and closes when nothing waits; the hub
 * and bridge pills' words.
 */
import { describe, expect, it } from 'vitest';
import { bridgeText, hubSummary } from '../../../src/ui/app/format.ts';
import { ShellState } from '../../../src/ui/state/shell.svelte.ts';

describe('the Waiting for you drawer', () => {
  it('opens for a new item, stays closed once closed until another arrives, and closes when nothing waits', () => {
    const shell = new ShellState();
    shell.waitingChanged(0);
    expect(shell.drawerOpen).toBe(false);
    shell.waitingChanged(1);
    expect(shell.drawerOpen).toBe(true);
    shell.toggleDrawer();
    // A refetch with the same item must not reopen what the person closed.
    shell.waitingChanged(1);
    expect(shell.drawerOpen).toBe(false);
    shell.waitingChanged(2);
    expect(shell.drawerOpen).toBe(true);
    // One answered: still open with the other one in it.
    shell.waitingChanged(1);
    expect(shell.drawerOpen).toBe(true);
    shell.waitingChanged(0);
    expect(shell.drawerOpen).toBe(false);
  });

  it('a page chosen on a phone closes the sidebar', () => {
    const shell = new ShellState();
    shell.navOpen = true;
    shell.navigated();
    expect(shell.navOpen).toBe(false);
  });
});

describe('the top bar pills', () => {
  it('counts the ready servers of those enabled, and the clients', () => {
    const server = (state: 'ready' | 'error' | 'disabled', enabled = true) => ({
      enabled,
      status: { state },
    });
    expect(hubSummary([server('ready'), server('error'), server('disabled', false)], 2)).toBe(
      '1/2 ready · 2 clients',
    );
    expect(hubSummary([], 1)).toBe('0/0 ready · 1 client');
  });

  it('says the bridge state in words, with a glyph that differs by state', () => {
    expect(bridgeText('connected')).toEqual({ glyph: '●', text: 'connected' });
    expect(bridgeText('no-host').text).toBe('not installed');
    expect(bridgeText('no-extension').text).toBe('extension not installed');
    expect(bridgeText('no-relay').glyph).toBe('◐');
  });
});
