/**
 * What a server gets wrong that the hub reads anyway, because refusing it would hide a server
 * that works (DESIGN.md "Being liberal with servers"). One thing so far: a 2026-07-28 result
 * without `resultType`. The revision requires it; the SDK refuses a modern result that lacks it,
 * while older servers never send it. A result that lacks it is taken as `complete` (the only
 * reading that needs no round trip the server did not ask for), and the Inspector says so on the
 * message as the server sent it. Other shape errors stay errors, named by the SDK.
 */
import {
  PROTOCOL_VERSION_META_KEY,
  type JSONRPCMessage,
  type RequestId,
  type Transport,
} from '@modelcontextprotocol/client';
import { mapTransport } from '../journal/tap.ts';

/** Requests remembered per connection until answered (one never answered must not stay). */
const ASKED_KEPT = 10_000;

export const MISSING_RESULT_TYPE =
  'no resultType, which 2026-07-28 requires: Nexus took the result as complete';

/** The server's status says it too, while the connection lasts. */
export const RESULT_TYPE_WARNING =
  'its 2026-07-28 results lack resultType; Nexus takes them as complete';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a request goes out in the 2026-07-28 era (its `_meta` names the revision). */
function isModernRequest(message: JSONRPCMessage): boolean {
  if (!('method' in message) || !('id' in message)) return false;
  const meta = (message.params as { _meta?: unknown } | undefined)?._meta;
  const version = isObject(meta) ? meta[PROTOCOL_VERSION_META_KEY] : undefined;
  return typeof version === 'string' && version >= '2026-07-28';
}

/**
 * The server's transport, with what arrives made readable where that is safe. `received` sees
 * each message as the server sent it, with a note when the hub read it differently.
 */
export function tolerantTransport(
  transport: Transport,
  received: (message: unknown, note?: string) => void,
): Transport {
  const modern = new Set<RequestId>();
  return mapTransport(transport, {
    outbound: (message) => {
      if (isModernRequest(message)) {
        modern.add((message as { id: RequestId }).id);
        if (modern.size > ASKED_KEPT) modern.delete(modern.values().next().value!);
      }
      return message;
    },
    inbound: (message) => {
      if (!isObject(message) || 'method' in message || !('id' in message)) {
        received(message);
        return message as JSONRPCMessage;
      }
      const id = message.id as RequestId;
      const askedModern = modern.delete(id);
      const result = message.result;
      if (!askedModern || !isObject(result) || 'resultType' in result) {
        received(message);
        return message as unknown as JSONRPCMessage;
      }
      received(message, MISSING_RESULT_TYPE);
      return {
        ...message,
        result: { ...result, resultType: 'complete' },
      } as unknown as JSONRPCMessage;
    },
  });
}
