/**
 * One connected downstream client: a v2 SDK `Server` over the client's transport. Every request
 * passes the policy seam before the router sees it. The SDK assigns the upstream request ids, so
 * ids from different sessions never meet upstream (request-id remapping).
 */
import {
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type CallToolResult,
  type CompleteRequest,
  type CompleteResult,
  type GetPromptResult,
  type LoggingLevel,
  type LoggingMessageNotification,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplateType as ResourceTemplate,
  type Tool,
  type Transport,
} from '@modelcontextprotocol/server';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/server/validators/cf-worker';
import type { Page } from './pagination.ts';
import type { Policy, PolicyAction, Principal } from './types.ts';
import type { CatalogKind } from './upstream.ts';

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

/** What a session needs from the hub: the router and the policy. */
export interface SessionHost {
  readonly policy: Policy;
  readonly serverInfo: { name: string; version: string };
  /** Resolves when the hub's servers have had their first connection attempt (bounded wait). */
  whenStarted(): Promise<void>;
  /** One page of an aggregated list. */
  page<K extends CatalogKind>(kind: K, cursor: string | undefined): ListPages[K];
  /** Resolves an aggregated tool name to its server, for the policy and the call. */
  routeTool(name: string): Route;
  callTool(
    route: Route,
    args: Record<string, unknown> | undefined,
    options: {
      signal: AbortSignal;
      onprogress?: (progress: { progress: number; total?: number; message?: string }) => void;
    },
  ): Promise<CallToolResult>;
  routePrompt(name: string): Route;
  getPrompt(
    route: Route,
    args: Record<string, string> | undefined,
    signal: AbortSignal,
  ): Promise<GetPromptResult>;
  /** The server that serves `uri`; throws an MCP error naming what to do when none does. */
  routeResource(uri: string): string;
  readResource(serverId: string, uri: string, signal: AbortSignal): Promise<ReadResourceResult>;
  /** The server a completion reference belongs to, and the reference in that server's names. */
  routeCompletion(ref: CompleteRequest['params']['ref']): {
    serverId: string;
    ref: CompleteRequest['params']['ref'];
  };
  complete(
    serverId: string,
    params: CompleteRequest['params'],
    signal: AbortSignal,
  ): Promise<CompleteResult>;
  subscribe(session: Session, serverId: string, uri: string): Promise<void>;
  unsubscribe(session: Session, uri: string): Promise<void>;
  logLevelChanged(session: Session): void;
  sessionChanged(session: Session): void;
  sessionClosed(session: Session): void;
}

/** RFC 5424 severities in MCP's order, least severe first. */
const LEVELS: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

export function severity(level: LoggingLevel): number {
  return LEVELS.indexOf(level);
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

export class Session {
  readonly connectedAt: number;
  calls = 0;
  errors = 0;
  /** Set by the client's `logging/setLevel`; until then every upstream log message is relayed. */
  logLevel: LoggingLevel | undefined;
  /** The resource URIs this client subscribed to. */
  readonly subscriptions = new Set<string>();
  readonly server: Server;
  #closed = false;

  constructor(
    private readonly host: SessionHost,
    readonly principal: Principal,
    readonly clientVersion: string,
    now: number,
  ) {
    this.connectedAt = now;
    this.server = new Server(host.serverInfo, {
      capabilities: {
        tools: { listChanged: true },
        prompts: { listChanged: true },
        resources: { listChanged: true, subscribe: true },
        completions: {},
        logging: {},
      },
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    });
    this.server.onclose = () => this.#onClosed();

    this.server.setRequestHandler('tools/list', async (request) => {
      const { items, nextCursor } = await this.#page('tools', request.params?.cursor);
      return { tools: items, nextCursor };
    });

    this.server.setRequestHandler('tools/call', async (request, ctx) => {
      this.calls++;
      try {
        await host.whenStarted();
        const route = host.routeTool(request.params.name);
        await this.#authorize({
          type: 'call-tool',
          serverId: route.serverId,
          tool: request.params.name,
        });
        const progressToken = request.params._meta?.progressToken;
        return await host.callTool(route, request.params.arguments, {
          signal: ctx.mcpReq.signal,
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
        });
      } catch (error) {
        this.errors++;
        throw error;
      } finally {
        host.sessionChanged(this);
      }
    });

    this.server.setRequestHandler('prompts/list', async (request) => {
      const { items, nextCursor } = await this.#page('prompts', request.params?.cursor);
      return { prompts: items, nextCursor };
    });

    this.server.setRequestHandler('prompts/get', async (request, ctx) => {
      await host.whenStarted();
      const route = host.routePrompt(request.params.name);
      await this.#authorize({
        type: 'get-prompt',
        serverId: route.serverId,
        prompt: request.params.name,
      });
      return host.getPrompt(route, request.params.arguments, ctx.mcpReq.signal);
    });

    this.server.setRequestHandler('resources/list', async (request) => {
      const { items, nextCursor } = await this.#page('resources', request.params?.cursor);
      return { resources: items, nextCursor };
    });

    this.server.setRequestHandler('resources/templates/list', async (request) => {
      const { items, nextCursor } = await this.#page('templates', request.params?.cursor);
      return { resourceTemplates: items, nextCursor };
    });

    this.server.setRequestHandler('resources/read', async (request, ctx) => {
      await host.whenStarted();
      const { uri } = request.params;
      const serverId = host.routeResource(uri);
      await this.#authorize({ type: 'read-resource', serverId, uri });
      return host.readResource(serverId, uri, ctx.mcpReq.signal);
    });

    this.server.setRequestHandler('resources/subscribe', async (request) => {
      await host.whenStarted();
      const { uri } = request.params;
      const serverId = host.routeResource(uri);
      await this.#authorize({ type: 'subscribe-resource', serverId, uri });
      await host.subscribe(this, serverId, uri);
      return {};
    });

    this.server.setRequestHandler('resources/unsubscribe', async (request) => {
      await host.unsubscribe(this, request.params.uri);
      return {};
    });

    this.server.setRequestHandler('completion/complete', async (request, ctx) => {
      await host.whenStarted();
      const { serverId, ref } = host.routeCompletion(request.params.ref);
      await this.#authorize({ type: 'complete', serverId });
      return host.complete(serverId, { ...request.params, ref }, ctx.mcpReq.signal);
    });

    this.server.setRequestHandler('logging/setLevel', async (request) => {
      await this.#authorize({ type: 'set-log-level', level: request.params.level });
      this.logLevel = request.params.level;
      host.logLevelChanged(this);
      return {};
    });
  }

  get id(): string {
    return this.principal.sessionId;
  }

  /** Connects the SDK server to the client's transport; the client then initializes. */
  async attach(transport: Transport): Promise<void> {
    await this.server.connect(transport);
  }

  /** Tells this client which aggregated lists changed (one notification per list). */
  listsChanged(kinds: readonly CatalogKind[]): void {
    if (this.#closed) return;
    for (const list of new Set(kinds.map((kind) => LIST_CHANGED[kind]))) {
      const sent =
        list === 'tools'
          ? this.server.sendToolListChanged()
          : list === 'prompts'
            ? this.server.sendPromptListChanged()
            : this.server.sendResourceListChanged();
      void sent.catch(() => {});
    }
  }

  /** Relays `notifications/resources/updated` for a URI this client subscribed to. */
  resourceUpdated(uri: string): void {
    if (this.#closed || !this.subscriptions.has(uri)) return;
    void this.server.sendResourceUpdated({ uri }).catch(() => {});
  }

  /** Relays an upstream log message when it is at or above this client's level. */
  log(params: LoggingMessageNotification['params']): void {
    if (this.#closed) return;
    if (this.logLevel !== undefined && severity(params.level) < severity(this.logLevel)) return;
    void this.server.notification({ method: 'notifications/message', params }).catch(() => {});
  }

  /** Ends the session (client departed or hub shutting down); idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.server.close().catch(() => {});
    this.#onClosed();
  }

  #onClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.host.sessionClosed(this);
  }

  /** One page of an aggregated list, after the policy and the startup grace. */
  async #page<K extends CatalogKind>(kind: K, cursor: string | undefined): Promise<ListPages[K]> {
    await this.#authorize({ type: 'list', what: LIST_NAMES[kind] });
    await this.host.whenStarted();
    return this.host.page(kind, cursor);
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
