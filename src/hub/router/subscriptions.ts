/**
 * Resource subscriptions fanned out: one upstream subscription per URI however many sessions
 * want it, updates relayed only to the sessions subscribed, and every subscription told again to
 * a server after it reconnects (it remembers nothing of the hub). The last subscriber's departure
 * ends the upstream one.
 */
import { invalidParams } from '../../protocol/errors.ts';
import type { Upstream } from '../upstream/upstream.ts';
import type { Router } from './router.ts';

/** What the fan-out needs of a session. */
export interface Subscriber {
  readonly subscriptions: Set<string>;
  resourceUpdated(uri: string): void;
}

export class Subscriptions {
  /** Resource URI → the sessions subscribed to it. */
  readonly #subscribers = new Map<string, Set<Subscriber>>();

  constructor(
    private readonly router: Router,
    private readonly log: (message: string) => void,
  ) {}

  async subscribe(session: Subscriber, serverId: string, uri: string): Promise<void> {
    const upstream = this.router.upstream(serverId);
    if (upstream.status.state === 'ready' && !upstream.offers('resourceSubscriptions')) {
      throw invalidParams(
        `Server '${upstream.entry.slug}' does not support resource subscriptions, so Nexus cannot tell you when ${uri} changes.`,
        'Read it again instead.',
        { server: upstream.entry.slug },
      );
    }
    const sessions = this.#subscribers.get(uri) ?? new Set<Subscriber>();
    if (sessions.size === 0) await upstream.subscribeResource(uri);
    sessions.add(session);
    session.subscriptions.add(uri);
    this.#subscribers.set(uri, sessions);
  }

  async unsubscribe(session: Subscriber, uri: string): Promise<void> {
    session.subscriptions.delete(uri);
    const sessions = this.#subscribers.get(uri);
    if (!sessions?.delete(session) || sessions.size > 0) return;
    this.#subscribers.delete(uri);
    const serverId = this.router.ownerOf(uri);
    const upstream = serverId === undefined ? undefined : this.#live(serverId);
    if (upstream?.status.state === 'ready') {
      await upstream.unsubscribeResource(uri).catch((error: unknown) => {
        this.log(`could not unsubscribe from ${uri}: ${String(error)}`);
      });
    }
  }

  /** A session ended: its subscriptions end with it. */
  dropSession(session: Subscriber): void {
    for (const uri of [...session.subscriptions]) void this.unsubscribe(session, uri);
  }

  /** A server said `uri` changed: tell the sessions subscribed, if that server speaks for it. */
  resourceUpdated(source: Upstream, uri: string): void {
    // Only the server that serves the URI speaks for it (another that lists it too is shadowed).
    const owner = this.router.ownerOf(uri);
    if (owner !== undefined && owner !== source.id) return;
    for (const session of this.#subscribers.get(uri) ?? []) session.resourceUpdated(uri);
  }

  /** After a (re)connect: subscribe the server again to every URI of its that a session wants. */
  async restore(upstream: Upstream): Promise<void> {
    if (!upstream.offers('resourceSubscriptions')) return;
    for (const [uri, sessions] of this.#subscribers) {
      if (sessions.size === 0) continue;
      if (this.router.ownerOf(uri) !== upstream.id) continue;
      await upstream.subscribeResource(uri).catch((error: unknown) => {
        this.log(`could not resubscribe to ${uri}: ${String(error)}`);
      });
    }
  }

  #live(serverId: string): Upstream | undefined {
    try {
      return this.router.upstream(serverId);
    } catch {
      return undefined;
    }
  }
}
