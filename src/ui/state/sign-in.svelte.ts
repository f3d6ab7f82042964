/**
 * The dashboard's side of signing in to servers (OAuth): the sign-in requests waiting for the
 * person, and what each Sign in, Sign out and "Not now" button is doing or went wrong with. One
 * instance per page (`HubState.signIn`), used by the server's card, its page and "Waiting for
 * you", so the popup logic (./sign-in-flow.ts) lives in one place. A notice belongs to the place
 * whose button caused it, so one failure is not announced three times.
 */
import type { SignInRequestView, ServerView } from '../../protocol/views.ts';
import type { AdminApi } from '../../protocol/admin-api.ts';
import { messageOf } from '../app/format.ts';
import { coalesce } from './coalesce.ts';
import { signInWithPopup, type OpenWindow } from './sign-in-flow.ts';

/**
 * Where a button is: the server's card, its page's header, its page's Sign-in section (Sign out),
 * or "Waiting for you".
 */
export type SignInPlace = 'card' | 'page' | 'section' | 'waiting';

export type SignInNotice =
  /** A Sign in, Sign out or "Not now" is under way for this server. */
  | { kind: 'busy' }
  /** The popup was blocked: the person opens the authorization page from this link. */
  | { kind: 'link'; url: string }
  | { kind: 'error'; message: string };

/** The admin calls this state makes. */
export type SignInApi = Pick<
  AdminApi,
  'startSignIn' | 'signOut' | 'listSignInRequests' | 'dismissSignIn'
>;

export interface SignInStateOptions {
  api: SignInApi;
  /** `window.open`, or a test's stand-in. */
  open: OpenWindow;
  /** Something about the servers changed here: refetch the server list. */
  changed(): void;
  /** A success the person should hear about (a toast). */
  notify(text: string): void;
  /** The requests could not be loaded. */
  failed(error: unknown): void;
}

/** A server as the buttons name it. */
export type SignInTarget = Pick<ServerView, 'id' | 'name'>;

export class SignInState {
  /** Servers waiting for the person to sign in, oldest first. */
  requests = $state.raw<SignInRequestView[]>([]);
  /** By server id: what its last action is doing or went wrong with, and where it was started. */
  #notices = $state.raw<Record<string, { place: SignInPlace; notice: SignInNotice }>>({});
  readonly #options: SignInStateOptions;
  /** Each server's state in the last list `settle` saw (plain data: nothing renders from it). */
  #states: Record<string, ServerView['status']['state']> = {};

  constructor(options: SignInStateOptions) {
    this.#options = options;
  }

  /** Refetches the waiting requests (coalesced: one fetch in flight, at most one queued). */
  readonly refreshRequests = coalesce(async () => {
    try {
      this.requests = await this.#options.api.listSignInRequests();
    } catch (error) {
      this.#options.failed(error);
    }
  });

  /** The notice to show at `place` for this server, if it was started there. */
  noticeFor(serverId: string, place: SignInPlace): SignInNotice | undefined {
    const placed = this.#placed(serverId);
    return placed?.place === place && placed.notice.kind !== 'busy' ? placed.notice : undefined;
  }

  /** Whether an action for this server is under way (its buttons ignore clicks meanwhile). */
  busy(serverId: string): boolean {
    return this.#placed(serverId)?.notice.kind === 'busy';
  }

  /**
   * Sign in. MUST be called synchronously from the click handler: the popup opens in this call,
   * before any `await`, or the browser blocks it.
   */
  start(server: SignInTarget, place: SignInPlace): void {
    if (this.busy(server.id)) return;
    this.#set(server.id, place, { kind: 'busy' });
    void signInWithPopup(server, this.#options.open, (id) =>
      this.#options.api.startSignIn(id),
    ).then((outcome) => {
      if (outcome.kind === 'link' || outcome.kind === 'error') this.#set(server.id, place, outcome);
      else this.#clear(server.id);
      if (outcome.kind === 'signed-in') {
        this.#options.notify(`Signed in to ${server.name} again without asking you.`);
        this.#options.changed();
      }
    });
  }

  /** Signs out (after the component asked the person); returns whether the hub did. */
  async signOut(server: SignInTarget): Promise<boolean> {
    return this.#run(server, 'section', `Nexus could not sign out of '${server.name}'.`, () =>
      this.#options.api.signOut(server.id),
    );
  }

  /** "Not now": the request leaves the queue; the server still waits for a sign-in. */
  async dismiss(request: SignInRequestView): Promise<boolean> {
    const server = { id: request.serverId, name: request.serverName };
    return this.#run(
      server,
      'waiting',
      `The request of '${server.name}' could not be put off.`,
      () => this.#options.api.dismissSignIn(request.id),
    );
  }

  /**
   * Forgets the notices that a fresh server list made moot: all of a server that is gone, and
   * those of Sign in and "Not now" once the server turned ready (it signed in). A failed Sign out
   * stays: its server may well be ready. Called with each fresh server list.
   */
  settle(servers: readonly ServerView[]): void {
    const before = this.#states;
    this.#states = Object.fromEntries(servers.map((server) => [server.id, server.status.state]));
    const now = this.#states;
    const entries = Object.entries(this.#notices);
    const kept = entries.filter(([id, placed]) => {
      if (placed.notice.kind === 'busy') return true;
      if (!Object.hasOwn(now, id)) return false;
      const turnedReady =
        now[id] === 'ready' && Object.hasOwn(before, id) && before[id] !== 'ready';
      return !turnedReady || placed.place === 'section';
    });
    if (kept.length !== entries.length) this.#notices = Object.fromEntries(kept);
  }

  async #run(
    server: SignInTarget,
    place: SignInPlace,
    fallback: string,
    call: () => Promise<void>,
  ): Promise<boolean> {
    if (this.busy(server.id)) return false;
    this.#set(server.id, place, { kind: 'busy' });
    try {
      await call();
      this.#clear(server.id);
      return true;
    } catch (error) {
      this.#set(server.id, place, {
        kind: 'error',
        message: messageOf(error, `${fallback} Try again; if it keeps failing, reload the page.`),
      });
      return false;
    } finally {
      this.#options.changed();
      void this.refreshRequests();
    }
  }

  // Ids are the hub's, but a plain object still has inherited keys: look at its own ones only.
  #placed(serverId: string): { place: SignInPlace; notice: SignInNotice } | undefined {
    return Object.hasOwn(this.#notices, serverId) ? this.#notices[serverId] : undefined;
  }

  #set(serverId: string, place: SignInPlace, notice: SignInNotice): void {
    this.#notices = { ...this.#notices, [serverId]: { place, notice } };
  }

  #clear(serverId: string): void {
    if (!Object.hasOwn(this.#notices, serverId)) return;
    const rest = { ...this.#notices };
    delete rest[serverId];
    this.#notices = rest;
  }
}
