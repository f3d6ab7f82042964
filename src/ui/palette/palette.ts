/**
 * The command palette's pure half: what one can jump to (the dashboard's pages, every server,
 * every tool of a ready server) and how a query ranks them. No DOM and no runes, so the ranking
 * is tested on its own and stays the same wherever it runs.
 *
 * Names come from servers and are untrusted: they are only ever text here (the component renders
 * them as text, never as HTML), a very long one is clipped before it is searched or shown, and
 * nothing is keyed on them.
 *
 * Speed: a hub may list 10,000 tools. The lowercased search keys are built once per change of
 * the server list (not per keystroke); a query is one pass over the items with `indexOf` and
 * character-code loops (no regular expressions, no per-item allocation), keeping only the best
 * `limit` matches in a small sorted buffer instead of sorting every match.
 */
import type { ServerStatus, ServerView } from '../../protocol/views.ts';
import { hrefOf, NAV_PAGES, type Route } from '../app/router.svelte.ts';

/** The most results a query returns (and the palette renders): more is a list nobody reads. */
export const RESULT_LIMIT = 50;

/** Names longer than this are clipped for display (a server may send megabytes of "name"). */
export const LABEL_MAX = 160;

/**
 * Only this much of each name is searched: it bounds the work per item whatever a server sends,
 * and no one types a query that matches past it.
 */
const KEY_MAX = 256;

/** One string an item is found by, lowercased and clipped. */
export interface SearchKey {
  readonly lower: string;
  /**
   * The same text before lowercasing, when lowercasing kept its length (so positions agree):
   * read only to find camelCase word starts (`getFile` → `File`).
   */
  readonly original: string | undefined;
  /**
   * Not the item's own name but where it lives (a tool's server): any match here ranks after
   * every match of an own name, so "search" lists the tools called search… before all the tools
   * of a server called search.
   */
  readonly context: boolean;
}

interface ItemBase {
  /** What the option shows first, clipped to `LABEL_MAX`. */
  readonly label: string;
  /** Where choosing it goes: a route hash (`#/servers/abc`). */
  readonly href: string;
  /** What a query is matched against, most telling first (an earlier key wins a tie). */
  readonly keys: readonly SearchKey[];
}

export interface PageItem extends ItemBase {
  readonly kind: 'page';
}

export interface ServerItem extends ItemBase {
  readonly kind: 'server';
  /** The slug, shown beside the name when it differs. */
  readonly slug: string;
  readonly state: ServerStatus['state'];
}

export interface ToolItem extends ItemBase {
  readonly kind: 'tool';
  /** The name clients call it by, `slug__tool` (the label is its title or upstream name). */
  readonly name: string;
  /** The server that offers it. */
  readonly serverName: string;
}

export type PaletteItem = PageItem | ServerItem | ToolItem;

/** Every page, as the sidebar lists them, and what waits for the person. */
export const PAGES: ReadonlyArray<{ label: string; route: Route }> = [
  ...NAV_PAGES,
  { label: 'Waiting for you', route: { page: 'waiting' } },
];

/** The status as one word or two, for beside the glyph (the full reason is on the server's page). */
export function stateWords(state: ServerStatus['state']): string {
  return state === 'needs-sign-in' ? 'needs sign-in' : state;
}

/**
 * `text` cut to at most `max` UTF-16 units plus "…", never in the middle of a surrogate pair (an
 * emoji cut in half shows as a replacement box).
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

function key(text: string, context: boolean): SearchKey {
  const clipped = text.length > KEY_MAX ? text.slice(0, KEY_MAX) : text;
  const lower = clipped.toLowerCase();
  return { lower, original: lower.length === clipped.length ? clipped : undefined, context };
}

/**
 * Keys for the item's own names `texts`, then for `context` (where it lives), leaving out empty
 * ones and repeats (a title equal to the tool's name).
 */
function keysOf(texts: Array<string | undefined>, context?: string): SearchKey[] {
  const keys: SearchKey[] = [];
  const add = (text: string | undefined, isContext: boolean): void => {
    if (!text) return;
    const made = key(text, isContext);
    if (made.lower && !keys.some((each) => each.lower === made.lower)) keys.push(made);
  };
  for (const text of texts) add(text, false);
  add(context, true);
  return keys;
}

/** A name a person can read: the first non-blank of `names`, clipped. */
function readable(...names: Array<string | undefined>): string {
  const name = names.find((each) => each !== undefined && each.trim() !== '');
  return clip(name ?? '(no name)', LABEL_MAX);
}

const PAGE_ITEMS: readonly PageItem[] = PAGES.map(({ label, route }) => ({
  kind: 'page',
  label,
  href: hrefOf(route),
  keys: keysOf([label]),
}));

/**
 * The Playground's hash for a tool, or undefined for a name no URL can hold (a lone surrogate
 * makes `encodeURIComponent` throw). The hub exposes tools under ASCII names (`slug__name`, see
 * src/hub/registry/names.ts), so this only drops a name that no client could call either.
 */
function toolHref(name: string): string | undefined {
  try {
    return hrefOf({ page: 'playground', tool: name });
  } catch {
    return undefined;
  }
}

/**
 * Everything the palette can go to: the pages, then each server (to its page), then each tool
 * of each ready server (to the Playground with it chosen). Only ready servers' tools, as in the
 * Playground's picker: another server's tools cannot be called, and its list may be stale.
 */
export function paletteItems(servers: readonly ServerView[]): PaletteItem[] {
  const items: PaletteItem[] = [...PAGE_ITEMS];
  for (const server of servers) {
    items.push({
      kind: 'server',
      label: readable(server.name, server.slug, server.id),
      slug: clip(server.slug, LABEL_MAX),
      state: server.status.state,
      href: hrefOf({ page: 'server', id: server.id }),
      keys: keysOf([server.name, server.slug]),
    });
  }
  for (const server of servers) {
    if (server.status.state !== 'ready') continue;
    const serverName = readable(server.name, server.slug, server.id);
    for (const tool of server.tools) {
      const href = toolHref(tool.name);
      if (href === undefined) continue;
      items.push({
        kind: 'tool',
        label: readable(tool.title, tool.upstreamName, tool.name),
        name: clip(tool.name, LABEL_MAX),
        serverName,
        href,
        keys: keysOf([tool.title, tool.upstreamName, tool.name], server.name),
      });
    }
  }
  return items;
}

// How well a key matches, best first. A score is `(tier * MAX_KEYS + key index) * SPAN + detail`
// (lower is better): the tier decides, then which key matched, then where in it (or, for a
// fuzzy match, how spread out it is); equal scores keep the items' order. A context key's tiers
// come after all of an own name's (CONTEXT).
const EXACT = 0;
const PREFIX = 1;
const WORD_START = 2;
const SUBSTRING = 3;
const FUZZY = 4;
const CONTEXT = FUZZY + 1;
const MAX_KEYS = 8;
const SPAN = 1 << 16;
const NO_MATCH = Number.POSITIVE_INFINITY;

/** A-Z: a camelCase word start when it follows a-z. */
function isUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}
function isLower(code: number): boolean {
  return code >= 97 && code <= 122;
}
/** Letters and digits continue a word; any other ASCII character (`_`, `-`, space, `/`) ends one. */
function isWordChar(code: number): boolean {
  return isLower(code) || (code >= 48 && code <= 57) || code >= 0x80;
}

function startsWord(key: SearchKey, at: number): boolean {
  if (!isWordChar(key.lower.charCodeAt(at - 1))) return true;
  const original = key.original;
  return (
    original !== undefined &&
    isUpper(original.charCodeAt(at)) &&
    isLower(original.charCodeAt(at - 1))
  );
}

/** `query`'s characters in order within `text` (spaces in the query match anything): the span. */
function subsequenceSpan(text: string, query: string): number {
  let first = -1;
  let at = 0;
  for (let i = 0; i < query.length; i++) {
    const code = query.charCodeAt(i);
    if (code === 32) continue;
    let found = -1;
    for (let j = at; j < text.length; j++) {
      if (text.charCodeAt(j) === code) {
        found = j;
        break;
      }
    }
    if (found < 0) return -1;
    if (first < 0) first = found;
    at = found + 1;
  }
  return first < 0 ? -1 : at - 1 - first;
}

/** The tier and detail of `query` in one key, as `tier * SPAN + detail`, or NO_MATCH. */
function keyScore(key: SearchKey, query: string): number {
  const text = key.lower;
  let at = text.indexOf(query);
  if (at === 0) return (text.length === query.length ? EXACT : PREFIX) * SPAN;
  if (at > 0) {
    const first = at;
    while (at > 0) {
      if (startsWord(key, at)) return WORD_START * SPAN + at;
      at = text.indexOf(query, at + 1);
    }
    return SUBSTRING * SPAN + first;
  }
  const span = subsequenceSpan(text, query);
  return span < 0 ? NO_MATCH : FUZZY * SPAN + Math.min(span, SPAN - 1);
}

/** The best score of `item` for `query` over its keys, or NO_MATCH. */
function itemScore(item: PaletteItem, query: string): number {
  let best = NO_MATCH;
  const keys = item.keys;
  const count = Math.min(keys.length, MAX_KEYS);
  for (let k = 0; k < count; k++) {
    const key = keys[k]!;
    const score = keyScore(key, query);
    if (score === NO_MATCH) continue;
    const tier = Math.floor(score / SPAN) + (key.context ? CONTEXT : 0);
    const ranked = (tier * MAX_KEYS + k) * SPAN + (score % SPAN);
    if (ranked < best) best = ranked;
  }
  return best;
}

export interface Ranked {
  /** The best matches, best first, at most the limit. */
  items: PaletteItem[];
  /** How many items matched in all (the palette says "50 of 1,234"). */
  total: number;
}

/**
 * The items that match `query`, best first: an exact name, then names that start with it, then
 * names with a word that starts with it (`github__create_issue` for "create", `getFile` for
 * "file"), then names that contain it, then names holding its characters in order ("gtiss" for
 * `get_issue`; a space in the query matches anything). Case does not matter; equal matches keep
 * the items' order (pages, servers, tools). An empty query lists the pages and the servers.
 */
export function rank(
  items: readonly PaletteItem[],
  query: string,
  limit: number = RESULT_LIMIT,
): Ranked {
  const wanted = query.trim().toLowerCase();
  if (wanted === '') {
    const browsable = items.filter((item) => item.kind !== 'tool');
    return { items: browsable.slice(0, limit), total: browsable.length };
  }
  // The best `limit` so far, sorted by score; an item only enters when it beats the worst kept,
  // and lands after those with an equal score, which keeps the order stable.
  const scores: number[] = [];
  const kept: PaletteItem[] = [];
  let total = 0;
  for (const item of items) {
    const score = itemScore(item, wanted);
    if (score === NO_MATCH) continue;
    total++;
    if (kept.length === limit && score >= scores[limit - 1]!) continue;
    let low = 0;
    let high = scores.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (scores[middle]! <= score) low = middle + 1;
      else high = middle;
    }
    scores.splice(low, 0, score);
    kept.splice(low, 0, item);
    if (kept.length > limit) {
      scores.pop();
      kept.pop();
    }
  }
  return { items: kept, total };
}

/** The line under the list, also read out politely as the results change. */
export function resultSummary(query: string, shown: number, total: number): string {
  const wanted = query.trim();
  if (wanted === '') return 'Pages and servers. Type to find tools too.';
  if (total === 0) return `No page, server or tool matches “${clip(wanted, 60)}”.`;
  if (total > shown) {
    return `The best ${shown} of ${total.toLocaleString()} matches. Type more to narrow them.`;
  }
  return total === 1 ? '1 match.' : `${total} matches.`;
}
