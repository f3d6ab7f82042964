/**
 * JSON-RPC-like frames as a careless or hostile client sends them, for the fuzz tests of the hub's
 * door (src/hub/downstream/guard.ts): seeded fast-check arbitraries, and the oracle that says which
 * answers each frame must get. Used in Node (over a MessageChannel) and, bundled into the stand-in
 * client page, in Chromium (over the SharedWorker's port); no Node or DOM APIs here.
 *
 * Every frame gets ids of its own (derived from its index), so answers can be counted per id.
 * A frame is sent as JSON text or as a structured clone; only clones carry what JSON cannot
 * (BigInt, cycles).
 */
import fc from 'fast-check';

export type Id = string | number;

export interface Frame {
  /** Posted as `JSON.stringify(payload)` (text) or as the value itself (clone). */
  as: 'text' | 'clone';
  payload: unknown;
}

/** One answer a frame must get: `code` undefined = a result or any error but −32603. */
export interface Expected {
  id: Id;
  code?: number;
}

export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;

/** Methods the hub serves with only its built-in server (tools, prompts, resources), and ping and initialize. */
export const KNOWN_METHODS = [
  'ping',
  'initialize',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/read',
  'resources/templates/list',
] as const;

const RELATED_TASK = 'io.modelcontextprotocol/related-task';

/** The `initialize` request a raw session opens with (2025 era, no capabilities). */
export function initializeRequest(id: Id, name = 'fuzz') {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name, version: '1' } },
  } as const;
}

/** A key that tells ids apart by type and value (1 and "1" are two ids). */
export function idKey(id: unknown): string {
  return `${typeof id}:${String(id)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readable(id: unknown): id is Id {
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

function metaIsBad(meta: unknown): boolean {
  if (meta === undefined) return false;
  if (!isObject(meta)) return true;
  const token = meta.progressToken;
  if (token !== undefined && typeof token !== 'string' && !Number.isSafeInteger(token)) return true;
  const task = meta[RELATED_TASK];
  return task !== undefined && !(isObject(task) && typeof task.taskId === 'string');
}

/**
 * The answers one message must get. Written from the JSON-RPC 2.0 and MCP rules, not from the
 * hub's code: −32600 for what is not a request, −32602 for a bad `_meta`, −32601 for an unknown
 * method, nothing for what has no readable id (notifications, unreadable ids, responses).
 */
export function expectedAnswers(message: unknown): Expected[] {
  if (Array.isArray(message)) {
    return message
      .map((item) => (isObject(item) ? item.id : undefined))
      .filter(readable)
      .map((id) => ({ id, code: INVALID_REQUEST }));
  }
  if (!isObject(message)) return [];
  const hasId = Object.hasOwn(message, 'id') && message.id !== undefined;
  const id = message.id;
  if (hasId && !readable(id)) return [];
  const answer = (code?: number): Expected[] =>
    hasId ? [code === undefined ? { id: id as Id } : { id: id as Id, code }] : [];
  if (message.jsonrpc !== '2.0') return answer(INVALID_REQUEST);
  const method = message.method;
  if (method === undefined) {
    // A response (to nothing the hub asked): ignored.
    if (hasId && ('result' in message || 'error' in message)) return [];
    return answer(INVALID_REQUEST);
  }
  if (typeof method !== 'string' || method === '') return answer(INVALID_REQUEST);
  const params = message.params;
  if (params !== undefined && !isObject(params)) return answer(INVALID_REQUEST);
  if (params !== undefined && metaIsBad(params._meta)) return answer(INVALID_PARAMS);
  if (!(KNOWN_METHODS as readonly string[]).includes(method)) return answer(METHOD_NOT_FOUND);
  return answer();
}

/** The messages a frame carries once the port has read it (a text frame's array is its batching). */
export function messagesOf(frame: Frame): unknown[] {
  if (frame.as === 'text') {
    const parsed: unknown = JSON.parse(JSON.stringify(frame.payload));
    return Array.isArray(parsed) ? parsed : [parsed];
  }
  return [frame.payload];
}

/** The answers a frame must get, over all the messages it carries. */
export function expectedOf(frame: Frame): Expected[] {
  return messagesOf(frame).flatMap(expectedAnswers);
}

// ------------------------------------------------------------------------------- arbitraries

type IdKind = 'int' | 'string' | 'float' | 'huge' | 'unsafe' | 'negative' | 'none' | 'unreadable';

/** A unique id of the kind for the `n`-th message; `undefined` means "no id member". */
function idFor(kind: IdKind, n: number, unreadable: unknown): unknown {
  switch (kind) {
    case 'int':
      return 1_000 + n;
    case 'string':
      return `f-${n}`;
    case 'float':
      return n + 0.5;
    case 'huge':
      return (n + 1) * 1e300;
    case 'unsafe':
      return 2 ** 53 + 2 * (n + 1);
    case 'negative':
      return -(n + 1);
    case 'none':
      return undefined;
    case 'unreadable':
      return unreadable;
  }
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });

const metaArb = fc.oneof(
  fc.constant(undefined),
  fc.record({ progressToken: fc.oneof(fc.string(), fc.integer()) }),
  fc.record({ progressToken: fc.oneof(fc.double(), fc.constant(null), fc.object()) }),
  fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.integer()), fc.string()),
  fc.record({ [RELATED_TASK]: fc.oneof(fc.record({ taskId: fc.string() }), jsonValue) }),
);

/** Params: mostly objects (with odd members), sometimes anything else. */
const paramsArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  {
    weight: 10,
    arbitrary: fc
      .record(
        {
          name: fc.oneof(
            fc.constantFrom('nexus__clock', 'nexus__list_notes', 'nexus__nope', ''),
            jsonValue,
          ),
          arguments: fc.oneof(fc.dictionary(fc.string(), jsonValue), jsonValue),
          uri: fc.oneof(fc.constantFrom('nexus://notes/1', 'nope://x'), jsonValue),
          cursor: fc.oneof(fc.string(), jsonValue),
          _meta: metaArb,
          extra: jsonValue,
        },
        { requiredKeys: [] },
      )
      .map((params) => {
        const clean: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(params))
          if (value !== undefined) clean[key] = value;
        return clean;
      }),
  },
  { weight: 2, arbitrary: fc.constant(JSON.parse('{"__proto__":{"polluted":true},"name":"x"}')) },
  {
    weight: 3,
    arbitrary: fc.oneof(fc.array(jsonValue), fc.string(), fc.constant(null), fc.integer()),
  },
);

const methodArb = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...KNOWN_METHODS) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'nope/nope',
      'notifications/whatever',
      'initialize',
      'logging/setLevel',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.integer(),
      fc.constant(null),
      fc.constant(''),
      fc.object(),
      fc.array(fc.string()),
    ),
  },
);

interface MessageShape {
  idKind: IdKind;
  unreadable: unknown;
  jsonrpc: unknown;
  method: unknown;
  params: unknown;
  response: 'none' | 'result' | 'error';
}

const shapeArb = (clone: boolean): fc.Arbitrary<MessageShape> =>
  fc.record({
    idKind: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom<IdKind>('int', 'string') },
      { weight: 4, arbitrary: fc.constantFrom<IdKind>('float', 'huge', 'unsafe', 'negative') },
      { weight: 3, arbitrary: fc.constantFrom<IdKind>('none', 'unreadable') },
    ),
    unreadable: clone
      ? fc.oneof(
          fc.constant(null),
          fc.constant({ toString: 1 }),
          fc.bigInt(),
          fc.boolean(),
          fc.array(fc.integer()),
        )
      : fc.oneof(
          fc.constant(null),
          fc.constant({ toString: 1 }),
          fc.boolean(),
          fc.array(fc.integer()),
        ),
    jsonrpc: fc.oneof(
      { weight: 12, arbitrary: fc.constant('2.0') },
      {
        weight: 1,
        arbitrary: fc.oneof(
          fc.constant('1.0'),
          fc.constant(2),
          fc.constant(null),
          fc.constant(undefined),
        ),
      },
    ),
    method: methodArb,
    params: paramsArb,
    response: fc.constantFrom<'none' | 'result' | 'error'>(
      'none',
      'none',
      'none',
      'none',
      'result',
      'error',
    ),
  });

/** Builds the `n`-th message of a shape (ids are unique per `n`). */
function build(shape: MessageShape, n: number, cyclic: boolean): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  if (shape.jsonrpc !== undefined) message.jsonrpc = shape.jsonrpc;
  const id = idFor(shape.idKind, n, shape.unreadable);
  if (id !== undefined) message.id = id;
  if (shape.response !== 'none') {
    if (shape.response === 'result') message.result = {};
    else message.error = { code: -1, message: 'no' };
    return message;
  }
  message.method = shape.method;
  if (shape.params !== undefined) message.params = shape.params;
  if (cyclic) {
    const params: Record<string, unknown> = isObject(message.params) ? { ...message.params } : {};
    params.self = params;
    message.params = params;
  }
  return message;
}

/**
 * `count` frames, text and clone mixed: single messages, a few JSON-RPC batches, text frames that
 * carry several messages, cyclic params (clone only) and text that JSON cannot even parse.
 */
export function framesArb(count: number): fc.Arbitrary<Frame[]> {
  const one = fc.record({
    as: fc.constantFrom<'text' | 'clone'>('text', 'clone'),
    layout: fc.oneof(
      { weight: 14, arbitrary: fc.constant<'single'>('single') },
      { weight: 1, arbitrary: fc.constant<'batch'>('batch') },
      { weight: 2, arbitrary: fc.constant<'several'>('several') },
      { weight: 1, arbitrary: fc.constant<'cyclic'>('cyclic') },
    ),
    textShapes: fc.array(shapeArb(false), { minLength: 1, maxLength: 3 }),
    cloneShapes: fc.array(shapeArb(true), { minLength: 1, maxLength: 3 }),
  });
  return fc.array(one, { minLength: count, maxLength: count }).map((specs) =>
    specs.map((spec, index): Frame => {
      const base = index * 10;
      const text = spec.as === 'text';
      const shapes = text ? spec.textShapes : spec.cloneShapes;
      const messages = shapes.map((shape, k) =>
        build(shape, base + k, !text && spec.layout === 'cyclic'),
      );
      switch (spec.layout) {
        case 'batch':
          // In a text frame a top-level array is the frame's batching: a batch is one level down.
          return { as: spec.as, payload: text ? [messages] : messages };
        case 'several':
          return text ? { as: 'text', payload: messages } : { as: 'clone', payload: messages[0] };
        default:
          return { as: spec.as, payload: messages[0] };
      }
    }),
  );
}

/** Text that is not JSON-RPC at all, or not JSON: the hub must stay up and answer nothing. */
export const JUNK_TEXT = ['', 'null', '42', '"x"', '{', '[]', '[[[[[[[[[[]]]]]]]]]]', 'true'];

/** Text frames whose ids only text can carry, with the id each must come back with. */
export const TEXT_ID_CASES: Array<{ text: string; id: Id }> = [
  { text: '{"jsonrpc":"2.0","id":1.5,"method":"ping"}', id: 1.5 },
  { text: '{"jsonrpc":"2.0","id":1e308,"method":"ping"}', id: 1e308 },
  // 2^53 + 1 has no double of its own: JSON.parse, in the hub and in any JS client, reads 2^53.
  { text: '{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}', id: 9007199254740992 },
  { text: '{"jsonrpc":"2.0","id":-0.0,"method":"ping"}', id: 0 },
  { text: '{"jsonrpc":"2.0","id":"","method":"ping"}', id: '' },
  { text: '{"jsonrpc":"2.0","id":3,"method":"ping","__proto__":{"x":1}}', id: 3 },
];

// ------------------------------------------------------------------------------- the run

/** The part of a MessagePort (browser or Node) a fuzz run uses. */
export interface FuzzPort {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  start(): void;
}

export interface FuzzReport {
  /** Frames posted (besides the run's own initialize, initialized and closing ping). */
  sent: number;
  /** Answers the frames had to get. */
  expected: number;
  /** Answers that came for them. */
  answered: number;
  /** Each id answered wrongly: not once, with another code, or −32603 where any answer would do. */
  wrong: string[];
  /** Answers to ids no frame asked to be answered. */
  unexpected: number;
}

interface Answer {
  id: unknown;
  code?: number;
  message?: string;
}

/**
 * Opens an MCP session on `port` (a fresh hub session that has seen nothing), posts `frames`,
 * then a ping with id "end", and checks the answers against the oracle. Resolves once every
 * expected answer came and the "end" ping was answered (answers leave in order, so nothing for
 * the frames is still on its way), or after `timeoutMs`.
 */
export async function runFuzz(
  port: FuzzPort,
  frames: Frame[],
  timeoutMs = 20_000,
): Promise<FuzzReport> {
  const answers: Answer[] = [];
  let wake = (): void => {};
  port.addEventListener('message', (event: MessageEvent) => {
    const data: unknown = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
    for (const message of Array.isArray(data) ? data : [data]) {
      if (!isObject(message) || 'method' in message) continue;
      const error = message.error as { code: number; message: string } | undefined;
      answers.push(
        error ? { id: message.id, code: error.code, message: error.message } : { id: message.id },
      );
    }
    wake();
  });
  port.start();
  const answeredTo = (id: Id): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer to '${id}' within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const check = (): void => {
        if (!answers.some((answer) => answer.id === id)) return;
        clearTimeout(timer);
        resolve();
      };
      wake = check;
      check();
    });
  const post = (frame: Frame): void =>
    port.postMessage(frame.as === 'text' ? JSON.stringify(frame.payload) : frame.payload);
  post({ as: 'text', payload: initializeRequest('init') });
  await answeredTo('init');
  post({ as: 'text', payload: { jsonrpc: '2.0', method: 'notifications/initialized' } });
  const expected = frames.flatMap(expectedOf);
  for (const frame of frames) post(frame);
  post({ as: 'text', payload: { jsonrpc: '2.0', id: 'end', method: 'ping' } });
  await answeredTo('end');
  // Requests are answered as they finish, not in order: wait until each expected id had its turn.
  const deadline = Date.now() + timeoutMs;
  const pending = (): boolean => {
    const seen = new Set(answers.map((answer) => idKey(answer.id)));
    return expected.some(({ id }) => !seen.has(idKey(id)));
  };
  while (pending() && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));

  const byId = new Map<string, Answer[]>();
  for (const answer of answers) {
    const key = idKey(answer.id);
    byId.set(key, [...(byId.get(key) ?? []), answer]);
  }
  const wrong: string[] = [];
  let answered = 0;
  for (const { id, code } of expected) {
    const got = byId.get(idKey(id)) ?? [];
    byId.delete(idKey(id));
    answered += got.length;
    const first = got[0];
    if (got.length !== 1 || !first) wrong.push(`${idKey(id)}: ${got.length} answers`);
    else if (code !== undefined && first.code !== code)
      wrong.push(`${idKey(id)}: ${first.code} (${first.message}), expected ${code}`);
    else if (code === undefined && first.code === INTERNAL_ERROR)
      wrong.push(`${idKey(id)}: ${INTERNAL_ERROR} (${first.message})`);
  }
  byId.delete(idKey('init'));
  byId.delete(idKey('end'));
  const unexpected = [...byId.values()].reduce((sum, list) => sum + list.length, 0);
  return { sent: frames.length, expected: expected.length, answered, wrong, unexpected };
}
