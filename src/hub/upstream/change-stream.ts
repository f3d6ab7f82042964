/**
 * 2026-07-28 has no `resources/subscribe` and no connection-level notifications: a client opens a
 * `subscriptions/listen` stream whose filter names what it wants to hear (list changes, resource
 * URIs). The filter is fixed when the stream opens, so a change of URIs opens a new stream and
 * only then closes the old one (no change falls between the two); turns run one after another.
 * A stream the server ends on its own is a failure of the connection: the reconnect reloads
 * every list, so nothing missed in between stays missed.
 */
import type { Client, McpSubscription, SubscriptionFilter } from '@modelcontextprotocol/client';

export class ChangeStream {
  #subscription: McpSubscription | undefined;
  #turns: Promise<unknown> = Promise.resolve();
  /** The resource URIs the hub's sessions want updates of. */
  readonly #uris = new Set<string>();

  constructor(
    /** Whether `client` is still the connection's current one (work for an old one stops). */
    private readonly current: (client: Client) => boolean,
    /** The server ended the stream while it was current. */
    private readonly ended: (how: string) => void,
    private readonly timeoutMs: () => number,
  ) {}

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
      if (!this.current(client)) return;
      const offered = client.getServerCapabilities();
      const filter: SubscriptionFilter = {};
      if (offered?.tools?.listChanged) filter.toolsListChanged = true;
      if (offered?.prompts?.listChanged) filter.promptsListChanged = true;
      if (offered?.resources?.listChanged) filter.resourcesListChanged = true;
      if (this.#uris.size > 0) filter.resourceSubscriptions = [...this.#uris];
      const previous = this.#subscription;
      const opened =
        Object.keys(filter).length > 0
          ? await client.listen(filter, { timeout: this.timeoutMs() })
          : undefined;
      this.#subscription = opened;
      // Closed only once the new stream is acknowledged, so no change falls between the two.
      await previous?.close();
      void opened?.closed.then((how) => {
        if (how === 'local' || this.#subscription !== opened || !this.current(client)) return;
        this.ended(how);
      });
    });
    this.#turns = turn.catch(() => {});
    return turn;
  }

  /** The connection ended: the server forgets its subscriptions (the hub restores them). */
  reset(): void {
    this.#subscription = undefined;
    this.#uris.clear();
  }
}
