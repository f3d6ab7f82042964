/**
 * What the nexus-bridge tests share: a browser's end of the native port (frames in, frames out,
 * chunks joined as the hub joins them), temp dirs that are removed afterwards, and waiting for a
 * process to be gone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import type { BridgeChunk, BridgeToHub, HubToBridge } from '../../../src/protocol/bridge.ts';
import { FrameReader } from '../../../native/framing.js';
import { runHost, type Host } from '../../../native/host.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Joins the chunks of one frame the way the hub does: bytes in order, UTF-8, JSON. */
export function joinChunks(chunks: BridgeChunk[]): unknown {
  const sorted = [...chunks].sort((a, b) => a.index - b.index);
  const bytes = Buffer.concat(sorted.map((chunk) => Buffer.from(chunk.data, 'base64')));
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
}

/** Parses whole native messages (header + JSON) as Chrome would. */
export function decodeMessages(buffers: Buffer[]): unknown[] {
  const reader = new FrameReader();
  const frames: unknown[] = [];
  for (const buffer of buffers) {
    for (const result of reader.push(buffer)) {
      if (!result.ok) throw new Error(result.message);
      frames.push(result.frame);
    }
  }
  return frames;
}

/** One native message from the browser: 4-byte little-endian length, then the bytes. */
export function nativeMessage(body: string | Buffer): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const header = Buffer.alloc(4);
  header.writeUInt32LE(bytes.length, 0);
  return Buffer.concat([header, bytes]);
}

const tempDirs: string[] = [];

/** A fresh temp dir, removed by `removeTempDirs` (call it in afterEach). */
export function tempDir(prefix = 'nexus-bridge-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Whether `pid` is a live process (a zombie still counts until its parent reaps it). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Polls until `pid` is gone (an orphan is reaped by init on its own schedule). */
export async function waitGone(pid: number): Promise<void> {
  await vi.waitFor(
    () => {
      if (alive(pid)) throw new Error(`process ${pid} is still alive`);
    },
    { timeout: 15_000, interval: 25 },
  );
}

/** The browser's end of a host run on in-memory streams. */
export interface Browser {
  host: Host;
  input: PassThrough;
  output: PassThrough;
  /** Every frame received so far, chunked frames joined. */
  frames: BridgeToHub[];
  log: string[];
  send(frame: HubToBridge | Record<string, unknown>): void;
  sendRaw(bytes: Buffer): void;
  /** Resolves with the first frame (already received or still to come) that `match` accepts. */
  next<T extends BridgeToHub['type']>(
    type: T,
    match?: (frame: Extract<BridgeToHub, { type: T }>) => boolean,
  ): Promise<Extract<BridgeToHub, { type: T }>>;
  /** Ends the input (the browser closed the port) and waits for the host to be done. */
  close(): Promise<void>;
}

export function startBrowser(
  configDir: string,
  options: Partial<Parameters<typeof runHost>[0]> = {},
): Browser {
  const input = new PassThrough();
  // With an `output` of the test's own, `frames` stays empty: the test reads that output itself.
  const output = new PassThrough();
  const log: string[] = [];
  const host = runHost({
    input,
    output,
    configDir,
    log: (line) => log.push(line),
    ...options,
  });
  const frames: BridgeToHub[] = [];
  const waiters = new Set<() => void>();
  const reader = new FrameReader();
  const pending = new Map<number, BridgeChunk[]>();
  const receive = (frame: BridgeToHub) => {
    frames.push(frame);
    for (const waiter of [...waiters]) waiter();
  };
  output.on('data', (data: Buffer) => {
    for (const result of reader.push(data)) {
      if (!result.ok) throw new Error(`the bridge wrote a bad frame: ${result.message}`);
      const frame = result.frame as unknown as BridgeToHub;
      if (frame.type !== 'chunk') {
        receive(frame);
        continue;
      }
      const chunks = [...(pending.get(frame.id) ?? []), frame];
      pending.set(frame.id, chunks);
      if (chunks.length === frame.count) {
        pending.delete(frame.id);
        receive(joinChunks(chunks) as BridgeToHub);
      }
    }
  });

  return {
    host,
    input,
    output,
    frames,
    log,
    send: (frame) => input.write(nativeMessage(JSON.stringify(frame))),
    sendRaw: (bytes) => input.write(bytes),
    next(type, match = () => true) {
      type Wanted = Extract<BridgeToHub, { type: typeof type }>;
      const find = () =>
        frames.find((frame): frame is Wanted => frame.type === type && match(frame as Wanted));
      return new Promise((resolve) => {
        const found = find();
        if (found) return resolve(found);
        const waiter = () => {
          const frame = find();
          if (!frame) return;
          waiters.delete(waiter);
          resolve(frame);
        };
        waiters.add(waiter);
      });
    },
    async close() {
      input.end();
      await host.done;
    },
  };
}
