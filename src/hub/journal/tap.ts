import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';

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
  return {
    start: () => transport.start(),
    send: outbound
      ? (message, options) => {
          outbound(message);
          return transport.send(message, options);
        }
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
      return transport.onmessage;
    },
    set onmessage(handler) {
      transport.onmessage =
        handler && inbound
          ? (message, extra) => {
              inbound(message);
              handler(message, extra);
            }
          : handler;
    },
    get onclose() {
      return transport.onclose;
    },
    set onclose(handler) {
      transport.onclose = handler;
    },
    get onerror() {
      return transport.onerror;
    },
    set onerror(handler) {
      transport.onerror = handler;
    },
  };
}
