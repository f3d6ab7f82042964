/**
 * The browser's side of sign-ins to servers (OAuth): tokens in this origin's IndexedDB, the
 * callback URL and metadata document on this origin, one refresh of a server at a time across
 * every hub of the browser (Web Locks), and the BroadcastChannel on which `/oauth/callback`
 * hands back the authorization server's answer (src/protocol/sign-in.ts).
 */
/// <reference lib="webworker" />
import type { Hub } from '../hub/hub.ts';
import { servedMetadataDocument } from '../hub/upstream/auth/metadata-document.ts';
import type { SignInSettings } from '../hub/upstream/auth/sign-ins.ts';
import type { Exclusive } from '../hub/upstream/auth/signed-in.ts';
import { isSignInCallback, SIGN_IN_CHANNEL } from '../protocol/sign-in.ts';
import type { NexusDatabase } from '../store/db.ts';
import { IdbTokenStore } from '../store/token-store.ts';

declare const self: SharedWorkerGlobalScope | DedicatedWorkerGlobalScope;

/** Web Locks: a dedicated-worker hub per tab (no SharedWorker) shares the lock with the others. */
const webLocks: Exclusive = (name, task) => navigator.locks.request(name, task);

/** Where the app is served from: the worker is built to the app's root (`/nexus-hub.js`). */
function appUrl(path: string): string {
  return new URL(path, self.location.href).href;
}

export async function signInSettings(db: NexusDatabase): Promise<SignInSettings> {
  // Offered only when this https deployment serves it (a loopback development origin, or a
  // build without NEXUS_PUBLIC_URL, registers dynamically instead).
  const clientMetadataUrl = await servedMetadataDocument(appUrl('./'), (url, init) =>
    fetch(url, init),
  );
  return {
    tokens: new IdbTokenStore(db),
    redirectUrl: appUrl('oauth/callback'),
    ...(clientMetadataUrl ? { clientMetadataUrl } : {}),
    exclusive: webLocks,
  };
}

/**
 * Finishes the sign-ins whose answers arrive on the channel. Several hubs may hear one answer
 * (a dedicated worker per tab): under one lock, the first exchanges the code and ends the flow,
 * and the others find no flow with that `state` and let it be.
 */
export function listenForSignIns(hubReady: Promise<Hub>, log: (message: string) => void): void {
  const channel = new BroadcastChannel(SIGN_IN_CHANNEL);
  channel.onmessage = (event: MessageEvent) => {
    const message: unknown = event.data;
    if (!isSignInCallback(message)) return;
    void hubReady
      .then((hub) => webLocks('nexus-sign-in-callback', () => hub.finishSignIn(message.params)))
      .then((outcome) => {
        if (outcome.error) log(outcome.error);
      })
      .catch((error: unknown) => log(`a sign-in answer could not be handled: ${String(error)}`));
  };
}
