/**
 * The Inspector's rows: each request paired with its response (or error) into one exchange, so
 * 10,000 messages read as the calls they are. Messages come in as the dashboard fetches them
 * (oldest first, only those after the last one seen), so pairing is incremental: a request waits
 * in an open list until its answer comes, and an answer updates the row its request made.
 *
 * An answer belongs to the request with the same id on the same connection, in the opposite
 * direction: `side` (client or server leg), the endpoint (the client's session or the server),
 * and the id. That is how the hub pairs them for their latency (src/hub/journal/protocol-log.ts),
 * ids compared as text like the hub does. A notification, an answer whose request is not here
 * (it left the buffer, or came before this page opened) and a message with no usable id are each
 * a row of their own.
 *
 * The fields are untrusted: a peer chose the id and the method, and entries read back from the
 * journal were written by an older Nexus. Nothing here throws on odd values; an id that is not a
 * string or a number is not paired. Two requests with one id in flight are answered in the order
 * they were asked (first answer, first request).
 *
 * The log keeps indexes by server, client and method, so a filter reads the rows it may show
 * instead of testing all 10,000. Rows are immutable objects (an answer replaces its row), so a
 * view keyed on `key` sees which rows changed.
 */
import type { TrafficView } from '../../protocol/views.ts';
import { lowerBound } from '../app/windowing.ts';

/** `one-way`: a notification; nothing answers it. */
export type ExchangeStatus = 'ok' | 'error' | 'invalid' | 'pending' | 'one-way';

export interface Exchange {
  /**
   * The first message's sequence number: unique and increasing, chosen by the hub (never by a
   * peer), so lists are keyed and sorted on it.
   */
  readonly key: number;
  /** The message that opened the row: a request, a notification, or a message without its pair. */
  readonly first: TrafficView;
  /** The response or error to `first`, once it came. */
  readonly answer?: TrafficView;
  readonly status: ExchangeStatus;
  readonly method?: string;
  readonly at: number;
  /** ms from the request to its answer. */
  readonly latencyMs?: number;
  /** Bytes of both messages. */
  readonly size: number;
  /** Messages in the row (1 or 2), for the capacity the hub counts in messages. */
  readonly messages: number;
  readonly serverId?: string;
  readonly serverSlug?: string;
  readonly sessionId?: string;
  readonly clientName?: string;
}

export interface ExchangeFilter {
  serverId: string;
  sessionId: string;
  /** Part of the method name, any case. */
  method: string;
  /** Only rows whose status is error or invalid. */
  errorsOnly: boolean;
}

export const NO_FILTER: ExchangeFilter = {
  serverId: '',
  sessionId: '',
  method: '',
  errorsOnly: false,
};

/** What one `add` did. */
export interface Added {
  /** New rows. */
  rows: number;
  /** Rows that got their answer. */
  answered: number;
  /** Messages not taken: not newer than the last one taken, or without a sequence number. */
  skipped: number;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * An id as the key the hub pairs on (`String(id)`), or undefined for one that cannot be paired:
 * JSON-RPC ids are strings or numbers; null (an answer to an unreadable request), objects and
 * anything else a peer sent stay rows of their own.
 */
export function idKey(id: unknown): string | undefined {
  if (typeof id === 'string') return `${id}`;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return undefined;
}

/** Whose connection a message was on: the client's session, or the server. */
function endpointOf(message: TrafficView): string {
  return text(message.sessionId) ?? text(message.serverId) ?? '';
}

/**
 * The key a request waits under, or an answer looks under: side, endpoint, the direction the
 * request went, and its id. Undefined when the message cannot be paired.
 */
function pairKey(message: TrafficView, requestDirection: unknown): string | undefined {
  const id = idKey(message.id);
  if (id === undefined) return undefined;
  return `${String(message.side)}|${endpointOf(message)}|${String(requestDirection)}|${id}`;
}

function opposite(direction: unknown): 'in' | 'out' {
  return direction === 'in' ? 'out' : 'in';
}

function isAnswer(kind: unknown): boolean {
  return kind === 'response' || kind === 'error' || kind === 'invalid';
}

function statusOf(first: TrafficView, answer: TrafficView | undefined): ExchangeStatus {
  if (first.kind === 'invalid' || answer?.kind === 'invalid') return 'invalid';
  if (answer) return answer.kind === 'error' ? 'error' : 'ok';
  switch (first.kind) {
    case 'request':
      return 'pending';
    case 'notification':
      return 'one-way';
    case 'error':
      return 'error';
    default:
      // A response whose request is not here.
      return 'ok';
  }
}

function exchangeOf(first: TrafficView, answer?: TrafficView): Exchange {
  const at = count(first.at);
  // One literal of one shape (absent fields undefined): 10,000 of these are built in one task
  // when the page opens, and conditional spreads made that several times slower.
  return {
    key: first.seq,
    first,
    answer,
    status: statusOf(first, answer),
    method: text(first.method) ?? text(answer?.method),
    at,
    latencyMs: answer ? Math.max(0, count(answer.at) - at) : undefined,
    size: count(first.size) + (answer ? count(answer.size) : 0),
    messages: answer ? 2 : 1,
    serverId: text(first.serverId),
    serverSlug: text(first.serverSlug),
    sessionId: text(first.sessionId),
    clientName: text(first.clientName),
  };
}

/** Ordinals (positions since the log began) by a name; each list ascending. */
type Index = Map<string, number[]>;

function addTo(index: Index, name: string | undefined, ordinal: number): void {
  if (!name) return;
  const list = index.get(name);
  if (list) list.push(ordinal);
  else index.set(name, [ordinal]);
}

/** Drops ordinals below `base` (rows trimmed away), and names left with none. */
function trimIndex(index: Index, base: number): void {
  for (const [name, list] of index) {
    const keep = lowerBound(list, base, (ordinal) => ordinal);
    if (keep === list.length) index.delete(name);
    else if (keep > 0) list.splice(0, keep);
  }
}

export class ExchangeLog {
  /** Rows, oldest first; `#rows[i]` has ordinal `#base + i`. */
  #rows: Exchange[] = [];
  #base = 0;
  #messages = 0;
  #lastSeq = -Infinity;
  /** Requests (and refused messages the hub may answer) waiting, by pair key: ordinals, FIFO. */
  readonly #open = new Map<string, number[]>();
  readonly #byServer: Index = new Map();
  readonly #byClient: Index = new Map();
  readonly #byMethod: Index = new Map();
  /** The names the filters offer: the last slug or client name seen for each id. */
  readonly #serverNames = new Map<string, string>();
  readonly #clientNames = new Map<string, string>();

  /** Rows now. */
  get size(): number {
    return this.#rows.length;
  }

  /** Messages in those rows. */
  get messages(): number {
    return this.#messages;
  }

  /** Every row, oldest first (a copy). */
  all(): Exchange[] {
    return [...this.#rows];
  }

  /** The row whose first message has sequence number `key`. */
  get(key: number): Exchange | undefined {
    const index = lowerBound(this.#rows, key, (row) => row.key);
    const row = this.#rows[index];
    return row?.key === key ? row : undefined;
  }

  /** Servers that have rows, by id, with the slug they had. */
  servers(): Array<{ id: string; slug: string }> {
    return [...this.#byServer.keys()].map((id) => ({ id, slug: this.#serverNames.get(id) ?? id }));
  }

  /** Clients (sessions) that have rows, by session id, with the name they gave. */
  clients(): Array<{ sessionId: string; clientName: string }> {
    return [...this.#byClient.keys()].map((sessionId) => ({
      sessionId,
      clientName: this.#clientNames.get(sessionId) ?? sessionId,
    }));
  }

  /**
   * Takes messages fetched from the hub, oldest first. A message not newer than the last one
   * taken is skipped, so a fetch that overlaps the previous one adds nothing twice.
   */
  add(entries: readonly TrafficView[]): Added {
    const added: Added = { rows: 0, answered: 0, skipped: 0 };
    for (const message of entries) {
      const seq: unknown = message?.seq;
      if (typeof seq !== 'number' || !Number.isFinite(seq) || seq <= this.#lastSeq) {
        added.skipped++;
        continue;
      }
      this.#lastSeq = seq;
      this.#messages++;
      if (isAnswer(message.kind) && this.#answer(message)) added.answered++;
      else {
        this.#push(message);
        added.rows++;
      }
    }
    return added;
  }

  /** Pairs an answer with the oldest request waiting for it; false when none waits. */
  #answer(message: TrafficView): boolean {
    const key = pairKey(message, opposite(message.direction));
    const waiting = key === undefined ? undefined : this.#open.get(key);
    const ordinal = waiting?.shift();
    if (ordinal === undefined) return false;
    if (waiting!.length === 0) this.#open.delete(key!);
    const position = ordinal - this.#base;
    const row = this.#rows[position];
    if (!row) return false;
    this.#rows[position] = exchangeOf(row.first, message);
    return true;
  }

  #push(message: TrafficView): void {
    const ordinal = this.#base + this.#rows.length;
    const row = exchangeOf(message);
    this.#rows.push(row);
    // A request waits for its answer; so does a refused message with an id, which the hub
    // answers with a JSON-RPC error (−32600) on the same id.
    if (message.kind === 'request' || message.kind === 'invalid') {
      const key = pairKey(message, message.direction);
      if (key !== undefined) {
        const waiting = this.#open.get(key);
        if (waiting) waiting.push(ordinal);
        else this.#open.set(key, [ordinal]);
      }
    }
    addTo(this.#byServer, row.serverId, ordinal);
    addTo(this.#byClient, row.sessionId, ordinal);
    addTo(this.#byMethod, row.method, ordinal);
    if (row.serverId) this.#serverNames.set(row.serverId, row.serverSlug ?? row.serverId);
    if (row.sessionId) this.#clientNames.set(row.sessionId, row.clientName ?? row.sessionId);
  }

  /**
   * Drops the oldest rows until at most `capacity` messages are left: the hub keeps that many
   * (`InspectorSettings.capacity`), so older ones are gone from it too. An answer that comes for
   * a dropped request is then a row of its own.
   */
  trim(capacity: number): number {
    const limit = Math.max(0, Math.floor(count(capacity)));
    let drop = 0;
    let messages = this.#messages;
    while (drop < this.#rows.length && messages > limit) messages -= this.#rows[drop++]!.messages;
    if (drop === 0) return 0;
    this.#rows.splice(0, drop);
    this.#messages = messages;
    this.#base += drop;
    for (const [key, waiting] of this.#open) {
      const keep = lowerBound(waiting, this.#base, (ordinal) => ordinal);
      if (keep === waiting.length) this.#open.delete(key);
      else if (keep > 0) waiting.splice(0, keep);
    }
    for (const index of [this.#byServer, this.#byClient, this.#byMethod])
      trimIndex(index, this.#base);
    for (const id of this.#serverNames.keys())
      if (!this.#byServer.has(id)) this.#serverNames.delete(id);
    for (const id of this.#clientNames.keys())
      if (!this.#byClient.has(id)) this.#clientNames.delete(id);
    return drop;
  }

  /** Forgets every row; messages up to the last one taken stay skipped. */
  clear(): void {
    this.#base += this.#rows.length;
    this.#rows = [];
    this.#messages = 0;
    for (const map of [this.#open, this.#byServer, this.#byClient, this.#byMethod]) map.clear();
    this.#serverNames.clear();
    this.#clientNames.clear();
  }

  /**
   * The rows `filter` lets through, oldest first. The narrowest index among the filters in use
   * gives the candidates; only those are tested against the rest.
   */
  select(filter: ExchangeFilter): Exchange[] {
    const candidates: number[][] = [];
    if (filter.serverId) candidates.push(this.#byServer.get(filter.serverId) ?? []);
    if (filter.sessionId) candidates.push(this.#byClient.get(filter.sessionId) ?? []);
    const method = filter.method.trim().toLowerCase();
    if (method) candidates.push(this.#withMethod(method));
    if (candidates.length === 0) {
      return filter.errorsOnly ? this.#rows.filter(isFailure) : [...this.#rows];
    }
    const narrowest = candidates.reduce((a, b) => (b.length < a.length ? b : a));
    const rows: Exchange[] = [];
    for (const ordinal of narrowest) {
      const row = this.#rows[ordinal - this.#base];
      if (row && matches(row, filter)) rows.push(row);
    }
    return rows;
  }

  /** Ordinals of rows whose method contains `part` (lower case), ascending. */
  #withMethod(part: string): number[] {
    const lists: number[][] = [];
    for (const [name, list] of this.#byMethod)
      if (name.toLowerCase().includes(part)) lists.push(list);
    if (lists.length <= 1) return lists[0] ?? [];
    return lists.flat().sort((a, b) => a - b);
  }
}

function isFailure(row: Exchange): boolean {
  return row.status === 'error' || row.status === 'invalid';
}

/** Whether `row` passes `filter` (what `select` tests each candidate against). */
export function matches(row: Exchange, filter: ExchangeFilter): boolean {
  if (filter.serverId && row.serverId !== filter.serverId) return false;
  if (filter.sessionId && row.sessionId !== filter.sessionId) return false;
  if (filter.errorsOnly && !isFailure(row)) return false;
  const method = filter.method.trim().toLowerCase();
  return !method || (row.method ?? '').toLowerCase().includes(method);
}
