/**
 * Signing in to a server (OAuth) from the dashboard: the page, not the hub, must open the
 * authorization server's page, because a worker cannot open windows and browsers block a popup
 * opened after an `await` (it needs the click's transient activation). So the popup opens blank,
 * synchronously, in the click's task; the hub is asked for the authorization URL after; and the
 * popup is sent there once it answers. The result never comes back to this page: the callback
 * page hands it to the hub (src/protocol/sign-in.ts), and the server's status changes.
 *
 * Pure: the window and the hub arrive as functions, so a test can play the browser.
 */
import type { ServerView } from '../../protocol/views.ts';
import { messageOf } from '../app/format.ts';

/** The popup's size; `popup` asks for a window without the browser's toolbars. */
export const SIGN_IN_POPUP_FEATURES = 'popup,width=520,height=700';

/** One window per server: a second Sign in for the same server reuses its popup. */
export function signInPopupName(serverId: string): string {
  return `nexus-sign-in-${serverId}`;
}

/** What the flow uses of the window `window.open` returns. */
export interface PopupWindow {
  readonly closed: boolean;
  close(): void;
  location: { href: string };
  opener: unknown;
}

/** `window.open`, or a test's stand-in. Returns null when the browser blocked the popup. */
export type OpenWindow = (url: string, target: string, features: string) => PopupWindow | null;

/** `AdminApi.startSignIn`. */
export type StartSignIn = (serverId: string) => Promise<{ authorizationUrl?: string }>;

export type SignInOutcome =
  /** The popup shows the authorization server's page; the hub learns the result itself. */
  | { kind: 'opened' }
  /** The hub signed in without the person (a stored refresh token still worked). */
  | { kind: 'signed-in' }
  /** No popup (blocked, or closed before the URL came): the person opens `url` from a link. */
  | { kind: 'link'; url: string }
  | { kind: 'error'; message: string };

/**
 * Starts signing in to `server`. Call it synchronously from the click handler: it opens the popup
 * before anything else, and only then asks the hub (the promise settles once the hub answered).
 */
export function signInWithPopup(
  server: { id: string; name: string },
  open: OpenWindow,
  start: StartSignIn,
): Promise<SignInOutcome> {
  const popup = openBlank(open, server.id);
  return navigate(server, popup, start);
}

function openBlank(open: OpenWindow, serverId: string): PopupWindow | null {
  let popup: PopupWindow | null;
  try {
    popup = open('about:blank', signInPopupName(serverId), SIGN_IN_POPUP_FEATURES);
  } catch {
    popup = null;
  }
  // The authorization page is a third party's: without an opener it cannot navigate this tab
  // (reverse tabnabbing). Nexus never needs it: the callback answers over a BroadcastChannel.
  if (popup)
    try {
      popup.opener = null;
    } catch {
      // Some browsers refuse; the popup still works.
    }
  return popup;
}

async function navigate(
  server: { id: string; name: string },
  popup: PopupWindow | null,
  start: StartSignIn,
): Promise<SignInOutcome> {
  let answer: { authorizationUrl?: string };
  try {
    answer = await start(server.id);
  } catch (error) {
    popup?.close();
    const fallback = `Nexus could not start signing in to '${server.name}'. Try again; if it keeps failing, run the connection doctor on its page.`;
    return { kind: 'error', message: messageOf(error, fallback) };
  }
  const url = answer.authorizationUrl;
  if (url === undefined || url === '') {
    popup?.close();
    return { kind: 'signed-in' };
  }
  const link = webAddress(url);
  if (!link) {
    popup?.close();
    return {
      kind: 'error',
      message:
        `Nexus did not open the sign-in page for '${server.name}': its authorization server ` +
        `gave an address that is not a web page (${schemeOf(url)}). Check the server's sign-in ` +
        'settings with whoever runs it.',
    };
  }
  if (!popup || popup.closed) return { kind: 'link', url: link };
  try {
    popup.location.href = link;
  } catch {
    return { kind: 'link', url: link };
  }
  return { kind: 'opened' };
}

/**
 * The URL when it is an http(s) address, else undefined. The popup is still `about:blank`, which
 * runs with this page's origin: a `javascript:` address navigated there would run as Nexus.
 */
export function webAddress(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

function schemeOf(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  return match ? `${match[1]!.toLowerCase()}:` : 'not a URL';
}

type SignInFacts = Pick<ServerView, 'kind' | 'status' | 'signIn'>;

/**
 * The person should sign in now: the server answered 401, or a call needed more access (not
 * while the server is disabled: nothing calls it).
 */
export function wantsSignIn(server: SignInFacts): boolean {
  if (server.status.state === 'needs-sign-in') return true;
  return server.signIn?.wantsScope !== undefined && server.status.state !== 'disabled';
}

/**
 * The server signs in with OAuth as far as the dashboard can tell. The hub gives every remote
 * server without an Authorization header a `signIn` view, also one that never asked for a
 * sign-in; such a server shows nothing about signing in until it does.
 */
export function usesSignIn(server: SignInFacts): boolean {
  if (server.kind !== 'remote') return false;
  if (wantsSignIn(server)) return true;
  const signIn = server.signIn;
  return signIn !== undefined && (signIn.signedIn || signIn.identity !== undefined);
}
