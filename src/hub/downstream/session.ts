/**
 * One connected downstream client: a v2 SDK `Server` over the client's transport, for the era the
 * client opened with. The session holds only what is this client's (its principal, scope, log
 * level, subscriptions, calls waiting for its input) and is handed the narrow pieces it uses: the
 * router, the policy, the person queue, the fan-outs and a few events. Every request passes the
 * policy before the router sees it (./handlers.ts). The SDK assigns the upstream request ids, so
 * ids from different sessions never meet upstream (request-id remapping).
 */
import {
  LOG_LEVEL_META_KEY,
  Server,
  type LoggingLevel,
  type LoggingMessageNotification,
  type ServerContext,
  type Transport,
} from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/server/validators/cf-worker';
import type { TrafficDirection } from '../../protocol/views.ts';
import { tapTransport } from '../journal/tap.ts';
import { askPersonToElicit } from '../person/elicitation.ts';
import type { PersonQueue } from '../person/queue.ts';
import type { Consent } from '../person/consent.ts';
import type { Policy, PolicyAction, Principal, Verdict } from '../policy/policy.ts';
import type { Clock, Ids } from '../ports.ts';
import type { LogFanout } from '../router/log-fanout.ts';
import { admits } from '../router/log-levels.ts';
import type { ListPages, Router, Scope } from '../router/router.ts';
import type { Subscriptions } from '../router/subscriptions.ts';
import type { CallOptions } from '../upstream/calls.ts';
import type { RelayedResults } from '../upstream/relay.ts';
import type { CatalogKind } from '../upstream/upstream.ts';
import { act, authorize, type GateDeps, type Waiting } from './gate.ts';
import { guardTransport, type Rejection } from './guard.ts';
import { installHandlers } from './handlers.ts';
import { callerCapabilities, type Exchange, type Leg } from './input.ts';
import { InputFlows, type AnsweredBy, type Era } from './input-flow.ts';
import { ListenStreams } from './listens.ts';
import type { WaitingCalls } from './waiting-calls.ts';

/** What a session tells the hub (dashboards, the Inspector, activity figures). */
export interface SessionEvents {
  /** A call ended: its counts changed. */
  changed(session: Session): void;
  /** The session ended, whichever side ended it. */
  closed(session: Session): void;
  /** A line for the hub's own log (problems no client request can carry back). */
  log(message: string): void;
  /**
   * A message on this session's connection, for the protocol log: inbound ones as they arrived
   * (any value), with `rejection` when the door (./guard.ts) answered or dropped it.
   */
  traffic?(
    direction: TrafficDirection,
    session: Session,
    message: unknown,
    rejection?: Rejection,
  ): void;
  /** A call to a server starts (for the activity charts); the returned function ends it. */
  callStarted?(serverId: string): (ok: boolean) => void;
  /** A refusal (a security event) and an action that passed and ended (audit): ./gate.ts. */
  refused?: GateDeps['refused'];
  acted?: GateDeps['acted'];
  /** A server asked for input (sampling, elicitation, roots) during this client's call. */
  inputAsked?(session: Session, serverId: string, method: string, answeredBy: AnsweredBy): void;
}

/** The narrow pieces a session works with. */
export interface SessionDeps {
  serverInfo: { name: string; version: string };
  router: Router;
  policy: Policy;
  person: PersonQueue;
  /** Asks the person when the policy says `ask`; absent: such a request is refused. */
  consent?: Consent;
  subscriptions: Subscriptions;
  logs: LogFanout;
  clock: Clock;
  ids: Ids;
  events: SessionEvents;
  /** Gives results the SDK does not know their server's own parts back (../upstream/relay.ts). */
  relay: RelayedResults;
  /** 2026-07-28 calls waiting for their client's answers, across connections. */
  waiting: WaitingCalls;
}

const LIST_CHANGED: Record<CatalogKind, 'tools' | 'prompts' | 'resources'> = {
  tools: 'tools',
  prompts: 'prompts',
  resources: 'resources',
  templates: 'resources',
};

/** A 2026-07-28 client's call in flight that asked for log messages (its `_meta` log level). */
interface LoggingCall {
  serverId: string;
  level: LoggingLevel;
  notify: ServerContext['mcpReq']['notify'];
}

export class Session {
  readonly connectedAt: number;
  calls = 0;
  errors = 0;
  /** Set by the client's `logging/setLevel`; until then every upstream log message is relayed. */
  logLevel: LoggingLevel | undefined;
  /** The resource URIs this client subscribed to (either era). */
  readonly subscriptions = new Set<string>();
  /** A 2026-07-28 client's open `subscriptions/listen` streams and the URIs each one names. */
  readonly #listens = new ListenStreams({
    start: (uri) => void this.#subscribeFromListen(uri),
    end: (uri) => void this.deps.subscriptions.unsubscribe(this, uri).catch(() => {}),
  });
  readonly #loggingCalls = new Set<LoggingCall>();
  /** The SDK server for the era the client opened with (see `attach`). */
  server: Server | undefined;
  era: Era | undefined;
  readonly #flows: InputFlows;
  /** The policy gate, built once: every request passes it (./gate.ts). */
  readonly #gate: GateDeps;
  #handle: { close(): Promise<void> } | undefined;
  #closed = false;
  /** Settles when the session has ended, whichever side ended it. */
  readonly closed: Promise<void>;
  #markClosed!: () => void;

  constructor(
    readonly deps: SessionDeps,
    readonly principal: Principal,
    readonly clientVersion: string,
    /** The one server this session is scoped to (its id), or undefined for the whole hub. */
    readonly scope: Scope = undefined,
  ) {
    this.connectedAt = deps.clock.now();
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
    const { policy, router, clock, consent, events } = deps;
    this.#gate = {
      policy,
      router,
      clock,
      ...(consent ? { consent } : {}),
      ...(events.refused ? { refused: events.refused } : {}),
      ...(events.acted ? { acted: events.acted } : {}),
    };
    this.#flows = new InputFlows(
      {
        era: () => this.era,
        principal,
        initialCapabilities: () => this.server?.getClientCapabilities(),
        askPerson: (serverId, request, signal) => {
          const { slug, name } = deps.router.upstream(serverId).entry;
          return askPersonToElicit(
            deps.person,
            { slug, name },
            principal.clientName,
            request,
            signal,
          );
        },
        slugOf: (serverId) => deps.router.slugOf(serverId),
        inputAsked: (serverId, method, answeredBy) =>
          deps.events.inputAsked?.(this, serverId, method, answeredBy),
      },
      deps.waiting,
    );
  }

  get id(): string {
    return this.principal.sessionId;
  }

  /**
   * Serves the client on `transport`. The client's first message picks the era: `initialize` is a
   * 2025-era client, a request carrying the 2026-07-28 `_meta` envelope (or `server/discover`) a
   * modern one. The SDK's `serveStdio` entry makes that choice for any transport, despite its
   * name, and builds one SDK server for the era from `#createServer`.
   */
  async attach(transport: Transport): Promise<void> {
    this.#handle = serveStdio((options) => this.#createServer(options.era), {
      transport: this.#door(transport),
      onerror: () => {},
    });
    const closed = transport.onclose;
    transport.onclose = () => {
      closed?.();
      this.#onClosed();
    };
  }

  /**
   * The SDK server of one exchange whose era an HTTP entry has already chosen (./http-front.ts:
   * one 2026-07-28 request). Its transport, which the entry connects, passes the same door as an
   * attached one; the session ends with it.
   */
  async serverFor(era: Era): Promise<Server> {
    const server = await this.#createServer(era);
    const connect = server.connect.bind(server);
    server.connect = (transport) => connect(this.#door(transport));
    server.onclose = () => this.#onClosed();
    return server;
  }

  /**
   * The client's transport as the SDK server gets it. Outermost the protocol log, which sees
   * every message as it went; then the door (./guard.ts), which answers what the SDK would drop;
   * then what the session watches of the requests it admits.
   */
  #door(transport: Transport): Transport {
    const traffic = this.deps.events.traffic;
    const logged = tapTransport(transport, {
      outbound: (message) => traffic?.('out', this, message),
    });
    const guarded = guardTransport(logged, {
      ids: this.deps.ids,
      received: (message, rejection) => traffic?.('in', this, message, rejection),
      outbound: (message) => this.deps.relay.restore(message),
    });
    return tapTransport(guarded, {
      inbound: (message) => {
        if (this.era !== 'legacy') this.#listens.seen(message);
      },
    });
  }

  async #createServer(era: Era): Promise<Server> {
    // The capabilities are the union of the servers' own, so the hub waits for their first
    // connection attempt (bounded) before it says what it offers.
    await this.deps.router.whenStarted();
    const { capabilities, instructions } = this.deps.router.announce(this.scope);
    const server = new Server(this.deps.serverInfo, {
      capabilities,
      ...(instructions ? { instructions } : {}),
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    });
    this.server = server;
    this.era = era;
    installHandlers(this, server, capabilities);
    return server;
  }

  /**
   * Runs a call that may stop for input (see ./input-flow.ts), with the log level a 2026-07-28
   * client asked for on this request, and counts it for the activity charts.
   */
  async run(
    ctx: ServerContext,
    serverId: string,
    target: string,
    leg: Leg,
    start: (
      call: Pick<CallOptions, 'logLevel' | 'clientCapabilities' | 'inputResponses'>,
    ) => Exchange<unknown>,
  ): Promise<unknown> {
    // A 2026-07-28 client asks for log messages per request; they come back on that request.
    const logLevel = this.#requestLogLevel(ctx);
    const logging: LoggingCall | undefined = logLevel && {
      serverId,
      level: logLevel,
      notify: ctx.mcpReq.notify,
    };
    if (logging) this.#loggingCalls.add(logging);
    const finished = this.deps.events.callStarted?.(serverId);
    let ok = false;
    try {
      const result = await this.#flows.drive(
        ctx,
        serverId,
        target,
        (inputResponses) =>
          start({
            logLevel,
            clientCapabilities: callerCapabilities(
              this.#flows.clientCapabilities(ctx),
              this.deps.person.attended(),
            ),
            ...(inputResponses ? { inputResponses } : {}),
          }),
        leg,
      );
      ok = !(result as { isError?: boolean } | undefined)?.isError;
      return result;
    } finally {
      finished?.(ok);
      if (logging) this.#loggingCalls.delete(logging);
    }
  }

  /** The log level a 2026-07-28 client's request carries, if it wants log messages. */
  #requestLogLevel(ctx: ServerContext): LoggingLevel | undefined {
    if (this.era !== 'modern') return undefined;
    const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
    return envelope?.[LOG_LEVEL_META_KEY] as LoggingLevel | undefined;
  }

  /** Subscribes this client to a resource, after the startup grace and the policy. */
  async subscribe(uri: string): Promise<void> {
    const { router, subscriptions } = this.deps;
    await router.whenStarted();
    const serverId = router.routeResource(uri, this.scope);
    await this.act({ type: 'subscribe-resource', serverId, uri }, () =>
      subscriptions.subscribe(this, serverId, uri),
    );
  }

  /** Tells this client which aggregated lists changed (one notification per list). */
  listsChanged(kinds: readonly CatalogKind[]): void {
    const server = this.#live();
    if (!server) return;
    for (const list of new Set(kinds.map((kind) => LIST_CHANGED[kind]))) {
      const sent =
        list === 'tools'
          ? server.sendToolListChanged()
          : list === 'prompts'
            ? server.sendPromptListChanged()
            : server.sendResourceListChanged();
      void sent.catch(() => {});
    }
  }

  /** Relays `notifications/resources/updated` for a URI this client subscribed to. */
  resourceUpdated(uri: string): void {
    if (!this.subscriptions.has(uri)) return;
    void this.#live()
      ?.sendResourceUpdated({ uri })
      .catch(() => {});
  }

  /**
   * Relays a server's log message. A 2025-era client gets it when it is at or above the level
   * the client set. A 2026-07-28 client has no such channel: it gets it on each of its calls to
   * that server in flight that asked for that level.
   */
  log(serverId: string, params: LoggingMessageNotification['params']): void {
    if (this.era === 'modern') {
      for (const call of this.#loggingCalls) {
        if (call.serverId === serverId && admits(call.level, params.level))
          void call.notify({ method: 'notifications/message', params }).catch(() => {});
      }
      return;
    }
    if (!admits(this.logLevel, params.level)) return;
    void this.#live()
      ?.notification({ method: 'notifications/message', params })
      .catch(() => {});
  }

  /** A listen stream of this client names `uri` (./listens.ts). */
  async #subscribeFromListen(uri: string): Promise<void> {
    try {
      await this.subscribe(uri);
    } catch (error) {
      // The stream is already acknowledged; the URI just gets no updates. Say why somewhere.
      this.deps.events.log(
        `client '${this.principal.clientName}' listens for ${uri}, but Nexus cannot subscribe: ${String(error)}`,
      );
    }
  }

  /** The server, once the client has opened and while the session lasts. */
  #live(): Server | undefined {
    return this.#closed || !this.server?.transport ? undefined : this.server;
  }

  /** Ends the session (client departed or hub shutting down); idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#handle?.close().catch(() => {});
    this.#onClosed();
  }

  #onClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.deps.subscriptions.dropSession(this);
    this.#listens.clear();
    this.#loggingCalls.clear();
    this.deps.events.closed(this);
    this.#markClosed();
  }

  /** One page of a list, after the policy (the list, then each item) and the startup grace. */
  async page<K extends CatalogKind>(kind: K, cursor: string | undefined): Promise<ListPages[K]> {
    await this.authorize({ type: 'list', list: kind });
    const { router, policy } = this.deps;
    await router.whenStarted();
    const listed = router.listed(kind, this.scope);
    const kept = await policy.filter(this.principal, listed);
    return router.page(kind, cursor, this.scope, kept);
  }

  /** Passes the policy (asking the person when it says so) or throws the client's error. */
  authorize(action: PolicyAction, waiting?: Waiting): Promise<Verdict> {
    return authorize(this.#gate, this.principal, action, waiting);
  }

  /** `authorize`, then `work`, recorded in the audit journal (./gate.ts). */
  act<T>(action: PolicyAction, work: () => Promise<T>, waiting?: Waiting): Promise<T> {
    return act(this.#gate, this.principal, action, work, waiting);
  }
}
