/**
 * Results the hub passes on without understanding them. A server may answer with a content block
 * of a type newer than the SDK (or of its own), or with base64 the SDK's schema refuses; the
 * README promises such results reach the client unchanged. Both SDKs in the path check results
 * against their schemas (the upstream `Client` when it reads one, the session's `Server` before
 * it sends one), so the result travels between them in a form they accept, and the raw one goes
 * around them:
 *
 * 1. upstream (`sanitizing`, on the server's transport): a response to `tools/call`,
 *    `prompts/get` or `resources/read` with parts the schema would refuse is kept whole under a
 *    token, and the SDK gets a copy whose unknown parts are empty text, with the token in `_meta`;
 * 2. downstream (`restore`, in the session's door): the answer that carries the token gets the
 *    server's own parts back before it leaves.
 *
 * Kept results are few (one per odd answer in flight) and bounded: the oldest go first.
 */
import type { JSONRPCMessage, RequestId, Transport } from '@modelcontextprotocol/client';
import { mapTransport } from '../journal/tap.ts';
import type { Ids } from '../ports.ts';

/** The `_meta` key of the token (namespaced, so no server's own key can collide). */
export const RELAY_META_KEY = 'dev.nexus/relayed';
/** Raw results kept at once; an older one whose answer never left is dropped. */
const KEPT = 256;
/** Requests in flight whose method is remembered per connection (answers are matched by id). */
const ASKED_KEPT = 10_000;

/** The schema's base64 (zod's `z.base64()`); the empty string is valid. */
const BASE64 = /^$|^(?:[0-9a-zA-Z+/]{4})*(?:[0-9a-zA-Z+/]{2}==|[0-9a-zA-Z+/]{3}=)?$/;
const PLACEHOLDER = { type: 'text', text: '' } as const;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isBase64 = (value: unknown): boolean => typeof value === 'string' && BASE64.test(value);

/** A resource's contents (`resources/read`, an embedded resource) the schema takes. */
function knownContents(item: unknown): boolean {
  if (!isObject(item) || typeof item.uri !== 'string') return false;
  if ('blob' in item) return isBase64(item.blob);
  return typeof item.text === 'string';
}

/** A content block of a type the SDK knows, in the shape its schema takes. */
function knownBlock(block: unknown): boolean {
  if (!isObject(block)) return false;
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string';
    case 'image':
    case 'audio':
      return isBase64(block.data) && typeof block.mimeType === 'string';
    case 'resource_link':
      return typeof block.uri === 'string' && typeof block.name === 'string';
    case 'resource':
      return knownContents(block.resource);
    default:
      return false;
  }
}

/** `list` with each item `known` refuses replaced by `placeholder`, or undefined when all pass. */
function replaced(
  list: unknown,
  known: (item: unknown) => boolean,
  placeholder: (item: unknown) => unknown,
) {
  if (!Array.isArray(list) || list.every(known)) return undefined;
  return list.map((item) => (known(item) ? item : placeholder(item)));
}

/** The field of each method's result that may hold what the SDK does not know. */
const FIELDS = {
  'tools/call': 'content',
  'prompts/get': 'messages',
  'resources/read': 'contents',
} as const;
type RelayedMethod = keyof typeof FIELDS;

/** A copy the SDK accepts of `result`'s odd field, or undefined when nothing in it is odd. */
function acceptable(method: RelayedMethod, result: Json): unknown[] | undefined {
  switch (method) {
    case 'tools/call':
      return replaced(result.content, knownBlock, () => PLACEHOLDER);
    case 'resources/read':
      return replaced(result.contents, knownContents, (item) => ({
        uri: isObject(item) && typeof item.uri === 'string' ? item.uri : '',
        text: '',
      }));
    case 'prompts/get':
      return replaced(
        result.messages,
        (message) =>
          isObject(message) &&
          (message.role === 'user' || message.role === 'assistant') &&
          knownBlock(message.content),
        (message) => ({
          role: isObject(message) && message.role === 'assistant' ? 'assistant' : 'user',
          content: isObject(message) && knownBlock(message.content) ? message.content : PLACEHOLDER,
        }),
      );
  }
}

export class RelayedResults {
  /** Token → the server's own field (content, messages or contents). */
  readonly #kept = new Map<string, unknown>();

  constructor(private readonly ids: Ids) {}

  /**
   * The server's transport, with odd results made acceptable to the SDK's client and the raw
   * ones kept (1. above). Wrap the transport the SDK `Client` connects to, inside any tap that
   * should see what the server really sent.
   */
  sanitizing(transport: Transport): Transport {
    const asked = new Map<RequestId, RelayedMethod>();
    return mapTransport(transport, {
      outbound: (message) => {
        if ('method' in message && 'id' in message && Object.hasOwn(FIELDS, message.method)) {
          asked.set(message.id, message.method as RelayedMethod);
          // A request never answered (cancelled, its server gone) must not stay forever.
          if (asked.size > ASKED_KEPT) asked.delete(asked.keys().next().value!);
        }
        return message;
      },
      inbound: (message) =>
        isObject(message)
          ? this.#accepted(message as JSONRPCMessage, asked)
          : (message as JSONRPCMessage),
    });
  }

  #accepted(message: JSONRPCMessage, asked: Map<RequestId, RelayedMethod>): JSONRPCMessage {
    if ('method' in message || !('id' in message) || message.id === undefined) return message;
    const method = asked.get(message.id);
    if (method === undefined) return message;
    asked.delete(message.id);
    if (!('result' in message) || !isObject(message.result)) return message;
    const result = message.result;
    const field = acceptable(method, result);
    if (field === undefined) return message;
    const token = this.ids.next();
    this.#kept.set(token, result[FIELDS[method]]);
    if (this.#kept.size > KEPT) this.#kept.delete(this.#kept.keys().next().value!);
    const meta = isObject(result._meta) ? result._meta : {};
    return {
      ...message,
      result: { ...result, [FIELDS[method]]: field, _meta: { ...meta, [RELAY_META_KEY]: token } },
    } as JSONRPCMessage;
  }

  /** `restore` for a result alone (a client of the hub that uses an SDK, as the Playground). */
  restoreResult<T>(result: T): T {
    const restored = this.restore({ jsonrpc: '2.0', id: 0, result } as JSONRPCMessage);
    return (restored as unknown as { result: T }).result;
  }

  /**
   * The answer as the client should see it (2. above): the server's own field back and the
   * token gone. Any other message passes unchanged.
   */
  restore(message: JSONRPCMessage): JSONRPCMessage {
    if (!('result' in message) || !isObject(message.result)) return message;
    const meta = message.result._meta;
    if (!isObject(meta) || typeof meta[RELAY_META_KEY] !== 'string') return message;
    const token = meta[RELAY_META_KEY];
    const { [RELAY_META_KEY]: _token, ...rest } = meta;
    const result: Json = { ...message.result };
    if (Object.keys(rest).length > 0) result._meta = rest;
    else delete result._meta;
    const raw = this.#kept.get(token);
    this.#kept.delete(token);
    if (raw !== undefined) {
      for (const field of Object.values(FIELDS)) if (field in result) result[field] = raw;
    }
    return { ...message, result } as JSONRPCMessage;
  }
}
