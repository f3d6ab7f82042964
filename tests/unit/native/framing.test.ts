/**
 * Chrome's native-messaging framing as nexus-bridge reads and writes it: 1 MiB frames to the
 * browser at most (bigger ones as chunks the hub joins), and a reader that stays in sync
 * whatever lengths and bytes the browser's side sends.
 */
import { describe, expect, it } from 'vitest';
import type { BridgeChunk, BridgeLog, BridgeMessage } from '../../../src/protocol/bridge.ts';
import { NATIVE_TO_BROWSER_LIMIT } from '../../../src/protocol/bridge.ts';
import { chunkIds, encodeFrames, FrameReader, MAX_INBOUND } from '../../../native/framing.js';
import { decodeMessages, joinChunks, nativeMessage } from './helpers.ts';

/** A log frame whose JSON is exactly `bytes` long. */
function logFrameOf(bytes: number): BridgeLog {
  const frame: BridgeLog = { type: 'log', channel: 'c1', stream: 'stdout', line: '' };
  const overhead = Buffer.byteLength(JSON.stringify(frame));
  return { ...frame, line: 'x'.repeat(bytes - overhead) };
}

/** Each native message's JSON length, checking its header says the same. */
function bodyLengths(buffers: Buffer[]): number[] {
  return buffers.map((buffer) => {
    expect(buffer.readUInt32LE(0)).toBe(buffer.length - 4);
    return buffer.length - 4;
  });
}

describe('encodeFrames', () => {
  it('sends a frame of exactly 1,048,576 bytes of JSON as one native message', () => {
    const frame = logFrameOf(NATIVE_TO_BROWSER_LIMIT);
    const buffers = encodeFrames(frame, chunkIds());
    expect(bodyLengths(buffers)).toEqual([NATIVE_TO_BROWSER_LIMIT]);
    expect(decodeMessages(buffers)).toEqual([frame]);
  });

  it('cuts a frame of 1,048,577 bytes into chunks that each fit, as full as base64 allows', () => {
    const frame = logFrameOf(NATIVE_TO_BROWSER_LIMIT + 1);
    const buffers = encodeFrames(frame, chunkIds());
    const lengths = bodyLengths(buffers);
    expect(lengths.length).toBe(2);
    for (const length of lengths) expect(length).toBeLessThanOrEqual(NATIVE_TO_BROWSER_LIMIT);
    // The piece size is computed, not guessed: a full chunk is within one base64 quantum (4
    // characters for 3 bytes) of the limit.
    expect(lengths[0]).toBeGreaterThan(NATIVE_TO_BROWSER_LIMIT - 4);

    const chunks = decodeMessages(buffers) as BridgeChunk[];
    expect(chunks.map(({ type, index, count }) => ({ type, index, count }))).toEqual([
      { type: 'chunk', index: 0, count: 2 },
      { type: 'chunk', index: 1, count: 2 },
    ]);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(joinChunks(chunks)).toEqual(frame);
  });

  it('round-trips 5 MB of multi-byte UTF-8 and characters JSON escapes through chunks', () => {
    // Escapes make the JSON longer than the string; multi-byte characters get cut mid-character
    // at piece boundaries, which must not matter once the bytes are joined.
    const unit = 'é漢🙂"\\\n\t\u0000\u001f\u2028</script>';
    const message = {
      jsonrpc: '2.0',
      id: 7,
      result: { text: unit.repeat(Math.ceil(5_000_000 / unit.length)), list: [1, null, true] },
    };
    const frame: BridgeMessage = { type: 'message', channel: 'c1', message };
    const buffers = encodeFrames(frame, chunkIds());
    const lengths = bodyLengths(buffers);
    expect(lengths.length).toBeGreaterThan(5);
    for (const length of lengths) expect(length).toBeLessThanOrEqual(NATIVE_TO_BROWSER_LIMIT);
    for (const length of lengths.slice(0, -1)) {
      expect(length).toBeGreaterThan(NATIVE_TO_BROWSER_LIMIT - 4);
    }
    expect(joinChunks(decodeMessages(buffers) as BridgeChunk[])).toEqual(frame);
  });

  it('gives each chunked frame its own id', () => {
    const ids = chunkIds();
    const big = logFrameOf(NATIVE_TO_BROWSER_LIMIT * 2);
    const first = decodeMessages(encodeFrames(big, ids)) as BridgeChunk[];
    const second = decodeMessages(encodeFrames(big, ids)) as BridgeChunk[];
    expect(first[0]!.id).not.toBe(second[0]!.id);
  });

  it('keeps every chunk within a small limit however many digits index and count take', () => {
    // With a 200-byte limit a 50 KB frame needs hundreds of chunks: the envelope grows with the
    // digits of index and count, which the piece size must account for.
    const frame = logFrameOf(50_000);
    const buffers = encodeFrames(frame, chunkIds(), 200);
    expect(buffers.length).toBeGreaterThan(100);
    for (const length of bodyLengths(buffers)) expect(length).toBeLessThanOrEqual(200);
    expect(joinChunks(decodeMessages(buffers) as BridgeChunk[])).toEqual(frame);
  });
});

describe('FrameReader', () => {
  const frames = [
    { type: 'hello', wire: 1, hub: '0.1.0' },
    { type: 'list' },
    { type: 'a', é: '🙂' },
  ];
  const stream = Buffer.concat(frames.map((frame) => nativeMessage(JSON.stringify(frame))));

  it('reads frames fed all at once', () => {
    expect(new FrameReader().push(stream)).toEqual(frames.map((frame) => ({ ok: true, frame })));
  });

  it('reads frames fed one byte at a time', () => {
    const reader = new FrameReader();
    const results = [];
    for (let i = 0; i < stream.length; i++) results.push(...reader.push(stream.subarray(i, i + 1)));
    expect(results).toEqual(frames.map((frame) => ({ ok: true, frame })));
    expect(reader.buffered).toBe(0);
  });

  it('refuses a zero length, garbage and non-objects, and reads the next frame', () => {
    const reader = new FrameReader();
    const results = reader.push(
      Buffer.concat([
        nativeMessage(Buffer.alloc(0)),
        nativeMessage('{"type": "hello",'),
        nativeMessage(Buffer.from([0xff, 0xfe, 0x7b, 0x7d])),
        nativeMessage('[1, 2]'),
        nativeMessage('null'),
        nativeMessage('"hello"'),
        nativeMessage('{"type":"list"}'),
      ]),
    );
    expect(results.map((result) => (result.ok ? result.frame : result.code))).toEqual([
      'bad-frame',
      'bad-frame',
      'bad-frame',
      'bad-frame',
      'bad-frame',
      'bad-frame',
      { type: 'list' },
    ]);
    expect(results[0]).toMatchObject({ message: expect.stringContaining('empty') });
    expect(results[1]).toMatchObject({ message: expect.stringContaining('not UTF-8 JSON') });
    expect(results[3]).toMatchObject({ message: expect.stringContaining('an array') });
  });

  it('skips a frame declared longer than 64 MiB without holding it, then reads the next', () => {
    const reader = new FrameReader();
    const declared = MAX_INBOUND + 5 * 1024 * 1024;
    const header = Buffer.alloc(4);
    header.writeUInt32LE(declared, 0);

    const first = reader.push(Buffer.concat([header, Buffer.from('{"type":')]));
    expect(first).toEqual([
      { ok: false, code: 'oversized-frame', message: expect.stringContaining(String(declared)) },
    ]);
    const piece = Buffer.alloc(1024 * 1024, 0x61);
    let left = declared - '{"type":'.length;
    let most = 0;
    while (left > piece.length) {
      expect(reader.push(piece)).toEqual([]);
      most = Math.max(most, reader.buffered);
      left -= piece.length;
    }
    // The tail of the skipped frame and the next frame in one piece.
    const next = reader.push(
      Buffer.concat([piece.subarray(0, left), nativeMessage('{"type":"list"}')]),
    );
    expect(next).toEqual([{ ok: true, frame: { type: 'list' } }]);
    expect(most).toBe(0);
    expect(reader.buffered).toBe(0);
  });

  it('holds a frame split across pieces until its last byte, and no more than that frame', () => {
    const reader = new FrameReader();
    const big = nativeMessage(JSON.stringify({ type: 'send', message: 'm'.repeat(100_000) }));
    expect(reader.push(big.subarray(0, 50_000))).toEqual([]);
    expect(reader.buffered).toBeLessThanOrEqual(50_000);
    const results = reader.push(Buffer.concat([big.subarray(50_000), nativeMessage('{"a":1}')]));
    expect(results.map((result) => result.ok)).toEqual([true, true]);
    expect(reader.buffered).toBe(0);
  });
});
