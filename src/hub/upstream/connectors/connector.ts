/**
 * How the hub reaches one kind of server. Each kind (`remote` over HTTP, `builtin` inside the
 * worker, `stdio` through nexus-bridge) is one file in this folder behind this interface,
 * so the connection state machine (../upstream.ts) never branches on the kind: it asks the
 * connector which attempts to make, opens them in order, and lets the connector explain a
 * failure in words a person can act on.
 */
import type { RequestId, Transport } from '@modelcontextprotocol/client';
import type { ServerEntry } from '../../ports.ts';

/** One way of reaching a server; a connector lists the ones it tries, in order. */
export type TransportKind = 'streamable-http' | 'sse' | 'builtin' | 'bridge';

export interface OpenedTransport {
  transport: Transport;
  /**
   * What the exchange showed before it failed (HTTP: whether the answer was cross-origin and
   * exposed Mcp-Session-Id), handed back to `explain`. Opaque to the state machine.
   */
  observations?: unknown;
  /**
   * For a transport that can tell: the id of the hub's request on whose response stream each
   * server→client request arrived (Streamable HTTP sends a call's requests on that call's stream).
   * Absent: the transport cannot tell (HTTP+SSE, in-memory), and the hub falls back to "the one
   * call in flight".
   */
  related?: Map<RequestId, RequestId>;
}

/** A connector's `open`, on its own: tests pass one to serve in-memory servers as remote ones. */
export type TransportOpener = (
  entry: ServerEntry,
  attempt: TransportKind,
) => OpenedTransport | Promise<OpenedTransport>;

export interface Connector {
  /** The entry kind this connector serves (`ServerEntry['kind']`). */
  readonly kind: ServerEntry['kind'];
  /**
   * The attempts to make, in order, for this entry. The state machine moves to the next one only
   * when `fallsBack` says the failure means "not this way" (HTTP's backwards-compatibility rule).
   */
  attempts(entry: ServerEntry): readonly TransportKind[];
  /** Opens the transport of one attempt. It must not be started: the SDK client starts it. */
  open(entry: ServerEntry, attempt: TransportKind): OpenedTransport | Promise<OpenedTransport>;
  /** Whether a failed attempt says to try the next one (HTTP: 400/404/405 → legacy HTTP+SSE). */
  fallsBack(error: unknown): boolean;
  /**
   * Whether a failed attempt never reached the server (no network path, refused credentials):
   * then trying the other protocol era would fail the same way, and the hub does not.
   */
  unreachable(error: unknown): boolean;
  /**
   * For a server that signs in (OAuth): whether a failure means the person must sign in, and
   * why in words; the server then waits for them (`needs-sign-in`) instead of retrying.
   */
  signInNeeded?(error: unknown, entry: ServerEntry): string | undefined;
  /**
   * Whether a failed connection is tried again with backoff (default yes). Not for a local
   * child (./bridge.ts): a program that crashes at start would crash in a loop; the person
   * presses Restart.
   */
  readonly restarts?: boolean;
  /** A failed connection, as a reason for a person: what happened and what to try. */
  explain(error: unknown, entry: ServerEntry, observations?: unknown): Promise<string>;
}

/** The connectors a hub knows, by entry kind; a kind with none cannot be started (a reason says why). */
export type Connectors = ReadonlyMap<ServerEntry['kind'], Connector>;

/** Builds the lookup; a later connector of the same kind replaces an earlier one (tests swap `remote`). */
export function connectorsOf(...connectors: readonly Connector[]): Connectors {
  return new Map(connectors.map((connector) => [connector.kind, connector]));
}
