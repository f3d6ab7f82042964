/**
 * One upstream connection per registered server, shared by every downstream session. Owns the
 * SDK `Client`, the connection state machine (connecting → ready | error → … ), reconnection with
 * backoff (unless the connector says its failures wait for Restart: local servers), the periodic ping health check and the server's current catalog (tools, prompts,
 * resources, resource templates), each list complete: every upstream page is followed.
 *
 * Why this file is longer than the house's ~400 lines: it is one state machine, and every method
 * reads its generation counter and current client to drop the work of an older connection.
 * What stands on its own is beside it: how a server is reached (connectors/), which era is
 * spoken and how long connecting may take (era.ts), one era's try (attempt.ts), the SDK client's
 * set-up (client.ts), the 2026-07-28 change stream (change-stream.ts), the calls in flight
 * (calls.ts), the lists and their fetching (catalog.ts), how a failed request is worded
 * (failures.ts), what a server gets wrong that is read anyway (tolerance.ts), the relay of results
 * the SDK does not know (relay.ts), and signing in (auth/: this file only turns the connector's
 * "the person must sign in" into the `needs-sign-in` state, which has no retry).
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  Client,
  InsufficientScopeError,
  LOG_LEVEL_META_KEY,
  SdkError,
  SdkErrorCode,
  type CompleteRequest,
  type LoggingLevel,
  type LoggingMessageNotification,
  type RequestOptions,
  type ServerCapabilities,
  type Transport,
} from '@modelcontextprotocol/client';
import { serverTimeout } from '../../protocol/errors.ts';
import {
  RoundTrips,
  type Exchange,
  type InputRequest,
  type InputResponse,
  type Leg,
} from '../downstream/input.ts';
import { tapTransport } from '../journal/tap.ts';
import type { Clock, ServerEntry, ServerStatus, TrafficDirection } from '../ports.ts';
import { moreVerbose } from '../router/log-levels.ts';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import {
  CallTracker,
  type CallOptions,
  type InputCapableMethod,
  type InputCapableResults,
} from './calls.ts';
import {
  CATALOG_KINDS,
  emptyCatalog,
  fetchLists,
  type Catalog,
  type CatalogKind,
} from './catalog.ts';
import type { Connectors, TransportKind } from './connectors/connector.ts';
import { ChangeStream } from './change-stream.ts';
import { causeOf } from './causes.ts';
import { createUpstreamClient } from './client.ts';
import { failureFor, moreAccess, notReady } from './failures.ts';
import type { RelayedResults } from './relay.ts';
import { Deadline, SDK_TIMEOUT_OFF } from './deadline.ts';
import { tryEra, type AttemptHost, type Attempted } from './attempt.ts';
import {
  ConnectBudget,
  DEFAULT_CONNECT_TIMEOUT_MS,
  MODERN_VERSION,
  erasToTry,
  fallbackNote,
  negotiationFor,
  seconds,
  type EraTry,
} from './era.ts';
import { RESULT_TYPE_WARNING, tolerantTransport } from './tolerance.ts';

export type { CallOptions, InputCapableMethod, InputCapableResults } from './calls.ts';
export { CATALOG_KINDS, type Catalog, type CatalogKind } from './catalog.ts';
export type { OpenedTransport, TransportKind, TransportOpener } from './connectors/connector.ts';

export interface UpstreamDeps {
  clock: Clock;
  random: () => number;
  backoff: BackoffOptions;
  /** Health check period in ms; a failed ping marks the server errored and reconnects it. */
  pingIntervalMs: number;
  /** A ping unanswered for this long (ms) counts as a silent server. */
  pingTimeoutMs: number;
  /** How each kind of server is reached (one connector per entry kind). */
  connectors: Connectors;
  clientInfo: { name: string; version: string };
  /** The status changed; `was` is the state before (ready → ready: only its warnings changed). */
  onStatus(upstream: Upstream, was: ServerStatus['state']): void;
  /** Called after lists of the catalog changed (including on connect and disconnect). */
  onCatalog(upstream: Upstream, kinds: readonly CatalogKind[]): void;
  /** The server said a resource changed (`notifications/resources/updated`). */
  onResourceUpdated?(upstream: Upstream, uri: string): void;
  /** The server sent a log message (`notifications/message`). */
  onLogMessage?(upstream: Upstream, params: LoggingMessageNotification['params']): void;
  /**
   * The server asked for input (elicitation, sampling, roots) outside of any call the hub can
   * name: no client session caused it.
   */
  onUnrelatedRequest?(
    upstream: Upstream,
    request: InputRequest,
    signal: AbortSignal,
  ): Promise<InputResponse>;
  onLog?(message: string): void;
  /**
   * Each message to and from the server as it went, for the Inspector (../journal/protocol-log.ts),
   * with a note when the hub read it differently (./tolerance.ts).
   */
  onTraffic?(
    upstream: Upstream,
    direction: TrafficDirection,
    message: unknown,
    note?: string,
  ): void;
  /** Carries results the SDK does not know around it (./relay.ts); without it they fail. */
  relay?: RelayedResults;
  /**
   * A request needed more access than the sign-in grants (403 `insufficient_scope`): the person
   * is asked (./auth/sign-ins.ts). Returns the words for the caller's error.
   */
  onStepUp?(upstream: Upstream, requiredScope: string | undefined): string;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

/** Health-check round trips kept per server, for the dashboard. */
const LATENCIES_KEPT = 10;

/** 2026-07-28 and later: the stateless era, where calls ask for input with `input_required`. */
export function isModernEra(protocolVersion: string | undefined): boolean {
  return protocolVersion !== undefined && protocolVersion >= '2026-07-28';
}

export class Upstream {
  status: ServerStatus = { state: 'connecting' };
  /** When `status` last changed. */
  since: number;
  catalog: Catalog = emptyCatalog();
  /** When the next connection attempt is due (wall clock), after a failure. */
  #retryAt: number | undefined;
  /** Per list, what its last load found wrong (a failure, duplicates); shown with `ready`. */
  readonly #warnings = new Map<CatalogKind, string[]>();
  activeTransport?: TransportKind;
  serverInfo?: { name: string; version: string };
  protocolVersion?: string;
  /** What the server declared when it last connected (kept while it is down). */
  capabilities?: ServerCapabilities;
  /** The server's `instructions`, from its last connection. */
  instructions?: string;
  /** Round-trip times of the last health checks (ms), oldest first. */
  readonly latencyMs: number[] = [];
  /** The last failure, kept after a recovery. */
  lastError?: { reason: string; at: number };
  /** Why the 2026-07-28 path failed when this connection fell back to 2025 (`auto` only). */
  eraFallback?: string;

  #client?: Client;
  /** 2025-era calls in flight, for the requests the server sends during them. */
  readonly #calls = new CallTracker();
  /** Resolves when the first connection attempt has an outcome (ready, error or disabled). */
  readonly firstSettled: Promise<void>;
  #settle!: () => void;
  /** Bumped on every (re)connect and stop; work begun under an older generation is discarded. */
  #generation = 0;
  #attempt = 0;
  #retryTimer: unknown;
  #pingTimer: unknown;
  /** 2026-07-28: the `subscriptions/listen` stream of list changes and resource updates. */
  readonly #changes: ChangeStream;
  /** 2026-07-28: the level the hub's sessions need, sent with each request (no setLevel there). */
  #logLevel: LoggingLevel | undefined;
  /** 2026-07-28: the server's results lacked `resultType` on this connection (./tolerance.ts). */
  #resultTypeMissing = false;
  /** 2026-07-28: why change notifications are off (the listen stream failed after ready). */
  #listenTrouble: string | undefined;

  constructor(
    public entry: ServerEntry,
    private readonly deps: UpstreamDeps,
  ) {
    this.since = deps.clock.now();
    this.firstSettled = new Promise((resolve) => (this.#settle = resolve));
    this.#changes = new ChangeStream({
      current: (client) => this.#client === client,
      timeoutMs: () => this.timeoutMs,
      clock: deps.clock,
      retryDelay: (attempt) => backoffDelay(attempt, deps.backoff, deps.random),
      // The server's tools stay: only change notifications are off, and the status says so.
      off: (reason, delay) => {
        this.#listenTrouble = `change notifications are off (subscriptions/listen: ${reason}); retrying in ${seconds(delay)}`;
        deps.onLog?.(`server '${this.entry.slug}': ${this.#listenTrouble}`);
        if (this.status.state === 'ready') this.#setStatus(this.#ready());
      },
      // What changed while nobody listened: every list again (which also clears the warning).
      back: (client) => {
        this.#listenTrouble = undefined;
        const generation = this.#generation;
        this.#loadCatalog(client, generation, CATALOG_KINDS).catch((error: unknown) =>
          this.#fail(generation, error),
        );
      },
    });
  }

  get id(): string {
    return this.entry.id;
  }

  get timeoutMs(): number {
    return this.entry.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get connectTimeoutMs(): number {
    return this.entry.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  }

  /** Starts (or restarts) according to the entry: disabled entries stay down. */
  start(): void {
    this.#halt();
    if (!this.entry.enabled) {
      this.#setStatus({ state: 'disabled' });
      return;
    }
    if (!this.deps.connectors.has(this.entry.kind)) {
      // No connector reaches this kind (a hub built without one, e.g. in Node): no retry loop
      // can change that, so this is a standing error, not a cycle.
      this.#setStatus({ state: 'error', reason: unreachableKind(this.entry.kind) });
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

  get tools(): Catalog['tools'] {
    return this.catalog.tools;
  }

  /**
   * Starts a call that may stop to ask the client for input. A 2026-07-28 server answers with
   * `input_required` and is called again with the answers; a 2025-era server sends its requests
   * while the call runs, and they are matched to this call.
   */
  exchange<M extends InputCapableMethod>(
    method: M,
    params: Record<string, unknown>,
    options: CallOptions,
  ): Exchange<InputCapableResults[M]> {
    // Fails at once, before any bookkeeping, when the server is not ready (each leg checks again).
    this.#readyClient();
    const what =
      method === 'tools/call'
        ? `tool '${String(params.name)}'`
        : method === 'prompts/get'
          ? `prompt '${String(params.name)}'`
          : `resource ${String(params.uri)}`;
    let deadline: Deadline | undefined;
    const send = (legParams: Record<string, unknown>, leg: Leg) =>
      this.#request<unknown>(what, leg.signal, (live, request, legDeadline) => {
        deadline = legDeadline;
        const onprogress = leg.onprogress;
        const legOptions = {
          ...request,
          // The timeout starts over whenever the server reports progress.
          ...(onprogress
            ? {
                onprogress: (progress: Parameters<typeof onprogress>[0]) => {
                  legDeadline.restart();
                  onprogress(progress);
                },
              }
            : {}),
          allowInputRequired: true,
        };
        if (method === 'tools/call') {
          // The hub keeps the tool list itself (the SDK's cache is bypassed), so it hands the
          // definition over: on 2026-07-28 the SDK mirrors `x-mcp-header` parameters into
          // `Mcp-Param-*` headers from it, and validates output against its schema.
          const toolDefinition = this.catalog.tools.find((tool) => tool.name === params.name);
          return live.callTool(legParams as Parameters<Client['callTool']>[0], {
            ...legOptions,
            ...(toolDefinition ? { toolDefinition } : {}),
          });
        }
        if (method === 'prompts/get')
          return live.getPrompt(legParams as Parameters<Client['getPrompt']>[0], legOptions);
        return live.readResource(legParams as Parameters<Client['readResource']>[0], {
          ...legOptions,
          cacheMode: 'bypass',
        });
      });
    if (this.isModern) {
      const sent = this.#withMeta(params, options);
      const first = options.inputResponses ? { inputResponses: options.inputResponses } : {};
      // Each round is a request of the client's own: its cancellation and progress go with it.
      return new RoundTrips((retry, leg) =>
        send(
          { ...sent, ...(retry.requestState === undefined ? first : {}), ...retry },
          leg ?? options,
        ),
      );
    }
    return this.#calls.track(
      params,
      (marked) => send(marked, options) as Promise<InputCapableResults[M]>,
      () => deadline,
    );
  }

  complete(params: CompleteRequest['params'], signal?: AbortSignal) {
    return this.#request('completion', signal, (client, request) =>
      client.complete(params, request),
    );
  }

  /**
   * Asks the server to report changes of `uri`: `resources/subscribe` on a 2025-era connection,
   * a `subscriptions/listen` stream whose filter names it on 2026-07-28.
   */
  async subscribeResource(uri: string): Promise<void> {
    if (!this.isModern) {
      await this.#request(`subscription to ${uri}`, undefined, (client, request) =>
        client.subscribeResource({ uri }, request),
      );
      return;
    }
    await this.#changes.add(this.#readyClient(), uri);
  }

  async unsubscribeResource(uri: string): Promise<void> {
    if (!this.isModern) {
      await this.#request(`unsubscription from ${uri}`, undefined, (client, request) =>
        client.unsubscribeResource({ uri }, request),
      );
      return;
    }
    await this.#changes.remove(this.#readyClient(), uri);
  }

  async setLoggingLevel(level: LoggingLevel): Promise<void> {
    if (this.isModern) {
      // Nothing to send: the level travels with each request from now on.
      this.#logLevel = level;
      return;
    }
    await this.#request('logging level', undefined, (client, request) =>
      client.setLoggingLevel(level, request),
    );
  }

  /** The `Mcp-Session-Id` of a stateful Streamable HTTP connection, if it has one. */
  get httpSessionId(): string | undefined {
    return this.#client?.transport?.sessionId;
  }

  /** Whether the live connection speaks the stateless 2026-07-28 era. */
  get isModern(): boolean {
    return isModernEra(this.protocolVersion);
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
    run: (client: Client, request: RequestOptions, deadline: Deadline) => Promise<T>,
  ): Promise<T> {
    const client = this.#readyClient();
    const expired = new AbortController();
    const deadline = new Deadline(this.deps.clock, this.timeoutMs, () =>
      // The SDK turns this reason into `notifications/cancelled` upstream and rejects with it.
      expired.abort(new SdkError(SdkErrorCode.RequestTimeout, 'Request timed out')),
    );
    try {
      return await run(
        client,
        {
          signal: signal ? AbortSignal.any([signal, expired.signal]) : expired.signal,
          timeout: SDK_TIMEOUT_OFF,
        },
        deadline,
      );
    } catch (error) {
      if (expired.signal.aborted && !signal?.aborted) {
        // The SDK has already sent notifications/cancelled upstream; say whose silence it was.
        throw serverTimeout(this.entry.slug, what, this.timeoutMs);
      }
      // The client cancelled: as it is. Anything else says which server (./failures.ts).
      if (signal?.aborted) throw error;
      // More scope for this call: the person is asked, and the server keeps serving the rest.
      const scope = causeOf(error, InsufficientScopeError);
      if (scope && this.deps.onStepUp)
        throw moreAccess(this.entry, what, this.deps.onStepUp(this, scope.requiredScope));
      if (this.#waitForSignIn(this.#generation, error)) throw notReady(this.entry, this.status);
      throw await failureFor(what, error, {
        entry: this.entry,
        connector: this.deps.connectors.get(this.entry.kind),
        status: this.status,
        retryAt: this.#retryAt,
        now: this.deps.clock.now(),
      });
    } finally {
      deadline.stop();
    }
  }

  /**
   * 2026-07-28: the call's parameters with what its `_meta` should carry: the log level, if any,
   * and the capabilities of the client whose call it is (the SDK would send the hub's own).
   */
  #withMeta(params: Record<string, unknown>, options: CallOptions) {
    const level = this.offers('logging')
      ? moreVerbose(this.#logLevel, options.logLevel)
      : undefined;
    const meta = params._meta as Record<string, unknown> | undefined;
    return {
      ...params,
      _meta: {
        ...meta,
        ...(options.clientCapabilities === undefined
          ? {}
          : { [CLIENT_CAPABILITIES_META_KEY]: options.clientCapabilities }),
        ...(level === undefined ? {} : { [LOG_LEVEL_META_KEY]: level }),
      },
    };
  }

  #readyClient(): Client {
    if (this.status.state !== 'ready' || !this.#client) throw notReady(this.entry, this.status);
    return this.#client;
  }

  #halt(): void {
    this.#generation++;
    this.deps.clock.clearTimeout(this.#retryTimer);
    this.deps.clock.clearTimeout(this.#pingTimer);
    this.#release();
  }

  /** Lets the connection go: client, listen, level, the catalog and what it found wrong. */
  #release(): void {
    const client = this.#client;
    this.#client = undefined;
    this.activeTransport = undefined;
    // The server forgets a connection's subscriptions and level; the hub restores them on ready.
    this.#changes.reset();
    this.#logLevel = undefined;
    this.#listenTrouble = undefined;
    this.#resultTypeMissing = false;
    if (client) {
      client.onclose = undefined;
      void client.close().catch(() => {});
    }
    const held = CATALOG_KINDS.filter((kind) => this.catalog[kind].length > 0);
    this.catalog = emptyCatalog();
    this.#warnings.clear();
    if (held.length > 0) this.deps.onCatalog(this, held);
  }

  #setStatus(status: ServerStatus): void {
    const was = this.status.state;
    this.status = status;
    // Ready → ready is a change of warnings only: the server has been ready since before.
    if (was !== 'ready' || status.state !== 'ready') this.since = this.deps.clock.now();
    if (status.state === 'error') this.lastError = { reason: status.reason, at: this.since };
    if (status.state !== 'connecting') this.#settle();
    this.deps.onStatus(this, was);
  }

  #newClient(kind: TransportKind, era: EraTry): Client {
    const { deps } = this;
    return createUpstreamClient(deps.clientInfo, negotiationFor(era, kind === 'streamable-http'), {
      current: (client) => this.#client === client,
      relatedTo: (requestId) => this.#calls.relatedTo(requestId),
      unrelated:
        deps.onUnrelatedRequest &&
        ((request, signal) => deps.onUnrelatedRequest!(this, request, signal)),
      reload: async (client, kinds) => {
        try {
          await this.#loadCatalog(client, this.#generation, kinds);
        } catch (error) {
          await this.#fail(this.#generation, error);
        }
      },
      resourceUpdated: (uri) => deps.onResourceUpdated?.(this, uri),
      logMessage: (params) => deps.onLogMessage?.(this, params),
    });
  }

  /**
   * Connects within the entry's connect timeout: for each era to try (./era.ts), each transport
   * the connector lists. A failure of the 2026-07-28 path in `auto` is followed by the 2025
   * handshake, and the status says why.
   */
  async #connect(generation: number): Promise<void> {
    this.#setStatus({ state: 'connecting' });
    const connector = this.deps.connectors.get(this.entry.kind);
    if (!connector) return;
    const { clock } = this.deps;
    const started = clock.now();
    const eras = erasToTry(this.entry);
    let modernFailure: string | undefined;
    for (const [index, era] of eras.entries()) {
      const last = index === eras.length - 1;
      // A first try of 2026-07-28 has half the time, so that the 2025 one keeps the other half.
      const allowed = last ? this.connectTimeoutMs : this.connectTimeoutMs / 2;
      const budget = new ConnectBudget(
        clock,
        last ? started + this.connectTimeoutMs : started + allowed,
        seconds(allowed),
      );
      let outcome: Attempted;
      try {
        outcome = await tryEra(this.#attemptHost(generation), connector, era, budget);
      } finally {
        budget.stop();
      }
      if (generation !== this.#generation || outcome.kind === 'stale') return;
      if (outcome.kind === 'ready') {
        this.#attempt = 0;
        this.eraFallback = modernFailure;
        this.#setStatus(this.#ready());
        this.#schedulePing(generation);
        return;
      }
      if (this.#waitForSignIn(generation, outcome.error)) return;
      const explained = await connector.explain(outcome.error, this.entry, outcome.observations);
      const reason = outcome.stage === undefined ? explained : `${outcome.stage}: ${explained}`;
      if (outcome.kind === 'modern-failed' && !last) {
        modernFailure = reason;
        continue;
      }
      const said =
        era === 'modern'
          ? `${MODERN_VERSION} (pinned) failed: ${reason}`
          : modernFailure !== undefined && modernFailure !== reason
            ? `${reason} (and ${MODERN_VERSION} failed before: ${modernFailure})`
            : reason;
      this.#down(generation, said);
      return;
    }
  }

  /** What one era's try (./attempt.ts) may do with this connection, under `generation`. */
  #attemptHost(generation: number): AttemptHost {
    return {
      entry: this.entry,
      current: () => generation === this.#generation,
      newClient: (kind, era) => this.#newClient(kind, era),
      wrap: (opened) => {
        this.#calls.related = opened.related;
        return this.#calls.watch(this.#wrapped(opened.transport));
      },
      wrapProbe: (transport) => this.#wrapped(transport),
      adopt: (client, kind) => {
        this.#client = client;
        this.activeTransport = kind;
        this.serverInfo = client.getServerVersion();
        this.protocolVersion = client.getNegotiatedProtocolVersion();
        this.capabilities = client.getServerCapabilities();
        this.instructions = client.getInstructions();
        client.onclose = () => {
          if (this.#client === client)
            void this.#fail(this.#generation, new Error('the server closed the connection'));
        };
      },
      isModern: () => this.isModern,
      listen: (client) => this.#changes.open(client),
      loadLists: (client, strict) => this.#loadCatalog(client, generation, CATALOG_KINDS, strict),
      release: () => this.#release(),
    };
  }

  /**
   * The transport as the SDK client gets it: both directions shown to the Inspector as they
   * went (when the hub has one), then what a server gets wrong but can be read anyway made
   * readable (./tolerance.ts), then results the SDK does not know carried around it (./relay.ts).
   */
  #wrapped(transport: Transport): Transport {
    const onTraffic = this.deps.onTraffic;
    const tolerant = tolerantTransport(transport, (message, note) => {
      onTraffic?.(this, 'in', message, note);
      if (note !== undefined && !this.#resultTypeMissing) {
        this.#resultTypeMissing = true;
        if (this.status.state === 'ready') this.#setStatus(this.#ready());
      }
    });
    const tapped = onTraffic
      ? tapTransport(tolerant, { outbound: (message) => onTraffic(this, 'out', message) })
      : tolerant;
    return this.deps.relay ? this.deps.relay.sanitizing(tapped) : tapped;
  }

  /**
   * Loads the lists of `kinds` (catalog.ts `fetchLists`): a list that fails is reported in the
   * status's warnings and keeps what it held, and the others load.
   */
  async #loadCatalog(
    client: Client,
    generation: number,
    kinds: readonly CatalogKind[],
    /** Throw on the first list that fails instead (a 2026-07-28 try that 2025 may do better). */
    strict = false,
  ): Promise<void> {
    const loaded = await fetchLists(client, kinds, {
      strict,
      // Not a list's trouble but the whole server's: it waits for the person (#fail).
      fatal: (error) => this.#signInReason(error) !== undefined,
    });
    if (generation !== this.#generation || this.#client !== client) return;
    const catalog = { ...this.catalog };
    for (const { kind, list, warnings } of loaded) {
      if (list !== undefined) (catalog as Record<CatalogKind, unknown>)[kind] = list;
      this.#warnings.set(kind, warnings);
    }
    this.catalog = catalog;
    this.deps.onCatalog(this, kinds);
    // Only when the warnings changed: a new `ready` also tells the hub the server (re)connected.
    if (this.status.state === 'ready') {
      const ready = this.#ready();
      if (JSON.stringify(ready) !== JSON.stringify(this.status)) this.#setStatus(ready);
    }
  }

  /**
   * Ready, with what is not as it should be: the era it fell back from, change notifications
   * that are off, and what the lists' loading found wrong (see `#loadCatalog`).
   */
  #ready(): ServerStatus {
    const warnings = [
      ...(this.eraFallback === undefined ? [] : [fallbackNote(this.eraFallback)]),
      ...(this.#listenTrouble === undefined ? [] : [this.#listenTrouble]),
      ...(this.#resultTypeMissing ? [RESULT_TYPE_WARNING] : []),
      ...CATALOG_KINDS.flatMap((kind) => this.#warnings.get(kind) ?? []),
    ];
    return warnings.length > 0 ? { state: 'ready', warnings } : { state: 'ready' };
  }

  #schedulePing(generation: number): void {
    this.#pingTimer = this.deps.clock.setTimeout(async () => {
      const client = this.#client;
      if (generation !== this.#generation || !client) return;
      try {
        // 2026-07-28 has no ping (the client refuses to send one): `server/discover` is the
        // cheapest request such a server answers.
        const sent = this.deps.clock.now();
        if (this.isModern) await client.discover({ timeout: this.deps.pingTimeoutMs });
        else await client.ping({ timeout: this.deps.pingTimeoutMs });
        this.latencyMs.push(this.deps.clock.now() - sent);
        if (this.latencyMs.length > LATENCIES_KEPT) this.latencyMs.shift();
      } catch (error) {
        await this.#fail(generation, error);
        return;
      }
      this.#schedulePing(generation);
    }, this.deps.pingIntervalMs);
  }

  async #fail(generation: number, error: unknown, observations?: unknown): Promise<void> {
    if (generation !== this.#generation) return;
    if (this.#waitForSignIn(generation, error)) return;
    const connector = this.deps.connectors.get(this.entry.kind);
    const reason = connector
      ? await connector.explain(error, this.entry, observations)
      : error instanceof Error
        ? error.message
        : String(error);
    this.#down(generation, reason);
  }

  /**
   * Whether `error` means the person must sign in (the connector says, for a server that signs
   * in); then the server waits for them: no retry, since only signing in changes that (the
   * sign-in room restarts the server when it is done). More scope asked for while connecting
   * (403 `insufficient_scope`) is a step-up: the next sign-in asks for it.
   */
  #waitForSignIn(generation: number, error: unknown): boolean {
    const reason = this.#signInReason(error);
    if (reason === undefined) return false;
    const scope = causeOf(error, InsufficientScopeError);
    if (scope) this.deps.onStepUp?.(this, scope.requiredScope);
    this.#needsSignIn(generation, reason);
    return true;
  }

  /** Why `error` means the person must sign in, as the connector words it; else undefined. */
  #signInReason(error: unknown): string | undefined {
    return this.deps.connectors.get(this.entry.kind)?.signInNeeded?.(error, this.entry);
  }

  #needsSignIn(generation: number, reason: string): void {
    if (generation !== this.#generation) return;
    this.#halt();
    this.#retryAt = undefined;
    this.deps.onLog?.(`server '${this.entry.slug}': ${reason}; waiting for the person to sign in`);
    this.#setStatus({ state: 'needs-sign-in', reason });
  }

  /**
   * The connection is down for `reason` (already in words): error, and a retry with backoff
   * unless the connector says its failures wait for the person (a local child: Restart).
   */
  #down(generation: number, reason: string): void {
    if (generation !== this.#generation) return;
    this.#halt();
    const retryGeneration = this.#generation;
    this.#setStatus({ state: 'error', reason });
    if (this.deps.connectors.get(this.entry.kind)?.restarts === false) {
      this.#retryAt = undefined;
      this.deps.onLog?.(`server '${this.entry.slug}': ${reason}; waiting for Restart`);
      return;
    }
    const delay = backoffDelay(this.#attempt++, this.deps.backoff, this.deps.random);
    this.deps.onLog?.(`server '${this.entry.slug}': ${reason}; retrying in ${delay} ms`);
    this.#retryAt = this.deps.clock.now() + delay;
    this.#retryTimer = this.deps.clock.setTimeout(() => {
      if (retryGeneration === this.#generation) void this.#connect(retryGeneration);
    }, delay);
  }
}

/** Why a server of a kind no connector reaches cannot start, and what would change that. */
function unreachableKind(kind: ServerEntry['kind']): string {
  return kind === 'stdio'
    ? 'needs the local bridge: this hub runs local servers only in the browser, through nexus-bridge'
    : `Nexus cannot reach servers of the kind '${kind}' in this version`;
}
