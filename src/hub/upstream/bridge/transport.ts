/**
 * One run of a local server, as an SDK transport: `start` asks nexus-bridge to spawn the
 * allowlisted NAME on a fresh channel and resolves once the child runs (or rejects with the
 * bridge's words); messages go to the child's stdin and come from its stdout as JSON-RPC; `close`
 * ends the child. The child's end is the transport's close, and `BridgeEnded` carries how it
 * ended to the connector's explanation (../connectors/bridge.ts).
 */
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import type { BridgeLink, ChannelEnd } from './link.ts';

/** Why a local server could not start or stopped, with how it ended. */
export class BridgeEnded extends Error {
  constructor(
    message: string,
    readonly end?: ChannelEnd,
  ) {
    super(message);
    this.name = 'BridgeEnded';
  }
}

export class BridgeTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  #channel: { send(message: unknown): void; stop(): void } | undefined;
  #closed = false;

  constructor(
    private readonly link: BridgeLink,
    /** The allowlist NAME to start. */
    readonly name: string,
  ) {}

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      let running = false;
      const opened = this.link.open(this.name, {
        started: () => {
          running = true;
          resolve();
        },
        message: (message) => this.#receive(message),
        ended: (end) => {
          this.#channel = undefined;
          if (!running) reject(new BridgeEnded(end.reason ?? 'it exited before it started', end));
          this.#finish();
        },
      });
      if (typeof opened === 'string') reject(new BridgeEnded(opened));
      else this.#channel = opened;
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!this.#channel) throw new BridgeEnded(`local server '${this.name}' is not running`);
    this.#channel.send(message);
  }

  async close(): Promise<void> {
    this.#channel?.stop();
    this.#channel = undefined;
    this.#finish();
  }

  /** What the child wrote: a JSON-RPC object, or a batch of them; anything else is reported. */
  #receive(message: unknown): void {
    for (const each of Array.isArray(message) ? (message as unknown[]) : [message]) {
      if (this.#closed) return;
      if (typeof each !== 'object' || each === null || Array.isArray(each)) {
        this.onerror?.(
          new Error(`Ignored a line from '${this.name}' that is not a JSON-RPC object.`),
        );
        continue;
      }
      this.onmessage?.(each as JSONRPCMessage);
    }
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.();
  }
}
