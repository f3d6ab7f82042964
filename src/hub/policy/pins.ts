/**
 * Tool pins (DESIGN, "Consent, grants and pins"): a tool's definition is fixed by the SHA-256 of
 * its canonical form when its server is first approved or the person first approves it, and a
 * later change (a "rug pull": new instructions in the description, a wider schema) blocks the
 * tool for every client until the person has seen the difference and approved it again.
 *
 * The canonical form is what the person approves: name, title, description, input and output
 * schema and annotations, as JSON with object keys sorted at every depth and no whitespace, so
 * that a server re-ordering keys or re-indenting sends the same tool, and any change of wording
 * or schema sends another.
 */
import type { Tool } from '@modelcontextprotocol/client';
import type { Pin } from '../../protocol/consent.ts';
import type { Clock, PinStore } from '../ports.ts';

/** The parts of a definition a pin covers, in a fixed order. */
const PINNED_FIELDS = [
  'name',
  'title',
  'description',
  'inputSchema',
  'outputSchema',
  'annotations',
] as const;

/**
 * JSON text of `value` with object keys sorted (by UTF-16 code unit) and no whitespace. Values
 * JSON has no form for (undefined, functions) are left out as `JSON.stringify` leaves them out.
 * Catalog items come from parsed JSON, so there are no cycles to meet.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined || typeof item === 'function') continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(item)}`);
  }
  return `{${parts.join(',')}}`;
}

/** The canonical text of a tool's definition: what its pin hashes, and what a diff shows. */
export function canonicalTool(tool: Tool): string {
  const picked: Record<string, unknown> = {};
  for (const field of PINNED_FIELDS) if (tool[field] !== undefined) picked[field] = tool[field];
  return canonicalJson(picked);
}

/** Lowercase hex SHA-256 of a text's UTF-8 bytes. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

export interface Fingerprint {
  canonical: string;
  hash: string;
}

/**
 * Fingerprints by definition object: the catalog keeps one object per tool until its server's
 * list changes, so each definition is hashed once, not on every call.
 */
const fingerprints = new WeakMap<Tool, Promise<Fingerprint>>();
/** The same, once hashed: read synchronously on every call (`Pins.checkNow`). */
const hashed = new WeakMap<Tool, Fingerprint>();

export function fingerprint(tool: Tool): Promise<Fingerprint> {
  let known = fingerprints.get(tool);
  if (!known) {
    const canonical = canonicalTool(tool);
    known = sha256Hex(canonical).then((hash) => {
      const done = { canonical, hash };
      hashed.set(tool, done);
      return done;
    });
    fingerprints.set(tool, known);
  }
  return known;
}

/** How a tool's definition stands against its pin. */
export type PinState =
  /** As pinned. */
  | { state: 'pinned'; pin: Pin }
  /** Nothing pinned yet for this server × tool. */
  | { state: 'new'; fingerprint: Fingerprint }
  /** Differs from the pin: blocked until the person approves the new definition. */
  | { state: 'changed'; pin: Pin; fingerprint: Fingerprint };

/** A tool whose definition no longer matches its pin, as the dashboard lists it for review. */
export interface ChangedTool {
  serverId: string;
  tool: string;
  pinned: Pin;
  now: Fingerprint;
}

function pinKey(serverId: string, tool: string): string {
  return JSON.stringify([serverId, tool]);
}

/** The pins in memory, written through to the `PinStore`. */
export class Pins {
  readonly #pins = new Map<string, Pin>();
  /** Changed definitions waiting for the person, by pin key. */
  readonly #changed = new Map<string, ChangedTool>();

  constructor(
    private readonly store: PinStore,
    private readonly clock: Clock,
  ) {}

  async load(): Promise<void> {
    for (const pin of await this.store.list()) this.#pins.set(pinKey(pin.serverId, pin.tool), pin);
  }

  /** How `tool` of `serverId` stands against its pin (its upstream definition). */
  async check(serverId: string, tool: Tool): Promise<PinState> {
    return this.#state(serverId, tool, await fingerprint(tool));
  }

  /**
   * `check` without waiting, when this definition object was hashed before (as every listed tool
   * is when its list arrives); undefined when it was not. A call's decision then takes no
   * extra turn of the event loop.
   */
  checkNow(serverId: string, tool: Tool): PinState | undefined {
    const now = hashed.get(tool);
    return now && this.#state(serverId, tool, now);
  }

  #state(serverId: string, tool: Tool, now: Fingerprint): PinState {
    const pin = this.#pins.get(pinKey(serverId, tool.name));
    if (!pin) return { state: 'new', fingerprint: now };
    if (pin.hash === now.hash) return { state: 'pinned', pin };
    return { state: 'changed', pin, fingerprint: now };
  }

  /**
   * Reads a server's tools as they are now: pins the new ones (`by` says on whose approval),
   * notes the changed ones (returned: the caller raises the security event), and forgets a
   * change that was reverted. Written in one transaction.
   */
  async observe(
    serverId: string,
    tools: readonly Tool[],
    by: Pin['by'],
  ): Promise<{ changed: ChangedTool[]; pinned: number }> {
    const fresh: Pin[] = [];
    const changed: ChangedTool[] = [];
    const seen = new Set<string>();
    for (const tool of tools) {
      const key = pinKey(serverId, tool.name);
      seen.add(key);
      const state = await this.check(serverId, tool);
      if (state.state === 'new')
        fresh.push(this.#pinOf(serverId, tool.name, state.fingerprint, by));
      else if (state.state === 'changed') {
        const known = this.#changed.get(key);
        const change = { serverId, tool: tool.name, pinned: state.pin, now: state.fingerprint };
        this.#changed.set(key, change);
        if (known?.now.hash !== state.fingerprint.hash) changed.push(change);
      } else this.#changed.delete(key);
    }
    // A tool that left the list is no longer waiting for review (its pin stays, should it return).
    for (const [key, change] of this.#changed)
      if (change.serverId === serverId && !seen.has(key)) this.#changed.delete(key);
    await this.#write(fresh);
    return { changed, pinned: fresh.length };
  }

  /** Pins one definition now (the person approved it, or its server was just approved). */
  async pin(serverId: string, tool: Tool, by: Pin['by']): Promise<Pin> {
    const pin = this.#pinOf(serverId, tool.name, await fingerprint(tool), by);
    await this.#write([pin]);
    this.#changed.delete(pinKey(serverId, tool.name));
    return pin;
  }

  /** The changed definitions waiting for the person, oldest pin first. */
  changed(): ChangedTool[] {
    return [...this.#changed.values()];
  }

  /** The pin of one tool, if any. */
  get(serverId: string, tool: string): Pin | undefined {
    return this.#pins.get(pinKey(serverId, tool));
  }

  list(): Pin[] {
    return [...this.#pins.values()];
  }

  /** Whether a changed definition of this tool waits for review: it is blocked meanwhile. */
  blocked(serverId: string, tool: string): boolean {
    return this.#changed.has(pinKey(serverId, tool));
  }

  async forgetServer(serverId: string): Promise<void> {
    await this.store.deleteServer(serverId);
    for (const map of [this.#pins, this.#changed])
      for (const [key, value] of map) if (value.serverId === serverId) map.delete(key);
  }

  #pinOf(serverId: string, tool: string, now: Fingerprint, by: Pin['by']): Pin {
    return {
      serverId,
      tool,
      hash: now.hash,
      canonical: now.canonical,
      pinnedAt: this.clock.now(),
      by,
    };
  }

  async #write(pins: Pin[]): Promise<void> {
    if (pins.length === 0) return;
    await this.store.put(pins);
    for (const pin of pins) this.#pins.set(pinKey(pin.serverId, pin.tool), pin);
  }
}
