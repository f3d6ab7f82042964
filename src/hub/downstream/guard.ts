/**
 * The door of a client session: every message a client sends passes here before the SDK's server
 * sees it, because the SDK drops what its schemas reject without a word, and a client whose
 * request is dropped waits for its own timeout. Here every request whose id can be read gets
 * exactly one answer:
 *
 * - −32600 (invalid request) for a `jsonrpc` other than "2.0", a method that is not a string,
 *   params that are not an object, a JSON-RPC batch, or something that is neither a request nor
 *   a response;
 * - −32602 from the SDK for invalid params, rewritten here into words (which field, what was
 *   expected) instead of the schema library's dump;
 * - −32601 from the SDK for unknown methods.
 *
 * The id goes back as it came: any JSON number or string. The SDK takes only strings and safe
 * integers, so other numbers (1.5, 1e308, 2^53 + 1 as parsed) travel through it as a stand-in
 * string and get their own value back on the way out. What has no readable id (null, an object,
 * a BigInt from a structured clone) cannot be answered: it is dropped and reported (`rejected`),
 * never thrown.
 */
import type { JSONRPCMessage, RequestId, Transport } from '@modelcontextprotocol/server';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { schemaIssuesText } from '../../protocol/errors.ts';
import { mapTransport } from '../journal/tap.ts';
import type { Ids } from '../ports.ts';

/** Why a message was not handed to the SDK, and whether it was answered. */
export interface Rejection {
  /** What was wrong, for a person reading the Inspector. */
  problem: string;
  /** The id answered with an error, or undefined when the message had no readable id (dropped). */
  answered?: string | number;
}

export interface GuardOptions {
  ids: Ids;
  /**
   * Every message that arrived, as it arrived (any value), before anything else looks at it;
   * with `rejection` when it did not reach the SDK (answered with an error, or dropped). Called
   * before the answer is sent. Must not throw.
   */
  received(message: unknown, rejection?: Rejection): void;
  /** What else changes an answer on its way out (the relay of results the SDK does not know). */
  outbound?: (message: JSONRPCMessage) => JSONRPCMessage;
}

type Id = string | number;

/** An id that can go back in an answer: a string or any finite number. */
export function readableId(id: unknown): id is Id {
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a value is, in a message to a person: "an array", "null", "a number". */
function described(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

/** An own member that would set a prototype when copied by assignment (JSON.parse makes them). */
function withoutProto(value: Record<string, unknown>): Record<string, unknown> {
  if (!Object.hasOwn(value, '__proto__')) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) if (key !== '__proto__') copy[key] = value[key];
  return copy;
}

/** The `io.modelcontextprotocol/related-task` key of `_meta` (2025-11-25 tasks). */
const RELATED_TASK = 'io.modelcontextprotocol/related-task';

/**
 * What is wrong with `params._meta` in the SDK's eyes (its envelope schema rejects the whole
 * message over it, silently), or undefined when nothing is.
 */
function metaProblem(meta: unknown): string | undefined {
  if (meta === undefined) return undefined;
  if (!isPlainObject(meta)) return `"params._meta" must be an object, not ${described(meta)}`;
  const token = meta.progressToken;
  if (token !== undefined && typeof token !== 'string' && !Number.isSafeInteger(token)) {
    return `"params._meta.progressToken" must be a string or an integer, not ${described(token)}`;
  }
  const task = meta[RELATED_TASK];
  if (task !== undefined && !(isPlainObject(task) && typeof task.taskId === 'string')) {
    return `"params._meta.${RELATED_TASK}" must be an object with a string "taskId"`;
  }
  return undefined;
}

/** Members of a JSON-RPC message; the SDK's schemas are strict and drop a message with others. */
const RESPONSE_MEMBERS = ['result', 'error'] as const;

type Verdict =
  | { message: JSONRPCMessage }
  | { rejection: Rejection; answers: Array<{ id: Id; code: number; problem: string }> };

/**
 * The same transport, guarded: wrap the client's transport (after any tap that should see the
 * raw messages) and give the result to the SDK.
 */
export function guardTransport(transport: Transport, options: GuardOptions): Transport {
  // Stand-in string → the id the client sent, for requests the SDK could not take as they were.
  const standIns = new Map<string, Id>();
  // The other way, so a cancellation names the same stand-in.
  const byOriginal = new Map<Id, string>();
  // The method of each request the SDK has and has not answered, to word its errors.
  const methods = new Map<RequestId, string>();

  const answer = (id: Id, code: number, problem: string): void => {
    transport
      .send({
        jsonrpc: '2.0',
        id,
        error: {
          code,
          message: `${code === ProtocolErrorCode.InvalidParams ? 'Invalid params' : 'Invalid request'}: ${problem}.`,
        },
      })
      .catch(() => {});
  };

  const standInFor = (id: Id): RequestId => {
    if (typeof id === 'string' || Number.isSafeInteger(id)) return id;
    const known = byOriginal.get(id);
    if (known !== undefined) return known;
    const standIn = `nexus-id-${options.ids.next()}`;
    standIns.set(standIn, id);
    byOriginal.set(id, standIn);
    return standIn;
  };

  const drop = (problem: string): Verdict => ({ rejection: { problem }, answers: [] });

  /** The message as the SDK should see it, or why not and which ids to answer. */
  const judge = (raw: unknown): Verdict => {
    if (Array.isArray(raw)) {
      // Inside a text frame an array is the frame's own batching, unwrapped by the transport, so
      // an array here is a JSON-RPC batch, which MCP does not take.
      const problem = 'a JSON-RPC batch; MCP takes one message at a time';
      const ids = raw.map((item) => (isPlainObject(item) ? item.id : undefined)).filter(readableId);
      if (ids.length === 0) return drop(`${problem} (no readable id, so no answer)`);
      const code = ProtocolErrorCode.InvalidRequest;
      return {
        rejection: { problem, answered: ids[0] },
        answers: ids.map((id) => ({ id, code, problem })),
      };
    }
    if (!isPlainObject(raw)) return drop(`not a JSON-RPC object but ${described(raw)}`);
    const id = raw.id;
    const hasId = Object.hasOwn(raw, 'id') && id !== undefined;
    if (hasId && !readableId(id)) {
      return drop(`an id that is neither a string nor a number but ${described(id)}`);
    }
    const refuse = (problem: string, code: number = ProtocolErrorCode.InvalidRequest): Verdict =>
      readableId(id)
        ? { rejection: { problem, answered: id }, answers: [{ id, code, problem }] }
        : drop(`${problem} (no readable id, so no answer)`);
    if (raw.jsonrpc !== '2.0') return refuse('"jsonrpc" must be "2.0"');
    const method = raw.method;
    if (method === undefined) {
      // A response to one of the hub's own requests (elicitation, sampling, roots): the SDK
      // matches it by id and ignores what it did not ask.
      const member = RESPONSE_MEMBERS.find((key) => Object.hasOwn(raw, key));
      if (!hasId || member === undefined) {
        return refuse('neither a request (no "method") nor a response (no "result" or "error")');
      }
      return {
        message: { jsonrpc: '2.0', id, [member]: raw[member] } as unknown as JSONRPCMessage,
      };
    }
    if (typeof method !== 'string' || method === '') {
      return refuse(`"method" must be a string, not ${described(method)}`);
    }
    const params = raw.params;
    if (params !== undefined && !isPlainObject(params)) {
      return refuse(`"params" must be an object, not ${described(params)}`);
    }
    const meta = params === undefined ? undefined : metaProblem(params._meta);
    if (meta !== undefined) return refuse(meta, ProtocolErrorCode.InvalidParams);
    // A clean envelope: only the members JSON-RPC defines, none that sets a prototype.
    const message: Record<string, unknown> = { jsonrpc: '2.0', method };
    if (hasId) {
      const sdkId = standInFor(id as Id);
      message.id = sdkId;
      methods.set(sdkId, method);
    }
    if (params !== undefined) {
      let clean = withoutProto(params);
      if (method === 'notifications/cancelled' && readableId(clean.requestId)) {
        const original = clean.requestId;
        const standIn = byOriginal.get(original);
        if (standIn !== undefined) clean = { ...clean, requestId: standIn };
        // A cancelled request gets no answer: forget it, or each one would stay. Not one under a
        // stand-in (rare): should its answer leave after all, it must still find its own id.
        if (standIn === undefined) methods.delete(original);
      }
      message.params = clean;
    }
    return { message: message as unknown as JSONRPCMessage };
  };

  /** Records the message, answers it here when it must, and says what the SDK gets. */
  const admit = (raw: unknown): JSONRPCMessage | undefined => {
    const verdict = judge(raw);
    if ('rejection' in verdict) {
      options.received(raw, verdict.rejection);
      for (const { id, code, problem } of verdict.answers) answer(id, code, problem);
      return undefined;
    }
    options.received(raw);
    return verdict.message;
  };

  /** The SDK's answer as the client should see it: its own id back, errors in words. */
  const restore = (sent: JSONRPCMessage): JSONRPCMessage => {
    const message = options.outbound ? options.outbound(sent) : sent;
    if ('method' in message || !('id' in message) || message.id === undefined) return message;
    const sdkId = message.id;
    const method = methods.get(sdkId);
    if (method === undefined) return message;
    methods.delete(sdkId);
    let restored: JSONRPCMessage = message;
    if (typeof sdkId === 'string') {
      const original = standIns.get(sdkId);
      if (original !== undefined) {
        standIns.delete(sdkId);
        byOriginal.delete(original);
        restored = { ...message, id: original } as unknown as JSONRPCMessage;
      }
    }
    return 'error' in restored ? readableError(restored, method) : restored;
  };

  return mapTransport(transport, { inbound: admit, outbound: restore });
}

/**
 * A schema library's issue list as the SDK words a bad request: "Invalid tools/call request:
 * [ …issues… ]" (−32602, from its envelope check) or only "[ …issues… ]" (−32603, from a
 * handler's own parse). Not "Invalid result for …": that is a server's fault, worded upstream.
 */
const REQUEST_DUMP = /^(?:Invalid \S+ request: )?(\[[\s\S]*\])$/;

/**
 * An error whose message is a schema library's issue list, as −32602 with one clause per issue:
 * "Invalid tools/call request: params.name: expected string, received number". Bad params are
 * the client's mistake, whichever layer found them. Anything else passes unchanged.
 */
export function readableError(message: JSONRPCMessage, method: string): JSONRPCMessage {
  if (!('error' in message)) return message;
  const error = message.error;
  const { InvalidParams, InternalError } = ProtocolErrorCode;
  if (
    (error.code !== InvalidParams && error.code !== InternalError) ||
    typeof error.message !== 'string'
  ) {
    return message;
  }
  const dump = REQUEST_DUMP.exec(error.message);
  const words = dump ? schemaIssuesText(dump[1]!) : undefined;
  if (words === undefined) return message;
  return {
    ...message,
    error: { ...error, code: InvalidParams, message: `Invalid ${method} request: ${words}` },
  };
}
