/**
 * The 2025-era calls the hub has in flight on one connection, so that a request the server sends
 * during a call (elicitation, sampling, roots) reaches the client whose call it is and no other.
 * Streamable HTTP tells which call's stream carried the request (`related`); for the other
 * transports, one call in flight is the only safe guess. Each call's `_meta` carries a marker
 * the transport wrapper reads (to learn the call's upstream request id) and strips before the
 * message leaves the hub.
 */
import type {
  CallToolResult,
  ClientCapabilities,
  GetPromptResult,
  JSONRPCMessage,
  LoggingLevel,
  ReadResourceResult,
  RequestId,
  Transport,
} from '@modelcontextprotocol/client';
import { PushedRequests } from '../downstream/input.ts';
import type { Deadline } from './deadline.ts';

export interface CallOptions {
  signal?: AbortSignal;
  onprogress?: (progress: { progress: number; total?: number; message?: string }) => void;
  /**
   * The least severe log level the caller wants for this call. A 2026-07-28 server logs per
   * request, at the level the request carries; a 2025-era server uses its connection's level.
   */
  logLevel?: LoggingLevel;
  /**
   * What may be asked of the caller: a 2026-07-28 request carries it in its `_meta` (see
   * ../downstream/input.ts `callerCapabilities`), so the server can refuse what cannot be
   * answered; a 2025-era connection declared once, for every client, at `initialize`.
   */
  clientCapabilities?: ClientCapabilities;
  /**
   * 2026-07-28: answers the client sent with a call that continues nothing (a stateless client
   * that knows the questions), passed on with the first round. A 2025-era server has no place
   * for them.
   */
  inputResponses?: Record<string, unknown>;
}

/** The requests that may stop for input, and what each one returns when it completes. */
export interface InputCapableResults {
  'tools/call': CallToolResult;
  'prompts/get': GetPromptResult;
  'resources/read': ReadResourceResult;
}
export type InputCapableMethod = keyof InputCapableResults;

/** A 2025-era call in flight, and the timeout that stands still while it waits for input. */
export interface RunningCall {
  pushed: PushedRequests<unknown>;
  deadline?: Deadline;
}

/** The `_meta` key of the marker; it never leaves the hub. */
const CALL_MARKER = 'dev.nexus/call';

export class CallTracker {
  /** See `OpenedTransport.related`: set for each connection whose transport can tell. */
  related: Map<RequestId, RequestId> | undefined;
  /** Calls in flight, by the hub's call id. */
  readonly #calls = new Map<string, RunningCall>();
  /** The upstream request id each call in flight got → the hub's call id. */
  readonly #callByRequestId = new Map<RequestId, string>();
  #nextCallId = 0;

  /**
   * Sends a call with the marker in its `_meta` and keeps it until it settles. `deadline` is read
   * once the call is sent (the send makes it).
   */
  track<R>(
    params: Record<string, unknown>,
    send: (marked: Record<string, unknown>) => Promise<R>,
    deadline: () => Deadline | undefined,
  ): PushedRequests<R> {
    const callId = `${this.#nextCallId++}`;
    const meta = {
      ...(params._meta as Record<string, unknown> | undefined),
      [CALL_MARKER]: callId,
    };
    const call = send({ ...params, _meta: meta });
    const pushed = new PushedRequests(call);
    this.#calls.set(callId, { pushed: pushed as PushedRequests<unknown>, deadline: deadline() });
    const forget = () => {
      this.#calls.delete(callId);
      for (const [requestId, id] of this.#callByRequestId)
        if (id === callId) this.#callByRequestId.delete(requestId);
    };
    call.then(forget, forget);
    return pushed;
  }

  /**
   * Learns which upstream request id each call got (from the marker in its `_meta`) and takes the
   * marker off before the message leaves.
   */
  watch(transport: Transport): Transport {
    const send = transport.send.bind(transport);
    transport.send = (message: JSONRPCMessage, options) => {
      const params = 'method' in message && 'id' in message ? message.params : undefined;
      const meta = params?._meta as Record<string, unknown> | undefined;
      if (!meta || !(CALL_MARKER in meta) || !('id' in message)) return send(message, options);
      const { [CALL_MARKER]: callId, ...rest } = meta;
      this.#callByRequestId.set(message.id as RequestId, String(callId));
      const _meta = Object.keys(rest).length > 0 ? rest : undefined;
      return send({ ...message, params: { ...params, _meta } } as JSONRPCMessage, options);
    };
    return transport;
  }

  /** The call a server→client request belongs to, if the hub can tell. */
  relatedTo(serverRequestId: RequestId): RunningCall | undefined {
    const outgoing = this.related?.get(serverRequestId);
    this.related?.delete(serverRequestId);
    if (outgoing !== undefined) {
      const callId = this.#callByRequestId.get(outgoing);
      return callId === undefined ? undefined : this.#calls.get(callId);
    }
    // Not on any call's stream: the transport cannot tell (HTTP+SSE, in-memory), or the server
    // sent it on its general stream (the v2 SDK's `ctx.mcpReq.elicitInput` does). With exactly
    // one call in flight it can only be that call's; with several, no guess is safe.
    return this.#calls.size === 1 ? [...this.#calls.values()][0] : undefined;
  }
}
