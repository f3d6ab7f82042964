/**
 * The page side of the hub handshake: reach the hub worker, say hello, wait for its welcome.
 * Used by `connectHub()` (client role) and by the dashboard (admin role). No SDK code here: this
 * file is part of `nexus-client.js`.
 *
 * Origins: `MessagePort.postMessage` has no target-origin argument. The boundary is the
 * SharedWorker same-origin rule: a page can only construct a SharedWorker (or Worker) from a
 * script of its own origin, so the hub and every page on its ports share one origin.
 */
import {
  HUB_WORKER_FILE,
  HUB_WORKER_NAME,
  WIRE_VERSION,
  isControlFrame,
  sessionLockName,
  type HelloFrame,
  type PortFrame,
  type WelcomeFrame,
} from '../protocol/port-frames.ts';

export interface OpenHubPortOptions {
  role: HelloFrame['role'];
  clientName: string;
  clientVersion: string;
  /** Client role: scope the session to the server with this slug. */
  server?: string;
  /** The hub script. Default: `/nexus-hub.js` on this origin. Must be the same for every page. */
  workerUrl?: string | URL;
  /** How long to wait for the hub's answer. Default 10 000 ms. */
  timeoutMs?: number;
}

export interface HubPort {
  /** Started already (the handshake read from it); see `MessagePortTransport` for why that matters. */
  port: MessagePort;
  sessionId: string;
  /** `shared`: one hub for every tab. `dedicated`: no SharedWorker here, this tab runs its own hub. */
  mode: 'shared' | 'dedicated';
  /** The hub reads text frames (see `TextFrame` in src/protocol/port-frames.ts). */
  text: boolean;
  /**
   * Releases the session's Web Lock, telling the hub this session is over. Call it after saying
   * `nexus/bye` (`connectHub`'s transport does so on close); never call it while still using the
   * port. Without a call the lock is held until the page goes away.
   */
  release(): void;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Where SharedWorker is missing (Chrome on Android before 148), each page runs ONE hub in a
 * dedicated Worker, shared by every session of that page. Keyed by URL so a custom `workerUrl`
 * gets its own.
 */
const dedicatedWorkers = new Map<string, Worker>();

/** Opens one session with the hub: a port, after the hub welcomed this page's hello. */
export async function openHubPort(options: OpenHubPortOptions): Promise<HubPort> {
  const url = new URL(options.workerUrl ?? '/' + HUB_WORKER_FILE, location.origin);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sessionId = crypto.randomUUID();
  const lock = sessionLockName(sessionId);

  // Take the session lock, and wait until it is HELD, before saying hello. The hub answers a
  // hello by queueing for this lock and treats being granted it as "the page is gone" (a
  // MessagePort has no close event). If the hello went first, the hub could queue before the page
  // and be granted the lock at once.
  const release = await holdLock(lock);

  let link: WorkerLink;
  try {
    link = connectToWorker(url);
  } catch (error) {
    release();
    throw error;
  }
  const { port } = link;

  const hello: HelloFrame = {
    type: 'nexus/hello',
    wire: WIRE_VERSION,
    role: options.role,
    sessionId,
    lock,
    clientName: options.clientName,
    clientVersion: options.clientVersion,
    href: location.href,
    ...(options.server === undefined ? {} : { server: options.server }),
    ...(options.role === 'client' ? { text: true as const } : {}),
  };

  let onMessage: (event: MessageEvent) => void = () => {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  const answered = new Promise<WelcomeFrame>((resolve, reject) => {
    onMessage = (event) => {
      const data: unknown = event.data;
      if (!isControlFrame(data)) return;
      if (data.type === 'nexus/welcome' && data.sessionId === sessionId) resolve(data);
      else if (data.type === 'nexus/refused')
        reject(new Error(`The Nexus hub refused the connection: ${data.reason}`));
    };
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `The Nexus hub did not answer within ${duration(timeoutMs)}. ` +
              `Is ${url.href} served by this site?`,
          ),
        ),
      timeoutMs,
    );
  });
  port.addEventListener('message', onMessage);
  port.start();
  port.postMessage(hello);

  let welcome: WelcomeFrame;
  try {
    // The hub's word on the mode, not our guess: it knows which global scope it runs in.
    welcome = await Promise.race([answered, link.failed]);
  } catch (error) {
    port.close();
    release();
    throw error;
  } finally {
    clearTimeout(timer);
    port.removeEventListener('message', onMessage);
    link.stopWatchingErrors();
  }
  return { port, sessionId, mode: welcome.mode, text: welcome.text === true, release };
}

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * Requests the lock and resolves once it is held, with a function that releases it. The lock is
 * held by a callback that returns a promise settled only by that function, i.e. for the life of
 * the page unless released.
 */
function holdLock(name: string): Promise<() => void> {
  if (typeof navigator === 'undefined' || !navigator.locks) {
    return Promise.reject(
      new Error(
        'Nexus needs the Web Locks API, which browsers offer only to secure pages: ' +
          'open this page over https or on localhost.',
      ),
    );
  }
  return new Promise((resolve, reject) => {
    navigator.locks
      .request(name, () => new Promise<void>((release) => resolve(() => release())))
      .catch(reject);
  });
}

interface WorkerLink {
  port: MessagePort;
  /** Rejects when the worker reports an error (e.g. its script is missing: a 404). */
  failed: Promise<never>;
  stopWatchingErrors(): void;
}

function connectToWorker(url: URL): WorkerLink {
  let worker: SharedWorker | Worker;
  let port: MessagePort;
  try {
    if (typeof SharedWorker !== 'undefined') {
      // Same URL and name on every page: that is what makes every tab share ONE hub.
      const shared = new SharedWorker(url, { type: 'module', name: HUB_WORKER_NAME });
      worker = shared;
      port = shared.port;
    } else {
      let dedicated = dedicatedWorkers.get(url.href);
      if (!dedicated) {
        dedicated = new Worker(url, { type: 'module', name: HUB_WORKER_NAME });
        dedicatedWorkers.set(url.href, dedicated);
      }
      worker = dedicated;
      // A dedicated Worker has one implicit port; each session gets a channel of its own.
      const channel = new MessageChannel();
      const frame: PortFrame = { type: 'nexus/port' };
      dedicated.postMessage(frame, [channel.port2]);
      port = channel.port1;
    }
  } catch (error) {
    // E.g. a SecurityError for a hub script on another origin.
    throw new Error(
      `Nexus could not start its hub from ${url.href}: ${error instanceof Error ? error.message : String(error)}. ` +
        'The hub script must be served by this site.',
    );
  }

  let onError: (event: Event) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    onError = (event) => {
      // A script that failed to LOAD (404, wrong MIME type, syntax error) fires a plain Event; an
      // exception the hub threw while running fires an ErrorEvent with its message.
      const thrown = event instanceof ErrorEvent && event.message ? event.message : undefined;
      // A dedicated worker that never loaded is dropped, so the next attempt starts afresh. One
      // that threw stays: dropping it would start a second hub beside a running one.
      if (!thrown && dedicatedWorkers.get(url.href) === worker) dedicatedWorkers.delete(url.href);
      reject(
        new Error(
          thrown
            ? `The Nexus hub at ${url.href} failed: ${thrown}`
            : `The Nexus hub at ${url.href} failed to load. Is ${url.href} served by this site?`,
        ),
      );
    };
  });
  // Keep the rejection from being reported as unhandled when no one races it any more.
  failed.catch(() => {});
  worker.addEventListener('error', onError);
  return { port, failed, stopWatchingErrors: () => worker.removeEventListener('error', onError) };
}
