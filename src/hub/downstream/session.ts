/**
 * One connected downstream client: a v2 SDK `Server` over the client's transport. Every request
 * passes the policy seam before the router sees it. The SDK assigns the upstream request ids, so
 * ids from different sessions never meet upstream (request-id remapping).
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  inputRequired,
  type ClientCapabilities,
  type CompleteRequest,
  type CompleteResult,
  type ElicitRequest,
  type JSONRPCMessage,
  type LoggingLevel,
  type LoggingMessageNotification,
  type Prompt,
  type Resource,
  type ResourceTemplateType as ResourceTemplate,
  type ServerCapabilities,
  type RequestId,
  type ServerContext,
  type Tool,
  type Transport,
} from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/server/validators/cf-worker';
import {
  answerAll,
  answerOf,
  canAnswer,
  cannotAnswer,
  type Exchange,
  type InputAnswer,
  type InputAnswers,
  type InputRequest,
  type InputRequests,
  type InputResponse,
} from './input.ts';
import { SDK_TIMEOUT_OFF } from '../upstream/deadline.ts';
import { admits } from '../router/log-levels.ts';
import type { Page } from '../router/pagination.ts';
import { tapTransport } from '../journal/tap.ts';
import type { Policy, PolicyAction, Principal, TrafficDirection } from '../ports.ts';
import type {
  CallOptions,
  CatalogKind,
  InputCapableMethod,
  InputCapableResults,
} from '../upstream/upstream.ts';

export interface Route {
  serverId: string;
  upstreamName: string;
}

export interface ListPages {
  tools: Page<Tool>;
  prompts: Page<Prompt>;
  resources: Page<Resource>;
  templates: Page<ResourceTemplate>;
}

/**
 * A session scoped to one server (`connectHub({ server })`) sees that server alone, under its own
 * names; `undefined` is the whole hub.
 */
export type Scope = string | undefined;

/** What a session needs from the hub: the router and the policy. */
export interface SessionHost {
  readonly policy: Policy;
  readonly serverInfo: { name: string; version: string };
  /** Resolves when the hub's servers have had their first connection attempt (bounded wait). */
  whenStarted(): Promise<void>;
  /** What a new session announces: the union of its servers' capabilities, their instructions. */
  announce(scope: Scope): { capabilities: ServerCapabilities; instructions?: string };
  /** One page of an aggregated list. */
  page<K extends CatalogKind>(kind: K, cursor: string | undefined, scope: Scope): ListPages[K];
  /** Resolves a tool or prompt name the client used to its server and upstream name. */
  route(kind: 'tool' | 'prompt', name: string, scope: Scope): Route;
  /** The name the policy knows a tool or prompt by (the hub's `slug__name`). */
  policyName(kind: 'tool' | 'prompt', route: Route): string;
  /** Starts a call on the routed server; it may stop to ask for input. */
  start<M extends InputCapableMethod>(
    method: M,
    route: Route,
    params: Record<string, unknown>,
    options: CallOptions,
  ): Exchange<InputCapableResults[M]>;
  /** The server that serves `uri`; throws an MCP error naming what to do when none does. */
  routeResource(uri: string, scope: Scope): string;
  /** The server a completion reference belongs to, and the reference in that server's names. */
  routeCompletion(
    ref: CompleteRequest['params']['ref'],
    scope: Scope,
  ): { serverId: string; ref: CompleteRequest['params']['ref'] };
  complete(
    serverId: string,
    params: CompleteRequest['params'],
    signal: AbortSignal,
  ): Promise<CompleteResult>;
  subscribe(session: Session, serverId: string, uri: string): Promise<void>;
  unsubscribe(session: Session, uri: string): Promise<void>;
  /** Shows a server's elicitation to the person in the dashboard; settles with their answer. */
  askPerson(
    serverId: string,
    session: Session | undefined,
    request: ElicitRequest,
    signal?: AbortSignal,
  ): Promise<InputResponse>;
  /** The slug of a server, for messages. */
  slugOf(serverId: string): string;
  /** Resolves once every server has been told the level the sessions now need. */
  logLevelChanged(session: Session): Promise<void>;
  sessionChanged(session: Session): void;
  sessionClosed(session: Session): void;
  /** A line for the hub's own log (problems no client request can carry back). */
  log?(message: string): void;
  /** A message on this session's connection, for the Inspector. */
  traffic?(direction: TrafficDirection, session: Session, message: JSONRPCMessage): void;
  /** A call to a server starts (for the activity charts); the returned function ends it. */
  callStarted?(serverId: string): (ok: boolean) => void;
}

const LIST_CHANGED: Record<CatalogKind, 'tools' | 'prompts' | 'resources'> = {
  tools: 'tools',
  prompts: 'prompts',
  resources: 'resources',
  templates: 'resources',
};

const LIST_NAMES = {
  tools: 'tools',
  prompts: 'prompts',
  resources: 'resources',
  templates: 'resource templates',
} as const satisfies Record<CatalogKind, string>;

/** How long a 2026-07-28 client may take to come back with the input a call asked for. */
const FLOW_TTL_MS = 10 * 60_000;

/**
 * A call that returned `input_required` to a 2026-07-28 client and waits for its retry. The
 * exchange may be a legacy server's call that is still running: the retry's answers go to it.
 */
interface WaitingFlow {
  exchange: Exchange<unknown>;
  serverId: string;
  /** What was called (`tools/call weather`), so a retry cannot continue another call's flow. */
  target: string;
  /** Answers the hub gave itself (the dashboard, refusals), merged into the client's. */
  answered: InputAnswers;
  createdAt: number;
}

type Era = 'legacy' | 'modern';

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
  readonly #listens = new Map<RequestId, string[]>();
  readonly #loggingCalls = new Set<LoggingCall>();
  /** The SDK server for the era the client opened with (see `attach`). */
  server: Server | undefined;
  era: Era | undefined;
  readonly #flows = new Map<string, WaitingFlow>();
  #handle: { close(): Promise<void> } | undefined;
  #closed = false;
  /** Settles when the session has ended, whichever side ended it. */
  readonly closed: Promise<void>;
  #markClosed!: () => void;

  constructor(
    private readonly host: SessionHost,
    readonly principal: Principal,
    readonly clientVersion: string,
    now: number,
    /** The one server this session is scoped to (its id), or undefined for the whole hub. */
    readonly scope: Scope = undefined,
  ) {
    this.connectedAt = now;
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
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
      transport: tapTransport(transport, {
        inbound: (message) => {
          this.host.traffic?.('in', this, message);
          this.#watchListens(message);
        },
        outbound: (message) => this.host.traffic?.('out', this, message),
      }),
      onerror: () => {},
    });
    const closed = transport.onclose;
    transport.onclose = () => {
      closed?.();
      this.#onClosed();
    };
  }

  async #createServer(era: Era): Promise<Server> {
    // The capabilities are the union of the servers' own, so the hub waits for their first
    // connection attempt (bounded) before it says what it offers.
    await this.host.whenStarted();
    const { capabilities, instructions } = this.host.announce(this.scope);
    const server = new Server(this.host.serverInfo, {
      capabilities,
      ...(instructions ? { instructions } : {}),
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    });
    this.server = server;
    this.era = era;
    this.#install(server, capabilities);
    return server;
  }

  #install(server: Server, capabilities: ServerCapabilities): void {
    const host = this.host;
    server.setRequestHandler('tools/list', async (request) => {
      const { items, nextCursor } = await this.#page('tools', request.params?.cursor);
      return { tools: items, nextCursor };
    });

    server.setRequestHandler('tools/call', async (request, ctx) => {
      this.calls++;
      try {
        await host.whenStarted();
        const route = host.route('tool', request.params.name, this.scope);
        await this.#authorize({
          type: 'call-tool',
          serverId: route.serverId,
          tool: host.policyName('tool', route),
        });
        const progressToken = request.params._meta?.progressToken;
        return (await this.#run(
          ctx,
          route.serverId,
          `tools/call ${route.upstreamName}`,
          (logLevel) =>
            host.start(
              'tools/call',
              route,
              { name: route.upstreamName, arguments: request.params.arguments },
              {
                signal: ctx.mcpReq.signal,
                logLevel,
                // Progress is relayed only to the session that asked for it, under ITS token.
                onprogress:
                  progressToken === undefined
                    ? undefined
                    : (progress) =>
                        void ctx.mcpReq
                          .notify({
                            method: 'notifications/progress',
                            params: { progressToken, ...progress },
                          })
                          .catch(() => {}),
              },
            ),
        )) as never;
      } catch (error) {
        this.errors++;
        throw error;
      } finally {
        host.sessionChanged(this);
      }
    });

    server.setRequestHandler('prompts/list', async (request) => {
      const { items, nextCursor } = await this.#page('prompts', request.params?.cursor);
      return { prompts: items, nextCursor };
    });

    server.setRequestHandler('prompts/get', async (request, ctx) => {
      await host.whenStarted();
      const route = host.route('prompt', request.params.name, this.scope);
      await this.#authorize({
        type: 'get-prompt',
        serverId: route.serverId,
        prompt: host.policyName('prompt', route),
      });
      return (await this.#run(
        ctx,
        route.serverId,
        `prompts/get ${route.upstreamName}`,
        (logLevel) =>
          host.start(
            'prompts/get',
            route,
            { name: route.upstreamName, arguments: request.params.arguments },
            { signal: ctx.mcpReq.signal, logLevel },
          ),
      )) as never;
    });

    server.setRequestHandler('resources/list', async (request) => {
      const { items, nextCursor } = await this.#page('resources', request.params?.cursor);
      return { resources: items, nextCursor };
    });

    server.setRequestHandler('resources/templates/list', async (request) => {
      const { items, nextCursor } = await this.#page('templates', request.params?.cursor);
      return { resourceTemplates: items, nextCursor };
    });

    server.setRequestHandler('resources/read', async (request, ctx) => {
      await host.whenStarted();
      const { uri } = request.params;
      const serverId = host.routeResource(uri, this.scope);
      await this.#authorize({ type: 'read-resource', serverId, uri });
      return (await this.#run(ctx, serverId, `resources/read ${uri}`, (logLevel) =>
        host.start(
          'resources/read',
          { serverId, upstreamName: uri },
          { uri },
          { signal: ctx.mcpReq.signal, logLevel },
        ),
      )) as never;
    });

    if (capabilities.resources?.subscribe) {
      server.setRequestHandler('resources/subscribe', async (request) => {
        await host.whenStarted();
        const { uri } = request.params;
        const serverId = host.routeResource(uri, this.scope);
        await this.#authorize({ type: 'subscribe-resource', serverId, uri });
        await host.subscribe(this, serverId, uri);
        return {};
      });

      server.setRequestHandler('resources/unsubscribe', async (request) => {
        await host.unsubscribe(this, request.params.uri);
        return {};
      });
    }

    if (capabilities.completions) {
      server.setRequestHandler('completion/complete', async (request, ctx) => {
        await host.whenStarted();
        const { serverId, ref } = host.routeCompletion(request.params.ref, this.scope);
        await this.#authorize({ type: 'complete', serverId });
        return host.complete(serverId, { ...request.params, ref }, ctx.mcpReq.signal);
      });
    }

    if (capabilities.logging) {
      server.setRequestHandler('logging/setLevel', async (request) => {
        await this.#authorize({ type: 'set-log-level', level: request.params.level });
        this.logLevel = request.params.level;
        // Answer once the servers send at the new level, so a message the client triggers right
        // after the answer is not filtered upstream at the old one.
        await host.logLevelChanged(this);
        return {};
      });
    }
  }

  /**
   * Runs a call that may stop for input, answering the way this client speaks. A 2025-era client
   * is asked with requests related to its call (so they reach this client and no other); a
   * 2026-07-28 client gets `input_required` and comes back with the answers and our
   * `requestState`. What the client cannot answer, the hub answers: an elicitation goes to the
   * person in the dashboard, sampling and roots are refused with a reason.
   */
  async #run(
    ctx: ServerContext,
    serverId: string,
    target: string,
    start: (logLevel: LoggingLevel | undefined) => Exchange<unknown>,
  ): Promise<unknown> {
    // A 2026-07-28 client asks for log messages per request; they come back on that request.
    const logLevel = this.#requestLogLevel(ctx);
    const logging: LoggingCall | undefined = logLevel && {
      serverId,
      level: logLevel,
      notify: ctx.mcpReq.notify,
    };
    if (logging) this.#loggingCalls.add(logging);
    const finished = this.host.callStarted?.(serverId);
    let ok = false;
    try {
      const result = await this.#drive(ctx, serverId, target, () => start(logLevel));
      ok = !(result as { isError?: boolean } | undefined)?.isError;
      return result;
    } finally {
      finished?.(ok);
      if (logging) this.#loggingCalls.delete(logging);
    }
  }

  async #drive(
    ctx: ServerContext,
    serverId: string,
    target: string,
    start: () => Exchange<unknown>,
  ): Promise<unknown> {
    let exchange: Exchange<unknown>;
    let answers: InputAnswers = {};
    const state = ctx.mcpReq.requestState<unknown>();
    if (typeof state === 'string' && this.era === 'modern') {
      const flow = this.#flows.get(state);
      if (flow && (flow.serverId !== serverId || flow.target !== target)) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `This requestState belongs to another request (${flow.target}); retry that request with it.`,
        );
      }
      if (!flow) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          'Nexus no longer has the call this answer belongs to (it expired, or the hub restarted). Make the request again without requestState.',
        );
      }
      this.#flows.delete(state);
      exchange = flow.exchange;
      answers = { ...flow.answered };
      for (const [key, response] of Object.entries(ctx.mcpReq.inputResponses ?? {}))
        answers[key] = answerOf(response);
    } else {
      exchange = start();
    }
    const capabilities = this.#clientCapabilities(ctx);
    for (;;) {
      const step = await exchange.next(answers);
      if (step.kind === 'complete') return step.result;
      const forClient: InputRequests = {};
      const forHub: InputRequests = {};
      for (const [key, request] of Object.entries(step.requests))
        (canAnswer(capabilities, request) ? forClient : forHub)[key] = request;
      // Asking stops when the call ends or the server withdraws its request.
      const until = (key: string) => {
        const withdrawn = step.withdrawn?.[key];
        return withdrawn ? AbortSignal.any([ctx.mcpReq.signal, withdrawn]) : ctx.mcpReq.signal;
      };
      const answered = await answerAll(forHub, (request, key) =>
        this.#answerHere(serverId, request, until(key)),
      );
      if (Object.keys(forClient).length === 0) {
        answers = answered;
        continue;
      }
      if (this.era === 'modern') {
        const requestState = this.#park({
          exchange,
          serverId,
          target,
          answered,
          createdAt: Date.now(),
        });
        return inputRequired({ inputRequests: forClient, requestState } as never);
      }
      answers = {
        ...answered,
        ...(await answerAll(forClient, (request, key) =>
          this.#askClient(ctx, request, until(key)),
        )),
      };
    }
  }

  /** The log level a 2026-07-28 client's request carries, if it wants log messages. */
  #requestLogLevel(ctx: ServerContext): LoggingLevel | undefined {
    if (this.era !== 'modern') return undefined;
    const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
    return envelope?.[LOG_LEVEL_META_KEY] as LoggingLevel | undefined;
  }

  /** The client's capabilities: per request on 2026-07-28, from `initialize` before that. */
  #clientCapabilities(ctx: ServerContext): ClientCapabilities | undefined {
    if (this.era === 'modern') {
      const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
      return envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
    }
    return this.server?.getClientCapabilities();
  }

  /**
   * Asks a 2025-era client, on its own call's stream (related request). No timeout of the hub's
   * own: a person may take minutes to answer in their client, and the server that asked has its
   * own timeout, whose cancellation reaches the client through `signal`.
   */
  async #askClient(
    ctx: ServerContext,
    request: InputRequest,
    signal: AbortSignal,
  ): Promise<InputAnswer> {
    try {
      return answerOf(
        await ctx.mcpReq.send(request as never, { signal, timeout: SDK_TIMEOUT_OFF }),
      );
    } catch (error) {
      return {
        error:
          error instanceof ProtocolError
            ? error
            : new ProtocolError(
                ProtocolErrorCode.InternalError,
                `Client '${this.principal.clientName}' could not answer ${request.method}: ${String(error)}`,
              ),
      };
    }
  }

  async #answerHere(
    serverId: string,
    request: InputRequest,
    signal: AbortSignal,
  ): Promise<InputAnswer> {
    if (request.method === 'elicitation/create') {
      try {
        return answerOf(await this.host.askPerson(serverId, this, request, signal));
      } catch (error) {
        return { error: error as ProtocolError };
      }
    }
    return { error: cannotAnswer(request, this.host.slugOf(serverId), this.principal.clientName) };
  }

  /** Keeps a flow for the client's retry; returns the `requestState` that names it. */
  #park(flow: WaitingFlow): string {
    for (const [key, old] of this.#flows)
      if (flow.createdAt - old.createdAt > FLOW_TTL_MS) this.#flows.delete(key);
    const token = crypto.randomUUID();
    this.#flows.set(token, flow);
    return token;
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

  /**
   * A 2026-07-28 client subscribes to resources in its `subscriptions/listen` filter. The SDK
   * entry serves the stream itself (and delivers the hub's updates to the streams that name a
   * URI); the session watches those requests go by to start and end the upstream subscriptions,
   * with the same policy check as `resources/subscribe`.
   */
  #watchListens(message: JSONRPCMessage): void {
    if (this.era === 'legacy') return;
    if ('method' in message && message.method === 'subscriptions/listen' && 'id' in message) {
      const filter = (message.params as { notifications?: { resourceSubscriptions?: unknown } })
        ?.notifications;
      const uris = Array.isArray(filter?.resourceSubscriptions)
        ? filter.resourceSubscriptions.filter((uri): uri is string => typeof uri === 'string')
        : [];
      if (uris.length === 0) return;
      this.#listens.set(message.id, uris);
      for (const uri of uris) void this.#subscribeFromListen(uri);
      return;
    }
    if ('method' in message && message.method === 'notifications/cancelled') {
      const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      const uris = requestId === undefined ? undefined : this.#listens.get(requestId);
      if (!uris) return;
      this.#listens.delete(requestId!);
      const kept = new Set([...this.#listens.values()].flat());
      for (const uri of uris)
        if (!kept.has(uri)) void this.host.unsubscribe(this, uri).catch(() => {});
    }
  }

  async #subscribeFromListen(uri: string): Promise<void> {
    try {
      await this.host.whenStarted();
      const serverId = this.host.routeResource(uri, this.scope);
      await this.#authorize({ type: 'subscribe-resource', serverId, uri });
      await this.host.subscribe(this, serverId, uri);
    } catch (error) {
      // The stream is already acknowledged; the URI just gets no updates. Say why somewhere.
      this.host.log?.(
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
    this.#flows.clear();
    this.#listens.clear();
    this.#loggingCalls.clear();
    this.host.sessionClosed(this);
    this.#markClosed();
  }

  /** One page of an aggregated list, after the policy and the startup grace. */
  async #page<K extends CatalogKind>(kind: K, cursor: string | undefined): Promise<ListPages[K]> {
    await this.#authorize({ type: 'list', what: LIST_NAMES[kind] });
    await this.host.whenStarted();
    return this.host.page(kind, cursor, this.scope);
  }

  async #authorize(action: PolicyAction): Promise<void> {
    const decision = await this.host.policy.authorize(this.principal, action);
    if (decision === 'allow') return;
    const what = describe(action);
    throw new ProtocolError(
      ProtocolErrorCode.InvalidRequest,
      decision === 'deny'
        ? `Nexus does not allow client '${this.principal.clientName}' to ${what}. Change this in the Nexus dashboard.`
        : `Client '${this.principal.clientName}' needs the person's consent to ${what}, and this version of Nexus cannot ask yet.`,
    );
  }
}

function describe(action: PolicyAction): string {
  switch (action.type) {
    case 'list':
      return `list ${action.what}`;
    case 'call-tool':
      return `call ${action.tool}`;
    case 'get-prompt':
      return `get prompt ${action.prompt}`;
    case 'read-resource':
      return `read ${action.uri}`;
    case 'subscribe-resource':
      return `subscribe to ${action.uri}`;
    case 'complete':
      return 'ask for completions';
    case 'set-log-level':
      return `set the log level to ${action.level}`;
  }
}
