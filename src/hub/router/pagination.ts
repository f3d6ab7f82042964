/**
 * The hub pages its own aggregated lists (tools, prompts, resources, templates). Upstream cursors
 * never reach a client: the hub follows them itself (see Upstream), and hands out cursors of its
 * own, opaque to the client, that name the list and the offset of the next page.
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';

export const DEFAULT_PAGE_SIZE = 1000;

const PREFIX = 'nexus1:';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/**
 * The page of `items` that `cursor` points at (the first page without one). A cursor from another
 * list, or one that is not ours, is an invalid-params error, as the spec asks. A cursor past the
 * end (the list shrank since) yields an empty last page.
 */
export function paginate<T>(
  list: string,
  items: readonly T[],
  cursor: string | undefined,
  pageSize = DEFAULT_PAGE_SIZE,
): Page<T> {
  const start = cursor === undefined ? 0 : offsetOf(list, cursor);
  const end = start + pageSize;
  const page: Page<T> = { items: items.slice(start, end) };
  if (end < items.length) page.nextCursor = cursorFor(list, end);
  return page;
}

function cursorFor(list: string, offset: number): string {
  return btoa(`${PREFIX}${list}:${offset}`);
}

function offsetOf(list: string, cursor: string): number {
  let text: string;
  try {
    text = atob(cursor);
  } catch {
    text = '';
  }
  const match = /^nexus1:([a-z/]+):(\d{1,9})$/.exec(text);
  if (!match || match[1] !== list) {
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      `Invalid cursor for ${list}: pass the nextCursor of the previous ${list} page, or none for the first page.`,
    );
  }
  return Number(match[2]);
}
