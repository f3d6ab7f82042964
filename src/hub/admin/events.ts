/**
 * The change feed dashboards listen to (`HubEvent`). Events of the call path (new traffic, a
 * session's counts) are held back and sent at most every 250 ms, however busy the hub is: each
 * one is a message to every open dashboard, which then fetches again, so one per call cost more
 * than the call itself (`npm run bench`, rows 8c/8d). A failing listener never stops the others.
 */
import type { HubEvent } from '../../protocol/views.ts';
import type { Clock } from '../ports.ts';

const HOLD_MS = 250;

export class HubEvents {
  readonly #listeners = new Set<(event: HubEvent) => void>();
  /** Called when the last listener leaves (the last dashboard closed). */
  readonly #unwatched = new Set<() => void>();
  /** Events held back (`soon`), with their timers. */
  readonly #held = new Map<HubEvent['type'], unknown>();

  constructor(
    private readonly clock: Clock,
    private readonly log: (message: string) => void,
  ) {}

  /** Whether anyone listens: every open dashboard does. */
  get watched(): boolean {
    return this.#listeners.size > 0;
  }

  subscribe(listener: (event: HubEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      if (!this.#listeners.delete(listener) || this.#listeners.size > 0) return;
      for (const callback of this.#unwatched) callback();
    };
  }

  /** Calls `callback` whenever the last listener leaves; returns the way to stop. */
  onUnwatched(callback: () => void): () => void {
    this.#unwatched.add(callback);
    return () => this.#unwatched.delete(callback);
  }

  emit(event: HubEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log(`a change listener failed: ${String(error)}`);
      }
    }
  }

  /** Emits `type` within 250 ms, once however often it is asked for meanwhile. */
  soon(type: 'traffic' | 'sessions' | 'bridge' | 'audit'): void {
    if (this.#held.has(type)) return;
    this.#held.set(
      type,
      this.clock.setTimeout(() => {
        this.#held.delete(type);
        this.emit({ type });
      }, HOLD_MS),
    );
  }

  close(): void {
    for (const timer of this.#held.values()) this.clock.clearTimeout(timer);
    this.#held.clear();
    this.#listeners.clear();
    this.#unwatched.clear();
  }
}
