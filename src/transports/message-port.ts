/**
 * An MCP `Transport` over a `MessagePort`: the link between an AI client page and the hub (and,
 * in tests, between two ends of Node's `MessageChannel`).
 *
 * Origins: `MessagePort.postMessage` takes no target origin, and needs none. A port is a
 * capability: only whoever holds its other end can read or write it, and the only ends the hub
 * ever holds come from its SharedWorker `connect` events (or, in the dedicated fallback, from the
 * page that created the Worker). The SharedWorker same-origin rule is therefore the boundary:
 * only pages of the hub's own origin can construct it.
 *
 * Only TYPES come from the SDK (erased at build), so `nexus-client.js` stays free of SDK code and
 * this class serves v1 (`@modelcontextprotocol/sdk`) and v2 (`@modelcontextprotocol/client`,
 * `@modelcontextprotocol/server`) alike.
 */
import type {
  JSONRPCMessage,
  MessageExtraInfo,
  Transport,
  TransportSendOptions,
} from '@modelcontextprotocol/client';
import { isControlFrame, type ByeFrame } from '../protocol/port-frames.ts';

/**
 * The part of a `MessagePort` this transport uses. The browser's `MessagePort` and Node's
 * (`worker_threads`, or the global `MessageChannel`) both provide it.
 */
export interface PortLike {
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
  addEventListener(
    type: 'message' | 'messageerror' | 'close',
    listener: (event: MessageEvent) => void,
  ): void;
  removeEventListener(
    type: 'message' | 'messageerror' | 'close',
    listener: (event: MessageEvent) => void,
  ): void;
}

export interface MessagePortTransportOptions {
  /**
   * The hub's id for this session, kept as `hubSessionId`. Deliberately NOT `Transport.sessionId`:
   * an SDK `Client` whose transport already has a `sessionId` takes the connection for a resumed
   * HTTP session and skips `initialize`, so it would never learn the hub's capabilities.
   */
  hubSessionId?: string;
  /**
   * Called once, after the transport closed for any reason, to free what belongs to the session
   * (`connectHub` releases the page's session lock with it). Runs before `onclose`.
   */
  dispose?: () => void;
  /**
   * The other end reads text frames (it said so in the handshake; see `TextFrame` in src/protocol/port-frames.ts):
   * what is sent in one turn then leaves as ONE postMessage of JSON text. Without it every message
   * is posted on its own, as an object. Text frames are READ either way.
   */
  text?: boolean;
}

const BYE: ByeFrame = { type: 'nexus/bye' };

interface Outgoing {
  message: JSONRPCMessage;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Microtasks without a new message before a frame leaves (see `#flushWhenQuiet`). */
const QUIET_HOPS = 16;
/** A turn that sent this many messages posts them at once. */
const MAX_BATCH = 256;

function closedError(): Error {
  return new Error('Cannot send: the Nexus message port is closed.');
}

export class MessagePortTransport implements Transport {
  /**
   * Called with each JSON-RPC message from the other end, in the order it was sent. Control
   * frames (`nexus/…`) never reach it. Install before `start()` (see there).
   */
  onmessage?:
    (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  /**
   * Called exactly once, when this end closes: by `close()`, by a `nexus/bye` from the other end,
   * or by the port's `close` event where the platform fires one.
   */
  onclose?: (() => void) | undefined;
  /** Called for a message that could not be deserialized (`messageerror`) or is not an object. */
  onerror?: ((error: Error) => void) | undefined;
  /** Always undefined; see `MessagePortTransportOptions.hubSessionId`. */
  sessionId?: string | undefined;
  readonly hubSessionId: string | undefined;

  readonly #port: PortLike;
  readonly #dispose: (() => void) | undefined;
  readonly #text: boolean;
  /** Sent this turn, waiting for the flush (only with `text`). */
  #outbox: Outgoing[] = [];
  /** Messages that arrived before `start()`; see the constructor. */
  #early: JSONRPCMessage[] | undefined = [];
  #started = false;
  #closed = false;

  /**
   * Listens from construction on, holding messages until `start()`. An UNstarted port would queue
   * them itself, but the handshake (`openHubPort`, `acceptHello`) must start the port to read its
   * hello/welcome, and a started port drops any message that finds no listener. Listening here
   * closes that gap between the handshake and the SDK's `connect()` calling `start()`.
   */
  constructor(port: PortLike, options: MessagePortTransportOptions = {}) {
    this.#port = port;
    this.hubSessionId = options.hubSessionId;
    this.#dispose = options.dispose;
    this.#text = options.text === true;
    port.addEventListener('message', this.#onPortMessage);
    port.addEventListener('messageerror', this.#onPortMessageError);
    // A MessagePort had no close event for most of its life (the HTML spec added one in 2024 and
    // not every browser fires it); Node fires one. Where it fires, it tells us promptly that the
    // other end went away without a bye. The hub does not rely on it: it watches the page's Web
    // Lock (src/worker/ports.ts).
    port.addEventListener('close', this.#onPortClose);
  }

  /**
   * Starts delivering messages to `onmessage`, first those held since construction.
   *
   * Call only after `onmessage`/`onclose`/`onerror` are installed: messages delivered with no
   * `onmessage` are lost. Nothing is lost BEFORE `start()`: an unstarted MessagePort queues its
   * messages and this transport holds those a started one delivers. The SDK's `Client` and
   * `Server` call `start()` from `connect()`, after installing their callbacks; do not call it
   * yourself then.
   */
  async start(): Promise<void> {
    if (this.#started) throw new Error('MessagePortTransport already started.');
    this.#started = true;
    const early = this.#early ?? [];
    this.#early = undefined;
    if (this.#closed) return;
    this.#port.start();
    for (const message of early) {
      if (this.#closed) return;
      this.onmessage?.(message);
    }
  }

  /**
   * Posts one JSON-RPC message. With `text`, it leaves at the end of the current turn as JSON
   * text, together with whatever else was sent in that turn, and the promise settles then;
   * without, as a structured clone at once. `options` (v2's `relatedRequestId`, `requestSignal`,
   * headers, …) mean nothing on a single channel and are ignored. Rejects once the transport is
   * closed, like the SDK's `InMemoryTransport`, and when the message cannot be serialized (a
   * BigInt or a cycle; without `text` also a function, which JSON would silently drop).
   */
  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    if (!this.#text) {
      try {
        this.#port.postMessage(message);
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise((resolve, reject) => {
      const waiting = this.#outbox.push({ message, resolve, reject });
      if (waiting === 1) {
        this.#quietHops = 0;
        this.#lastCount = 1;
        queueMicrotask(this.#flushWhenQuiet);
      } else if (waiting >= MAX_BATCH) this.#flush();
    });
  }

  #quietHops = 0;
  #lastCount = 0;

  /**
   * Flushes once QUIET_HOPS microtasks went by without a new message. Not at the first one: the
   * answers to calls that arrived together do not leave in the same microtask (the SDK's server
   * hands requests over one at a time, a few microtasks apart), and the task's end has no hook.
   */
  readonly #flushWhenQuiet = (): void => {
    const count = this.#outbox.length;
    if (count === 0) return; // flushed already (close(), or a full batch)
    if (count !== this.#lastCount) {
      this.#lastCount = count;
      this.#quietHops = 0;
    }
    if (++this.#quietHops < QUIET_HOPS) queueMicrotask(this.#flushWhenQuiet);
    else this.#flush();
  };

  /** Posts what was sent this turn as one text frame: a message, or an array of them. */
  readonly #flush = (): void => {
    const outbox = this.#outbox;
    if (outbox.length === 0) return; // close() flushed already
    this.#outbox = [];
    let text: string | undefined;
    try {
      text = JSON.stringify(
        outbox.length === 1 ? outbox[0]!.message : outbox.map((out) => out.message),
      );
    } catch {
      // One message cannot be serialized: frame each alone, so only that one's send fails.
    }
    if (text !== undefined) {
      this.#post(text, outbox);
      return;
    }
    for (const out of outbox) {
      try {
        text = JSON.stringify(out.message);
      } catch (error) {
        out.reject(error);
        continue;
      }
      this.#post(text, [out]);
    }
  };

  #post(text: string, sent: Outgoing[]): void {
    try {
      this.#port.postMessage(text);
    } catch (error) {
      for (const out of sent) out.reject(error);
      return;
    }
    for (const out of sent) out.resolve();
  }

  /**
   * Says `nexus/bye` to the other end (so it closes too), closes the port and calls `onclose`.
   * Idempotent: a second call, or one after the other end closed, does nothing.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#flush();
    try {
      // Messages posted before `close()` are still delivered (checked in Chromium and Node).
      this.#port.postMessage(BYE);
    } catch {
      // The port is already unusable; closing below is all that is left to do.
    }
    this.#finish();
  }

  readonly #onPortMessage = (event: MessageEvent): void => {
    if (this.#closed) return;
    const data: unknown = event.data;
    if (typeof data === 'string') {
      this.#receiveText(data);
      return;
    }
    if (isControlFrame(data)) {
      if (data.type === 'nexus/bye') this.#finish();
      // Other control frames belong to the handshake, which is over by now: ignored.
      return;
    }
    this.#receive(data);
  };

  #receiveText(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.onerror?.(new Error(`Ignored a text frame that is not JSON: ${text.slice(0, 80)}`));
      return;
    }
    if (!Array.isArray(parsed)) {
      this.#receive(parsed);
      return;
    }
    for (const message of parsed) {
      if (this.#closed) return;
      this.#receive(message);
    }
  }

  #receive(data: unknown): void {
    if (typeof data !== 'object' || data === null) {
      this.onerror?.(
        new Error(`Ignored a message that is not a JSON-RPC object (${typeof data}).`),
      );
      return;
    }
    const message = data as JSONRPCMessage;
    if (this.#early) this.#early.push(message);
    else this.onmessage?.(message);
  }

  readonly #onPortMessageError = (): void => {
    this.onerror?.(
      new Error('A message on the Nexus port could not be deserialized (messageerror).'),
    );
  };

  readonly #onPortClose = (): void => {
    this.#finish();
  };

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#early = undefined;
    // Sent this turn but not posted: the other end is gone (close() flushed before its bye).
    const unsent = this.#outbox;
    this.#outbox = [];
    for (const out of unsent) out.reject(closedError());
    this.#port.removeEventListener('message', this.#onPortMessage);
    this.#port.removeEventListener('messageerror', this.#onPortMessageError);
    this.#port.removeEventListener('close', this.#onPortClose);
    this.#port.close();
    try {
      this.#dispose?.();
    } finally {
      this.onclose?.();
    }
  }
}
