/**
 * `nexus-client.js`: what an AI client page on the hub's origin imports to reach every tool of
 * every server registered in Nexus, as ONE MCP server.
 *
 * ```js
 * import { connectHub } from '/nexus-client.js';
 * const client = new Client({ name: 'my-agent', version: '1.0.0' }); // SDK v1 or v2
 * await client.connect(await connectHub({ name: 'my-agent' }));
 * ```
 *
 * No SDK code is bundled here (only SDK types, erased at build): the page brings its own SDK, and
 * this file stays a few kilobytes.
 */
import { MessagePortTransport } from '../transports/message-port.ts';
import { HUB_WORKER_FILE } from '../protocol/port-frames.ts';
import { relayBridge } from './bridge-relay.ts';
import { openHubPort } from './hub-port.ts';

export { MessagePortTransport } from '../transports/message-port.ts';

export interface ConnectHubOptions {
  /** The name the person sees for this client in the dashboard's "Connected clients". */
  name: string;
  version?: string;
  /**
   * Connect to ONE server through the hub, by its slug (as the dashboard shows it): its tools,
   * prompts and templates keep their own names, while the hub's policy, routing and logging stay
   * in the path. Without it the client sees every server, names prefixed `slug__`.
   */
  server?: string;
  /**
   * The hub script. Default: `nexus-hub.js` next to this file. Every page must use the same URL,
   * or it starts a second hub.
   */
  workerUrl?: string | URL;
  /** How long to wait for the hub to answer (ms). Default 10 000. */
  timeoutMs?: number;
  /**
   * Whether this page may relay between the hub and nexus-bridge when no other Nexus tab does
   * (local stdio servers; see the README). Default true. The id of the companion extension, when
   * a self-hosted build uses its own.
   */
  relayBridge?: boolean;
  extensionId?: string;
}

/**
 * Opens a session with the hub and returns an MCP transport for it, ready for an SDK client's
 * `connect()`. Rejects with a message saying what to do when the hub cannot be reached.
 * Closing the transport (or the client) ends the session; so does leaving the page.
 */
/** One relay per page, however many sessions it opens. */
let relaying = false;

export async function connectHub(options: ConnectHubOptions): Promise<MessagePortTransport> {
  if (typeof options?.name !== 'string' || options.name.trim() === '') {
    throw new TypeError('connectHub needs a client name, e.g. connectHub({ name: "my-agent" }).');
  }
  const { port, sessionId, text, release } = await openHubPort({
    role: 'client',
    clientName: options.name.trim(),
    clientVersion: options.version ?? '0.0.0',
    ...(options.server === undefined ? {} : { server: options.server }),
    // A variable, not a literal: Vite would treat a literal as an asset of src/client and bundle it.
    workerUrl: options.workerUrl ?? new URL(HUB_WORKER_FILE, import.meta.url),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const workerUrl = options.workerUrl ?? new URL(HUB_WORKER_FILE, import.meta.url);
  if (options.relayBridge !== false && !relaying) {
    relaying = true;
    relayBridge({
      workerUrl,
      clientName: `${options.name.trim()} (bridge relay)`,
      ...(options.extensionId === undefined ? {} : { extensionId: options.extensionId }),
    });
  }
  // Releasing the session lock after the bye tells the hub at once that this session is over.
  return new MessagePortTransport(port, { hubSessionId: sessionId, dispose: release, text });
}
