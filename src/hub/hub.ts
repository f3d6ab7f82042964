/**
 * The hub: the registry of servers, one upstream per server, the router that aggregates their
 * tools under `slug__name`, and the downstream sessions. Platform pieces come in through
 * `HubOptions`; nothing here knows whether it runs in a SharedWorker, a Worker or Node.
 */
import {
  InMemoryTransport,
  ProtocolError,
  ProtocolErrorCode,
  type FetchLike,
  type Tool,
  type Transport,
} from '@modelcontextprotocol/client';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { createNotesServer } from './builtin-notes.ts';
import { exportConfig, parseConfig } from './config-format.ts';
import { createHttpTransport, describeConnectError } from './http-transports.ts';
import { NameTable, slugify, uniqueSlug } from './names.ts';
import { Session } from './session.ts';
import {
  allowAllPolicy,
  SLUG_PATTERN,
  systemClock,
  type Clock,
  type NewServerEntry,
  type NotesStore,
  type Policy,
  type Principal,
  type RegistryStore,
  type ServerEntry,
} from './types.ts';
import { DEFAULT_TIMEOUT_MS, Upstream, type TransportOpener } from './upstream.ts';
import { entryFromInput, toServerView, toSessionView } from './view-mapping.ts';
import type { HubEvent, ImportSummary, ServerInput, ServerView, SessionView } from './views.ts';

export const HUB_VERSION = '0.1.0';

export interface HubOptions {
  registry: RegistryStore;
  notes: NotesStore;
  policy?: Policy;
  clock?: Clock;
  random?: () => number;
  backoff?: BackoffOptions;
  /** Health check period (ms). Default 5 000. */
  pingIntervalMs?: number;
  /** How long a health-check ping may take (ms) before the server counts as silent. Default 4 000. */
  pingTimeoutMs?: number;
  /** Makes upstream transports; defaults to HTTP (remote) and in-memory (built-in). */
  openTransport?: TransportOpener;
  /** The fetch the default HTTP transports use. */
  fetch?: FetchLike;
  /** Servers registered on the very first start (after the built-in one); a function is called
   * only then, so a deployment's default list is fetched once, not on every start. */
  defaults?: NewServerEntry[] | (() => Promise<NewServerEntry[]>);
  newId?: () => string;
  /**
   * How long a client's request may wait (ms) for servers still on their FIRST connection attempt,
   * so a client that connects as the hub starts sees every tool at once rather than an empty list
   * followed by list_changed. Default 5 000.
   */
  startupGraceMs?: number;
  log?: (message: string) => void;
}

const SEEDED_KEY = 'seeded-defaults';

export class Hub {
  readonly policy: Policy;
  readonly serverInfo = { name: 'nexus', version: HUB_VERSION };
  readonly #upstreams = new Map<string, Upstream>();
  readonly #sessions = new Map<string, Session>();
  readonly #listeners = new Set<(event: HubEvent) => void>();
  readonly #clock: Clock;
  readonly #newId: () => string;
  #names = new NameTable([]);
  /** Aggregated tool list, rebuilt lazily after any upstream's tools change. */
  #aggregate: Tool[] | undefined;
  #started: Promise<void> = Promise.resolve();
  #startupTimer: unknown;

  private constructor(private readonly options: HubOptions) {
    this.policy = options.policy ?? allowAllPolicy;
    this.#clock = options.clock ?? systemClock;
    this.#newId = options.newId ?? (() => crypto.randomUUID());
  }

  /** Loads the registry (seeding the defaults on first run) and starts every enabled server. */
  static async create(options: HubOptions): Promise<Hub> {
    const hub = new Hub(options);
    await hub.#load();
    return hub;
  }

  async #load(): Promise<void> {
    const { registry } = this.options;
    const [entries, names, seeded] = await Promise.all([
      registry.listServers(),
      registry.listNames(),
      registry.getMeta(SEEDED_KEY),
    ]);
    this.#names = new NameTable(names);
    if (!seeded) {
      const fresh = [
        { kind: 'builtin', builtin: 'notes', name: 'Built-in notes', slug: 'nexus', enabled: true },
        ...(await this.#defaults()),
      ] satisfies NewServerEntry[];
      const added = this.#materialize(fresh, entries);
      await registry.putServers(added);
      await registry.setMeta(SEEDED_KEY, true);
      entries.push(...added);
    }
    entries.sort((a, b) => a.createdAt - b.createdAt);
    for (const entry of entries) this.#startUpstream(entry);
    this.#started = this.#waitForFirstAttempts();
  }

  async #defaults(): Promise<NewServerEntry[]> {
    const { defaults } = this.options;
    try {
      return typeof defaults === 'function' ? await defaults() : (defaults ?? []);
    } catch (error) {
      this.options.log?.(`could not load the default servers: ${String(error)}`);
      return [];
    }
  }

  // ---------------------------------------------------------------- upstreams

  #openTransport: TransportOpener = (entry, kind) => {
    // The built-in server is part of the hub: it never goes through a swapped-in opener.
    if (kind !== 'builtin' && this.options.openTransport)
      return this.options.openTransport(entry, kind);
    if (kind === 'builtin') {
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      void createNotesServer(this.options.notes, this.#clock).connect(serverSide);
      return { transport: clientSide };
    }
    if (entry.kind !== 'remote') throw new Error(`server '${entry.slug}' is not a remote server`);
    return createHttpTransport(entry, kind, this.options.fetch);
  };

  #startUpstream(entry: ServerEntry): Upstream {
    const upstream = new Upstream(entry, {
      clock: this.#clock,
      random: this.options.random ?? Math.random,
      backoff: this.options.backoff ?? DEFAULT_BACKOFF,
      pingIntervalMs: this.options.pingIntervalMs ?? 5_000,
      pingTimeoutMs: this.options.pingTimeoutMs ?? 4_000,
      openTransport: this.#openTransport,
      describeError: (error, failed, observations) =>
        describeConnectError(
          error,
          failed.kind === 'remote' ? failed : undefined,
          observations,
          this.options.fetch,
        ),
      clientInfo: { name: 'nexus-hub', version: HUB_VERSION },
      onStatus: () => this.#emit({ type: 'servers' }),
      onTools: (changed) => this.#toolsChanged(changed),
      onLog: this.options.log,
    });
    this.#upstreams.set(entry.id, upstream);
    upstream.start();
    return upstream;
  }

  #toolsChanged(upstream: Upstream): void {
    const { added } = this.#names.assign(
      upstream.id,
      upstream.entry.slug,
      'tool',
      upstream.tools.map((tool) => tool.name),
    );
    if (added.length > 0) {
      this.options.registry
        .putNames(added)
        .catch((error: unknown) =>
          this.options.log?.(`could not persist tool names: ${String(error)}`),
        );
    }
    this.#aggregate = undefined;
    this.#emit({ type: 'servers' });
    for (const session of this.#sessions.values()) session.toolsChanged();
  }

  // ---------------------------------------------------------------- router

  /**
   * Resolves once every server has had its first connection attempt, or after the startup grace,
   * whichever comes first. Servers added later are not waited for: their tools arrive with
   * list_changed, as the client expects of a running hub.
   */
  whenStarted(): Promise<void> {
    return this.#started;
  }

  #waitForFirstAttempts(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.#clock.clearTimeout(this.#startupTimer);
        resolve();
      };
      this.#startupTimer = this.#clock.setTimeout(done, this.options.startupGraceMs ?? 5_000);
      void Promise.all([...this.#upstreams.values()].map((upstream) => upstream.firstSettled)).then(
        done,
      );
    });
  }

  /** Every ready server's tools, named `slug__name`, in registration order. */
  listTools(): Tool[] {
    if (this.#aggregate) return this.#aggregate;
    const tools: Tool[] = [];
    for (const upstream of this.#upstreams.values()) {
      if (upstream.tools.length === 0) continue;
      const { exposed } = this.#names.assign(
        upstream.id,
        upstream.entry.slug,
        'tool',
        upstream.tools.map((tool) => tool.name),
      );
      for (const tool of upstream.tools) tools.push({ ...tool, name: exposed.get(tool.name)! });
    }
    this.#aggregate = tools;
    return tools;
  }

  routeTool(name: string): { serverId: string; upstreamName: string } {
    const route = this.#names.resolve('tool', name);
    const upstream = route && this.#upstreams.get(route.serverId);
    if (!route || !upstream) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Unknown tool '${name}': no server registered in Nexus offers it. Call tools/list for the current tools.`,
      );
    }
    return route;
  }

  async callTool(
    route: { serverId: string; upstreamName: string },
    args: Record<string, unknown> | undefined,
    options: Parameters<Upstream['callTool']>[2],
  ) {
    const upstream = this.#upstreams.get(route.serverId);
    if (!upstream) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        'That server was removed from Nexus.',
      );
    }
    if (
      upstream.status.state === 'ready' &&
      !upstream.tools.some((tool) => tool.name === route.upstreamName)
    ) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Server '${upstream.entry.slug}' no longer offers tool '${route.upstreamName}'. Call tools/list for the current tools.`,
      );
    }
    return upstream.callTool(route.upstreamName, args, options);
  }

  // ---------------------------------------------------------------- sessions

  /**
   * Connects one downstream client. The transport must not be started yet: the SDK server starts
   * it, after installing its handlers, so no early message is lost.
   */
  async connect(transport: Transport, principal: Principal, clientVersion = ''): Promise<Session> {
    const session = new Session(
      {
        policy: this.policy,
        serverInfo: this.serverInfo,
        whenStarted: () => this.whenStarted(),
        listTools: () => this.listTools(),
        routeTool: (name) => this.routeTool(name),
        callTool: (route, args, options) => this.callTool(route, args, options),
        sessionChanged: () => this.#emit({ type: 'sessions' }),
        sessionClosed: (closed) => {
          if (this.#sessions.get(closed.id) === closed) this.#sessions.delete(closed.id);
          this.#emit({ type: 'sessions' });
        },
      },
      principal,
      clientVersion,
      this.#clock.now(),
    );
    this.#sessions.set(session.id, session);
    await session.attach(transport);
    this.#emit({ type: 'sessions' });
    return session;
  }

  session(sessionId: string): Session | undefined {
    return this.#sessions.get(sessionId);
  }

  // ---------------------------------------------------------------- admin

  listServers(): ServerView[] {
    return [...this.#upstreams.values()].map((upstream) => this.#view(upstream));
  }

  listSessions(): SessionView[] {
    return [...this.#sessions.values()].map(toSessionView);
  }

  subscribe(listener: (event: HubEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #view(upstream: Upstream): ServerView {
    const { exposed } = this.#names.assign(
      upstream.id,
      upstream.entry.slug,
      'tool',
      upstream.tools.map((tool) => tool.name),
    );
    return toServerView(upstream, exposed);
  }

  #emit(event: HubEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.options.log?.(`a change listener failed: ${String(error)}`);
      }
    }
  }

  #upstream(id: string): Upstream {
    const upstream = this.#upstreams.get(id);
    if (!upstream)
      throw new Error(`No server with id ${id}; it may have been removed in another tab.`);
    return upstream;
  }

  /** Turns new entries into full ones with ids and unique slugs (against `existing` too). */
  #materialize(fresh: NewServerEntry[], existing: Iterable<ServerEntry>): ServerEntry[] {
    const taken = new Set([...existing].map((entry) => entry.slug));
    return fresh.map((entry, index) => {
      const slug = entry.slug ?? uniqueSlug(slugify(entry.name || hostOf(entry)), taken);
      if (entry.slug !== undefined) {
        if (!SLUG_PATTERN.test(slug)) {
          throw new Error(
            `The slug "${slug}" is not valid: use 1–32 lowercase letters, digits, "-" or single "_".`,
          );
        }
        if (taken.has(slug))
          throw new Error(`The slug "${slug}" is already used by another server.`);
      }
      taken.add(slug);
      // createdAt + index keeps a batch in its given order when sorted.
      return {
        ...entry,
        id: this.#newId(),
        slug,
        createdAt: this.#clock.now() + index,
      } as ServerEntry;
    });
  }

  async addServer(input: ServerInput): Promise<ServerView> {
    const [entry] = this.#materialize([entryFromInput(input)], this.#entries());
    await this.options.registry.putServer(entry!);
    return this.#view(this.#startUpstream(entry!));
  }

  async editServer(id: string, input: Partial<ServerInput>): Promise<ServerView> {
    const upstream = this.#upstream(id);
    const old = upstream.entry;
    if (old.kind !== 'remote' && (input.url !== undefined || input.headers !== undefined)) {
      throw new Error(
        `Server '${old.slug}' is not a remote server; only its name, slug and timeout can change.`,
      );
    }
    const next = { ...old } as ServerEntry;
    if (input.name !== undefined) next.name = input.name.trim() || old.name;
    if (input.timeoutMs !== undefined) next.timeoutMs = input.timeoutMs;
    if (next.kind === 'remote' && old.kind === 'remote') {
      const merged = entryFromInput({
        url: input.url ?? old.url,
        transport: input.transport ?? old.transport,
        headers: (input.headers ?? old.headers).map((header) => ({
          ...header,
          // A header sent back without a value keeps the stored one (secrets never leave the hub).
          value: header.value ?? old.headers.find((h) => h.name === header.name)?.value ?? '',
        })),
      });
      if (merged.kind === 'remote')
        Object.assign(next, {
          url: merged.url,
          transport: merged.transport,
          headers: merged.headers,
        });
    }
    const slugChanged = input.slug !== undefined && input.slug !== old.slug;
    if (slugChanged) {
      const others = this.#entries().filter((entry) => entry.id !== id);
      next.slug = this.#materialize(
        [{ ...next, slug: input.slug } as NewServerEntry],
        others,
      )[0]!.slug;
      // A new slug renames this server's tools (and only its tools): forget the old names.
      this.#names.dropServer(id);
      await this.options.registry.deleteNames(id);
    }
    await this.options.registry.putServer(next);
    upstream.entry = next;
    upstream.start();
    return this.#view(upstream);
  }

  async removeServer(id: string): Promise<void> {
    const upstream = this.#upstream(id);
    await this.options.registry.deleteServer(id);
    upstream.stop();
    this.#upstreams.delete(id);
    this.#names.dropServer(id);
    this.#aggregate = undefined;
    this.#emit({ type: 'servers' });
    for (const session of this.#sessions.values()) session.toolsChanged();
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    const upstream = this.#upstream(id);
    const next = { ...upstream.entry, enabled };
    await this.options.registry.putServer(next);
    upstream.entry = next;
    upstream.start();
  }

  restartServer(id: string): void {
    this.#upstream(id).start();
  }

  /** Imports a config file: all of its servers, or (on any error) none. */
  async importConfig(text: string): Promise<ImportSummary> {
    const imported = parseConfig(text);
    const entries = this.#materialize(
      imported.map((item) => item.entry),
      this.#entries(),
    );
    await this.options.registry.putServers(entries);
    for (const entry of entries) this.#startUpstream(entry);
    return {
      added: entries.map((entry) => entry.name),
      needsBridge: entries.filter((entry) => entry.kind === 'stdio').map((entry) => entry.name),
    };
  }

  exportConfig(format: 'mcpServers' | 'vscode'): string {
    return exportConfig(this.#entries(), format);
  }

  #entries(): ServerEntry[] {
    return [...this.#upstreams.values()].map((upstream) => upstream.entry);
  }

  /** Stops every upstream and ends every session. */
  async close(): Promise<void> {
    for (const upstream of this.#upstreams.values()) upstream.stop();
    await Promise.all([...this.#sessions.values()].map((session) => session.close()));
    this.#listeners.clear();
  }
}

function hostOf(entry: NewServerEntry): string {
  if (entry.kind !== 'remote') return 'server';
  try {
    return new URL(entry.url).hostname;
  } catch {
    return 'server';
  }
}

export { DEFAULT_TIMEOUT_MS };
