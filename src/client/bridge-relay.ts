/**
 * The relay between the hub worker and the companion extension. `chrome.runtime` exists only in
 * documents (never in workers), so ONE Nexus document at a time (the dashboard or a client page,
 * elected by the Web Lock `nexus-bridge-relay`) opens a hub port with the `bridge` role and a
 * port to the extension, and passes frames both ways unread (src/protocol/bridge.ts). When that
 * document closes, the browser releases its lock, the next document queued for it takes over,
 * and the hub starts its local servers again on the new relay.
 *
 * Limits, on purpose: the children of the old relay end with it (Chrome closes the native port,
 * and nexus-bridge ends every child it runs), so a local server restarts when the relaying tab
 * closes; without SharedWorker every tab runs its own hub, and each relays for its own (no lock).
 *
 * Origins: the extension accepts only the origins its manifest lists (`externally_connectable`,
 * set at build time), and the browser tells it this document's origin; this file sends nothing
 * to any other page.
 */
import { DEFAULT_EXTENSION_ID } from '../protocol/bridge.ts';
import type { ExtensionHostGone, RelayNoExtension } from '../protocol/bridge.ts';
import { openHubPort, type HubPort } from './hub-port.ts';

/** The Web Lock one document holds while it relays. */
export const RELAY_LOCK = 'nexus-bridge-relay';

/** The parts of `chrome.runtime` a page has when an extension lets it connect. */
interface RuntimePort {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}
interface PageRuntime {
  connect(extensionId: string, info?: { name?: string }): RuntimePort;
  lastError?: { message?: string };
}

export interface RelayOptions {
  /** The companion extension's id. Default: the id its committed key gives (DEFAULT_EXTENSION_ID). */
  extensionId?: string;
  /** The hub script, as for `openHubPort`. */
  workerUrl?: string | URL;
  /** Who relays, for the hub's log. */
  clientName?: string;
}

/** First wait before connecting to the extension again after it went away; doubles to 30 s. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/**
 * Queues this document for the relay lock and relays while it holds it, until the page goes
 * away. Never rejects: a document that cannot relay leaves the lock to the next one.
 */
export function relayBridge(options: RelayOptions = {}): void {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  const relay = (): Promise<void> =>
    relayWhileOpen(options).catch((error: unknown) =>
      console.warn('[nexus] the bridge relay stopped:', error),
    );
  // No SharedWorker: this tab's hub is its own, and it needs this tab to relay for it.
  if (!locks || typeof SharedWorker === 'undefined') {
    void relay();
    return;
  }
  void locks.request(RELAY_LOCK, relay).catch(() => {});
}

/** Relays until the hub port closes; resolves then (releasing the lock for the next document). */
async function relayWhileOpen(options: RelayOptions): Promise<void> {
  const hub: HubPort = await openHubPort({
    role: 'bridge',
    clientName: options.clientName ?? 'bridge relay',
    clientVersion: '1',
    ...(options.workerUrl === undefined ? {} : { workerUrl: options.workerUrl }),
  });
  const runtime = (globalThis as { chrome?: { runtime?: PageRuntime } }).chrome?.runtime;
  const toHub = (frame: unknown): void => hub.port.postMessage(frame);
  if (typeof runtime?.connect !== 'function') {
    const frame: RelayNoExtension = {
      type: 'no-extension',
      detail:
        'no extension lets this page connect (chrome.runtime is missing): install the Nexus bridge extension, then reload',
    };
    toHub(frame);
    // Holding on: every other document would find the same.
    return new Promise(() => {});
  }
  const extensionId = options.extensionId ?? DEFAULT_EXTENSION_ID;
  let extension: RuntimePort | undefined;
  let delay = RETRY_FIRST_MS;
  hub.port.addEventListener('message', (event: MessageEvent) => extension?.postMessage(event.data));

  const connect = (): void => {
    let heard = false;
    let hostGone = false;
    let port: RuntimePort;
    try {
      port = runtime.connect(extensionId, { name: 'nexus-relay' });
    } catch (error) {
      toHub(noExtension(`connecting to extension ${extensionId} failed: ${String(error)}`));
      return;
    }
    extension = port;
    port.onMessage.addListener((message) => {
      if (!heard) delay = RETRY_FIRST_MS;
      heard = true;
      if ((message as { type?: unknown } | null)?.type === 'host-gone') hostGone = true;
      toHub(message);
    });
    port.onDisconnect.addListener(() => {
      const why = runtime.lastError?.message ?? 'no reason given';
      if (extension === port) extension = undefined;
      // Never heard from: no extension with this id answers here.
      if (!heard)
        toHub(noExtension(`the Nexus bridge extension (${extensionId}) did not answer: ${why}`));
      else if (!hostGone) {
        const gone: ExtensionHostGone = {
          type: 'host-gone',
          error: `the extension closed the connection (${why})`,
        };
        toHub(gone);
      }
      // The person may install the host or the extension meanwhile: try again, less and less often.
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    });
  };
  connect();
  return new Promise(() => {});
}

function noExtension(detail: string): RelayNoExtension {
  return { type: 'no-extension', detail };
}
