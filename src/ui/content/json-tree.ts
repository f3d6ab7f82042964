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

/** RFC 6901 escaping, so `a/b` as one key and `a` → `b` as two never share a path. */
export function childPath(path: string, key: string): string {
  return `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/** The value at a JSON Pointer `path` of `root` ('' is the root); undefined when absent. */
export function valueAt(root: unknown, path: string): unknown {
  if (path === '') return root;
  let current: unknown = root;
  for (const raw of path.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export interface JsonSearch {
  /** Paths whose key or (string, number, boolean) value contains the text, in document order. */
  hits: string[];
  /** Every ancestor of a hit: the tree opens these so each hit can be seen. */
  open: Set<string>;
  /** The walk stopped at its node budget: there may be hits further on. */
  partial: boolean;
}

/**
 * Finds `query` (any case) in keys and scalar values. Bounded: at most `budget` nodes are
 * visited and `maxHits` reported, so a search in a payload of megabytes stays a short task.
 * Cycles cannot occur in parsed JSON; a value handed in with one is walked once per node.
 */
export function searchJson(
  root: unknown,
  query: string,
  budget = 50_000,
  maxHits = 200,
): JsonSearch {
  const result: JsonSearch = { hits: [], open: new Set(), partial: false };
  const wanted = query.trim().toLowerCase();
  if (!wanted) return result;
  const seen = new Set<object>();
  let visited = 0;
  const walk = (value: unknown, path: string, key: string | undefined, parents: string[]): void => {
    if (result.hits.length >= maxHits) return;
    if (++visited > budget) {
      result.partial = true;
      return;
    }
    const scalar =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    if (
      (key !== undefined && key.toLowerCase().includes(wanted)) ||
      (scalar && String(value).toLowerCase().includes(wanted))
    ) {
      result.hits.push(path);
      for (const parent of parents) result.open.add(parent);
    }
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    const inner = [...parents, path];
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length && !result.partial; i++)
        walk(value[i], childPath(path, String(i)), undefined, inner);
    } else {
      for (const [childKey, child] of Object.entries(value)) {
        if (result.partial) break;
        walk(child, childPath(path, childKey), childKey, inner);
      }
    }
  };
  walk(root, '', undefined, []);
  return result;
}
