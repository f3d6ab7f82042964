/**
 * The command palette's chunk: what the shell loads with one `import('../palette/index.ts')` on
 * the first ⌘K or click, so neither the component nor the ranking is in the first load
 * (UI.md §1). The shortcut check (./shortcut.ts) is not here: the shell imports it at start.
 */
export { default as CommandPalette } from './CommandPalette.svelte';
export { PaletteState, type PaletteStateOptions } from './palette.svelte.ts';
