/**
 * One upstream connection per registered server, shared by every downstream session. Owns the
 * SDK `Client`, the connection state machine (connecting → ready | error → … ), reconnection with
 * backoff, the periodic ping health check and the server's current catalog (tools, prompts,
 * resources, resource templates), each list complete: every upstream page is followed.
 */
import {
  Client,
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  type CompleteRequest,
  type LoggingLevel,
  type LoggingMessageNotification,
  type Prompt,
  type RequestOptions,
  type Resource,
  type ResourceTemplateType as ResourceTemplate,
  type Tool,
  type Transport,
} from '@modelcontextprotocol/client';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/client/validators/cf-worker';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import { isLegacyHint, type HttpObservations } from './http-transports.ts';
import type { Clock, ServerEntry, ServerStatus } from './types.ts';

export type TransportKind = 'streamable-http' | 'sse' | 'builtin';

/** What a server offers, as it listed it (names not yet namespaced). */
export interface Catalog {
  tools: Tool[];
  prompts: Prompt[];
  resources: Resource[];
  templates: ResourceTemplate[];
}

export type CatalogKind = keyof Catalog;
export const CATALOG_KINDS: readonly CatalogKind[] = ['tools', 'prompts', 'resources', 'templates'];

/**
 * How each list is fetched, and which server capability says it exists. No cursor: the SDK follows
 * every page and returns the whole list (up to MAX_UPSTREAM_PAGES). `bypass`: the hub keeps the
 * lists itself; the SDK's response cache would only hold a second copy.
 */
const bypass = { cacheMode: 'bypass' } as const;
const LISTS: {
  [K in CatalogKind]: {
    capability: 'tools' | 'prompts' | 'resources';
    fetch(client: Client): Promise<Catalog[K]>;
  };
} = {
  tools: {
    capability: 'tools',
    fetch: async (client) => (await client.listTools(undefined, bypass)).tools,
  },
  prompts: {
    capability: 'prompts',
    fetch: async (client) => (await client.listPrompts(undefined, bypass)).prompts,
  },
  resources: {
    capability: 'resources',
    fetch: async (client) => (await client.listResources(undefined, bypass)).resources,
  },
  templates: {
    capability: 'resources',
    fetch: async (client) =>
      (await client.listResourceTemplates(undefined, bypass)).resourceTemplates,
  },
};

function emptyCatalog(): Catalog {
  return { tools: [], prompts: [], resources: [], templates: [] };
}

/**
 * Pages the hub follows per list before giving up on a server whose cursor never ends. The SDK's
 * own default (64) is too small for a large server; 0 would trust every server blindly.
 */
const MAX_UPSTREAM_PAGES = 10_000;

export interface OpenedTransport {
  transport: Transport;
  /** What an HTTP exchange showed, for error diagnosis. */
  observations?: HttpObservations;
}

/** Platform piece: makes the transport for one server and transport kind. */
export type TransportOpener = (
  entry: ServerEntry,
  kind: TransportKind,
) => OpenedTransport | Promise<OpenedTransport>;

export interface UpstreamDeps {
  clock: Clock;
  random: () => number;
  backoff: BackoffOptions;
  /** Health check period in ms; a failed ping marks the server errored and reconnects it. */
  pingIntervalMs: number;
  /** A ping unanswered for this long (ms) counts as a silent server. */
  pingTimeoutMs: number;
  openTransport: TransportOpener;
  describeError(
    error: unknown,
    entry: ServerEntry,
    observations?: HttpObservations,
  ): Promise<string>;
  clientInfo: { name: string; version: string };
  /** Called after every status change. */
  onStatus(upstream: Upstream): void;
  /** Called after lists of the catalog changed (including on connect and disconnect). */
  onCatalog(upstream: Upstream, kinds: readonly CatalogKind[]): void;
  /** The server said a resource changed (`notifications/resources/updated`). */
  onResourceUpdated?(upstream: Upstream, uri: string): void;
  /** The server sent a log message (`notifications/message`). */
  onLogMessage?(upstream: Upstream, params: LoggingMessageNotification['params']): void;
  onLog?(message: string): void;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

export interface CallOptions {
  signal?: AbortSignal;
  onprogress?: (progress: { progress: number; total?: number; message?: string }) => void;
}

export class Upstream {
  status: ServerStatus = { state: 'connecting' };
  /** When `status` last changed. */
  since: number;
  catalog: Catalog = emptyCatalog();
  activeTransport?: TransportKind;
  serverInfo?: { name: string; version: string };
  protocolVersion?: string;

  #client?: Client;
  /** Resolves when the first connection attempt has an outcome (ready, error or disabled). */
  readonly firstSettled: Promise<void>;
  #settle!: () => void;
  /** Bumped on every (re)connect and stop; work begun under an older generation is discarded. */
  #generation = 0;
  #attempt = 0;
  #retryTimer: unknown;
  #pingTimer: unknown;

  constructor(
    public entry: ServerEntry,
    private readonly deps: UpstreamDeps,
  ) {
    this.since = deps.clock.now();
    this.firstSettled = new Promise((resolve) => (this.#settle = resolve));
  }

  get id(): string {
    return this.entry.id;
  }

  get timeoutMs(): number {
    return this.entry.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Starts (or restarts) according to the entry: disabled entries stay down. */
  start(): void {
    this.#halt();
    if (!this.entry.enabled) {
      this.#setStatus({ state: 'disabled' });
      return;
    }
    if (this.entry.kind === 'stdio') {
      // Stdio servers run through nexus-bridge, which a later version wires in; no retry loop
      // can change that, so this is a standing error rather than a reconnect cycle.
      this.#setStatus({
        state: 'error',
        reason:
          'needs the local bridge: stdio servers run through nexus-bridge, which is not set up yet',
      });
      return;
    }
    this.#attempt = 0;
    void this.#connect(this.#generation);
  }

  /** Stops for good (removal) or until `start()` (disable). */
  stop(status: ServerStatus = { state: 'disabled' }): void {
    this.#halt();
    this.#setStatus(status);
  }

  get tools(): Tool[] {
    return this.catalog.tools;
  }

  async callTool(name: string, args: Record<string, unknown> | undefined, options: CallOptions) {
    return this.#request(`tool '${name}'`, options.signal, (client, request) =>
      client.callTool(
        { name, arguments: args },
        {
          ...request,
          // The per-request timeout restarts whenever the server reports progress.
          resetTimeoutOnProgress: true,
          onprogress: options.onprogress,
        },
      ),
    );
  }

  getPrompt(name: string, args: Record<string, string> | undefined, signal?: AbortSignal) {
    return this.#request(`prompt '${name}'`, signal, (client, request) =>
      client.getPrompt({ name, arguments: args }, request),
    );
  }

  readResource(uri: string, signal?: AbortSignal) {
    return this.#request(`resource ${uri}`, signal, (client, request) =>
      client.readResource({ uri }, { ...request, cacheMode: 'bypass' }),
    );
  }

  complete(params: CompleteRequest['params'], signal?: AbortSignal) {
    return this.#request('completion', signal, (client, request) =>
      client.complete(params, request),
    );
  }

  subscribeResource(uri: string) {
    return this.#request(`subscription to ${uri}`, undefined, (client, request) =>
      client.subscribeResource({ uri }, request),
    );
  }

  unsubscribeResource(uri: string) {
    return this.#request(`unsubscription from ${uri}`, undefined, (client, request) =>
      client.unsubscribeResource({ uri }, request),
    );
  }

  setLoggingLevel(level: LoggingLevel) {
    return this.#request('logging level', undefined, (client, request) =>
      client.setLoggingLevel(level, request),
    );
  }

  /** Whether the connected server declared this capability (false while not connected). */
  offers(capability: 'logging' | 'completions' | 'resourceSubscriptions'): boolean {
    const capabilities = this.#client?.getServerCapabilities();
    if (capability === 'resourceSubscriptions') return capabilities?.resources?.subscribe === true;
    return capabilities?.[capability] !== undefined;
  }

  /**
   * Runs one request on the live client with this server's timeout, and turns the SDK's timeout
   * into an error that names the server and what to do.
   */
  async #request<T>(
    what: string,
    signal: AbortSignal | undefined,
    run: (client: Client, request: RequestOptions) => Promise<T>,
  ): Promise<T> {
    const client = this.#readyClient();
    try {
      return await run(client, { signal, timeout: this.timeoutMs });
    } catch (error) {
      if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) {
        // The SDK has already sent notifications/cancelled upstream; say whose silence it was.
        const seconds = this.timeoutMs / 1000;
        throw new ProtocolError(
          ProtocolErrorCode.InternalError,
          `Server '${this.entry.slug}' did not answer ${what} within ${seconds} s ` +
            'without reporting progress, so Nexus cancelled the call. Try again, or give the ' +
            `server a longer timeout in Nexus (Servers → ${this.entry.slug}).`,
          { server: this.entry.slug, timeoutMs: this.timeoutMs },
        );
      }
      throw error;
    }
  }

  #readyClient(): Client {
    if (this.status.state !== 'ready' || !this.#client) {
      const slug = this.entry.slug;
      const why =
        this.status.state === 'error'
          ? `is down (${this.status.reason}); Nexus keeps retrying, see Servers → ${slug} in the dashboard`
          : this.status.state === 'disabled'
            ? `is disabled; enable it in the Nexus dashboard (Servers → ${slug})`
            : 'is still connecting; try again in a moment';
      throw new ProtocolError(ProtocolErrorCode.InternalError, `Server '${slug}' ${why}.`, {
        server: slug,
        state: this.status.state,
      });
    }
    return this.#client;
  }

  #halt(): void {
    this.#generation++;
    this.deps.clock.clearTimeout(this.#retryTimer);
    this.deps.clock.clearTimeout(this.#pingTimer);
    const client = this.#client;
    this.#client = undefined;
    this.activeTransport = undefined;
    if (client) {
      client.onclose = undefined;
      void client.close().catch(() => {});
    }
    const held = CATALOG_KINDS.filter((kind) => this.catalog[kind].length > 0);
    this.catalog = emptyCatalog();
    if (held.length > 0) this.deps.onCatalog(this, held);
  }

  #setStatus(status: ServerStatus): void {
    this.status = status;
    this.since = this.deps.clock.now();
    if (status.state !== 'connecting') this.#settle();
    this.deps.onStatus(this);
  }

  #newClient(): Client {
    const client = new Client(this.deps.clientInfo, {
      capabilities: {},
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
      listMaxPages: MAX_UPSTREAM_PAGES,
    });
    const reload = (kinds: CatalogKind[]) => async () => {
      if (this.#client !== client) return;
      try {
        await this.#loadCatalog(client, this.#generation, kinds);
      } catch (error) {
        await this.#fail(this.#generation, error);
      }
    };
    client.setNotificationHandler('notifications/tools/list_changed', reload(['tools']));
    client.setNotificationHandler('notifications/prompts/list_changed', reload(['prompts']));
    client.setNotificationHandler(
      'notifications/resources/list_changed',
      reload(['resources', 'templates']),
    );
    client.setNotificationHandler('notifications/resources/updated', async (notification) => {
      if (this.#client === client) this.deps.onResourceUpdated?.(this, notification.params.uri);
    });
    client.setNotificationHandler('notifications/message', async (notification) => {
      if (this.#client === client) this.deps.onLogMessage?.(this, notification.params);
    });
    return client;
  }

  async #connect(generation: number): Promise<void> {
    this.#setStatus({ state: 'connecting' });
    const entry = this.entry;
    const kinds: TransportKind[] =
      entry.kind === 'builtin'
        ? ['builtin']
        : entry.kind === 'remote' && entry.transport !== 'auto'
          ? [entry.transport]
          : ['streamable-http', 'sse'];
    let firstFailure: { error: unknown; observations?: HttpObservations } | undefined;
    for (const [index, kind] of kinds.entries()) {
      if (generation !== this.#generation) return;
      const client = this.#newClient();
      let opened: OpenedTransport | undefined;
      try {
        opened = await this.deps.openTransport(entry, kind);
        await client.connect(opened.transport);
      } catch (error) {
        void client.close().catch(() => {});
        const failure = { error, observations: opened?.observations };
        const canFallBack = index < kinds.length - 1 && isLegacyHint(error);
        firstFailure ??= failure;
        if (canFallBack) continue;
        // When the legacy attempt also says "not here", the first answer explains more.
        const report = index > 0 && isLegacyHint(error) ? firstFailure : failure;
        await this.#fail(generation, report.error, report.observations);
        return;
      }
      if (generation !== this.#generation) {
        void client.close().catch(() => {});
        return;
      }
      this.#client = client;
      this.activeTransport = kind;
      this.serverInfo = client.getServerVersion();
      this.protocolVersion = client.getNegotiatedProtocolVersion();
      client.onclose = () => {
        if (this.#client === client)
          void this.#fail(this.#generation, new Error('the server closed the connection'));
      };
      try {
        await this.#loadCatalog(client, generation, CATALOG_KINDS);
      } catch (error) {
        await this.#fail(generation, error);
        return;
      }
      if (generation !== this.#generation) return;
      this.#attempt = 0;
      this.#setStatus({ state: 'ready' });
      this.#schedulePing(generation);
      return;
    }
  }

  async #loadCatalog(
    client: Client,
    generation: number,
    kinds: readonly CatalogKind[],
  ): Promise<void> {
    const offered = client.getServerCapabilities();
    const loaded = await Promise.all(
      kinds.map(async (kind) => {
        const list = LISTS[kind];
        return { [kind]: offered?.[list.capability] ? await list.fetch(client) : [] };
      }),
    );
    if (generation !== this.#generation || this.#client !== client) return;
    this.catalog = Object.assign({ ...this.catalog }, ...loaded) as Catalog;
    this.deps.onCatalog(this, kinds);
  }

  #schedulePing(generation: number): void {
    this.#pingTimer = this.deps.clock.setTimeout(async () => {
      const client = this.#client;
      if (generation !== this.#generation || !client) return;
      try {
        await client.ping({ timeout: this.deps.pingTimeoutMs });
      } catch (error) {
        await this.#fail(generation, error);
        return;
      }
      this.#schedulePing(generation);
    }, this.deps.pingIntervalMs);
  }

  async #fail(generation: number, error: unknown, observations?: HttpObservations): Promise<void> {
    if (generation !== this.#generation) return;
    const reason = await this.deps.describeError(error, this.entry, observations);
    if (generation !== this.#generation) return;
    this.#halt();
    const retryGeneration = this.#generation;
    this.#setStatus({ state: 'error', reason });
    const delay = backoffDelay(this.#attempt++, this.deps.backoff, this.deps.random);
    this.deps.onLog?.(`server '${this.entry.slug}': ${reason}; retrying in ${delay} ms`);
    this.#retryTimer = this.deps.clock.setTimeout(() => {
      if (retryGeneration === this.#generation) void this.#connect(retryGeneration);
    }, delay);
  }
}
