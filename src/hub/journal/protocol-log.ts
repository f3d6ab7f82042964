/**
 * The Inspector's log: every JSON-RPC message through the hub, on both sides (client ↔ hub and
 * hub ↔ server), in a bounded ring buffer, with each response matched to its request for the
 * latency. It records only while someone may look (a dashboard is open and recording is on): when
 * nobody looks, `record` is one boolean test, so the hub pays nothing.
 *
 * Entries keep the message object itself (no copy, no serialization on the hot path); its size and
 * its JSON text are worked out when the dashboard asks for them.
 *
 * A message is untrusted data: whatever a client or server sent (any JSON value where a string is
 * expected, a BigInt or a cycle from a structured clone) is recorded without throwing. Only a
 * string `method` and a string or number `id` are taken from it; its text comes from `jsonOf`.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { jsonOf } from './untrusted-json.ts';
import type { Clock, TrafficDirection, TrafficFacts, TrafficKind, TrafficSide } from '../ports.ts';

/** Whose connection a message was on. */
export type TrafficEndpoint = Pick<
  TrafficFacts,
  'sessionId' | 'clientName' | 'serverId' | 'serverSlug'
>;

export interface TrafficEntry extends TrafficFacts {
  /** Bytes of the message as JSON, worked out on first read. */
  size?: number;
  /**
   * What arrived or left, as it was: usually a JSON-RPC message, but any value a peer sent.
   * Undefined once `truncated`: then `preview` holds the beginning of its JSON text.
   */
  message: JSONRPCMessage | unknown;
  preview?: string;
}

/** Full messages the Inspector keeps, in bytes of JSON; older ones beyond it keep a preview. */
export const DEFAULT_FULL_BYTES = 32 * 1024 * 1024;
/** Characters of JSON text a truncated message keeps. */
export const PREVIEW_CHARS = 4_096;

export const DEFAULT_TRAFFIC_CAPACITY = 500;
export const MAX_TRAFFIC_CAPACITY = 10_000;

export class Inspector {
  #capacity: number;
  #ring: TrafficEntry[] = [];
  /** Index in `#ring` of the oldest entry once the ring is full. */
  #start = 0;
  #seq = 0;
  /** Requests waiting for their response, by `side|endpoint|direction|id`. */
  readonly #pending = new Map<string, TrafficEntry>();
  #watchers = 0;
  #enabled = true;
  /** Recorded, not yet handed to the journal (see `takeUnsaved`). */
  #unsaved: TrafficEntry[] = [];
  /** Measured entries still holding their full message, oldest first, and their bytes. */
  readonly #full = new Map<TrafficEntry, number>();
  #fullBytes = 0;

  constructor(
    private readonly clock: Clock,
    capacity = DEFAULT_TRAFFIC_CAPACITY,
    /** Told after each recorded message (the hub throttles what it passes on). */
    private readonly onRecord: () => void = () => {},
    /** The byte budget for full messages (see `measured`). */
    private readonly fullBudget = DEFAULT_FULL_BYTES,
    /**
     * What a truncated message keeps of its JSON text. The recorder redacts before it cuts: a
     * secret cut in two would no longer be recognized, and half of it shown.
     */
    private readonly previewOf: (json: string) => string = (json) => previewText(json),
  ) {
    this.#capacity = clampCapacity(capacity);
  }

  /**
   * An entry's message was serialized (by the recorder, within a second of its recording): it
   * now counts against the byte budget, and the oldest full messages beyond the budget keep only
   * a preview. Memory is thus bounded by bytes, not only by the number of entries: four 50 MB
   * frames do not stay in the worker's heap.
   */
  measured(entry: TrafficEntry, json: string): void {
    if (entry.message === undefined || this.#full.has(entry)) return;
    const bytes = entry.size ?? utf8Length(json);
    entry.size = bytes;
    if (!this.#inRing(entry)) return;
    this.#full.set(entry, bytes);
    this.#fullBytes += bytes;
    for (const [oldest, size] of this.#full) {
      if (this.#fullBytes <= this.fullBudget) break;
      this.#truncate(oldest, oldest === entry ? json : undefined);
      this.#fullBytes -= size;
    }
  }

  #truncate(entry: TrafficEntry, json?: string): void {
    this.#full.delete(entry);
    entry.preview = this.previewOf(json ?? jsonOf(entry.message));
    entry.message = undefined;
    entry.truncated = true;
  }

  #inRing(entry: TrafficEntry): boolean {
    // Entries leave the ring oldest first; one newer than the oldest kept is still there.
    const oldest = this.#ring.length < this.#capacity ? this.#ring[0] : this.#ring[this.#start];
    return oldest !== undefined && entry.seq >= oldest.seq;
  }

  /** Whether messages are being recorded now. */
  get active(): boolean {
    return this.#enabled && this.#watchers > 0;
  }

  get capacity(): number {
    return this.#capacity;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Someone may look (a dashboard opened); returns the function that says they left. */
  watch(): () => void {
    this.#watchers++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#watchers--;
      if (this.#watchers === 0) this.#pending.clear();
    };
  }

  /** The person's switch: off stops recording, and keeps what was recorded. */
  setEnabled(enabled: boolean): void {
    this.#enabled = enabled;
    if (!enabled) this.#pending.clear();
  }

  /** A new buffer size; the oldest entries go when it shrinks. */
  setCapacity(capacity: number): void {
    const entries = this.entries();
    this.#capacity = clampCapacity(capacity);
    this.#ring = entries.slice(-this.#capacity);
    this.#start = 0;
    for (const entry of entries.slice(0, -this.#capacity)) this.#forget(entry);
  }

  clear(): void {
    this.#ring = [];
    this.#start = 0;
    this.#pending.clear();
    this.#full.clear();
    this.#fullBytes = 0;
  }

  #forget(entry: TrafficEntry): void {
    const bytes = this.#full.get(entry);
    if (bytes === undefined) return;
    this.#full.delete(entry);
    this.#fullBytes -= bytes;
  }

  /** Messages dropped at the door since the hub started (no readable id, so no answer). */
  get dropped(): number {
    return this.#dropped;
  }

  #dropped = 0;

  /**
   * Records one message. `problem`: it never reached the SDK (./../downstream/guard.ts says why);
   * it is recorded as `invalid`, and counted in `dropped` when it had no readable id either.
   * `note`: the hub read it otherwise than it says (../upstream/tolerance.ts).
   */
  record(
    side: TrafficSide,
    direction: TrafficDirection,
    endpoint: TrafficEndpoint,
    message: unknown,
    problem?: { problem: string; answered?: string | number },
    note?: string,
  ): void {
    if (problem && problem.answered === undefined) this.#dropped++;
    if (!this.active) return;
    const at = this.clock.now();
    const fields = fieldsOf(message);
    const entry: TrafficEntry = {
      seq: ++this.#seq,
      at,
      side,
      direction,
      kind: problem ? 'invalid' : fields.kind,
      message,
      ...endpoint,
    };
    if (fields.method !== undefined) entry.method = fields.method;
    if (fields.id !== undefined) entry.id = fields.id;
    if (problem) entry.problem = problem.problem;
    if (note !== undefined) entry.note = note;
    const where = `${side}|${endpoint.sessionId ?? endpoint.serverId ?? ''}`;
    if (entry.kind === 'request') {
      this.#pending.set(`${where}|${direction}|${String(entry.id)}`, entry);
    } else if (entry.id !== undefined) {
      const asked = direction === 'in' ? 'out' : 'in';
      const key = `${where}|${asked}|${String(entry.id)}`;
      const request = this.#pending.get(key);
      if (request) {
        this.#pending.delete(key);
        entry.method = request.method;
        entry.latencyMs = request.latencyMs = at - request.at;
      }
    }
    this.#push(entry);
    this.#unsaved.push(entry);
    // Nobody took them (no journal, or a slow one): only the newest buffer's worth can matter.
    if (this.#unsaved.length > 2 * this.#capacity) this.#unsaved.splice(0, this.#capacity);
    this.onRecord();
  }

  /**
   * The entries recorded since the last call, for the journal, at most `limit` (the newest: older
   * ones would be trimmed from the journal at once anyway).
   */
  takeUnsaved(limit = this.#capacity): TrafficEntry[] {
    const taken = this.#unsaved.slice(-limit);
    this.#unsaved = [];
    return taken;
  }

  /**
   * Puts entries read back from the journal into the buffer (after a restart), and continues
   * numbering after the last of them. Their requests are not waited on: their answers, if any
   * come, belong to a connection that is gone.
   */
  restore(entries: TrafficEntry[]): void {
    for (const entry of entries.slice(-this.#capacity)) this.#push(entry);
    const last = entries.at(-1);
    if (last && last.seq > this.#seq) this.#seq = last.seq;
  }

  /** The entries after `afterSeq` (all by default), oldest first. */
  entries(afterSeq = 0): TrafficEntry[] {
    const ordered =
      this.#ring.length < this.#capacity
        ? this.#ring
        : [...this.#ring.slice(this.#start), ...this.#ring.slice(0, this.#start)];
    const first = ordered.findIndex((entry) => entry.seq > afterSeq);
    return first === -1 ? [] : ordered.slice(first);
  }

  /** One entry by its number, while it is still in the buffer. */
  entry(seq: number): TrafficEntry | undefined {
    return this.#ring.find((entry) => entry.seq === seq);
  }

  #push(entry: TrafficEntry): void {
    if (this.#ring.length < this.#capacity) {
      this.#ring.push(entry);
      return;
    }
    const evicted = this.#ring[this.#start]!;
    this.#forget(evicted);
    if (evicted.kind === 'request') {
      // Its response will find nothing to match: forget the wait rather than leak it.
      for (const [key, pending] of this.#pending) {
        if (pending === evicted) this.#pending.delete(key);
      }
    }
    this.#ring[this.#start] = entry;
    this.#start = (this.#start + 1) % this.#capacity;
  }
}

/** The kind, method and id of any value, read without trusting it (never throws). */
function fieldsOf(message: unknown): { kind: TrafficKind; method?: string; id?: string | number } {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return { kind: 'invalid' };
  }
  const { method, id } = message as { method?: unknown; id?: unknown };
  const readable =
    typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : undefined;
  const fields: { kind: TrafficKind; method?: string; id?: string | number } = {
    kind:
      method !== undefined
        ? readable !== undefined
          ? 'request'
          : 'notification'
        : 'error' in message
          ? 'error'
          : 'response',
  };
  if (typeof method === 'string') fields.method = method;
  if (readable !== undefined) fields.id = readable;
  return fields;
}

function clampCapacity(capacity: number): number {
  if (!Number.isFinite(capacity)) return DEFAULT_TRAFFIC_CAPACITY;
  return Math.min(MAX_TRAFFIC_CAPACITY, Math.max(10, Math.round(capacity)));
}

/**
 * The first `PREVIEW_CHARS` characters of `json`, as a string of their own. A plain `slice` is a
 * view into its parent in V8 (a "sliced string"): four previews of 50 MB messages would keep all
 * 200 MB alive. Parsing the slice's JSON literal makes a fresh copy.
 */
export function previewText(json: string): string {
  return JSON.parse(JSON.stringify(json.slice(0, PREVIEW_CHARS))) as string;
}

/** The size of a message as JSON, in bytes (UTF-8); of `jsonOf`'s text for what JSON cannot hold. */
export function sizeOf(message: unknown): number {
  return utf8Length(jsonOf(message));
}

const encoder = new TextEncoder();

/** Bytes of `text` in UTF-8. */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}
