/**
 * 2026-07-28 has no `resources/subscribe`: a client names the resources it wants to hear about in
 * the filter of a `subscriptions/listen` stream, and ends the stream to stop. The SDK's entries
 * serve the streams themselves; the hub reads the filters as they go by, to start the upstream
 * subscriptions a stream needs (with the policy check of `resources/subscribe`) and to end them
 * with the last stream that named them.
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';

/** The resource URIs a `subscriptions/listen` request's filter names (strings only). */
export function listenedUris(params: unknown): string[] {
  const filter = (params as { notifications?: { resourceSubscriptions?: unknown } } | undefined)
    ?.notifications;
  return Array.isArray(filter?.resourceSubscriptions)
    ? filter.resourceSubscriptions.filter((uri): uri is string => typeof uri === 'string')
    : [];
}

/** One connection's open listen streams and the URIs each names. */
export class ListenStreams {
  readonly #streams = new Map<RequestId, string[]>();

  constructor(
    private readonly subscription: {
      /** A stream names `uri`: subscribe (it may fail; the stream stays open regardless). */
      start(uri: string): void;
      /** No open stream names `uri` any more. */
      end(uri: string): void;
    },
  ) {}

  /** Each message the client sent: a listen opens a stream, a cancellation of one ends it. */
  seen(message: JSONRPCMessage): void {
    if (!('method' in message)) return;
    if (message.method === 'subscriptions/listen' && 'id' in message) {
      const uris = listenedUris(message.params);
      if (uris.length === 0) return;
      this.#streams.set(message.id, uris);
      for (const uri of uris) this.subscription.start(uri);
      return;
    }
    if (message.method !== 'notifications/cancelled') return;
    const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
    const uris = requestId === undefined ? undefined : this.#streams.get(requestId);
    if (!uris) return;
    this.#streams.delete(requestId!);
    const kept = new Set([...this.#streams.values()].flat());
    for (const uri of uris) if (!kept.has(uri)) this.subscription.end(uri);
  }

  clear(): void {
    this.#streams.clear();
  }
}
