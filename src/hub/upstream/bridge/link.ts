/**
 * The hub's one link to nexus-bridge. `chrome.runtime` does not exist in workers, so a Nexus
 * document (the dashboard or a client page, elected by a Web Lock) connects to the companion
 * extension and relays frames both ways on a hub port (src/client/bridge-relay.ts); the worker
 * hands that relay to `attach`. One native port carries every local server, each on a channel
 * (./transport.ts opens one per connection). When the relay document closes, Chrome closes the
 * native port, nexus-bridge ends every child, and the next document to take the lock attaches
 * a new relay: the hub then starts its local servers again (`onUp`).
 *
 * Also kept here: each local server's last stderr lines (by allowlist name, across restarts),
 * for its page and for the words when it exits; and the bridge's state for the dashboard.
 */
import {
  BRIDGE_WIRE_VERSION,
  type BridgeError,
  type BridgeExit,
  type HubToBridge,
  type RelayToHub,
} from '../../../protocol/bridge.ts';
import type { BridgeLogLine, BridgeView } from '../../../protocol/views.ts';
import type { Clock } from '../../ports.ts';
import { ChunkJoiner, readRelayFrame } from './frames.ts';

/** Lines of stderr kept per local server. */
export const LOG_LINES_KEPT = 200;

/** The relay document's end, as the worker gives it (a MessagePort there, a pair in tests). */
export interface BridgeRelay {
  /** One frame for nexus-bridge. */
  send(frame: HubToBridge): void;
  /** Lets the relay go (the document then closes its extension port). */
  close(): void;
}

/** What one channel (one run of a local server) hears. */
export interface ChannelHandlers {
  started(pid: number): void;
  message(message: unknown): void;
  /** The child is gone, or never started (`error` then says why). Called once. */
  ended(exit: ChannelEnd): void;
}

export interface ChannelEnd {
  code: number | null;
  signal: string | null;
  /** In words: why it ended, when the bridge or the hub ended it or it could not start. */
  reason?: string;
  /** The bridge's refusal, when it refused to start it (`unknown-server`, `spawn-failed`). */
  refusal?: BridgeError;
}

export interface BridgeLinkOptions {
  clock: Clock;
  hubVersion: string;
  /** The state, the allowlist or a server's log lines changed: the dashboard looks again. */
  onChange(): void;
  /** The bridge is connected (again): local servers waiting for it start. */
  onUp(): void;
  /** The allowlist was read again: servers it refused before may be there now. */
  onAllowlist(): void;
  /** Something refused or wrong, for the security journal; `name`: the allowlist name involved. */
  onSecurity(event: string, detail: string, name?: string): void;
  log(message: string): void;
}

export class BridgeLink {
  #view: BridgeView = { state: 'no-relay', servers: [] };
  #relay: BridgeRelay | undefined;
  #joiner = new ChunkJoiner();
  /** Open channels; `sent`: the bridge was asked to start it (else it waits for the bridge). */
  readonly #channels = new Map<
    string,
    { name: string; handlers: ChannelHandlers; sent: boolean }
  >();
  readonly #logs = new Map<string, BridgeLogLine[]>();
  /** The last exit of each local server, by allowlist name, for the words of its error. */
  readonly #exits = new Map<string, ChannelEnd>();
  #nextChannel = 1;

  constructor(private readonly options: BridgeLinkOptions) {}

  get view(): BridgeView {
    return this.#view;
  }

  get connected(): boolean {
    return this.#view.state === 'connected';
  }

  /**
   * A relay document is ready. Returns what the worker calls with each frame the relay passes
   * on and when the relay is gone. A newer relay replaces an older one (its children end).
   */
  attach(relay: BridgeRelay): { receive(data: unknown): void; gone(): void } {
    this.#detach('another Nexus page took over the bridge');
    this.#relay = relay;
    this.#joiner = new ChunkJoiner();
    this.#set({ state: 'connecting', servers: [] });
    return {
      receive: (data) => {
        if (this.#relay === relay) this.#receive(data);
      },
      gone: () => {
        if (this.#relay === relay)
          this.#detach('the Nexus page that relayed for the bridge closed');
      },
    };
  }

  /** Asks nexus-bridge for its allowlist again. */
  refresh(): void {
    if (this.connected) this.#relay?.send({ type: 'list' });
  }

  /** The last stderr lines of a local server, oldest first. */
  logs(name: string): BridgeLogLine[] {
    return this.#logs.get(name) ?? [];
  }

  /** How the last run of `name` ended, if it did. */
  lastExit(name: string): ChannelEnd | undefined {
    return this.#exits.get(name);
  }

  /**
   * Starts the allowlisted server `name` on a new channel. Returns the channel's sender, or why
   * not (the extension or the host is missing). The bridge answers `started`, or refuses
   * (`handlers.ended`). While the bridge is still being reached (no relay yet, or connecting:
   * the hub starts before its first page relays) the start waits for it, within the server's
   * connect timeout, instead of failing at once.
   */
  open(
    name: string,
    handlers: ChannelHandlers,
  ): { send(message: unknown): void; stop(): void } | string {
    if (!this.connected && !this.#reaching) return this.#notConnected();
    const channel = `c${this.#nextChannel++}`;
    const open = { name, handlers, sent: false };
    this.#channels.set(channel, open);
    this.#exits.delete(name);
    if (this.connected) this.#startOn(channel);
    return {
      send: (message) => {
        if (open.sent && this.#channels.has(channel))
          this.#relay?.send({ type: 'send', channel, message });
      },
      stop: () => {
        if (!this.#channels.has(channel)) return;
        if (open.sent) this.#relay?.send({ type: 'stop', channel });
        this.#end(channel, { code: null, signal: null, reason: 'Nexus stopped it' });
      },
    };
  }

  /** No answer yet on whether the bridge is there: a start may wait for one. */
  get #reaching(): boolean {
    return this.#view.state === 'no-relay' || this.#view.state === 'connecting';
  }

  #startOn(channel: string): void {
    const open = this.#channels.get(channel);
    if (!open || open.sent || !this.#relay) return;
    open.sent = true;
    this.#relay.send({ type: 'start', channel, name: open.name });
  }

  /** Why the bridge cannot start a server now, in words that say what to do; else undefined. */
  get unavailable(): string | undefined {
    return this.connected ? undefined : this.#notConnected();
  }

  #notConnected(): string {
    const view = this.#view;
    switch (view.state) {
      case 'no-relay':
        return 'no Nexus page is open to relay for nexus-bridge; open the dashboard';
      case 'no-extension':
        return 'the Nexus bridge extension is not installed in this browser (see "Local servers" on the Servers page)';
      case 'no-host':
        return `nexus-bridge is not installed for this browser (${view.detail ?? 'the extension could not start it'}); run "nexus-bridge install"`;
      default:
        return 'nexus-bridge is still connecting';
    }
  }

  #receive(data: unknown): void {
    let frame = readRelayFrame(data);
    if (typeof frame !== 'string' && frame.type === 'chunk') {
      const joined = this.#joiner.accept(frame);
      if (joined === undefined) return;
      frame = 'problem' in joined ? joined.problem : readRelayFrame(joined.frame);
      if (typeof frame !== 'string' && frame.type === 'chunk') frame = 'a chunk inside a chunk';
    }
    if (typeof frame === 'string') {
      this.#refusal(`nexus-bridge sent ${frame}; it was ignored`);
      this.options.onSecurity('bridge-bad-frame', `nexus-bridge sent ${frame}; it was ignored`);
      this.options.log(`bridge: ignored ${frame}`);
      return;
    }
    this.#handle(frame);
  }

  #handle(frame: Exclude<RelayToHub, { type: 'chunk' }>): void {
    switch (frame.type) {
      case 'no-extension':
        this.#set({ state: 'no-extension', servers: [], detail: frame.detail });
        return;
      case 'extension':
        this.#set({ state: 'connecting', servers: [], extensionVersion: frame.version });
        this.#relay?.send({
          type: 'hello',
          wire: BRIDGE_WIRE_VERSION,
          hub: this.options.hubVersion,
        });
        return;
      case 'host-gone':
        this.#endAll(`nexus-bridge is gone (${frame.error})`);
        this.#set({
          state: 'no-host',
          servers: [],
          detail: frame.error,
          ...(this.#view.extensionVersion === undefined
            ? {}
            : { extensionVersion: this.#view.extensionVersion }),
        });
        return;
      case 'welcome': {
        if (frame.wire !== BRIDGE_WIRE_VERSION) {
          this.#set({
            ...this.#view,
            state: 'no-host',
            detail: `nexus-bridge ${frame.version} speaks bridge wire ${frame.wire}, this hub ${BRIDGE_WIRE_VERSION}: update the older one`,
          });
          return;
        }
        this.#set({
          state: 'connected',
          servers: frame.servers,
          hostVersion: frame.version,
          allowlist: frame.allowlist,
          ...(frame.problem === undefined ? {} : { problem: frame.problem }),
          ...(this.#view.extensionVersion === undefined
            ? {}
            : { extensionVersion: this.#view.extensionVersion }),
        });
        this.options.onUp();
        return;
      }
      case 'servers': {
        const { problem: _, ...rest } = this.#view;
        this.#set({
          ...rest,
          servers: frame.servers,
          ...(frame.problem === undefined ? {} : { problem: frame.problem }),
        });
        this.options.onAllowlist();
        return;
      }
      case 'started':
        this.#channels.get(frame.channel)?.handlers.started(frame.pid);
        return;
      case 'message':
        this.#channels.get(frame.channel)?.handlers.message(frame.message);
        return;
      case 'log': {
        const name = this.#channels.get(frame.channel)?.name;
        if (name !== undefined) this.#keepLine(name, frame.stream, frame.line);
        return;
      }
      case 'exit':
        this.#exited(frame);
        return;
      case 'error':
        this.#refused(frame);
        return;
    }
  }

  #exited(frame: BridgeExit): void {
    const name = this.#channels.get(frame.channel)?.name;
    // Ended by itself, and not well (the bridge's own endings were audited as its errors).
    if (
      name !== undefined &&
      frame.reason === undefined &&
      (frame.code !== 0 || frame.signal !== null)
    ) {
      const how =
        frame.signal !== null
          ? `was ended by ${frame.signal}`
          : `exited with code ${String(frame.code)}`;
      this.options.onSecurity('bridge-child-exited', `local server '${name}' ${how}`, name);
    }
    this.#end(frame.channel, {
      code: frame.code,
      signal: frame.signal,
      ...(frame.reason === undefined ? {} : { reason: frame.reason }),
    });
  }

  #refused(error: BridgeError): void {
    const open = error.channel === undefined ? undefined : this.#channels.get(error.channel);
    const name = error.name ?? open?.name;
    this.options.log(`bridge: ${error.code}: ${error.message}`);
    if (error.code !== 'bad-channel')
      this.options.onSecurity(`bridge-${error.code}`, error.message, name);
    // A refusal of no server's run (a frame nexus-bridge could not read) has no card to show on.
    if (error.channel === undefined)
      this.#refusal(`nexus-bridge refused a frame: ${error.message}`);
    if (
      open &&
      error.channel !== undefined &&
      ['unknown-server', 'spawn-failed', 'flood', 'stalled'].includes(error.code)
    ) {
      this.#end(error.channel, { code: null, signal: null, reason: error.message, refusal: error });
    }
  }

  #keepLine(name: string, stream: 'stderr' | 'stdout', line: string): void {
    let lines = this.#logs.get(name);
    if (!lines) this.#logs.set(name, (lines = []));
    lines.push({ at: this.options.clock.now(), stream, line });
    if (lines.length > LOG_LINES_KEPT) lines.splice(0, lines.length - LOG_LINES_KEPT);
    this.options.onChange();
  }

  #end(channel: string, end: ChannelEnd): void {
    const open = this.#channels.get(channel);
    if (!open) return;
    this.#channels.delete(channel);
    // Ended once: a refusal closes the channel, so the `exit` that follows it finds none here.
    this.#exits.set(open.name, end);
    open.handlers.ended(end);
  }

  #endAll(reason: string): void {
    for (const channel of [...this.#channels.keys()])
      this.#end(channel, { code: null, signal: null, reason });
  }

  #detach(reason: string): void {
    const relay = this.#relay;
    if (!relay) return;
    this.#relay = undefined;
    this.#endAll(reason);
    relay.close();
    this.#set({ state: 'no-relay', servers: [] });
  }

  #refusal(text: string): void {
    this.#set({ ...this.#view, lastRefusal: { at: this.options.clock.now(), text } });
  }

  /** A new state keeps the last refusal: it is what the person may be looking for. */
  #set(view: BridgeView): void {
    const last = view.lastRefusal ?? this.#view.lastRefusal;
    this.#view = last ? { ...view, lastRefusal: last } : view;
    // Starts that waited for the bridge: asked for now, or told why not.
    if (this.connected) for (const channel of [...this.#channels.keys()]) this.#startOn(channel);
    else if (!this.#reaching) this.#endAll(this.#notConnected());
    this.options.onChange();
  }
}
