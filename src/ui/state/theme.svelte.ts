/**
 * The person's theme: the system's colour scheme, or Light or Dark chosen in the header. Stored
 * in localStorage (read again before the first paint by public/theme-init.js, which must agree
 * on the key and values) and applied as `data-theme` on <html>, which src/ui/app/tokens.css turns into
 * `color-scheme`, and so every `light-dark()` token.
 */

/** The localStorage key (public/theme-init.js reads the same one). */
export const THEME_KEY = 'nexus-theme';

export type Theme = 'system' | 'light' | 'dark';

export const THEMES: ReadonlyArray<{ value: Theme; label: string }> = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** What the class touches; the page's own in the app, stand-ins in tests. */
export interface ThemeHost {
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined;
  root: { dataset: DOMStringMap };
}

function readTheme(host: ThemeHost): Theme {
  try {
    const stored = host.storage?.getItem(THEME_KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system';
  }
}

export class ThemeState {
  current = $state.raw<Theme>('system');
  readonly #host: ThemeHost;

  constructor(host: ThemeHost) {
    this.#host = host;
    this.current = readTheme(host);
  }

  /** Applies and remembers `theme`; `system` forgets the choice. */
  set(theme: Theme): void {
    this.current = theme;
    if (theme === 'system') delete this.#host.root.dataset.theme;
    else this.#host.root.dataset.theme = theme;
    try {
      if (theme === 'system') this.#host.storage?.removeItem(THEME_KEY);
      else this.#host.storage?.setItem(THEME_KEY, theme);
    } catch {
      // Storage blocked: the choice holds for this page only.
    }
  }
}

/** The page's theme: its localStorage (when the browser allows it) and its <html>. */
export function pageTheme(): ThemeState {
  let storage: Storage | undefined;
  try {
    storage = localStorage;
  } catch {
    storage = undefined;
  }
  return new ThemeState({ storage, root: document.documentElement });
}
