/**
 * The dashboard's side of nexus-bridge, the native-messaging host that runs local (stdio) servers:
 * the bridge as the hub last reported it, and what the "Local servers" panel's Add and Refresh
 * buttons are doing or went wrong with. One instance per page (`HubState.bridge`). The browser
 * never runs a command: it may only ask the bridge to start a NAME the person allowlisted in a
 * terminal, so this state never holds a command line to run, only ones to show.
 */
import type { AdminApi } from '../../protocol/admin-api.ts';
import type { BridgeServerInfo } from '../../protocol/bridge.ts';
import type { BridgeView, ServerView } from '../../protocol/views.ts';
import { messageOf } from '../app/format.ts';
import { coalesce } from './coalesce.ts';

/** The admin calls this state makes. */
export type BridgeApi = Pick<AdminApi, 'refreshBridge' | 'addBridgeServer'>;

export interface BridgeStateOptions {
  /** Rejects with an `Error` whose message is written for a person (see `HubState.query`). */
  api: BridgeApi;
  /**
   * `AdminApi.bridgeStatus`, without waiting for the connection: the first fetch runs while the
   * hub connects. Resolves `undefined` when there is no admin session (yet).
   */
  status(): Promise<BridgeView | undefined>;
  /** A local server was added or started: refetch the server list. */
  changed(): void;
  /** The bridge's state could not be loaded. */
  failed(error: unknown): void;
}

/** Before the hub first answers, the panel says it is connecting. */
const UNKNOWN: BridgeView = { state: 'connecting', servers: [] };

export class BridgeState {
  /** nexus-bridge as the hub last reported it. */
  view = $state.raw<BridgeView>(UNKNOWN);
  /** Bumped on every `bridge` event: a server's page refetches its stderr lines on change. */
  version = $state.raw(0);
  /** What the panel's last Add or Refresh went wrong with, for a person. */
  error = $state.raw<string | undefined>(undefined);
  /** The allowlist names whose Add is under way. */
  adding = $state.raw<readonly string[]>([]);
  /** True while Refresh waits for the hub. */
  refreshing = $state.raw(false);

  readonly #options: BridgeStateOptions;

  constructor(options: BridgeStateOptions) {
    this.#options = options;
  }

  /** Refetches the bridge's state (coalesced: one fetch in flight, at most one queued). */
  readonly refreshStatus = coalesce(async () => {
    try {
      const view = await this.#options.status();
      if (view) this.view = view;
    } catch (error) {
      this.#options.failed(error);
    }
  });

  /** Forgets the panel's last error (the person dismissed it). */
  dismissError(): void {
    this.error = undefined;
  }

  /** The hub said the bridge changed (state, allowlist, a local server's output). */
  changed(): void {
    this.version++;
    void this.refreshStatus();
  }

  /**
   * Refresh: asks nexus-bridge to read its allowlist again (after `nexus-bridge add` in a
   * terminal). The new list arrives as a `bridge` event; returns whether the hub passed it on.
   */
  async refresh(): Promise<boolean> {
    if (this.refreshing) return false;
    this.refreshing = true;
    this.error = undefined;
    try {
      await this.#options.api.refreshBridge();
      return true;
    } catch (error) {
      this.error = messageOf(
        error,
        'Nexus could not ask nexus-bridge to read its allowlist again. Reload the page and try again.',
      );
      return false;
    } finally {
      this.refreshing = false;
      void this.refreshStatus();
    }
  }

  /** Add: makes the allowlisted server `name` a local server (or starts the one that is). */
  async add(name: string): Promise<ServerView | undefined> {
    if (this.adding.includes(name)) return undefined;
    this.adding = [...this.adding, name];
    this.error = undefined;
    try {
      return await this.#options.api.addBridgeServer(name);
    } catch (error) {
      this.error = messageOf(
        error,
        `Nexus could not add the local server '${name}'. Press Refresh, then try again.`,
      );
      return undefined;
    } finally {
      this.adding = this.adding.filter((each) => each !== name);
      this.#options.changed();
    }
  }
}

/** The local server that runs the allowlist entry `name`, if one was added. */
export function localServerFor(
  servers: readonly ServerView[],
  name: string,
): ServerView | undefined {
  return servers.find((server) => server.kind === 'stdio' && server.local?.bridgeName === name);
}

/** How the panel words the bridge's state: a glyph (never colour alone) and a sentence. */
export function bridgeSummary(view: BridgeView): { glyph: string; text: string } {
  switch (view.state) {
    case 'connected': {
      const host = view.hostVersion ? `nexus-bridge ${view.hostVersion}` : 'nexus-bridge';
      const extension = view.extensionVersion
        ? `the extension ${view.extensionVersion}`
        : 'the extension';
      return { glyph: '●', text: `${host} through ${extension}` };
    }
    case 'no-extension':
      return {
        glyph: '▲',
        text: 'The Nexus bridge extension is not installed in this browser',
      };
    case 'no-host': {
      const version = view.extensionVersion ? ` (${view.extensionVersion})` : '';
      return {
        glyph: '▲',
        text: `The extension is installed${version} but nexus-bridge is not`,
      };
    }
    case 'no-relay':
    case 'connecting':
      return { glyph: '◐', text: 'Connecting to nexus-bridge…' };
  }
}

/** Characters a POSIX shell reads as themselves in a word. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** An allowlisted command line as a terminal would show it (words with spaces quoted). */
export function commandText(server: Pick<BridgeServerInfo, 'command' | 'args'>): string {
  return [server.command, ...server.args]
    .map((word) => (PLAIN.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}
