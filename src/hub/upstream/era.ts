/**
 * Which protocol era the hub speaks to a server, and how long it may take to find out. A server
 * may offer 2026-07-28 (stateless, `server/discover`) and the 2025 handshake (`initialize`) at one
 * URL, and real servers get the newer path wrong in many ways: a `subscriptions/listen` answer the
 * SDK cannot read, a list that fails, a `server/discover` that never answers or declares less than
 * the server serves. None of that may hide a server whose 2025 path works (DESIGN.md "Being
 * liberal with servers"), so an entry in `auto` tries 2026-07-28 first and, on any failure of it
 * while connecting, connects again with the 2025 handshake and says why. An entry may pin an era:
 * then there is no second try, and a failure is the server's error.
 *
 * Connecting is bounded: the whole of it (both tries) ends within the entry's connect timeout, a
 * first try of 2026-07-28 within half of it, so that the 2025 try keeps the other half.
 */
import type { ServerCapabilities } from '@modelcontextprotocol/client';
import type { Clock, ServerEntry } from '../ports.ts';

export type { ServerEra } from '../../protocol/views.ts';

export const MODERN_VERSION = '2026-07-28';
export const LEGACY_VERSION = '2025-11-25';

/** How long connecting may take, both eras together, unless the entry says otherwise. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

/**
 * One try at connecting: `probe` asks `server/discover` and takes 2026-07-28 when the server
 * offers it (a 2025-only server answers the probe in a way the SDK reads as legacy, and gets
 * `initialize` at once); `modern` insists on 2026-07-28; `legacy` sends `initialize` only.
 */
export type EraTry = 'probe' | 'modern' | 'legacy';

/**
 * The tries an entry's era setting asks for, in order. Only Streamable HTTP speaks 2026-07-28
 * here: a built-in server, or one pinned to HTTP+SSE, gets the 2025 handshake alone.
 */
export function erasToTry(entry: ServerEntry): readonly EraTry[] {
  if (entry.kind !== 'remote' || entry.transport === 'sse') return ['legacy'];
  const era = entry.era ?? 'auto';
  if (era === MODERN_VERSION) return ['modern'];
  if (era === LEGACY_VERSION) return ['legacy'];
  return ['probe', 'legacy'];
}

/** The SDK client's negotiation for a try; only Streamable HTTP speaks 2026-07-28 here. */
export function negotiationFor(era: EraTry, streamable: boolean) {
  if (!streamable || era === 'legacy') return undefined;
  return era === 'modern'
    ? { mode: { pin: MODERN_VERSION } }
    : // The SDK's own probe fallback covers servers that are plainly 2025-only.
      { mode: 'auto' as const };
}

/**
 * The 2026-07-28 path failed after the server had been reached: worth a try with the 2025
 * handshake (in `auto`). `stage` names what failed, for the status.
 */
export class ModernPathFailure extends Error {
  constructor(
    readonly stage: string,
    readonly why: string,
  ) {
    super(`${stage}: ${why}`);
    this.name = 'ModernPathFailure';
  }
}

/**
 * What the server offers through `initialize` and not through `server/discover`, by name: a
 * server whose discover under-declares would have its logging, completions or subscriptions
 * answered "Method not found" by the hub, which only offers what a server declared.
 */
export function missingFromDiscover(
  discovered: ServerCapabilities | undefined,
  initialized: ServerCapabilities | undefined,
): string[] {
  if (!initialized) return [];
  const missing: string[] = [];
  for (const key of ['tools', 'prompts', 'resources', 'logging', 'completions'] as const)
    if (initialized[key] !== undefined && discovered?.[key] === undefined) missing.push(key);
  if (initialized.resources?.subscribe === true && discovered?.resources?.subscribe !== true)
    missing.push('resources.subscribe');
  return missing;
}

/** The status line of a server that works on 2025 after its 2026-07-28 path failed. */
export function fallbackNote(reason: string): string {
  return `${MODERN_VERSION} failed: ${reason}; using ${LEGACY_VERSION}`;
}

/**
 * The time a connection attempt has, kept by the hub's clock: `race` makes any step of it (the
 * SDK's handshake, a listen, a list) give up when the time is over, with the step named, even
 * when the SDK would go on waiting for a body that never ends.
 */
export class ConnectBudget {
  #timer: unknown;
  readonly #expired: Promise<never>;
  #stage = 'connecting';

  constructor(
    private readonly clock: Clock,
    /** When this attempt's time is over (clock time). */
    readonly until: number,
    /** How the time is described in the error (e.g. "15 s"). */
    allowed: string,
  ) {
    this.#expired = new Promise<never>((_, reject) => {
      this.#timer = clock.setTimeout(
        () => reject(new ConnectTimeout(this.#stage, allowed)),
        Math.max(0, until - clock.now()),
      );
    });
    // Nobody may be racing when it fires; that rejection is not an unhandled one.
    this.#expired.catch(() => {});
  }

  /**
   * The SDK's own request timeout for a step raced against this budget: a backstop a second past
   * the budget's end, so that the budget's timer always fires first and the error names the
   * stage ("no answer to server/discover within 7.5 s"), not the SDK's generic timeout. Two
   * timers due at the same millisecond would otherwise decide the wording by scheduling luck.
   */
  get backstop(): number {
    return Math.max(0, this.until - this.clock.now()) + BACKSTOP_MS;
  }

  /** Runs one step, named for the error should the time run out during it. */
  race<T>(stage: string, step: Promise<T>): Promise<T> {
    this.#stage = stage;
    step.catch(() => {});
    return Promise.race([step, this.#expired]);
  }

  stop(): void {
    this.clock.clearTimeout(this.#timer);
  }
}

const BACKSTOP_MS = 1_000;

/** The connect time ran out during `stage`. */
export class ConnectTimeout extends Error {
  constructor(
    readonly stage: string,
    allowed: string,
  ) {
    super(`no answer to ${stage} within ${allowed}`);
    this.name = 'ConnectTimeout';
  }
}

/** Seconds for a person: "7.5 s". */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
