/**
 * The dashboard's view of the hub: one admin session over comlink, snapshots of the server and
 * session lists kept fresh from the hub's change feed, and actions that turn failures into a
 * message for a person (`lastError`) instead of throwing into a component.
 */
import * as Comlink from 'comlink';
import { getContext, setContext } from 'svelte';
import { openHubPort } from '../../client/hub-port.ts';
import type {
  ElicitationAnswer,
  ElicitationView,
  HubEvent,
  ServerDetail,
  ServerView,
  SessionView,
} from '../../protocol/views.ts';
import type { ByeFrame } from '../../protocol/port-frames.ts';
import type { AdminApi, ImportSummary, ServerInput } from '../../protocol/admin-api.ts';
import { messageOf } from '../app/format.ts';
import { BridgeState } from './bridge.svelte.ts';
import { coalesce } from './coalesce.ts';
import type { OpenWindow } from './sign-in-flow.ts';
import { SignInState } from './sign-in.svelte.ts';
import { Toasts } from './toasts.svelte.ts';

/** What an action was, so each part of the page shows only the errors it caused. */
export type HubAction =
  | 'add'
  | 'edit'
  | 'remove'
  | 'enable'
  | 'disable'
  | 'restart'
  | 'import'
  | 'export'
  | 'refresh'
  | 'answer'
  | 'disconnect';

export interface HubStateOptions {
  /** How to reach the hub; tests pass a fake. Defaults to `openHubPort`. */
  open?: typeof openHubPort;
  clientName?: string;
  clientVersion?: string;
  /** How to open the sign-in popup; tests pass a fake. Defaults to `window.open`. */
  openWindow?: OpenWindow;
}

export class HubState {
  /** Every server, as the hub last reported them. */
  servers = $state.raw<ServerView[]>([]);
  /** Every connected client session. */
  sessions = $state.raw<SessionView[]>([]);
  /** Servers' requests for input that wait for the person (no client could answer them). */
  elicitations = $state.raw<ElicitationView[]>([]);
  /** True once the server list was fetched at least once (so "no servers" is not shown early). */
  loaded = $state.raw(false);
  /** `shared`: one hub for all tabs; `dedicated`: no SharedWorker, this tab runs its own hub. */
  mode = $state.raw<'shared' | 'dedicated' | undefined>(undefined);
  /** Set when the hub cannot be reached; the page is useless until a reload. */
  connectionError = $state.raw<string | undefined>(undefined);
  /** The last failed action's message, written for a person. Cleared when another action starts. */
  lastError = $state.raw<string | undefined>(undefined);
  /** Which action `lastError` belongs to. */
  lastErrorAction = $state.raw<HubAction | undefined>(undefined);
  /** Notices of servers turning ready or failing while the page is open. */
  readonly toasts = new Toasts();
  /** Signing in to servers: the requests waiting for the person, and each button's progress. */
  readonly signIn: SignInState;
  /** nexus-bridge, which runs the local (stdio) servers: its state, allowlist, Add and Refresh. */
  readonly bridge: BridgeState;
  /** Bumped when the hub recorded new traffic; the Inspector page refetches on change. */
  trafficVersion = $state.raw(0);
  /** Bumped when the audit journal wrote new events; the Audit page refetches on change. */
  auditVersion = $state.raw(0);
  /** Bumped when what waits for the person changed (consent requests, new clients). */
  waitingVersion = $state.raw(0);
  /** Bumped when the person's decisions changed (clients, grants, settings, pins). */
  consentVersion = $state.raw(0);

  readonly #open: typeof openHubPort;
  readonly #clientName: string;
  readonly #clientVersion: string;
  #port: MessagePort | undefined;
  #api: Comlink.Remote<AdminApi> | undefined;
  #unsubscribe: (() => unknown) | undefined;
  #connecting: Promise<void> | undefined;
  #closed = false;

  constructor(options: HubStateOptions = {}) {
    this.#open = options.open ?? openHubPort;
    this.#clientName = options.clientName ?? 'Nexus dashboard';
    this.#clientVersion = options.clientVersion ?? '0.1.0';
    this.signIn = new SignInState({
      api: {
        startSignIn: (id) => this.query((api) => api.startSignIn(id)),
        signOut: (id) => this.query((api) => api.signOut(id)),
        dismissSignIn: (id) => this.query((api) => api.dismissSignIn(id)),
        // Not through `query`: the first load runs inside `connect`, which `query` awaits.
        listSignInRequests: () => this.#api?.listSignInRequests() ?? Promise.resolve([]),
      },
      open: options.openWindow ?? ((url, target, features) => window.open(url, target, features)),
      changed: () => void this.refreshServers(),
      notify: (text) => this.toasts.push(text, 'ok'),
      failed: (error) =>
        this.#fail('refresh', error, 'The servers waiting for you to sign in could not be loaded.'),
    });
    this.bridge = new BridgeState({
      api: {
        refreshBridge: () => this.query((api) => api.refreshBridge()),
        addBridgeServer: (name) => this.query((api) => api.addBridgeServer(name)),
      },
      // Not through `query`: the first load runs inside `connect`, which `query` awaits.
      status: () => this.#api?.bridgeStatus() ?? Promise.resolve(undefined),
      changed: () => void this.refreshServers(),
      failed: (error) =>
        this.#fail(
          'refresh',
          error,
          'The state of nexus-bridge (local servers) could not be loaded. Reload the page to try again.',
        ),
    });
  }

  /** True while the first connection attempt is under way. */
  get connecting(): boolean {
    return this.mode === undefined && this.connectionError === undefined;
  }

  /** Opens the admin session, subscribes to changes and loads both lists. Safe to call twice. */
  connect(): Promise<void> {
    this.#connecting ??= this.#connect();
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    try {
      const { port, mode } = await this.#open({
        role: 'admin',
        clientName: this.#clientName,
        clientVersion: this.#clientVersion,
      });
      if (this.#closed) {
        port.close();
        return;
      }
      this.#port = port;
      this.#api = Comlink.wrap<AdminApi>(port);
      // Subscribe before the first fetch, so no change between the two goes unnoticed.
      const listener = (event: HubEvent): void => this.#onEvent(event);
      this.#unsubscribe = await this.#api.subscribe(Comlink.proxy(listener));
      this.mode = mode;
      await Promise.all([
        this.refreshServers(),
        this.refreshSessions(),
        this.refreshElicitations(),
        this.signIn.refreshRequests(),
        this.bridge.refreshStatus(),
      ]);
    } catch (error) {
      this.connectionError =
        `Nexus could not reach its hub: ${messageOf(error, 'no reason was given')}. ` +
        'Reload the page to try again; if this keeps happening, close other Nexus tabs and reload.';
    }
  }

  /** Ends the admin session (tests, hot reload). */
  close(): void {
    this.#closed = true;
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    if (unsubscribe) Promise.resolve(unsubscribe()).catch(() => undefined);
    this.#api?.[Comlink.releaseProxy]();
    this.#api = undefined;
    if (this.#port) {
      const bye: ByeFrame = { type: 'nexus/bye' };
      this.#port.postMessage(bye);
      this.#port.close();
      this.#port = undefined;
    }
  }

  #onEvent(event: HubEvent): void {
    if (event.type === 'servers') {
      void this.refreshServers();
      // A server's status decides whether it waits for a sign-in.
      void this.signIn.refreshRequests();
    } else if (event.type === 'sessions') void this.refreshSessions();
    else if (event.type === 'waiting') {
      this.waitingVersion++;
      void this.refreshElicitations();
      void this.signIn.refreshRequests();
    } else if (event.type === 'consent') this.consentVersion++;
    else if (event.type === 'traffic') this.trafficVersion++;
    else if (event.type === 'audit') this.auditVersion++;
    else if (event.type === 'bridge') {
      this.bridge.changed();
      // Whether each local server is allowlisted is part of its view, and the hub announces a
      // new allowlist with this event only.
      void this.refreshServers();
    }
  }

  /** Refetches the waiting elicitations (coalesced like `refreshServers`). */
  readonly refreshElicitations = coalesce(async () => {
    const api = this.#api;
    if (!api) return;
    try {
      this.elicitations = await api.listElicitations();
    } catch (error) {
      this.#fail('refresh', error, 'The requests waiting for you could not be loaded.');
    }
  });

  /** Sends the person's answer to a server's request; returns whether the hub took it. */
  async answerElicitation(id: string, answer: ElicitationAnswer): Promise<boolean> {
    const done = await this.#act('answer', 'Your answer could not be sent.', async (api) => {
      await api.answerElicitation(id, answer);
      return true;
    });
    void this.refreshElicitations();
    return done === true;
  }

  /** Refetches the server list (coalesced: one fetch in flight, at most one queued). */
  readonly refreshServers = coalesce(async () => {
    const api = this.#api;
    if (!api) return;
    try {
      this.servers = await api.listServers();
      this.loaded = true;
      this.toasts.serversChanged(this.servers);
      this.signIn.settle(this.servers);
    } catch (error) {
      this.#fail('refresh', error, 'The server list could not be loaded.');
    }
  });

  /** Refetches the session list (coalesced like `refreshServers`). */
  readonly refreshSessions = coalesce(async () => {
    const api = this.#api;
    if (!api) return;
    try {
      this.sessions = await api.listSessions();
    } catch (error) {
      this.#fail('refresh', error, 'The list of connected clients could not be loaded.');
    }
  });

  /** Forgets the last error (the person dismissed it). */
  dismissError(): void {
    this.lastError = undefined;
    this.lastErrorAction = undefined;
  }

  #fail(action: HubAction, error: unknown, fallback: string): void {
    this.lastError = messageOf(error, fallback);
    this.lastErrorAction = action;
  }

  /**
   * Runs one admin call. Returns its result, or `undefined` after putting the failure into
   * `lastError`. The server list is refetched afterwards either way (exports change nothing): the
   * change feed would do it too, but this way the page never shows a stale row right after the
   * person acted.
   */
  async #act<T>(
    action: HubAction,
    fallback: string,
    call: (api: Comlink.Remote<AdminApi>) => Promise<T>,
  ): Promise<T | undefined> {
    this.dismissError();
    // A person can act as soon as the page shows, before the admin session is open: wait for it
    // rather than refuse (#connect never throws; a failure leaves #api unset).
    await this.#connecting;
    const api = this.#api;
    if (!api) {
      this.#fail(
        action,
        undefined,
        'The hub is not connected yet. Wait a moment, or reload the page.',
      );
      return undefined;
    }
    try {
      return await call(api);
    } catch (error) {
      this.#fail(action, error, fallback);
      return undefined;
    } finally {
      if (action !== 'export') void this.refreshServers();
    }
  }

  /** Adds a server; returns it, or `undefined` when the hub refused (see `lastError`). */
  addServer(input: ServerInput): Promise<ServerView | undefined> {
    const fallback = `The server at ${input.url} could not be added.`;
    return this.#act('add', fallback, (api) => api.addServer(input));
  }

  editServer(id: string, input: Partial<ServerInput>): Promise<ServerView | undefined> {
    return this.#act('edit', `Server '${this.#label(id)}' could not be changed.`, (api) =>
      api.editServer(id, input),
    );
  }

  /** Removes a server; returns whether it worked. */
  async removeServer(id: string): Promise<boolean> {
    const label = this.#label(id);
    const done = await this.#act(
      'remove',
      `Server '${label}' could not be removed.`,
      async (api) => {
        await api.removeServer(id);
        return true;
      },
    );
    return done === true;
  }

  async setEnabled(id: string, enabled: boolean): Promise<boolean> {
    const label = this.#label(id);
    const verb = enabled ? 'enabled' : 'disabled';
    const fallback = `Server '${label}' could not be ${verb}.`;
    const done = await this.#act(enabled ? 'enable' : 'disable', fallback, async (api) => {
      await api.setEnabled(id, enabled);
      return true;
    });
    return done === true;
  }

  async restartServer(id: string): Promise<boolean> {
    const fallback = `Server '${this.#label(id)}' could not be restarted.`;
    const done = await this.#act('restart', fallback, async (api) => {
      await api.restartServer(id);
      return true;
    });
    return done === true;
  }

  /** Imports a config file's text; returns what was added, or `undefined` (nothing changed). */
  importConfig(text: string): Promise<ImportSummary | undefined> {
    return this.#act('import', 'The config could not be imported; nothing was changed.', (api) =>
      api.importConfig(text),
    );
  }

  /** Returns the registry as config text, or `undefined` when the hub refused. */
  exportConfig(format: 'mcpServers' | 'vscode'): Promise<string | undefined> {
    return this.#act('export', 'The servers could not be exported.', (api) =>
      api.exportConfig(format),
    );
  }

  /** Ends a client's session; returns whether it worked. */
  async disconnectSession(sessionId: string): Promise<boolean> {
    const done = await this.#act(
      'disconnect',
      'The client could not be disconnected.',
      async (api) => {
        await api.disconnectSession(sessionId);
        return true;
      },
    );
    void this.refreshSessions();
    return done === true;
  }

  /**
   * Calls the hub for a page that shows its own errors (server detail, playground): resolves with
   * the answer, or rejects with an `Error` whose message is written for a person.
   */
  async query<T>(call: (api: Comlink.Remote<AdminApi>) => Promise<T>): Promise<T> {
    // A page opened at its own address (#/inspector) asks while it is first rendered, before
    // main.ts has started the connection: start it (once) rather than refuse.
    await this.connect();
    const api = this.#api;
    if (!api) throw new Error('The hub is not connected yet. Wait a moment, or reload the page.');
    try {
      return await call(api);
    } catch (error) {
      throw new Error(messageOf(error, 'The hub did not say what went wrong.'), { cause: error });
    }
  }

  serverDetail(id: string, limit?: number): Promise<ServerDetail> {
    return this.query((api) => api.serverDetail(id, limit));
  }

  #label(id: string): string {
    return this.servers.find((server) => server.id === id)?.name ?? id;
  }
}

const HUB_KEY = Symbol('nexus-hub-state');

/** Makes `hub` available to every component below the caller. Call during component setup. */
export function setHubContext(hub: HubState): HubState {
  return setContext(HUB_KEY, hub);
}

/** The `HubState` set by an ancestor. Call during component setup. */
export function getHubContext(): HubState {
  const hub = getContext<HubState | undefined>(HUB_KEY);
  if (!hub) {
    throw new Error(
      'getHubContext() found no HubState: render this component inside <App hub={…}>, ' +
        'or call setHubContext(hub) in a parent component first.',
    );
  }
  return hub;
}
