/**
 * The hub worker's composition: the stores on this origin's IndexedDB, the hub, and the ports of
 * the pages that connect (as a SharedWorker, or a dedicated Worker per tab that receives its
 * ports in `nexus/port` frames). ./hub-worker.ts runs it with the person's consent policy; the
 * benchmark runs it once more with the allow-all test double, to measure what consent costs.
 *
 * Origins: only same-origin pages can construct this SharedWorker (and a dedicated Worker belongs
 * to the page that made it), so every port comes from this origin; each session's principal gets
 * the origin the browser vouches for with the port (`vouchedOrigin`), never one the page declares.
 */
/// <reference lib="webworker" />
import { Hub } from '../hub/hub.ts';
import { onDemand } from '../hub/admin/on-demand.ts';
import type { Session } from '../hub/downstream/session.ts';
import type { Policy } from '../hub/policy/policy.ts';
import type { HubOptions, NewServerEntry } from '../hub/ports.ts';
import { openNexusDb, type NexusDatabase } from '../store/db.ts';
import { IdbJournalStore } from '../store/journal-store.ts';
import { IdbNotesStore } from '../store/notes-store.ts';
import { IdbRegistryStore } from '../store/registry-store.ts';
import { MessagePortTransport } from '../transports/message-port.ts';
import { isControlFrame } from '../protocol/port-frames.ts';
import { acceptHello, refuseConnection, watchDeparture, welcome } from './ports.ts';
import { acceptRelay } from './bridge.ts';
import { listenForSignIns, signInSettings } from './sign-in.ts';

declare const self: SharedWorkerGlobalScope | DedicatedWorkerGlobalScope;

const mode: 'shared' | 'dedicated' = 'onconnect' in self ? 'shared' : 'dedicated';

/**
 * The servers a deployment registers on first run, as an `mcpServers` file next to the app
 * (`npm start` writes one naming its server-everything). Missing file: no defaults.
 */
async function deploymentDefaults(): Promise<NewServerEntry[]> {
  const response = await fetch(new URL('nexus-defaults.json', self.location.href), {
    cache: 'no-store',
  });
  if (!response.ok) return [];
  // The hub asks for its defaults on its first run only: the parser is loaded then, not every time.
  const { parseConfig } = await onDemand(
    'config importer',
    () => import('../hub/registry/config-format.ts'),
  );
  return parseConfig(await response.text()).map((item) => item.entry);
}

async function accept(hubReady: Promise<Hub>, port: MessagePort, origin: string): Promise<void> {
  const hello = await acceptHello(port);
  let hub: Hub;
  try {
    hub = await hubReady;
  } catch (error) {
    return refuse(port, 'The Nexus hub could not start', error);
  }
  if (hello.role === 'bridge') {
    acceptRelay(hub, port, hello, mode);
    return;
  }
  if (hello.role === 'admin') {
    let end: () => void;
    try {
      // The dashboard's side of the hub is loaded when the first dashboard connects: a hub that
      // only serves client pages starts without it.
      const { exposeAdmin } = await onDemand('dashboard service', () => import('./admin.ts'));
      end = exposeAdmin(hub, port, mode, origin);
    } catch (error) {
      return refuse(port, 'The Nexus hub could not serve the dashboard', error);
    }
    watchDeparture(hello.lock, end);
    welcome(port, hello.sessionId, mode);
    return;
  }
  const transport = new MessagePortTransport(port, { text: hello.text === true });
  let session: Session;
  try {
    session = await hub.connect(
      transport,
      { origin, clientName: hello.clientName, sessionId: hello.sessionId },
      {
        clientVersion: hello.clientVersion,
        ...(hello.server === undefined ? {} : { server: hello.server }),
      },
    );
  } catch (error) {
    return refuse(port, 'The Nexus hub could not open a session', error);
  }
  // The session's transport listens already, so the client's first message cannot be lost.
  welcome(port, hello.sessionId, mode, true);
  const stopWatching = watchDeparture(hello.lock, () => void session.close());
  void session.closed.then(stopWatching);
}

function refuse(port: MessagePort, what: string, error: unknown): void {
  refuseConnection(port, `${what}: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * The origin of the page at the other end of a port, as the browser vouches for it. A
 * SharedWorker's `connect` event and a dedicated worker's `message` carry an empty `origin`: only
 * pages of this worker's own origin can construct it (or post to it), so the same-origin rule is
 * the voucher and the origin is ours. A non-empty `event.origin` (a window's postMessage, for
 * cross-origin clients later) is taken as the browser set it. Never what the page said in its hello.
 */
function vouchedOrigin(event: MessageEvent): string {
  return event.origin !== '' ? event.origin : self.location.origin;
}

/** What differs between the hub worker and the benchmark's allow-all one. */
export interface HubWorkerOptions {
  policy(db: NexusDatabase): Policy;
  notify?: HubOptions['notify'];
}

/** Starts the hub on this origin's database and serves every page that connects. */
export function serveHub(options: HubWorkerOptions): void {
  // The start-up's milestones on the worker's own clock (0 = the worker started), for DevTools'
  // Performance panel and the benchmark (rows 7c/7d). The worker's entry calls this once every
  // module it imports has been evaluated.
  performance.mark('nexus-hub:modules-evaluated');
  const log = (message: string) => console.warn(`[nexus-hub] ${message}`);
  const hubReady: Promise<Hub> = (async () => {
    const db = await openNexusDb();
    performance.mark('nexus-hub:database-open');
    const hub = await Hub.create({
      policy: options.policy(db),
      ...(options.notify ? { notify: options.notify } : {}),
      registry: new IdbRegistryStore(db),
      notes: new IdbNotesStore(db),
      journal: new IdbJournalStore(db),
      defaults: deploymentDefaults,
      signIn: await signInSettings(db),
      log,
      // The dashboard is this app: what waits for the person is there when they open it.
      personAnswers: () => true,
    });
    performance.mark('nexus-hub:hub-created');
    return hub;
  })();
  listenForSignIns(hubReady, log);

  const acceptLogged = (port: MessagePort, origin: string): void => {
    accept(hubReady, port, origin).catch((error: unknown) =>
      console.warn('[nexus-hub] a connection failed:', error),
    );
  };

  if (mode === 'shared') {
    (self as SharedWorkerGlobalScope).onconnect = (event) => {
      const port = event.ports[0];
      if (port) acceptLogged(port, vouchedOrigin(event));
    };
  } else {
    (self as DedicatedWorkerGlobalScope).onmessage = (event) => {
      const port = event.ports[0];
      if (isControlFrame(event.data) && event.data.type === 'nexus/port' && port)
        acceptLogged(port, vouchedOrigin(event));
    };
  }
}
