/**
 * The hub over Streamable HTTP, in both eras, for Node: the conformance suite's server scenarios
 * judge the hub through it, and nexus-bridge will offer the hub to desktop MCP clients with it.
 * It is web-standard (`Request` in, `Response` out); Node mounts it with the SDK's
 * `toNodeHandler` (`@modelcontextprotocol/node`).
 *
 * Nothing of the protocol is written here. A 2026-07-28 request goes to the SDK's
 * `createMcpHandler`, which builds one server per request from `#modernServer` (a hub session
 * for that request alone) and serves `subscriptions/listen` itself; the hub publishes list changes
 * and resource updates to it. A 2025 client gets a stateful session (Mcp-Session-Id, its GET
 * stream, DELETE) from the SDK's own `WebStandardStreamableHTTPServerTransport`, connected to the
 * hub as any other client. HTTP statuses, header checks and stream handling are the SDK's; the
 * one answer of this file's own is 404 for a session id it does not know (no transport exists
 * to answer it). Host and Origin are checked before anything else (DNS rebinding: by default only
 * loopback names, and pages of loopback origins, get in).
 */
import {
  CLIENT_INFO_META_KEY,
  WebStandardStreamableHTTPServerTransport,
  createMcpHandler,
  hostHeaderValidationResponse,
  isInitializeRequest,
  isLegacyRequest,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
  McpServer,
  type EventStore,
  type McpHttpHandler,
  type McpRequestContext,
} from '@modelcontextprotocol/server';
import type { Principal } from '../policy/policy.ts';
import type { Ids } from '../ports.ts';
import type { Router } from '../router/router.ts';
import type { Subscriber, Subscriptions } from '../router/subscriptions.ts';
import type { CatalogKind } from '../upstream/catalog.ts';
import { listenedUris } from './listens.ts';
import type { Session } from './session.ts';
import type { Sessions } from './sessions.ts';

export interface HttpFrontOptions {
  /** One server's slug: its tools under their own names. Absent: the whole hub. */
  server?: string;
  /** Host names requests may name (the `Host` header); default: loopback names only. */
  allowedHostnames?: string[];
  /** Host names of the page origins that may call (the `Origin` header); default: loopback. */
  allowedOrigins?: string[];
}

/** What the front needs of the hub. */
export interface HttpFrontDeps {
  sessions: Sessions;
  subscriptions: Subscriptions;
  router: Router;
  ids: Ids;
  log(message: string): void;
  /** Calls `listener` whenever a server's lists change; returns the way to stop. */
  watchLists(listener: (serverId: string, kinds: readonly CatalogKind[]) => void): () => void;
  /** A caller came (a new client is asked about, as one connecting through a page is). */
  arrived?(principal: Principal): void;
}

/**
 * The origin of a caller that sent none: a process on this machine, not a web page (a browser
 * always names the page's origin on a cross-origin request).
 */
export const LOCAL_PROCESS_ORIGIN = 'local-process';

/** The name of the `McpServer` shell around a session's server (never on the wire). */
const FRONT_INFO = { name: 'nexus-http-front', version: '1' };

/** Events a 2025 session keeps for a client that resumes a stream (`Last-Event-ID`). */
const EVENTS_KEPT = 1_000;

/** A body larger than this is left to the SDK, which answers 413. */
const PEEK_LIMIT = 4 * 1024 * 1024;

type Json = Record<string, unknown>;

export class HttpFront {
  readonly #modern: McpHttpHandler;
  /** 2025 clients' transports by their Mcp-Session-Id. */
  readonly #legacy = new Map<string, WebStandardStreamableHTTPServerTransport>();
  /** The request each 2026-07-28 exchange came with, as read before the SDK got it. */
  readonly #bodies = new WeakMap<Request, Json>();
  /** Open listen streams per resource URI, and the one subscriber they share upstream. */
  readonly #listening = new Map<string, number>();
  readonly #subscriber: Subscriber;
  readonly #unwatch: () => void;
  readonly #scope: string | undefined;

  constructor(
    private readonly deps: HttpFrontDeps,
    private readonly options: HttpFrontOptions = {},
  ) {
    this.#modern = createMcpHandler((ctx) => this.#modernServer(ctx), {
      legacy: 'reject',
      onerror: (error) => deps.log(`HTTP front: ${error.message}`),
    });
    const notify = this.#modern.notify;
    this.#subscriber = {
      subscriptions: new Set(),
      resourceUpdated: (uri) => notify.resourceUpdated(uri),
    };
    // Fails here, at once, when the slug names no server.
    if (options.server !== undefined) deps.sessions.transient(this.#principal(), options);
    this.#scope = options.server;
    this.#unwatch = deps.watchLists((serverId, kinds) => {
      if (this.#scope !== undefined && deps.router.slugOf(serverId) !== this.#scope) return;
      if (kinds.includes('tools')) notify.toolsChanged();
      if (kinds.includes('prompts')) notify.promptsChanged();
      if (kinds.includes('resources') || kinds.includes('templates')) notify.resourcesChanged();
    });
  }

  /** Serves one HTTP request (bound: it may be handed around as a function). */
  readonly fetch = async (request: Request): Promise<Response> => {
    const refused =
      hostHeaderValidationResponse(
        request,
        this.options.allowedHostnames ?? localhostAllowedHostnames(),
      ) ??
      originValidationResponse(request, this.options.allowedOrigins ?? localhostAllowedOrigins());
    if (refused) return refused;
    const body = await peek(request);
    if (await isLegacyRequest(request, body)) return this.#serveLegacy(request, body);
    if (body) {
      this.#bodies.set(request, body);
      if (body.method === 'subscriptions/listen') await this.#listen(request, body);
    }
    return this.#modern.fetch(request, body === undefined ? undefined : { parsedBody: body });
  };

  async close(): Promise<void> {
    this.#unwatch();
    await this.#modern.close();
    await Promise.all([...this.#legacy.values()].map((transport) => transport.close()));
    this.#legacy.clear();
    for (const uri of [...this.#subscriber.subscriptions])
      await this.deps.subscriptions.unsubscribe(this.#subscriber, uri);
    this.#listening.clear();
  }

  /**
   * One 2026-07-28 request's server: a hub session of its own, for the caller it names. Handed
   * to the SDK as an `McpServer` whose server is the session's: the SDK checks a tool call's
   * `Mcp-Param-*` headers against the tool's schema only for an `McpServer`, and asks it for the
   * schema (`toolInputSchemaJson`); it registers nothing of its own.
   */
  async #modernServer(ctx: McpRequestContext): Promise<McpServer> {
    const body = ctx.requestInfo && this.#bodies.get(ctx.requestInfo);
    const principal = this.#principal(ctx.requestInfo, callerName(body));
    const session = this.deps.sessions.transient(principal, this.options);
    this.deps.arrived?.(principal);
    const product = new McpServer(FRONT_INFO);
    // `server` is readonly in the types only: the shell holds the session's server instead.
    Object.defineProperty(product, 'server', { value: await session.serverFor('modern') });
    product.toolInputSchemaJson = (name) => toolInputSchema(session, name);
    return product;
  }

  /**
   * The SDK serves the listen stream; the hub subscribes upstream to the resources it names (once
   * per URI, with the same policy check as `resources/subscribe`) until the stream ends.
   */
  async #listen(request: Request, body: Json): Promise<void> {
    const uris = listenedUris(body.params);
    if (uris.length === 0) return;
    const session = this.deps.sessions.transient(
      this.#principal(request, callerName(body)),
      this.options,
    );
    const held: string[] = [];
    for (const uri of uris) {
      try {
        const serverId = this.deps.router.routeResource(uri, session.scope);
        await session.authorize({ type: 'subscribe-resource', serverId, uri });
        const count = this.#listening.get(uri) ?? 0;
        if (count === 0) await this.deps.subscriptions.subscribe(this.#subscriber, serverId, uri);
        this.#listening.set(uri, count + 1);
        held.push(uri);
      } catch (error) {
        // The stream is acknowledged anyway; this URI gets no updates. Say why somewhere.
        this.deps.log(`HTTP front: a listen names ${uri}, but Nexus cannot subscribe: ${error}`);
      }
    }
    const release = () => {
      for (const uri of held) {
        const count = (this.#listening.get(uri) ?? 1) - 1;
        if (count > 0) {
          this.#listening.set(uri, count);
          continue;
        }
        this.#listening.delete(uri);
        void this.deps.subscriptions.unsubscribe(this.#subscriber, uri);
      }
    };
    // The client may have gone while the subscriptions were made.
    if (request.signal.aborted) release();
    else request.signal.addEventListener('abort', release, { once: true });
  }

  /** A 2025 client: its session's transport, or a new session for its `initialize`. */
  async #serveLegacy(request: Request, body: Json | undefined): Promise<Response> {
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId !== null) {
      const transport = this.#legacy.get(sessionId);
      if (transport) return transport.handleRequest(request, withBody(body));
      return Response.json(
        {
          jsonrpc: '2.0',
          error: { code: -32001, message: 'Session not found: start a new one with initialize.' },
          id: null,
        },
        { status: 404 },
      );
    }
    const id = this.deps.ids.next();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      // Streams a client can resume after they drop (SEP-1699): each gets a priming event, and
      // the client comes back with Last-Event-ID after `retryInterval`.
      eventStore: boundedEventStore(EVENTS_KEPT),
      retryInterval: 1_000,
      onsessioninitialized: (initialized) => void this.#legacy.set(initialized, transport),
      onsessionclosed: (closed) => void this.#legacy.delete(closed),
    });
    if (request.method === 'POST' && isInitializeRequest(body)) {
      const { clientInfo } = body.params;
      const principal = { ...this.#principal(request, clientInfo.name), sessionId: id };
      await this.deps.sessions.connect(transport, principal, {
        ...this.options,
        clientVersion: clientInfo.version,
      });
      this.deps.arrived?.(principal);
      const closed = transport.onclose;
      transport.onclose = () => {
        this.#legacy.delete(id);
        closed?.();
      };
    }
    // Anything else without a session: the SDK's transport says what is wrong with it.
    return transport.handleRequest(request, withBody(body));
  }

  /** Who calls: the page origin a browser names, else a local process; the name it gives. */
  #principal(request?: Request, name?: unknown): Principal {
    return {
      origin: request?.headers.get('origin') ?? LOCAL_PROCESS_ORIGIN,
      clientName: typeof name === 'string' && name !== '' ? name : 'HTTP client',
      sessionId: this.deps.ids.next(),
    };
  }
}

/** The name a 2026-07-28 request's `_meta` gives its client (`clientInfo.name`), if any. */
function callerName(body: Json | undefined): unknown {
  const meta = (body?.params as { _meta?: Json } | undefined)?._meta;
  return (meta?.[CLIENT_INFO_META_KEY] as { name?: unknown } | undefined)?.name;
}

/**
 * The input schema of a tool as a session's client names it, or undefined for a name no server
 * offers it: the SDK reads it before dispatch, to check the `Mcp-Param-*` headers a 2026-07-28
 * client mirrors from `x-mcp-header` arguments (SEP-2243).
 */
function toolInputSchema(session: Session, name: string): Record<string, unknown> | undefined {
  try {
    const { router } = session.deps;
    return router.definition('tool', router.route('tool', name, session.scope))?.inputSchema;
  } catch {
    return undefined;
  }
}

/** The JSON body of a POST, read from a copy (the SDK reads the request again); else undefined. */
async function peek(request: Request): Promise<Json | undefined> {
  if (request.method !== 'POST') return undefined;
  const length = Number(request.headers.get('content-length') ?? 0);
  if (length > PEEK_LIMIT) return undefined;
  try {
    const text = await request.clone().text();
    if (text.length > PEEK_LIMIT) return undefined;
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Json)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The events of one 2025 session's streams, the newest `capacity` of them, so that a client whose
 * stream dropped can resume it. Ids are `<stream>:<sequence>`, increasing.
 */
function boundedEventStore(capacity: number): EventStore {
  const events: Array<{ id: string; stream: string; message: unknown }> = [];
  let sequence = 0;
  return {
    async storeEvent(stream, message) {
      const id = `${stream}:${String(++sequence).padStart(12, '0')}`;
      events.push({ id, stream, message });
      if (events.length > capacity) events.shift();
      return id;
    },
    async replayEventsAfter(lastEventId, { send }) {
      const stream = lastEventId.slice(0, lastEventId.lastIndexOf(':'));
      const after = Number(lastEventId.slice(lastEventId.lastIndexOf(':') + 1));
      for (const event of events) {
        const seq = Number(event.id.slice(event.id.lastIndexOf(':') + 1));
        if (event.stream === stream && seq > after) await send(event.id, event.message as never);
      }
      return stream;
    },
  };
}

function withBody(body: Json | undefined) {
  return body === undefined ? undefined : { parsedBody: body };
}
