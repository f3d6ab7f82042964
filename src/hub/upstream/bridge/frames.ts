/**
 * What arrives from the relay document, checked field by field before anything else reads it
 * (src/protocol/bridge.ts is the wire). The relay, the extension and nexus-bridge are ours, but
 * a frame still comes from outside the worker: a wrong shape is a reason in words, never a throw.
 * Frames too large for one native message arrive as `chunk` pieces and are joined here.
 */
import type {
  BridgeChunk,
  BridgeErrorCode,
  BridgeServerInfo,
  RelayToHub,
} from '../../../protocol/bridge.ts';

/** Longest text field kept from a frame (a stderr line, a reason); longer is cut. */
const TEXT_MAX = 8_192;
/** The largest frame joined from pieces; a 5 MB tool result fits many times over. */
export const JOINED_MAX = 64 * 1024 * 1024;
/** Frames being joined at once; the bridge sends one frame's pieces in order, so one suffices. */
const JOINING_MAX = 4;
/** Most servers listed from one allowlist. */
const SERVERS_MAX = 1_000;

const ERROR_CODES: ReadonlySet<string> = new Set<BridgeErrorCode>([
  'unknown-server',
  'spawn-failed',
  'bad-frame',
  'oversized-frame',
  'flood',
  'stalled',
  'bad-channel',
  'wire-version',
]);

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.length > TEXT_MAX ? `${value.slice(0, TEXT_MAX)}…` : value;
}

function servers(value: unknown): BridgeServerInfo[] | undefined {
  if (!Array.isArray(value) || value.length > SERVERS_MAX) return undefined;
  const list: BridgeServerInfo[] = [];
  for (const item of value as unknown[]) {
    if (!isObject(item)) return undefined;
    const name = text(item.name);
    const command = text(item.command);
    const args = strings(item.args);
    const envKeys = strings(item.envKeys);
    if (name === undefined || command === undefined || !args || !envKeys) return undefined;
    list.push({ name, command, args, envKeys });
  }
  return list;
}

function strings(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length > 1_000) return undefined;
  const list: string[] = [];
  for (const item of value as unknown[]) {
    const each = text(item);
    if (each === undefined) return undefined;
    list.push(each);
  }
  return list;
}

const exitCode = (value: unknown): number | null | undefined =>
  value === null ? null : typeof value === 'number' && Number.isInteger(value) ? value : undefined;

/**
 * The frame in `data`, rebuilt from its checked fields, or why it is not acceptable. `message`
 * payloads stay as they came: the upstream's transport checks them as JSON-RPC.
 */
export function readRelayFrame(data: unknown): RelayToHub | string {
  if (!isObject(data)) return `a frame that is not a JSON object (${describe(data)})`;
  const type = data.type;
  const channel = text(data.channel);
  switch (type) {
    case 'no-extension': {
      return { type, detail: text(data.detail) ?? 'no detail' };
    }
    case 'extension': {
      const version = text(data.version);
      return version === undefined ? 'an "extension" frame without a version' : { type, version };
    }
    case 'host-gone':
      return { type, error: text(data.error) ?? 'no reason given' };
    case 'welcome':
    case 'servers': {
      const list = servers(data.servers);
      if (!list) return `a "${type}" frame whose server list is malformed`;
      const problem = text(data.problem);
      const common = { servers: list, ...(problem === undefined ? {} : { problem }) };
      if (type === 'servers') return { type, ...common };
      const version = text(data.version);
      const allowlist = text(data.allowlist);
      if (typeof data.wire !== 'number' || version === undefined || allowlist === undefined)
        return 'a "welcome" frame without wire, version or allowlist';
      return { type, wire: data.wire, version, allowlist, ...common };
    }
    case 'started': {
      const pid = data.pid;
      if (channel === undefined || typeof pid !== 'number')
        return 'a "started" frame without channel or pid';
      return { type, channel, pid };
    }
    case 'message':
      if (channel === undefined || !('message' in data)) return 'a "message" frame without channel';
      return { type, channel, message: data.message };
    case 'log': {
      const line = text(data.line);
      if (channel === undefined || line === undefined)
        return 'a "log" frame without channel or line';
      return { type, channel, stream: data.stream === 'stdout' ? 'stdout' : 'stderr', line };
    }
    case 'exit': {
      const code = exitCode(data.code);
      const signal = data.signal === null ? null : text(data.signal);
      if (channel === undefined || code === undefined || signal === undefined)
        return 'an "exit" frame without channel, code or signal';
      const reason = text(data.reason);
      return { type, channel, code, signal, ...(reason === undefined ? {} : { reason }) };
    }
    case 'error': {
      const code = data.code;
      const message = text(data.message);
      if (typeof code !== 'string' || !ERROR_CODES.has(code) || message === undefined)
        return 'an "error" frame with an unknown code or no message';
      const name = text(data.name);
      return {
        type,
        code: code as BridgeErrorCode,
        message,
        ...(channel === undefined ? {} : { channel }),
        ...(name === undefined ? {} : { name }),
      };
    }
    case 'chunk': {
      const { id, index, count } = data;
      if (
        typeof id !== 'number' ||
        !Number.isInteger(index) ||
        !Number.isInteger(count) ||
        typeof data.data !== 'string'
      )
        return 'a "chunk" frame without id, index, count or data';
      return { type, id, index: index as number, count: count as number, data: data.data };
    }
    default:
      return `a frame of unknown type ${describe(type)}`;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
}

/**
 * Joins the pieces of frames too large for one native message. Pieces of a frame come in order
 * (one native port, one writer); anything else (a gap, a count that changes, more than
 * `JOINED_MAX` bytes) drops that frame and says why, and the next frame starts clean.
 */
export class ChunkJoiner {
  readonly #partial = new Map<number, { count: number; pieces: Uint8Array[]; bytes: number }>();
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });

  /** The joined frame's parsed JSON when `chunk` was its last piece; undefined while more are due. */
  accept(chunk: BridgeChunk): { frame: unknown } | { problem: string } | undefined {
    const { id, index, count } = chunk;
    let partial = this.#partial.get(id);
    if (index === 0) {
      if (count < 1 || count > JOINED_MAX / 1024)
        return { problem: `a chunked frame of ${count} pieces` };
      if (!partial && this.#partial.size >= JOINING_MAX) {
        // A bridge that starts frames it never finishes: forget the oldest.
        const oldest = this.#partial.keys().next().value;
        if (oldest !== undefined) this.#partial.delete(oldest);
      }
      partial = { count, pieces: [], bytes: 0 };
      this.#partial.set(id, partial);
    }
    if (!partial || partial.count !== count || partial.pieces.length !== index) {
      this.#partial.delete(id);
      return { problem: `piece ${index} of chunked frame ${id} arrived out of order` };
    }
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(chunk.data);
    } catch {
      this.#partial.delete(id);
      return { problem: `piece ${index} of chunked frame ${id} is not base64` };
    }
    partial.bytes += bytes.length;
    if (partial.bytes > JOINED_MAX) {
      this.#partial.delete(id);
      return { problem: `chunked frame ${id} is larger than ${JOINED_MAX} bytes` };
    }
    partial.pieces.push(bytes);
    if (partial.pieces.length < count) return undefined;
    this.#partial.delete(id);
    const whole = new Uint8Array(partial.bytes);
    let at = 0;
    for (const piece of partial.pieces) {
      whole.set(piece, at);
      at += piece.length;
    }
    try {
      return { frame: JSON.parse(this.#decoder.decode(whole)) as unknown };
    } catch {
      return { problem: `chunked frame ${id} is not UTF-8 JSON once joined` };
    }
  }

  /** Frames half joined (for tests: a broken frame must not stay held). */
  get pending(): number {
    return this.#partial.size;
  }
}

function fromBase64(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
