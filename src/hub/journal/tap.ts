import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';

/** How `mapTransport` changes the messages in each direction. */
export interface TransportMaps {
  /**
   * Each message that arrives (any value: the other end is not trusted), before the SDK sees
   * it: the message to hand on, changed or not, or undefined to hand on nothing.
   */
  inbound?: (message: unknown) => JSONRPCMessage | undefined;
  /** Each message the SDK sends, as it should leave. */
  outbound?: (message: JSONRPCMessage) => JSONRPCMessage;
}

/**
 * The same transport, with messages mapped on their way in and out (the session's door, the
 * relay of results the SDK does not know). Whatever the SDK's handler throws for a message is
 * reported to `onerror` instead of escaping into the transport's event loop.
 */
export function mapTransport(transport: Transport, maps: TransportMaps): Transport {
  const { inbound, outbound } = maps;
  let handler: Transport['onmessage'];
  return {
    start: () => transport.start(),
    send: outbound
      ? (message, options) => transport.send(outbound(message), options)
      : (message, options) => transport.send(message, options),
    close: () => transport.close(),
    get sessionId() {
      return transport.sessionId;
    },
    // Everything else the SDK may ask of a transport passes through (per-request streams decide
    // how a 2026-07-28 request is cancelled).
    get hasPerRequestStream() {
      return transport.hasPerRequestStream;
    },
    setProtocolVersion: (version: string) => transport.setProtocolVersion?.(version),
    setSupportedProtocolVersions: (versions: string[]) =>
      transport.setSupportedProtocolVersions?.(versions),
    get onmessage() {
      return handler;
    },
    set onmessage(next) {
      handler = next;
      transport.onmessage = next
        ? (raw, extra) => {
            const message = inbound ? inbound(raw) : raw;
            if (message === undefined) return;
            try {
              next(message, extra);
            } catch (error) {
              // The SDK throws on what it cannot even describe (it puts a rejected message in
              // its error text with JSON.stringify, which a cycle breaks): the message is
              // dropped like any other it rejects, and the worker goes on.
              transport.onerror?.(error instanceof Error ? error : new Error(String(error)));
            }
          }
        : undefined;
    },
    get onclose() {
      return transport.onclose;
    },
    set onclose(next) {
      transport.onclose = next;
    },
    get onerror() {
      return transport.onerror;
    },
    set onerror(next) {
      transport.onerror = next;
    },
  };
}

/**
 * The same transport, with `inbound` seeing each message that arrives before the SDK does, and
 * `outbound` each message as it leaves. The session uses it to watch what the SDK's era entry
 * answers on its own, the Inspector to log both directions of every connection.
 */
export function tapTransport(
  transport: Transport,
  taps: {
    inbound?: (message: JSONRPCMessage) => void;
    outbound?: (message: JSONRPCMessage) => void;
  },
): Transport {
  const { inbound, outbound } = taps;
  return mapTransport(transport, {
    ...(inbound && {
      inbound: (message: unknown) => {
        inbound(message as JSONRPCMessage);
        return message as JSONRPCMessage;
      },
    }),
    ...(outbound && {
      outbound: (message: JSONRPCMessage) => {
        outbound(message);
        return message;
      },
    }),
  });
}
