/** What the JSON tree (JsonTree.svelte) shows of any value: its type, a one-line summary, how much. */
// --- JSON tree helpers ---------------------------------------------------------------------------

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' | 'other';

export function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'object':
      return 'object';
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'other';
  }
}

/** "3 items", "1 key": what a collapsed object or array holds. */
export function jsonSummary(value: unknown): string {
  if (Array.isArray(value)) return value.length === 1 ? '1 item' : `${value.length} items`;
  if (isRecord(value)) {
    const n = Object.keys(value).length;
    return n === 1 ? '1 key' : `${n} keys`;
  }
  return '';
}

/**
 * How much of a long string or list to render before a "show all" control: the DOM, not the data,
 * is what makes a 5 MB tool result freeze the tab.
 */
export function visibleCount(total: number, limit: number, showAll: boolean): number {
  return showAll ? total : Math.min(total, limit);
}

/** Pretty JSON for "Copy JSON"; anything JSON cannot express is written as a string, not thrown. */
export function toJsonText(value: unknown): string {
  try {
    const text = JSON.stringify(
      value,
      (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v),
      2,
    );
    return text ?? String(value);
  } catch (error) {
    return `/* not JSON: ${error instanceof Error ? error.message : String(error)} */`;
  }
}

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
