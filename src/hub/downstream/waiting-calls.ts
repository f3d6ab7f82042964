/**
 * 2026-07-28 calls waiting for their client's answers, kept by the hub rather than by the session
 * that started them: the era is stateless, and a client may come back with its `requestState` on
 * another connection (a stateless HTTP client opens one per request). The token is a fresh random
 * id (a UUID on the platform), so it cannot be guessed; a call waits at most `ttlMs`, at most
 * `capacity` wait at once (the oldest goes first), and only the client that was asked may
 * continue it: the same origin (the one the platform vouches for) and the same client name.
 */
import type { Principal } from '../policy/policy.ts';
import type { Clock, Ids } from '../ports.ts';
import type { Exchange, InputAnswers } from './input.ts';

/** How long a 2026-07-28 client may take to come back with the input a call asked for. */
export const WAITING_TTL_MS = 10 * 60_000;
/** Calls waiting at once, across every client. */
export const WAITING_CAPACITY = 1_000;

/**
 * A call that returned `input_required` and waits for the retry. The exchange may be a legacy
 * server's call that is still running: the retry's answers go to it.
 */
export interface WaitingCall {
  exchange: Exchange<unknown>;
  serverId: string;
  /** What was called (`tools/call weather`), so a retry cannot continue another call. */
  target: string;
  /** Answers the hub gave itself (the dashboard, refusals), merged into the client's. */
  answered: InputAnswers;
}

interface Kept extends WaitingCall {
  owner: Pick<Principal, 'origin' | 'clientName'>;
  createdAt: number;
}

/** Why a `requestState` cannot continue a call. */
export type Refusal = 'unknown' | 'not-yours' | 'other-request';

export class WaitingCalls {
  readonly #calls = new Map<string, Kept>();

  constructor(
    private readonly clock: Clock,
    private readonly ids: Ids,
    private readonly ttlMs = WAITING_TTL_MS,
    private readonly capacity = WAITING_CAPACITY,
  ) {}

  /** Keeps a call for its client's retry; returns the `requestState` that names it. */
  park(principal: Principal, call: WaitingCall): string {
    this.#sweep();
    while (this.#calls.size >= this.capacity) this.#calls.delete(this.#calls.keys().next().value!);
    const token = this.ids.next();
    this.#calls.set(token, {
      ...call,
      owner: { origin: principal.origin, clientName: principal.clientName },
      createdAt: this.clock.now(),
    });
    return token;
  }

  /**
   * The call `token` names, taken out for `principal` to continue with a request for `serverId`
   * and `target`; or why not. A refused token stays for its own client.
   */
  take(
    token: string,
    principal: Principal,
    serverId: string,
    target: string,
  ): WaitingCall | { refused: Refusal; target?: string } {
    this.#sweep();
    const call = this.#calls.get(token);
    if (!call) return { refused: 'unknown' };
    if (call.owner.origin !== principal.origin || call.owner.clientName !== principal.clientName)
      return { refused: 'not-yours' };
    if (call.serverId !== serverId || call.target !== target)
      return { refused: 'other-request', target: call.target };
    this.#calls.delete(token);
    return call;
  }

  get size(): number {
    return this.#calls.size;
  }

  clear(): void {
    this.#calls.clear();
  }

  #sweep(): void {
    const now = this.clock.now();
    // Insertion order is age order: the first young one ends the sweep.
    for (const [token, call] of this.#calls) {
      if (now - call.createdAt <= this.ttlMs) break;
      this.#calls.delete(token);
    }
  }
}
