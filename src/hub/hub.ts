/**
 * The hub: composition and lifecycle only. It builds the rooms from `HubOptions` (platform pieces
 * come in; nothing here knows whether it runs in a SharedWorker, a Worker or Node), loads the
 * registry, starts one upstream per server, connects client sessions, and closes it all down.
 * What each part does lives in its room: registry/ (servers, names), upstream/ (connections and
 * connectors), router/ (aggregation and routing), downstream/ (sessions), policy/ (who may do
 * what), person/ (what waits for the person), journal/ (protocol log, redaction, figures),
 * admin/ (the dashboard's service). A new capability adds files there, not lines here.
 */
import type { Transport } from '@modelcontextprotocol/client';
import { HubEvents } from './admin/events.ts';
import type { ConsentAdmin } from './admin/consent-admin.ts';
import type { AdminRoom } from './admin/room.ts';
import type { AdminService, AdminServiceOptions } from './admin/service.ts';
import { createNotesServer } from './builtin/notes.ts';
import type { Session } from './downstream/session.ts';
import type { HttpFrontDeps } from './downstream/http-front.ts';
import { Sessions } from './downstream/sessions.ts';
import { WaitingCalls } from './downstream/waiting-calls.ts';
import { answerUnrelated } from './person/elicitation.ts';
import { Activity } from './journal/activity.ts';
import { AuditJournal } from './journal/audit.ts';
import { sessionJournal, upstreamTraffic } from './journal/hooks.ts';
import { ProtocolRecorder } from './journal/recorder.ts';
import { PersonQueue } from './person/queue.ts';
import { SignInRequests } from './person/sign-in-requests.ts';
import { randomIds, systemClock, systemRandom } from './platform.ts';
import { ConsentPolicy } from './policy/consent-policy.ts';
import { ConsentWiring } from './policy/consent-wiring.ts';
import type { Policy, Principal } from './policy/policy.ts';
import type { HubOptions, Clock, Ids, ServerEntry } from './ports.ts';
import { NameTable } from './registry/names.ts';
import { Servers } from './registry/servers.ts';
import { LogFanout } from './router/log-fanout.ts';
import { Router } from './router/router.ts';
import { RelayedResults } from './upstream/relay.ts';
import { NO_SIGN_IN, SignIns, type SignInOutcome } from './upstream/auth/sign-ins.ts';
import { Subscriptions } from './router/subscriptions.ts';
import { DEFAULT_BACKOFF } from './upstream/backoff.ts';
import type { BridgeLink } from './upstream/bridge/link.ts';
import { localServersLink } from './upstream/bridge/local-servers.ts';
import { bridgeConnector } from './upstream/connectors/bridge.ts';
import { builtinConnector } from './upstream/connectors/builtin.ts';
import { connectorsOf } from './upstream/connectors/connector.ts';
import { httpConnector } from './upstream/connectors/remote.ts';
import {
  CATALOG_KINDS,
  DEFAULT_TIMEOUT_MS,
  Upstream,
  type CatalogKind,
} from './upstream/upstream.ts';

export const HUB_VERSION = '0.1.0';

export type { HubOptions } from './ports.ts';

/** What the admin room reads of the hub. */
export interface AdminDeps extends AdminServiceOptions {
  consent: ConsentPolicy | undefined;
  audit: AuditJournal;
}

export class Hub {
  readonly serverInfo = { name: 'nexus', version: HUB_VERSION };
  readonly policy: Policy;
  readonly #upstreams = new Map<string, Upstream>();
  readonly #clock: Clock;
  /** Fresh identifiers (the Playground's session ids come from here too). */
  readonly ids: Ids;
  readonly #log: (message: string) => void;
  readonly events: HubEvents;
  readonly router: Router;
  readonly person: PersonQueue;
  readonly recorder: ProtocolRecorder;
  /** The always-on audit and security journal. */
  readonly audit: AuditJournal;
  /** Calls, errors and latency per server over the last minutes. */
  readonly activity: Activity;
  readonly sessions: Sessions;
  readonly #servers: Servers;
  readonly #subscriptions: Subscriptions;
  readonly #logs: LogFanout;
  readonly #connectors;
  /** Results the SDKs would refuse, carried around them (upstream/relay.ts). */
  readonly #relay: RelayedResults;
  /** 2026-07-28 calls waiting for their client's answers, whichever connection it comes back on. */
  readonly #waiting: WaitingCalls;
  /** The person's consent, when the policy is theirs (policy/consent-policy.ts). */
  readonly consent: ConsentWiring | undefined;
  /** The dashboard's side, once opened (admin/room.ts). */
  #adminRoom: AdminRoom | undefined;
  /** Sign-ins to servers (OAuth), when the deployment set them up (`HubOptions.signIn`). */
  readonly signIns: SignIns | undefined;
  /** Servers waiting for the person to sign in, in the person queue. */
  readonly signInRequests: SignInRequests;
  /** The link to nexus-bridge, which runs the local stdio servers (upstream/bridge/). */
  readonly bridge: BridgeLink;

  private constructor(private readonly options: HubOptions) {
    const clock = (this.#clock = options.clock ?? systemClock);
    const ids = (this.ids = options.ids ?? randomIds);
    const log = (this.#log = (message: string) => options.log?.(message));
    this.policy = options.policy;
    this.#relay = new RelayedResults(ids);
    this.#waiting = new WaitingCalls(clock, ids);
    const events = (this.events = new HubEvents(clock, log));
    const router = (this.router = new Router({
      upstreams: this.#upstreams,
      clock,
      pageSize: options.pageSize,
    }));
    this.person = new PersonQueue(
      clock,
      ids,
      () => events.emit({ type: 'waiting' }),
      options.personAnswers ?? (() => events.watched),
    );
    this.#subscriptions = new Subscriptions(router, log);
    this.#logs = new LogFanout(
      () => this.#upstreams.values(),
      () => this.sessions.values(),
      log,
    );
    this.activity = new Activity(clock);
    this.#servers = new Servers({
      registry: options.registry,
      clock,
      ids,
      upstreams: this.#upstreams,
      start: (entry) => this.#startUpstream(entry),
      forget: (upstream) => this.#forget(upstream),
      audit: (event, entry, detail) =>
        this.audit.record({
          kind: 'audit',
          event,
          serverId: entry.id,
          serverSlug: entry.slug,
          detail,
        }),
      renamed: async (serverId) => {
        router.names.dropServer(serverId);
        await options.registry.deleteNames(serverId);
      },
      log,
    });
    this.signInRequests = new SignInRequests(this.person);
    this.signIns =
      options.signIn &&
      new SignIns({
        settings: options.signIn,
        clock,
        ids,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        upstreams: this.#upstreams,
        record: (event) => this.audit.record(event),
        requests: this.signInRequests,
        changed: () => events.emit({ type: 'servers' }),
      });
    const secrets = () => [...this.#servers.secrets(), ...(this.signIns?.secrets() ?? [])];
    this.consent =
      options.policy instanceof ConsentPolicy
        ? new ConsentWiring({
            policy: options.policy,
            queue: this.person,
            clock,
            dashboardOpen: () => events.watched,
            ...(options.notify ? { notify: options.notify } : {}),
            ...(options.consentWaitMs ? { unattendedWaitMs: options.consentWaitMs } : {}),
            sessions: () => this.sessions.values(),
            record: (event) => this.audit.record(event),
            changed: () => events.emit({ type: 'consent' }),
            log,
          })
        : undefined;
    const consent = this.consent;
    if (consent) events.onUnwatched(() => consent.consent.unwatched());
    this.audit = new AuditJournal({
      clock,
      journal: options.journal,
      secrets,
      log,
      ...(consent ? { retention: () => consent.retention() } : {}),
      written: () => events.soon('audit'),
    });
    this.recorder = new ProtocolRecorder({
      clock,
      registry: options.registry,
      journal: options.journal,
      capacity: options.inspectorCapacity,
      secrets,
      recorded: () => events.soon('traffic'),
      log,
    });
    this.sessions = new Sessions({
      shared: {
        serverInfo: this.serverInfo,
        router,
        policy: this.policy,
        person: this.person,
        ...(consent ? { consent: consent.consent } : {}),
        subscriptions: this.#subscriptions,
        logs: this.#logs,
        clock,
        ids,
        relay: this.#relay,
        waiting: this.#waiting,
        events: {
          changed: () => events.soon('sessions'),
          log,
          ...sessionJournal({
            recorder: this.recorder,
            audit: this.audit,
            activity: this.activity,
            router,
            clock,
            consent: consent?.policy,
          }),
        },
      },
      upstreams: this.#upstreams,
      changed: () => events.emit({ type: 'sessions' }),
    });
    this.bridge = localServersLink({
      clock,
      hubVersion: HUB_VERSION,
      upstreams: this.#upstreams,
      changed: () => events.soon('bridge'),
      record: (event) => this.audit.record(event),
      log,
    });
    this.#connectors = connectorsOf(
      bridgeConnector(this.bridge),
      builtinConnector((serverSide: Transport) =>
        createNotesServer(options.notes, clock, () => ids.next()).connect(serverSide),
      ),
      httpConnector(
        options.fetch,
        undefined,
        this.signIns && ((entry) => this.signIns!.authFor(entry)),
      ),
      ...(options.connectors ?? []),
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
    const [stored, names, seeded, inspector] = await Promise.all([
      registry.listServers(),
      registry.listNames(),
      registry.getMeta(Servers.seededKey),
      registry.getMeta(ProtocolRecorder.settingsKey),
    ]);
    this.router.names = new NameTable(names);
    // The person's decisions before any server or client: nobody is served on a default.
    await this.consent?.policy.load();
    this.recorder.load(inspector);
    const entries = await this.#servers.load(stored, seeded, this.options.defaults);
    // Not awaited: each server's first request reads its own record (the same read).
    this.signIns
      ?.load(entries)
      .catch((error: unknown) => this.#log(`could not read the sign-ins: ${String(error)}`));
    for (const entry of entries) this.#startUpstream(entry);
    this.router.waitForFirstAttempts(this.options.startupGraceMs ?? 5_000);
    // Read while the servers are being dialled, not before: the Inspector records nothing until
    // a dashboard watches it, and no dashboard reaches a hub before `create` has resolved.
    await this.recorder.restore();
  }

  /** Resolves once every server has had its first connection attempt (or the grace ran out). */
  whenStarted(): Promise<void> {
    return this.router.whenStarted();
  }

  #startUpstream(entry: ServerEntry): Upstream {
    const upstream = new Upstream(entry, {
      clock: this.#clock,
      random: this.options.random ?? systemRandom,
      backoff: this.options.backoff ?? DEFAULT_BACKOFF,
      pingIntervalMs: this.options.pingIntervalMs ?? 5_000,
      pingTimeoutMs: this.options.pingTimeoutMs ?? 4_000,
      connectors: this.#connectors,
      relay: this.#relay,
      clientInfo: { name: 'nexus-hub', version: HUB_VERSION },
      onStatus: (changed, was) => {
        this.signIns?.statusChanged(changed);
        this.events.emit({ type: 'servers' });
        if (changed.status.state === 'ready' && was !== 'ready') void this.#reconnected(changed);
      },
      onCatalog: (changed, kinds) => this.#catalogChanged(changed, kinds),
      onResourceUpdated: (source, uri) => this.#subscriptions.resourceUpdated(source, uri),
      onLogMessage: (source, params) => this.#logs.message(source, params),
      onUnrelatedRequest: (source, request, signal) =>
        answerUnrelated(this.person, source.entry, request, signal),
      onLog: this.#log,
      onTraffic: upstreamTraffic(this.recorder),
      ...(this.signIns
        ? {
            onStepUp: (source: Upstream, scope: string | undefined) =>
              this.signIns!.stepUp(source.entry, scope),
          }
        : {}),
    });
    this.#upstreams.set(entry.id, upstream);
    upstream.start();
    return upstream;
  }

  #catalogChanged(upstream: Upstream, kinds: readonly CatalogKind[]): void {
    if (this.consent && kinds.includes('tools'))
      void this.consent.toolsListed(upstream.entry, upstream.catalog.tools);
    const added = this.router.assignNames(upstream);
    if (added.length > 0)
      this.options.registry
        .putNames(added)
        .catch((error: unknown) => this.#log(`could not persist names: ${String(error)}`));
    this.router.invalidate();
    this.events.emit({ type: 'servers' });
    this.sessions.listsChanged(upstream.id, kinds);
  }

  /** After a (re)connect the server knows nothing of this hub's subscriptions or log level. */
  async #reconnected(upstream: Upstream): Promise<void> {
    await this.#logs.reconnected(upstream);
    await this.#subscriptions.restore(upstream);
  }

  /**
   * The authorization server's answer that `/oauth/callback` passed on (untrusted): finishes the
   * sign-in whose `state` it carries, and reconnects that server.
   */
  finishSignIn(params: Readonly<Record<string, string>>): Promise<SignInOutcome> {
    if (!this.signIns) return Promise.resolve({ error: NO_SIGN_IN });
    return this.signIns.finish(params);
  }

  #forget(upstream: Upstream): void {
    this.#upstreams.delete(upstream.id);
    void this.signIns
      ?.forget(upstream.entry)
      .catch((error: unknown) => this.#log(`could not forget a sign-in: ${String(error)}`));
    void this.consent?.serverRemoved(upstream.id);
    this.activity.forget(upstream.id);
    this.router.names.dropServer(upstream.id);
    this.router.invalidate();
    this.events.emit({ type: 'servers' });
    this.sessions.listsChanged(upstream.id, CATALOG_KINDS, true);
  }

  /**
   * Connects one downstream client over any SDK transport (not yet started). `principal.origin`
   * must be the one the platform vouches for; `server` (a slug) scopes the session to one server.
   */
  connect(
    transport: Transport,
    principal: Principal,
    options: { server?: string; clientVersion?: string } = {},
  ): Promise<Session> {
    return this.sessions.connect(transport, principal, options).then((session) => {
      this.consent?.arrived(principal);
      return session;
    });
  }

  /**
   * What an HTTP front needs of the hub (downstream/http-front.ts). The front itself is built by
   * `createHttpFront` in index.ts, the Node entry, so the worker's bundle never carries it.
   */
  frontDeps(): HttpFrontDeps {
    return {
      sessions: this.sessions,
      subscriptions: this.#subscriptions,
      router: this.router,
      ids: this.ids,
      log: this.#log,
      watchLists: (listener) => this.sessions.watchLists(listener),
      arrived: (principal) => this.consent?.arrived(principal),
    };
  }

  /**
   * The dashboard's service and its consent side (admin/room.ts). Not built with the hub, so the
   * worker's start chunk does not carry them: Node's `createHub` opens the room at once, the
   * worker when its first dashboard connects.
   */
  get admin(): AdminService {
    return this.#openedAdmin().service;
  }

  get consentAdmin(): ConsentAdmin | undefined {
    return this.#openedAdmin().consent;
  }

  /** Opens the admin room once, with what it reads of the hub (see admin/room.ts). */
  openAdmin(open: (deps: AdminDeps) => AdminRoom): AdminRoom {
    return (this.#adminRoom ??= open({
      upstreams: this.#upstreams,
      sessions: this.sessions.map,
      router: this.router,
      servers: this.#servers,
      recorder: this.recorder,
      activity: this.activity,
      person: this.person,
      events: this.events,
      fetch: this.options.fetch,
      consent: this.consent?.policy,
      audit: this.audit,
      signIns: this.signIns,
      signInRequests: this.signInRequests,
      bridge: this.bridge,
    }));
  }

  #openedAdmin(): AdminRoom {
    if (!this.#adminRoom)
      throw new Error('The admin room is not open: call openAdminRoom(hub) (admin/room.ts) first.');
    return this.#adminRoom;
  }

  session(sessionId: string): Session | undefined {
    return this.sessions.map.get(sessionId);
  }

  /** Stops every upstream and ends every session. */
  async close(): Promise<void> {
    await this.recorder.close();
    await this.audit.close();
    for (const upstream of this.#upstreams.values()) upstream.stop();
    await this.sessions.closeAll();
    this.#waiting.clear();
    this.person.clear();
    this.consent?.close();
    this.events.close();
  }
}

export { DEFAULT_TIMEOUT_MS };
