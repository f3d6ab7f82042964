/**
 * The theme: the person's choice is applied to <html> and remembered, "System" forgets it, and
 * public/theme-init.js (run before the first paint, outside the bundle) reads the same key and
 * values the switch writes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { THEME_KEY, ThemeState } from '../../../src/ui/state/theme.svelte.ts';

const INIT = readFileSync(
  path.resolve(import.meta.dirname, '../../../public/theme-init.js'),
  'utf8',
);

function host(stored?: string) {
  const items = new Map<string, string>(stored === undefined ? [] : [[THEME_KEY, stored]]);
  const storage = {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
  return { items, storage, root: { dataset: {} as DOMStringMap } };
}

/** Runs theme-init.js against a page whose storage holds `items`; returns <html>'s dataset. */
function initWith(storage: unknown): DOMStringMap {
  const documentElement = { dataset: {} as DOMStringMap };
  runInNewContext(INIT, { localStorage: storage, document: { documentElement } });
  return documentElement.dataset;
}

describe('ThemeState', () => {
  it('applies and remembers a choice; System forgets it', () => {
    const page = host();
    const theme = new ThemeState(page);
    expect(theme.current).toBe('system');
    theme.set('dark');
    expect(page.root.dataset.theme).toBe('dark');
    expect(page.items.get(THEME_KEY)).toBe('dark');
    // What the switch wrote is what the pre-paint script applies on the next load.
    expect(initWith(page.storage).theme).toBe('dark');
    theme.set('system');
    expect(page.root.dataset.theme).toBeUndefined();
    expect(page.items.has(THEME_KEY)).toBe(false);
    expect(initWith(page.storage).theme).toBeUndefined();
  });

  it('reads a stored choice and ignores anything else stored under its key', () => {
    expect(new ThemeState(host('light')).current).toBe('light');
    expect(new ThemeState(host('purple')).current).toBe('system');
    expect(initWith(host('purple').storage).theme).toBeUndefined();
  });

  it('keeps working where storage throws (blocked by a privacy setting)', () => {
    const throwing = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('SecurityError');
      },
      removeItem: () => {
        throw new Error('SecurityError');
      },
    };
    const root = { dataset: {} as DOMStringMap };
    const theme = new ThemeState({ storage: throwing, root });
    expect(theme.current).toBe('system');
    expect(() => theme.set('light')).not.toThrow();
    expect(root.dataset.theme).toBe('light');
    expect(() => initWith(throwing)).not.toThrow();
  });
});
