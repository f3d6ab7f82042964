/**
 * The palette's shortcut, ⌘K on macOS and Ctrl+K elsewhere. Tiny and free of the palette itself,
 * so the shell can import it at start and load the palette's chunk only when the keys are pressed.
 */

/** The parts of a `KeyboardEvent` the check reads (tests pass plain objects). */
export type ShortcutKeys = Pick<
  KeyboardEvent,
  'key' | 'code' | 'metaKey' | 'ctrlKey' | 'altKey' | 'shiftKey' | 'isComposing'
>;

/**
 * Whether `event` is ⌘K or Ctrl+K. Either modifier works on every system (a Mac person on a PC
 * keyboard, or the reverse). `key` decides, so the shortcut follows the layout (K on Dvorak is not
 * where QWERTY has it); `code` is the fallback for layouts whose K key types no Latin letter
 * (Cyrillic, Greek), where `key` is "л" or "κ". Keys typed while an input method composes a
 * character are never the shortcut.
 */
export function isPaletteShortcut(event: ShortcutKeys): boolean {
  if (event.isComposing || event.altKey || event.shiftKey) return false;
  if (!event.metaKey && !event.ctrlKey) return false;
  const key = event.key.toLowerCase();
  if (key === 'k') return true;
  return event.code === 'KeyK' && !/^[a-z]$/.test(key);
}
