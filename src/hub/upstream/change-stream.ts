/**
 * 2026-07-28 has no `resources/subscribe` and no connection-level notifications: a client opens a
 * `subscriptions/listen` stream whose filter names what it wants to hear (list changes, resource
 * URIs). The filter is fixed when the stream opens, so a change of URIs opens a new stream and
 * only then closes the old one (no change falls between the two); turns run one after another.
 * A stream the server ends on its own, or that fails to open again, is not a failure of the
 * connection (its tools work without it): change notifications are off, the hub says so and opens
 * the stream again with backoff; once it is back, every list is reloaded, since what changed
 * meanwhile went unheard.
 */
import type { Client, McpSubscription, SubscriptionFilter } from '@modelcontextprotocol/client';
import type { Clock } from '../ports.ts';

export interface ChangeStreamOptions {
  /** Whether `client` is still the connection's current one (work for an old one stops). */
  current(client: Client): boolean;
  timeoutMs(): number;
  clock: Clock;
  /** The wait before the `attempt`-th try to open the stream again (0 first). */
  retryDelay(attempt: number): number;
  /** Change notifications are off: why, and when the next try is (ms). */
  off(reason: string, retryInMs: number): void;
  /** The stream is open again. */
  back(client: Client): void;
}

export class ChangeStream {
  #subscription: McpSubscription | undefined;
  #turns: Promise<unknown> = Promise.resolve();
  /** The resource URIs the hub's sessions want updates of. */
  readonly #uris = new Set<string>();
  #retry: unknown;
  #attempt = 0;

  constructor(private readonly options: ChangeStreamOptions) {}

  /** Adds a URI to the filter (a new stream opens); undone if that fails. */
  async add(client: Client, uri: string): Promise<void> {
    this.#uris.add(uri);
    try {
      await this.open(client);
    } catch (error) {
      this.#uris.delete(uri);
      throw error;
    }
  }

  async remove(client: Client, uri: string): Promise<void> {
    if (this.#uris.delete(uri)) await this.open(client);
  }

  /** Opens a stream for what the hub wants to hear now, then closes the one it replaces. */
  open(client: Client): Promise<void> {
    const turn = this.#turns.then(async () => {
      if (!this.options.current(client)) return;
      const offered = client.getServerCapabilities();
      const filter: SubscriptionFilter = {};
      if (offered?.tools?.listChanged) filter.toolsListChanged = true;
      if (offered?.prompts?.listChanged) filter.promptsListChanged = true;
      if (offered?.resources?.listChanged) filter.resourcesListChanged = true;
      if (this.#uris.size > 0) filter.resourceSubscriptions = [...this.#uris];
      const previous = this.#subscription;
      const opened =
        Object.keys(filter).length > 0
          ? await client.listen(filter, { timeout: this.options.timeoutMs() })
          : undefined;
      this.#subscription = opened;
      // Closed only once the new stream is acknowledged, so no change falls between the two.
      await previous?.close();
      void opened?.closed.then((how) => {
        if (how === 'local' || this.#subscription !== opened || !this.options.current(client))
          return;
        this.#broken(client, `the server ended the stream (${how})`);
      });
    });
    this.#turns = turn.catch(() => {});
    return turn;
  }

  /** The stream of a ready connection failed: notifications are off until a retry opens it. */
  #broken(client: Client, reason: string): void {
    const { clock } = this.options;
    const delay = this.options.retryDelay(this.#attempt++);
    this.options.off(reason, delay);
    clock.clearTimeout(this.#retry);
    this.#retry = clock.setTimeout(async () => {
      if (!this.options.current(client)) return;
      try {
        await this.open(client);
      } catch (error) {
        if (this.options.current(client))
          this.#broken(client, error instanceof Error ? error.message : String(error));
        return;
      }
      this.#attempt = 0;
      this.options.back(client);
    }, delay);
  }

  /** The connection ended: the server forgets its subscriptions (the hub restores them). */
  reset(): void {
    this.options.clock.clearTimeout(this.#retry);
    this.#attempt = 0;
    this.#subscription = undefined;
    this.#uris.clear();
  }
}
