/**
 * The page an authorization server sends the person back to (`/oauth/callback`): it hands the
 * result to Nexus on a same-origin BroadcastChannel (../../protocol/sign-in.ts), takes the code
 * out of the address bar and the history, and closes the window it was opened in. A window the
 * browser will not let it close says so, and what happens next.
 */
import { SIGN_IN_CHANNEL, signInCallbackOf } from '../../protocol/sign-in.ts';

const message = signInCallbackOf(window.location.search);
// The code is single-use and short-lived, but it has no business in the history either.
window.history.replaceState(null, '', window.location.pathname);

const channel = new BroadcastChannel(SIGN_IN_CHANNEL);
channel.postMessage(message);
channel.close();

const status = document.getElementById('status');
if (status) {
  status.textContent =
    message.params.error !== undefined
      ? `The server refused the sign-in (${message.params.error}). Nexus shows what to do next; you can close this window.`
      : message.params.code !== undefined
        ? 'Signed in. Nexus takes it from here; you can close this window.'
        : 'This page expected an answer from a server’s sign-in and got none. You can close this window.';
}
window.close();
