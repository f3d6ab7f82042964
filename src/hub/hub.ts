/**
 * The hub: the registry of servers, one upstream per server, the router that aggregates their
 * tools, prompts, resources and templates (names under `slug__name`, URIs as they are), and the
 * downstream sessions. Platform pieces come in through
 * `HubOptions`; nothing here knows whether it runs in a SharedWorker, a Worker or Node.
 */
import {
  InMemoryTransport,
  ProtocolError,
  ProtocolErrorCode,
  type ElicitRequest,
  type ServerCapabilities,
  type CompleteRequest,
  type FetchLike,
  type LoggingLevel,
  type LoggingMessageNotification,
  type Transport,
} from '@modelcontextprotocol/client';
import { CatalogAggregator } from './router/aggregate.ts';
import type { ResourceCollision } from '../protocol/views.ts';
import { DEFAULT_BACKOFF, type BackoffOptions } from './upstream/backoff.ts';
import { createNotesServer } from './builtin/notes.ts';
import { createHttpTransport, describeConnectError } from './upstream/connectors/http.ts';
import { NameTable, slugify, uniqueSlug } from './registry/names.ts';
import { onDemand } from './admin/on-demand.ts';
import { paginate, DEFAULT_PAGE_SIZE } from './router/pagination.ts';
import { cannotAnswer, type InputRequest, type InputResponse } from './downstream/input.ts';
import { severity } from './router/log-levels.ts';
import { Session, type ListPages, type Route, type Scope } from './downstream/session.ts';
import {
  allowAllPolicy,
  SLUG_PATTERN,
  systemClock,
  type Clock,
  type JournalRecord,
  type JournalStore,
  type NewServerEntry,
  type NotesStore,
  type Policy,
  type Principal,
  type RegistryStore,
  type ServerEntry,
} from './ports.ts';
import {
  CATALOG_KINDS,
  DEFAULT_TIMEOUT_MS,
  Upstream,
  type CallOptions,
  type CatalogKind,
  type InputCapableMethod,
  type TransportOpener,
} from './upstream/upstream.ts';
import { Activity } from './journal/activity.ts';
import type { Diagnosis } from './doctor/doctor.ts';
import { Inspector, utf8Length, type TrafficEntry } from './journal/protocol-log.ts';
import {
  curlOf,
  entryFromInput,
  redact,
  toServerDetail,
  toServerView,
  toSessionView,
  toTrafficView,
} from './admin/view-mapping.ts';
import type {
  ActivityView,
  ElicitationAnswer,
  ElicitationView,
  HubEvent,
  ImportSummary,
  ServerInput,
  InspectorSettings,
  ServerDetail,
  ServerView,
  SessionView,
  TrafficDetail,
  TrafficView,
} from '../protocol/views.ts';

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
  /** Entries per page of the hub's own lists (tools/list, prompts/list, …). Default 100. */
  pageSize?: number;
  /** Messages the Inspector keeps (its ring buffer). Default 500. */
  inspectorCapacity?: number;
  /** Where the Inspector's log is kept across restarts. Default: in memory (this hub's life). */
  journal?: JournalStore;
  log?: (message: string) => void;
}

const SEEDED_KEY = 'seeded-defaults';
/** The Inspector's settings, kept across restarts of the hub. */
const INSPECTOR_KEY = 'inspector-settings';

export class Hub {
  readonly policy: Policy;
  readonly serverInfo = { name: 'nexus', version: HUB_VERSION };
  readonly #upstreams = new Map<string, Upstream>();
  readonly #sessions = new Map<string, Session>();
  readonly #listeners = new Set<(event: HubEvent) => void>();
  readonly #clock: Clock;
  readonly #newId: () => string;
  #names = new NameTable([]);
  /** Aggregated tools, prompts, resources and templates, rebuilt lazily after any list changes. */
  readonly #catalogs = new CatalogAggregator(
    () => this.#names,
    () => this.#upstreams.values(),
  );
  /** Resource URI → the sessions subscribed to it (each upstream is subscribed once per URI). */
  readonly #subscribers = new Map<string, Set<Session>>();
  /** The log level each upstream was last set to, so it is set only when it changes. */
  readonly #upstreamLogLevels = new Map<string, LoggingLevel>();
  /** Elicitations waiting for the person in the dashboard, by id. */
  readonly #elicitations = new Map<
    string,
    { view: ElicitationView; resolve(answer: InputResponse): void }
  >();
  #started: Promise<void> = Promise.resolve();
  #startupTimer: unknown;
  /** Every JSON-RPC message through the hub, while a dashboard may look. */
  readonly inspector: Inspector;
  /** Calls, errors and latency per server over the last minutes. */
  readonly activity: Activity;
  /** Events held back so dashboards hear of a busy stream at most every 250 ms (`#emitSoon`). */
  readonly #heldEvents = new Map<'traffic' | 'sessions', unknown>();
  #journalTimer: unknown;
  /** The journal write under way, so `close()` can wait for the last one. */
  #journalWrite: Promise<void> = Promise.resolve();

  private constructor(private readonly options: HubOptions) {
    this.policy = options.policy ?? allowAllPolicy;
    this.#clock = options.clock ?? systemClock;
    this.#newId = options.newId ?? (() => crypto.randomUUID());
    this.inspector = new Inspector(this.#clock, options.inspectorCapacity, () =>
      this.#trafficRecorded(),
    );
    this.activity = new Activity(this.#clock);
  }

  /**
   * Tells dashboards about new traffic at most every 250 ms, and writes it to the journal at most
   * every second, however busy the hub is: serializing and redacting happen there, in a batch,
   * never on the path of a message.
   */
  #trafficRecorded(): void {
    if (this.#journalTimer === undefined && this.options.journal) {
      this.#journalTimer = this.#clock.setTimeout(() => {
        this.#journalTimer = undefined;
        void this.#saveJournal();
      }, 1_000);
    }
    this.#emitSoon('traffic');
  }

  /**
   * Emits `type` within 250 ms, once however often it is asked for meanwhile. For the events of
   * the call path: each one is a message to every open dashboard, which then fetches again, so
   * one per call cost more than the call itself (`npm run bench`, rows 8c/8d).
   */
  #emitSoon(type: 'traffic' | 'sessions'): void {
    if (this.#heldEvents.has(type)) return;
    this.#heldEvents.set(
      type,
      this.#clock.setTimeout(() => {
        this.#heldEvents.delete(type);
        this.#emit({ type });
      }, 250),
    );
  }

  /** Loads the registry (seeding the defaults on first run) and starts every enabled server. */
  static async create(options: HubOptions): Promise<Hub> {
    const hub = new Hub(options);
    await hub.#load();
    return hub;
  }

  async #load(): Promise<void> {
    const { registry } = this.options;
    const [entries, names, seeded, inspector] = await Promise.all([
      registry.listServers(),
      registry.listNames(),
      registry.getMeta(SEEDED_KEY),
      registry.getMeta(INSPECTOR_KEY),
    ]);
    this.#names = new NameTable(names);
    this.#applyInspectorSettings((inspector ?? {}) as Partial<InspectorSettings>);
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
    // Read while the servers are being dialled, not before: the Inspector records nothing until
    // a dashboard watches it, and no dashboard reaches a hub before `create` has resolved.
    await this.#restoreJournal();
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
      onStatus: (changed) => {
        this.#emit({ type: 'servers' });
        if (changed.status.state === 'ready') void this.#restoreUpstreamState(changed);
      },
      onCatalog: (changed, kinds) => this.#catalogChanged(changed, kinds),
      onResourceUpdated: (source, uri) => this.#resourceUpdated(source, uri),
      onLogMessage: (source, params) => this.#logMessage(source, params),
      onUnrelatedRequest: (source, request, signal) =>
        this.#unrelatedRequest(source, request, signal),
      onLog: this.options.log,
      onTraffic: (source, direction, message) =>
        this.inspector.record(
          'server',
          direction,
          { serverId: source.id, serverSlug: source.entry.slug },
          message,
        ),
    });
    this.#upstreams.set(entry.id, upstream);
    upstream.start();
    return upstream;
  }

  #catalogChanged(upstream: Upstream, kinds: readonly CatalogKind[]): void {
    const added = this.#catalogs.assignNames(upstream);
    if (added.length > 0) {
      this.options.registry
        .putNames(added)
        .catch((error: unknown) => this.options.log?.(`could not persist names: ${String(error)}`));
    }
    this.#catalogs.invalidate();
    this.#emit({ type: 'servers' });
    for (const session of this.#sessions.values())
      if (session.scope === undefined || session.scope === upstream.id) session.listsChanged(kinds);
  }

  /**
   * After a (re)connect the server knows nothing of this hub's subscriptions or log level: tell
   * it again, once it is ready.
   */
  async #restoreUpstreamState(upstream: Upstream): Promise<void> {
    this.#upstreamLogLevels.delete(upstream.id);
    await this.#applyLogLevel(upstream);
    if (!upstream.offers('resourceSubscriptions')) return;
    for (const [uri, sessions] of this.#subscribers) {
      if (sessions.size === 0) continue;
      if (this.#catalogs.routeResource(uri)?.serverId !== upstream.id) continue;
      await upstream.subscribeResource(uri).catch((error: unknown) => {
        this.options.log?.(`could not resubscribe to ${uri}: ${String(error)}`);
      });
    }
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

  /**
   * One page of an aggregated list (`cursor` from the previous page, or none). Scoped to one
   * server: that server's list under its own names.
   */
  page<K extends CatalogKind>(kind: K, cursor: string | undefined, scope?: Scope): ListPages[K] {
    const items: readonly unknown[] =
      scope === undefined
        ? this.#catalogs.current[kind]
        : this.#routedUpstream(scope).catalog[kind];
    return paginate(
      kind,
      items,
      cursor,
      this.options.pageSize ?? DEFAULT_PAGE_SIZE,
    ) as ListPages[K];
  }

  /** URIs that more than one server lists, and which one serves each (the first registered). */
  resourceCollisions(): ResourceCollision[] {
    return this.#catalogs.current.collisions;
  }

  /** A name a client used → its server and upstream name (a scoped session uses the latter). */
  route(kind: 'tool' | 'prompt', name: string, scope?: Scope): Route {
    if (scope !== undefined)
      return { serverId: this.#routedUpstream(scope).id, upstreamName: name };
    const route = this.#names.resolve(kind, name);
    const listMethod = `${kind}s/list`;
    const upstream = route && this.#upstreams.get(route.serverId);
    if (!route || !upstream) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Unknown ${kind} '${name}': no server registered in Nexus offers it. Call ${listMethod} for the current ${kind}s.`,
      );
    }
    return route;
  }

  /**
   * The upstream a route leads to, once it is known to still offer the routed tool or prompt (a
   * persisted name can outlive the thing it named). A server that is not ready is returned as it
   * is: its own call then says why it cannot answer.
   */
  #offering(route: Route, kind: 'tool' | 'prompt'): Upstream {
    const upstream = this.#routedUpstream(route.serverId);
    const listed = kind === 'tool' ? upstream.catalog.tools : upstream.catalog.prompts;
    if (
      upstream.status.state === 'ready' &&
      !listed.some((item) => item.name === route.upstreamName)
    ) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Server '${upstream.entry.slug}' no longer offers ${kind} '${route.upstreamName}'. Call ${kind}s/list for the current ${kind}s.`,
      );
    }
    return upstream;
  }

  /** The hub-wide name of a routed tool or prompt: what the policy and grants know it by. */
  policyName(kind: 'tool' | 'prompt', route: Route): string {
    return this.#names.exposedName(kind, route.serverId, route.upstreamName) ?? route.upstreamName;
  }

  /** Starts a tool call, prompt or resource read on the routed server (see `Upstream.exchange`). */
  start<M extends InputCapableMethod>(
    method: M,
    route: Route,
    params: Record<string, unknown>,
    options: CallOptions,
  ) {
    const upstream =
      method === 'tools/call'
        ? this.#offering(route, 'tool')
        : method === 'prompts/get'
          ? this.#offering(route, 'prompt')
          : this.#routedUpstream(route.serverId);
    return upstream.exchange(method, params, options);
  }

  routeResource(uri: string, scope?: Scope): string {
    // A scoped client knows one server: every URI it reads is that server's to answer.
    if (scope !== undefined) return this.#routedUpstream(scope).id;
    const route = this.#catalogs.routeResource(uri);
    if (!route || !this.#upstreams.has(route.serverId)) {
      throw new ProtocolError(
        ProtocolErrorCode.ResourceNotFound,
        `Resource not found: ${uri}. No server registered in Nexus lists it or has a template that matches it; call resources/list or resources/templates/list.`,
        { uri },
      );
    }
    return route.serverId;
  }

  routeCompletion(
    ref: CompleteRequest['params']['ref'],
    scope?: Scope,
  ): {
    serverId: string;
    ref: CompleteRequest['params']['ref'];
  } {
    if (scope !== undefined) return { serverId: this.#routedUpstream(scope).id, ref };
    if (ref.type === 'ref/prompt') {
      const route = this.route('prompt', ref.name);
      return { serverId: route.serverId, ref: { ...ref, name: route.upstreamName } };
    }
    const serverId = this.#catalogs.routeTemplate(ref.uri);
    if (serverId === undefined) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `No server registered in Nexus has the resource template '${ref.uri}'. Call resources/templates/list for the current templates.`,
      );
    }
    return { serverId, ref };
  }

  async complete(serverId: string, params: CompleteRequest['params'], signal: AbortSignal) {
    const upstream = this.#routedUpstream(serverId);
    // A server without the completions capability has nothing to offer: an empty answer is what
    // a client expects, not an error.
    if (upstream.status.state === 'ready' && !upstream.offers('completions')) {
      return { completion: { values: [], hasMore: false } };
    }
    return upstream.complete(params, signal);
  }

  async subscribeResource(session: Session, serverId: string, uri: string): Promise<void> {
    const upstream = this.#routedUpstream(serverId);
    if (upstream.status.state === 'ready' && !upstream.offers('resourceSubscriptions')) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Server '${upstream.entry.slug}' does not support resource subscriptions, so Nexus cannot tell you when ${uri} changes. Read it again instead.`,
      );
    }
    const sessions = this.#subscribers.get(uri) ?? new Set<Session>();
    // One upstream subscription per URI, however many sessions want it.
    if (sessions.size === 0) await upstream.subscribeResource(uri);
    sessions.add(session);
    session.subscriptions.add(uri);
    this.#subscribers.set(uri, sessions);
  }

  async unsubscribeResource(session: Session, uri: string): Promise<void> {
    session.subscriptions.delete(uri);
    const sessions = this.#subscribers.get(uri);
    if (!sessions?.delete(session) || sessions.size > 0) return;
    this.#subscribers.delete(uri);
    const serverId = this.#catalogs.routeResource(uri)?.serverId;
    const upstream = serverId === undefined ? undefined : this.#upstreams.get(serverId);
    if (upstream?.status.state === 'ready') {
      await upstream.unsubscribeResource(uri).catch((error: unknown) => {
        this.options.log?.(`could not unsubscribe from ${uri}: ${String(error)}`);
      });
    }
  }

  #resourceUpdated(source: Upstream, uri: string): void {
    // Only the server that serves the URI speaks for it (another that lists it too is shadowed).
    const owner = this.#catalogs.routeResource(uri)?.serverId;
    if (owner !== undefined && owner !== source.id) return;
    for (const session of this.#subscribers.get(uri) ?? []) session.resourceUpdated(uri);
  }

  #logMessage(source: Upstream, params: LoggingMessageNotification['params']): void {
    // Name the server in `logger`, so a client can tell whose message it is.
    const logger = params.logger ? `${source.entry.slug}/${params.logger}` : source.entry.slug;
    for (const session of this.#sessions.values())
      if (session.scope === undefined || session.scope === source.id)
        session.log(source.id, { ...params, logger });
  }

  /** Asks every upstream for the least severe level any session wants; each session filters. */
  async logLevelChanged(): Promise<void> {
    await Promise.all(
      [...this.#upstreams.values()].map((upstream) => this.#applyLogLevel(upstream)),
    );
  }

  async #applyLogLevel(upstream: Upstream): Promise<void> {
    const levels = [...this.#sessions.values()]
      .map((session) => session.logLevel)
      .filter((level): level is LoggingLevel => level !== undefined);
    if (levels.length === 0 || upstream.status.state !== 'ready') return;
    if (!upstream.offers('logging')) return;
    const lowest = levels.reduce((a, b) => (severity(a) <= severity(b) ? a : b));
    if (this.#upstreamLogLevels.get(upstream.id) === lowest) return;
    this.#upstreamLogLevels.set(upstream.id, lowest);
    await upstream.setLoggingLevel(lowest).catch((error: unknown) => {
      this.#upstreamLogLevels.delete(upstream.id);
      this.options.log?.(
        `could not set the log level of '${upstream.entry.slug}': ${String(error)}`,
      );
    });
  }

  #routedUpstream(serverId: string): Upstream {
    const upstream = this.#upstreams.get(serverId);
    if (!upstream) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        'That server was removed from Nexus.',
      );
    }
    return upstream;
  }

  /**
   * What a session announces: the union of the capabilities of the servers it sees (ready now, or
   * known from an earlier connection), plus `listChanged` (servers come and go), and their
   * instructions, each under the server's name.
   */
  announce(scope: Scope): { capabilities: ServerCapabilities; instructions?: string } {
    const upstreams =
      scope === undefined ? [...this.#upstreams.values()] : [this.#routedUpstream(scope)];
    const offered = upstreams.map((upstream) => upstream.capabilities ?? {});
    const capabilities: ServerCapabilities = {
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: {
        listChanged: true,
        ...(offered.some((each) => each.resources?.subscribe) ? { subscribe: true } : {}),
      },
    };
    if (offered.some((each) => each.completions)) capabilities.completions = {};
    if (offered.some((each) => each.logging)) capabilities.logging = {};
    const instructions = upstreams
      .filter((upstream) => upstream.instructions)
      .map((upstream) =>
        scope === undefined
          ? `## ${upstream.entry.name} (tools, prompts and templates named ${upstream.entry.slug}__…)\n\n${upstream.instructions}`
          : upstream.instructions!,
      )
      .join('\n\n');
    return instructions ? { capabilities, instructions } : { capabilities };
  }

  /**
   * A server asked for input outside any call a client made. An elicitation goes to the person in
   * the dashboard; sampling and roots have no one to answer and are refused with a reason.
   */
  async #unrelatedRequest(
    source: Upstream,
    request: InputRequest,
    signal: AbortSignal,
  ): Promise<InputResponse> {
    if (request.method === 'elicitation/create')
      return this.askPerson(source.id, undefined, request, signal);
    throw cannotAnswer(request, source.entry.slug);
  }

  /**
   * Shows a server's elicitation to the person (every open dashboard lists it) and settles with
   * their answer. It is the fallback when no client can answer: the hub IS the person's UI. When
   * `signal` aborts (the call or the server's request ended), it leaves the dashboard.
   */
  askPerson(
    serverId: string,
    session: Session | undefined,
    request: ElicitRequest,
    signal?: AbortSignal,
  ): Promise<InputResponse> {
    const upstream = this.#routedUpstream(serverId);
    const id = this.#newId();
    const params = request.params as ElicitRequest['params'] & {
      mode?: 'form' | 'url';
      url?: string;
      requestedSchema?: unknown;
    };
    const view: ElicitationView = {
      id,
      serverSlug: upstream.entry.slug,
      serverName: upstream.entry.name,
      ...(session ? { clientName: session.principal.clientName } : {}),
      message: params.message,
      mode: params.mode === 'url' ? 'url' : 'form',
      ...(params.mode === 'url' ? { url: params.url } : {}),
      ...(params.mode !== 'url' ? { requestedSchema: params.requestedSchema } : {}),
      askedAt: this.#clock.now(),
    };
    return new Promise((resolve, reject) => {
      const ended = (): void => {
        if (!this.#elicitations.delete(id)) return;
        this.#emit({ type: 'elicitations' });
        reject(new ProtocolError(ProtocolErrorCode.InternalError, 'The request was cancelled.'));
      };
      if (signal?.aborted) return ended();
      signal?.addEventListener('abort', ended, { once: true });
      this.#elicitations.set(id, {
        view,
        resolve: (answer) => {
          signal?.removeEventListener('abort', ended);
          resolve(answer);
        },
      });
      this.#emit({ type: 'elicitations' });
    });
  }

  listElicitations(): ElicitationView[] {
    return [...this.#elicitations.values()].map((pending) => pending.view);
  }

  /** The person's answer to an elicitation shown in the dashboard. */
  answerElicitation(id: string, answer: ElicitationAnswer): void {
    const pending = this.#elicitations.get(id);
    if (!pending) {
      throw new Error('That request is no longer waiting: it was answered elsewhere or ended.');
    }
    this.#elicitations.delete(id);
    pending.resolve(
      answer.action === 'accept' && pending.view.mode === 'form'
        ? { action: 'accept', content: answer.content ?? {} }
        : { action: answer.action },
    );
    this.#emit({ type: 'elicitations' });
  }

  slugOf(serverId: string): string {
    return this.#upstreams.get(serverId)?.entry.slug ?? serverId;
  }

  // ---------------------------------------------------------------- sessions

  /**
   * Connects one downstream client over any SDK transport. The transport must not be started
   * yet: the SDK server starts it, after installing its handlers, so no early message is lost.
   * `server` (a slug) scopes the session to that one server, under its own names.
   */
  async connect(
    transport: Transport,
    principal: Principal,
    options: { server?: string; clientVersion?: string } = {},
  ): Promise<Session> {
    let scope: Scope;
    if (options.server !== undefined) {
      const upstream = [...this.#upstreams.values()].find(
        (each) => each.entry.slug === options.server,
      );
      if (!upstream) {
        throw new Error(
          `No server with the slug '${options.server}' is registered in Nexus; check the slug in the dashboard (Servers).`,
        );
      }
      scope = upstream.id;
    }
    const session = new Session(
      {
        policy: this.policy,
        serverInfo: this.serverInfo,
        whenStarted: () => this.whenStarted(),
        announce: (scoped) => this.announce(scoped),
        page: (kind, cursor, scoped) => this.page(kind, cursor, scoped),
        route: (kind, name, scoped) => this.route(kind, name, scoped),
        policyName: (kind, route) => this.policyName(kind, route),
        start: (method, route, params, callOptions) =>
          this.start(method, route, params, callOptions),
        routeResource: (uri, scoped) => this.routeResource(uri, scoped),
        routeCompletion: (ref, scoped) => this.routeCompletion(ref, scoped),
        complete: (serverId, params, signal) => this.complete(serverId, params, signal),
        subscribe: (session, serverId, uri) => this.subscribeResource(session, serverId, uri),
        unsubscribe: (session, uri) => this.unsubscribeResource(session, uri),
        askPerson: (serverId, session, request, signal) =>
          this.askPerson(serverId, session, request, signal),
        slugOf: (serverId) => this.slugOf(serverId),
        logLevelChanged: () => this.logLevelChanged(),
        // A call ended (its counts changed); opening and closing are told at once, below.
        sessionChanged: () => this.#emitSoon('sessions'),
        sessionClosed: (closed) => {
          if (this.#sessions.get(closed.id) === closed) this.#sessions.delete(closed.id);
          // Its subscriptions end with it; the last subscriber's departure ends the upstream one.
          for (const uri of [...closed.subscriptions]) void this.unsubscribeResource(closed, uri);
          this.#emit({ type: 'sessions' });
        },
        log: (message) => this.options.log?.(message),
        traffic: (direction, session, message) =>
          this.inspector.record(
            'client',
            direction,
            { sessionId: session.id, clientName: session.principal.clientName },
            message,
          ),
        callStarted: (serverId) => {
          const started = performance.now();
          return (ok) => this.activity.record(serverId, performance.now() - started, ok);
        },
      },
      principal,
      options.clientVersion ?? '',
      this.#clock.now(),
      scope,
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
    return [...this.#sessions.values()].map((session) =>
      toSessionView(session, session.scope === undefined ? undefined : this.slugOf(session.scope)),
    );
  }

  subscribe(listener: (event: HubEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #view(upstream: Upstream): ServerView {
    return toServerView(upstream, this.#exposed(upstream, 'tool'));
  }

  /** One server in full, for its page in the dashboard. */
  serverDetail(id: string): ServerDetail {
    const upstream = this.#upstream(id);
    return toServerDetail(upstream, {
      tool: this.#exposed(upstream, 'tool'),
      prompt: this.#exposed(upstream, 'prompt'),
      template: this.#exposed(upstream, 'template'),
    });
  }

  #exposed(upstream: Upstream, kind: 'tool' | 'prompt' | 'template'): Map<string, string> {
    const items =
      kind === 'tool'
        ? upstream.catalog.tools
        : kind === 'prompt'
          ? upstream.catalog.prompts
          : upstream.catalog.templates;
    return this.#names.assign(
      upstream.id,
      upstream.entry.slug,
      kind,
      items.map((item) => item.name),
    ).exposed;
  }

  /** The Inspector's messages after `afterSeq`, oldest first. */
  traffic(afterSeq = 0): TrafficView[] {
    return this.inspector.entries(afterSeq).map(toTrafficView);
  }

  /** One message in full; undefined once it has left the buffer. */
  trafficDetail(seq: number): TrafficDetail | undefined {
    const entry = this.inspector.entry(seq);
    if (!entry) return undefined;
    // Redacted like the journal: a server that echoes a token does not get it shown.
    const json = redact(JSON.stringify(entry.message, null, 2), this.#secretValues());
    const upstream =
      entry.side === 'server' && entry.direction === 'out' && entry.serverId
        ? this.#upstreams.get(entry.serverId)
        : undefined;
    const curl = upstream && curlOf(upstream, entry.message);
    return curl ? { json, curl } : { json };
  }

  inspectorSettings(): InspectorSettings {
    return { enabled: this.inspector.enabled, capacity: this.inspector.capacity };
  }

  /** Reads the last session's messages back into the Inspector (readable offline too). */
  async #restoreJournal(): Promise<void> {
    const journal = this.options.journal;
    if (!journal) return;
    try {
      const records = await journal.latest(this.inspector.capacity);
      this.inspector.restore(
        records.map(({ json, ...record }) => ({
          ...record,
          message: JSON.parse(json) as TrafficEntry['message'],
        })),
      );
    } catch (error) {
      this.options.log?.(`could not read the journal: ${String(error)}`);
    }
  }

  /** Writes what the Inspector recorded since the last write, serialized and redacted. */
  #saveJournal(): Promise<void> {
    const journal = this.options.journal;
    const entries = this.inspector.takeUnsaved();
    if (!journal || entries.length === 0) return this.#journalWrite;
    const secrets = this.#secretValues();
    const records = entries.map((entry): JournalRecord => {
      const { message, ...rest } = entry;
      // One serialization serves both: the size (of the message as sent) and the redacted text.
      const raw = JSON.stringify(message);
      entry.size ??= utf8Length(raw);
      return { ...rest, size: entry.size, json: redact(raw, secrets) };
    });
    const capacity = this.inspector.capacity;
    this.#journalWrite = this.#journalWrite
      .then(() => journal.append(records, capacity))
      .catch((error: unknown) => {
        this.options.log?.(`could not write the journal: ${String(error)}`);
      });
    return this.#journalWrite;
  }

  /** Header values marked secret, which must never reach the journal (DESIGN: no secret leaks). */
  #secretValues(): string[] {
    const values: string[] = [];
    for (const upstream of this.#upstreams.values()) {
      const entry = upstream.entry;
      if (entry.kind !== 'remote') continue;
      for (const header of entry.headers)
        if (header.secret && header.value) values.push(header.value);
    }
    return values;
  }

  /** Changes and stores the Inspector's settings; returns them as they now are. */
  async setInspectorSettings(settings: Partial<InspectorSettings>): Promise<InspectorSettings> {
    this.#applyInspectorSettings(settings);
    const now = this.inspectorSettings();
    await this.options.registry.setMeta(INSPECTOR_KEY, now);
    this.#emit({ type: 'traffic' });
    return now;
  }

  #applyInspectorSettings(settings: Partial<InspectorSettings>): void {
    if (typeof settings.enabled === 'boolean') this.inspector.setEnabled(settings.enabled);
    if (typeof settings.capacity === 'number') this.inspector.setCapacity(settings.capacity);
  }

  /** Calls, errors and latency of every server over the last minutes. */
  activityViews(): ActivityView[] {
    return [...this.#upstreams.values()].map((upstream) => ({
      serverId: upstream.id,
      slug: upstream.entry.slug,
      name: upstream.entry.name,
      series: this.activity.series(upstream.id),
      recent: this.activity.summary(upstream.id, 5 * 60_000),
    }));
  }

  /**
   * Probes a remote server's address with its stored headers and says what is wrong (see
   * doctor.ts). `page` is where the dashboard runs: mixed content and CORS depend on it.
   */
  async diagnoseServer(id: string, page: { origin: string; protocol: string }): Promise<Diagnosis> {
    const entry = this.#upstream(id).entry;
    if (entry.kind !== 'remote') {
      throw new Error(
        `Server '${entry.slug}' is not reached over HTTP, so there is no connection to diagnose.`,
      );
    }
    const { diagnose } = await onDemand('connection doctor', () => import('./doctor/doctor.ts'));
    return diagnose(
      {
        url: entry.url,
        headers: entry.headers.filter((header) => header.name.trim() !== ''),
        pageOrigin: page.origin,
        pageProtocol: page.protocol,
      },
      this.options.fetch ?? ((url, init) => fetch(url, init)),
    );
  }

  /** Ends a client's session (the dashboard's Disconnect); the client sees its transport close. */
  async disconnectSession(sessionId: string): Promise<void> {
    const session = this.#sessions.get(sessionId);
    if (!session) throw new Error('That client has already disconnected.');
    await session.close();
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
    this.activity.forget(id);
    this.#names.dropServer(id);
    this.#catalogs.invalidate();
    this.#emit({ type: 'servers' });
    for (const session of this.#sessions.values()) session.listsChanged(CATALOG_KINDS);
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
    const { parseConfig } = await onDemand(
      'config importer',
      () => import('./registry/config-format.ts'),
    );
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

  async exportConfig(format: 'mcpServers' | 'vscode'): Promise<string> {
    const { exportConfig } = await onDemand(
      'config exporter',
      () => import('./registry/config-format.ts'),
    );
    return exportConfig(this.#entries(), format);
  }

  #entries(): ServerEntry[] {
    return [...this.#upstreams.values()].map((upstream) => upstream.entry);
  }

  /** Stops every upstream and ends every session. */
  async close(): Promise<void> {
    for (const timer of this.#heldEvents.values()) this.#clock.clearTimeout(timer);
    this.#heldEvents.clear();
    this.#clock.clearTimeout(this.#journalTimer);
    this.#journalTimer = undefined;
    await this.#saveJournal();
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
