// @ts-check
/**
 * Chrome's native-messaging framing on stdin/stdout: each message is a 4-byte length in native
 * byte order (little-endian on every platform Chrome ships on) followed by that many bytes of
 * UTF-8 JSON (https://developer.chrome.com/docs/extensions/develop/concepts/native-messaging#native-messaging-host-protocol).
 *
 * Both directions have limits the bridge must respect without trusting its peer:
 * - inbound, a length is only a claim: a frame declaring more than MAX_INBOUND is skipped byte by
 *   byte (never buffered) so the stream stays in sync and the next frame is still read;
 * - outbound, Chrome drops a host message above 1 MiB, so a larger bridge frame is cut into
 *   `chunk` frames (BridgeChunk) that each fit, and the hub joins them.
 *
 * Pure: no streams, no process. host.js wires these to stdin and stdout.
 *
 * @import { BridgeChunk, BridgeErrorCode, BridgeToHub } from '../src/protocol/bridge.ts'
 */

import { NATIVE_TO_BROWSER_LIMIT } from './wire.js';

/** The largest frame the bridge reads from the browser; a longer one is skipped. */
export const MAX_INBOUND = 64 * 1024 * 1024;

const HEADER_BYTES = 4;

/**
 * What the reader made of one frame: a JSON object, or why it refused one.
 * @typedef {{ ok: true, frame: Record<string, unknown> }
 *   | { ok: false, code: Extract<BridgeErrorCode, 'bad-frame' | 'oversized-frame'>, message: string }} ReadResult
 */

/**
 * Reads frames from a byte stream fed in arbitrary pieces: a frame may arrive split over many
 * pieces, or several frames in one. It buffers at most one frame of up to MAX_INBOUND bytes.
 */
export class FrameReader {
  /** @type {Buffer[]} the bytes received and not yet consumed, in order */
  #pieces = [];
  /** @type {number} their total length */
  #length = 0;
  /** @type {number} bytes of an oversized frame still to drop as they arrive */
  #skipping = 0;
  /** @type {number | undefined} the declared length of the frame being read, once its header is in */
  #expected;
  #decoder = new TextDecoder('utf-8', { fatal: true });

  /** How many bytes the reader holds: at most one header plus one frame of MAX_INBOUND. */
  get buffered() {
    return this.#length;
  }

  /**
   * Takes the next piece of the stream and returns every frame it completed, in order.
   * @param {Buffer} piece
   * @returns {ReadResult[]}
   */
  push(piece) {
    /** @type {ReadResult[]} */
    const results = [];
    let rest = piece;
    while (rest.length > 0) {
      if (this.#skipping > 0) {
        const dropped = Math.min(this.#skipping, rest.length);
        this.#skipping -= dropped;
        rest = rest.subarray(dropped);
        continue;
      }
      this.#pieces.push(rest);
      this.#length += rest.length;
      rest = Buffer.alloc(0);
      // Several frames may sit in what is buffered now; an oversized header hands back the bytes
      // after it, which the loop above then drops as part of that frame.
      for (;;) {
        const step = this.#next();
        if (!step) break;
        if (step.result) results.push(step.result);
        if (step.leftover) {
          rest = step.leftover;
          break;
        }
      }
    }
    return results;
  }

  /**
   * Consumes one header or one whole frame from the buffer, if it holds enough.
   * @returns {{ result?: ReadResult, leftover?: Buffer } | undefined}
   */
  #next() {
    if (this.#expected === undefined) {
      if (this.#length < HEADER_BYTES) return undefined;
      const length = this.#take(HEADER_BYTES).readUInt32LE(0);
      if (length === 0) {
        return { result: refuse('bad-frame', 'a frame from the browser was empty (length 0)') };
      }
      if (length > MAX_INBOUND) {
        // Hand back what is buffered beyond the header: it is the start of the frame to skip.
        this.#skipping = length;
        const leftover = this.#take(this.#length);
        return {
          result: refuse(
            'oversized-frame',
            `a frame from the browser declared ${length} bytes, more than the ${MAX_INBOUND} the bridge reads; it was skipped`,
          ),
          leftover,
        };
      }
      this.#expected = length;
      return {};
    }
    if (this.#length < this.#expected) return undefined;
    const body = this.#take(this.#expected);
    this.#expected = undefined;
    return { result: this.#parse(body) };
  }

  /**
   * @param {Buffer} body
   * @returns {ReadResult}
   */
  #parse(body) {
    let value;
    try {
      value = JSON.parse(this.#decoder.decode(body));
    } catch (error) {
      return refuse(
        'bad-frame',
        `a frame from the browser was not UTF-8 JSON (${describe(error)})`,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
      return refuse('bad-frame', `a frame from the browser was ${kind}, not a JSON object`);
    }
    return { ok: true, frame: value };
  }

  /**
   * Removes the first `count` bytes of the buffer (the caller checked they are there).
   * @param {number} count
   */
  #take(count) {
    const joined = this.#pieces.length === 1 ? this.#pieces[0] : Buffer.concat(this.#pieces);
    if (!joined) return Buffer.alloc(0);
    const taken = joined.subarray(0, count);
    let rest = joined.subarray(count);
    // A view would keep the whole joined buffer (up to MAX_INBOUND) alive for a few bytes.
    if (rest.length > 0 && rest.length < joined.length / 2) rest = Buffer.from(rest);
    this.#pieces = rest.length > 0 ? [rest] : [];
    this.#length = rest.length;
    return taken;
  }
}

/**
 * @param {Extract<BridgeErrorCode, 'bad-frame' | 'oversized-frame'>} code
 * @param {string} message
 * @returns {ReadResult}
 */
function refuse(code, message) {
  return { ok: false, code, message };
}

/** @param {unknown} error */
function describe(error) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A source of chunk ids. Ids only need to differ among the chunked frames of one output stream,
 * so each host keeps its own counter.
 * @returns {() => number}
 */
export function chunkIds() {
  let next = 0;
  return () => ++next;
}

const defaultIds = chunkIds();

/**
 * The bytes to write for one bridge frame: a single native message when its JSON fits Chrome's
 * limit, else `chunk` frames that each fit. Each Buffer is one whole native message (header and
 * body); write them in order, with nothing between the chunks of one frame.
 * @param {BridgeToHub} frame
 * @param {() => number} [nextId] where chunk ids come from
 * @param {number} [limit] the largest JSON a native message may carry (tests lower it)
 * @returns {Buffer[]}
 */
export function encodeFrames(frame, nextId = defaultIds, limit = NATIVE_TO_BROWSER_LIMIT) {
  const json = Buffer.from(JSON.stringify(frame), 'utf8');
  if (json.length <= limit) return [withHeader(json)];

  const id = nextId();
  const { piece, count } = chunkPlan(json.length, id, limit);
  /** @type {Buffer[]} */
  const out = [];
  for (let index = 0; index < count; index++) {
    /** @type {BridgeChunk} */
    const chunk = {
      type: 'chunk',
      id,
      index,
      count,
      data: json.subarray(index * piece, (index + 1) * piece).toString('base64'),
    };
    out.push(withHeader(Buffer.from(JSON.stringify(chunk), 'utf8')));
  }
  return out;
}

/**
 * The largest piece of `total` bytes whose chunk frame still fits `limit`, and how many pieces.
 * A chunk's JSON is its envelope (with `"data":""`) plus the base64 of its piece, which holds no
 * character JSON escapes; base64 turns every 3 bytes into 4 characters. The envelope grows with
 * the digits of `index` and `count`, and `count` with the envelope, so this iterates until the
 * count stops changing (twice at most in practice). `index` < `count`, so an envelope measured
 * with `index: count` is never shorter than a real one.
 * @param {number} total
 * @param {number} id
 * @param {number} limit
 */
function chunkPlan(total, id, limit) {
  let count = 1;
  for (;;) {
    const envelope = Buffer.byteLength(
      JSON.stringify({ type: 'chunk', id, index: count, count, data: '' }),
    );
    const piece = Math.floor((limit - envelope) / 4) * 3;
    if (piece <= 0) throw new Error(`a native message limit of ${limit} bytes cannot hold a chunk`);
    const needed = Math.ceil(total / piece);
    if (needed <= count) return { piece, count: needed };
    count = needed;
  }
}

/** @param {Buffer} body */
function withHeader(body) {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(body.length, 0);
  return Buffer.concat([header, body]);
}
