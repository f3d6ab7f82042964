/**
 * The hub side of the handshake on each port (see src/protocol/port-frames.ts): read the page's hello,
 * answer welcome or refused, and notice when the page is gone.
 *
 * Origins: a MessagePort carries no origin and `postMessage` on it takes none. Every port reaching
 * this worker comes from a page of its own origin, because only such a page can construct this
 * SharedWorker (or, in the fallback, the dedicated Worker); that rule is the boundary.
 */
import {
  WIRE_VERSION,
  isControlFrame,
  type HelloFrame,
  type RefusedFrame,
  type WelcomeFrame,
} from '../protocol/port-frames.ts';
import { SLUG_PATTERN } from '../hub/ports.ts';

/** Longest name, version, URL or id a hello may carry: enough for any honest page. */
const MAX_FIELD = 2048;

/**
 * Resolves with the first message on `port` when it is a valid hello. Otherwise (another message,
 * a bad shape, another wire version, no hello within `timeoutMs`) it replies `refused` with the
 * reason where there was a message to answer, closes the port and rejects.
 *
 * Starts the port. The page sends nothing more until it has the answer, so no message is lost
 * between this listener going away and the session's own listener arriving; the caller must
 * install that listener (transport or comlink) BEFORE sending `welcome`.
 */
export function acceptHello(port: MessagePort, timeoutMs = 10_000): Promise<HelloFrame> {
  return new Promise((resolve, reject) => {
    const finish = (): void => {
      clearTimeout(timer);
      port.removeEventListener('message', onMessage);
    };
    const refuse = (reason: string): void => {
      finish();
      refuseConnection(port, reason);
      reject(new Error(`Refused a connection: ${reason}`));
    };
    const onMessage = (event: MessageEvent): void => {
      const hello = readHello(event.data);
      if (typeof hello === 'string') return refuse(hello);
      finish();
      resolve(hello);
    };
    const timer = setTimeout(() => {
      finish();
      port.close();
      reject(new Error(`A page connected but sent no hello within ${timeoutMs} ms.`));
    }, timeoutMs);
    port.addEventListener('message', onMessage);
    port.start();
  });
}

/**
 * The hello in `data`, rebuilt from its checked fields (anything else the page sent is dropped), or
 * why it is not acceptable, written for the page's developer.
 */
function readHello(data: unknown): HelloFrame | string {
  if (!isControlFrame(data) || data.type !== 'nexus/hello') {
    return 'the first message on a hub port must be a nexus/hello frame.';
  }
  // A control frame is only known to have a `type`: every other field is checked here.
  const fields = data as Partial<Record<keyof HelloFrame, unknown>>;
  if (fields.wire !== WIRE_VERSION) {
    return (
      `this page speaks handshake version ${String(fields.wire)}, the hub speaks ${WIRE_VERSION}. ` +
      'Reload the page so it loads the nexus-client.js that matches the hub.'
    );
  }
  const { role } = fields;
  if (role !== 'client' && role !== 'admin' && role !== 'bridge')
    return `unknown role ${JSON.stringify(role)}.`;
  const text = {} as Record<'sessionId' | 'lock' | 'clientName' | 'clientVersion' | 'href', string>;
  for (const field of ['sessionId', 'lock', 'clientName', 'clientVersion', 'href'] as const) {
    const value = fields[field];
    if (typeof value !== 'string') return `the hello lacks "${field}".`;
    if (value.length > MAX_FIELD)
      return `the hello's "${field}" is longer than ${MAX_FIELD} characters.`;
    text[field] = value;
  }
  if (text.sessionId === '' || text.clientName === '')
    return 'the hello needs a sessionId and a clientName.';
  // Web Locks reserve names that start with "-"; requesting one would throw.
  if (text.lock === '' || text.lock.startsWith('-')) return 'the hello names no usable lock.';
  const { server } = fields;
  if (server !== undefined && (typeof server !== 'string' || !SLUG_PATTERN.test(server)))
    return `the hello's "server" must be a server slug (like "everything"), not ${JSON.stringify(server)}.`;
  return {
    type: 'nexus/hello',
    wire: WIRE_VERSION,
    role,
    ...text,
    ...(server === undefined ? {} : { server }),
    ...(fields.text === true ? { text: true as const } : {}),
  };
}

/** Tells the page why it gets no session (so it fails now, not on a timeout) and closes the port. */
export function refuseConnection(port: MessagePort, reason: string): void {
  const refused: RefusedFrame = { type: 'nexus/refused', reason };
  port.postMessage(refused);
  port.close();
}

/**
 * Tells the page its session is open. Send only once the session listens on `port`. `text`: the
 * session reads text frames (client role; an admin port carries comlink messages).
 */
export function welcome(
  port: MessagePort,
  sessionId: string,
  mode: 'shared' | 'dedicated',
  text = false,
): void {
  const frame: WelcomeFrame = {
    type: 'nexus/welcome',
    sessionId,
    mode,
    ...(text ? { text: true as const } : {}),
  };
  port.postMessage(frame);
}

/**
 * Calls `onGone` once the page holding `lockName` is gone. A MessagePort has no close event a hub
 * can rely on, so the page holds a Web Lock named for its session for as long as it lives (taken
 * BEFORE its hello, see src/client/hub-port.ts) and the hub queues for the same lock: the browser
 * grants it only when the page died, navigated away, or released it after saying bye.
 *
 * Returns a function that stops watching (e.g. after a bye, when the session closed anyway).
 * Without the Web Locks API (an insecure context, where pages cannot hold locks either) nothing is
 * watched; sessions then end only by bye.
 */
export function watchDeparture(lockName: string, onGone: () => void): () => void {
  if (typeof navigator === 'undefined' || !navigator.locks) return () => {};
  const controller = new AbortController();
  navigator.locks
    .request(lockName, { signal: controller.signal }, () => {
      // Returning at once releases the lock again: we only wanted to learn it was free.
      if (!controller.signal.aborted) onGone();
    })
    .catch((error: unknown) => {
      // Aborting a queued request rejects it with an AbortError: that is the cancel working.
      if ((error as { name?: unknown } | null)?.name === 'AbortError') return;
      console.warn(`[nexus-hub] could not watch lock ${lockName}:`, error);
    });
  return () => controller.abort();
}
