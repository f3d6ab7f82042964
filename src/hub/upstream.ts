/**
 * One upstream connection per registered server, shared by every downstream session. Owns the
 * SDK `Client`, the connection state machine (connecting → ready | error → … ), reconnection with
 * backoff, the periodic ping health check and the server's current tool list.
 */
import {
  Client,
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  type Tool,
  type Transport,
} from '@modelcontextprotocol/client';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/client/validators/cf-worker';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import { isLegacyHint, type HttpObservations } from './http-transports.ts';
import type { Clock, ServerEntry, ServerStatus } from './types.ts';

export type TransportKind = 'streamable-http' | 'sse' | 'builtin';

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
  /** Called after the tool list changed (including on connect and disconnect). */
  onTools(upstream: Upstream): void;
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
  tools: Tool[] = [];
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

  async callTool(name: string, args: Record<string, unknown> | undefined, options: CallOptions) {
    const client = this.#readyClient();
    try {
      return await client.callTool(
        { name, arguments: args },
        {
          signal: options.signal,
          timeout: this.timeoutMs,
          // The per-request timeout restarts whenever the server reports progress.
          resetTimeoutOnProgress: true,
          onprogress: options.onprogress,
        },
      );
    } catch (error) {
      if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) {
        // The SDK has already sent notifications/cancelled upstream; say whose silence it was.
        const seconds = this.timeoutMs / 1000;
        throw new ProtocolError(
          ProtocolErrorCode.InternalError,
          `Server '${this.entry.slug}' did not answer tool '${name}' within ${seconds} s ` +
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
    if (this.tools.length > 0) {
      this.tools = [];
      this.deps.onTools(this);
    }
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
    });
    client.setNotificationHandler('notifications/tools/list_changed', async () => {
      if (this.#client === client) await this.#loadTools(client, this.#generation);
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
        await this.#loadTools(client, generation);
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

  async #loadTools(client: Client, generation: number): Promise<void> {
    const tools = client.getServerCapabilities()?.tools
      ? (await client.listTools(undefined, { cacheMode: 'bypass' })).tools
      : [];
    if (generation !== this.#generation || this.#client !== client) return;
    this.tools = tools;
    this.deps.onTools(this);
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
