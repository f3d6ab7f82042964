/**
 * Control frames on a hub port. A port first carries ONE hello from the page and ONE answer from the
 * hub; after a `welcome` it carries plain JSON-RPC messages (client role) or comlink messages (admin
 * role), as text frames when both ends said they read them, plus at most one `bye`. Control
 * frames are told apart from JSON-RPC by their `type` field (JSON-RPC messages have none).
 */

/** The version of this handshake; a hub refuses a hello with another one. */
export const WIRE_VERSION = 1;

export interface HelloFrame {
  type: 'nexus/hello';
  wire: number;
  /**
   * `client`: an MCP client's session. `admin`: the dashboard. `bridge`: the document that relays
   * between the hub and the companion extension (src/protocol/bridge.ts frames, no JSON-RPC).
   */
  role: 'client' | 'admin' | 'bridge';
  sessionId: string;
  /**
   * The Web Locks name the page holds for as long as it lives. A MessagePort has no close event;
   * the hub queues for this lock and is granted it when the page dies.
   */
  lock: string;
  clientName: string;
  clientVersion: string;
  /** The page's URL, for the sessions list. Same-origin by construction (SharedWorker rules). */
  href: string;
  /** Client role, optional: the slug of the ONE server this session is scoped to. */
  server?: string;
  /** Client role: this page reads text frames (absent from pages built before them). */
  text?: true;
}

export interface WelcomeFrame {
  type: 'nexus/welcome';
  sessionId: string;
  /** `shared`: one hub for every tab. `dedicated`: this tab runs its own hub (no SharedWorker). */
  mode: 'shared' | 'dedicated';
  /** The hub reads text frames (absent from hubs built before them). */
  text?: true;
}

/**
 * A text frame: a string posted on the port, the JSON text of one JSON-RPC message or of an array
 * of them (everything one end sent in one turn, in order). Sent only to an end that said in the
 * handshake that it reads them. Why text and not the structured clone a port offers: in Chromium
 * JSON.stringify plus JSON.parse cost a quarter of a clone for a call's message (2.2 against
 * 9.6 µs) and half for a page of tools; and why several in one: each postMessage costs the
 * hub worker about 50 µs, more than its own work on a built-in call. With 32 calls in flight the
 * answers to the calls that arrived together leave together.
 */
export type TextFrame = string;

export interface RefusedFrame {
  type: 'nexus/refused';
  reason: string;
}

/** Sent by either side when it closes the session on purpose. */
export interface ByeFrame {
  type: 'nexus/bye';
}

/** Dedicated-Worker fallback: the page hands the worker one end of a MessageChannel. */
export interface PortFrame {
  type: 'nexus/port';
}

export type PageToHubFrame = HelloFrame | ByeFrame;
export type HubToPageFrame = WelcomeFrame | RefusedFrame | ByeFrame;
export type ControlFrame = HelloFrame | WelcomeFrame | RefusedFrame | ByeFrame | PortFrame;

/** True for a control frame; false for a JSON-RPC message (which has no `type`). */
export function isControlFrame(data: unknown): data is ControlFrame {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { type?: unknown }).type === 'string' &&
    (data as { type: string }).type.startsWith('nexus/')
  );
}

/** The fixed URL of the hub worker, relative to the app root. Every page must use the same URL
 * and name, or it gets a different SharedWorker (a second hub). */
export const HUB_WORKER_FILE = 'nexus-hub.js';
export const HUB_WORKER_NAME = 'nexus-hub';

/**
 * The Web Locks name a page holds for one session (`HelloFrame.lock`). Names starting with `-` are
 * reserved by the Web Locks API, hence a fixed prefix.
 */
export function sessionLockName(sessionId: string): string {
  return `nexus-session:${sessionId}`;
}
