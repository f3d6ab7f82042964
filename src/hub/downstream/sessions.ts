/**
 * The connected clients: one `Session` each, by session id. Connecting resolves a scope (the one
 * server a `connectHub({ server })` client sees), builds the session from the pieces every
 * session shares, and forgets it when it ends, whichever side ended it.
 */
import type { Transport } from '@modelcontextprotocol/server';
import type { Principal } from '../policy/policy.ts';
import type { Scope } from '../router/router.ts';
import type { CatalogKind, Upstream } from '../upstream/upstream.ts';
import { Session, type SessionDeps, type SessionEvents } from './session.ts';

export interface SessionsOptions {
  /** What every session is handed; `closed` is this room's own. */
  shared: Omit<SessionDeps, 'events'> & { events: Omit<SessionEvents, 'closed'> };
  upstreams: ReadonlyMap<string, Upstream>;
  /** A session opened or closed: dashboards refetch the list. */
  changed(): void;
}

type ListsWatcher = (serverId: string, kinds: readonly CatalogKind[]) => void;

export class Sessions {
  readonly #sessions = new Map<string, Session>();
  readonly #deps: SessionDeps;
  /** Who hears of every change of a server's lists besides the sessions (HTTP fronts). */
  readonly #watchers = new Set<ListsWatcher>();

  constructor(private readonly options: SessionsOptions) {
    this.#deps = {
      ...options.shared,
      events: {
        ...options.shared.events,
        closed: (closed) => {
          if (this.#sessions.get(closed.id) === closed) this.#sessions.delete(closed.id);
          options.changed();
        },
      },
    };
  }

  /** The live sessions by id (read-only: sessions leave on their own). */
  get map(): ReadonlyMap<string, Session> {
    return this.#sessions;
  }

  values(): IterableIterator<Session> {
    return this.#sessions.values();
  }

  /**
   * Connects one client over any SDK transport. The transport must not be started yet: the SDK
   * server starts it, after installing its handlers, so no early message is lost. `server` (a
   * slug) scopes the session to that one server, under its own names.
   */
  async connect(
    transport: Transport,
    principal: Principal,
    options: { server?: string; clientVersion?: string } = {},
  ): Promise<Session> {
    if (this.#sessions.has(principal.sessionId)) {
      // A page picks its session id; a second connection with it would take the first one's
      // place in every list, while the first kept running unseen.
      throw new Error(
        `A session with the id '${principal.sessionId}' is already open in Nexus; connect with a new id.`,
      );
    }
    const scope = this.#scope(options.server);
    const session = new Session(this.#deps, principal, options.clientVersion ?? '', scope);
    this.#sessions.set(session.id, session);
    await session.attach(transport);
    this.options.changed();
    return session;
  }

  /**
   * A session for one 2026-07-28 request an HTTP entry serves (./http-front.ts): the era keeps
   * nothing between requests, so it lives as long as its request and is not listed.
   */
  transient(principal: Principal, options: { server?: string } = {}): Session {
    const deps = { ...this.#deps, events: { ...this.#deps.events, closed: () => {} } };
    return new Session(deps, principal, '', this.#scope(options.server));
  }

  /** The server a slug names (a session scoped to it), or undefined for the whole hub. */
  #scope(slug: string | undefined): Scope {
    if (slug === undefined) return undefined;
    const upstream = [...this.options.upstreams.values()].find((each) => each.entry.slug === slug);
    if (!upstream) {
      throw new Error(
        `No server with the slug '${slug}' is registered in Nexus; check the slug in the dashboard (Servers).`,
      );
    }
    return upstream.id;
  }

  /**
   * A server's lists changed: the sessions that see it are told (`everyone`: all of them, as when
   * a server is gone), and so is every watcher.
   */
  listsChanged(serverId: string, kinds: readonly CatalogKind[], everyone = false): void {
    for (const session of this.#sessions.values())
      if (everyone || session.scope === undefined || session.scope === serverId)
        session.listsChanged(kinds);
    for (const watcher of this.#watchers) watcher(serverId, kinds);
  }

  /** Hears of every change of a server's lists until the returned function is called. */
  watchLists(watcher: ListsWatcher): () => void {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  /** Ends every session (the hub is closing). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#sessions.values()].map((session) => session.close()));
  }
}
