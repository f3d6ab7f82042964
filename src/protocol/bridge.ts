/**
 * The wire between the hub and nexus-bridge (native/), relayed unchanged by the companion
 * extension (extension/) and by one Nexus document (src/client/bridge-relay.ts):
 *
 *   hub worker ⇄ MessagePort ⇄ relay document ⇄ chrome.runtime Port ⇄ extension ⇄ native port ⇄ nexus-bridge
 *
 * Chrome owns the 4-byte length framing on the native port; every message here is one JSON
 * object with a `type`. Several stdio servers share the one native port, each on a `channel` the
 * hub picks (one per connection attempt). The browser names a server by its allowlist NAME, never
 * by a command line: the bridge runs only what the person put in its own allowlist from a terminal.
 *
 * Everything that crosses is untrusted at the receiving end: the bridge checks each hub frame's
 * fields, and the hub checks each bridge frame's (`readBridgeFrame`).
 */

/** The native-messaging host's name (the manifest file is `<name>.json`). */
export const BRIDGE_HOST_NAME = 'dev.nexus.bridge';

/** The version of this wire; a bridge refuses a hello with another one. */
export const BRIDGE_WIRE_VERSION = 1;

/**
 * Chrome refuses a message from a native host larger than 1 MiB (1,048,576 bytes of UTF-8 JSON).
 * A bridge frame whose JSON is larger travels as `chunk` frames, reassembled by the hub.
 */
export const NATIVE_TO_BROWSER_LIMIT = 1024 * 1024;

/** One allowlisted server as the browser may see it: never its environment's values. */
export interface BridgeServerInfo {
  name: string;
  command: string;
  args: string[];
  /** The names of the environment variables the allowlist sets (values stay in the allowlist). */
  envKeys: string[];
}

// ---------------------------------------------------------------------------------------------
// hub → bridge

export interface BridgeHello {
  type: 'hello';
  wire: number;
  /** The hub's version, for the bridge's log. */
  hub: string;
}
/** Asks for the allowlist again (the person may have run `nexus-bridge add` meanwhile). */
export interface BridgeList {
  type: 'list';
}
/** Starts the allowlisted server `name` on `channel` (a channel in use is refused). */
export interface BridgeStart {
  type: 'start';
  channel: string;
  name: string;
}
/** One JSON-RPC message (or batch) for the child on `channel`'s stdin. */
export interface BridgeSend {
  type: 'send';
  channel: string;
  message: unknown;
}
/** Ends the child on `channel` (SIGTERM, then SIGKILL after a grace period). */
export interface BridgeStop {
  type: 'stop';
  channel: string;
}
export type HubToBridge = BridgeHello | BridgeList | BridgeStart | BridgeSend | BridgeStop;

// ---------------------------------------------------------------------------------------------
// bridge → hub

export interface BridgeWelcome {
  type: 'welcome';
  wire: number;
  /** nexus-bridge's version. */
  version: string;
  /** Where its allowlist lives, so the dashboard can say which file to look at. */
  allowlist: string;
  servers: BridgeServerInfo[];
  /**
   * What is wrong with the allowlist file: unreadable (bad JSON; `servers` is then empty), or
   * some entries malformed (`servers` holds the good ones).
   */
  problem?: string;
}
export interface BridgeServers {
  type: 'servers';
  servers: BridgeServerInfo[];
  problem?: string;
}
export interface BridgeStarted {
  type: 'started';
  channel: string;
  pid: number;
}
/** One JSON-RPC message the child wrote on stdout (one line of JSON). */
export interface BridgeMessage {
  type: 'message';
  channel: string;
  message: unknown;
}
/** One line the child wrote on stderr (or a stdout line that was not JSON), for the dashboard. */
export interface BridgeLog {
  type: 'log';
  channel: string;
  stream: 'stderr' | 'stdout';
  line: string;
}
/** The child on `channel` is gone (or never started: then `code` is null and `reason` says why). */
export interface BridgeExit {
  type: 'exit';
  channel: string;
  code: number | null;
  signal: string | null;
  /** Why, when the bridge ended it or it could not start: words for a person. */
  reason?: string;
}

/** Why the bridge refused something: stable codes for the hub's audit, words for a person. */
export type BridgeErrorCode =
  /** `start` named a server that is not in the allowlist. */
  | 'unknown-server'
  /** The child could not be spawned (command not found, …). */
  | 'spawn-failed'
  /** A frame from the browser was not JSON, not an object, had a bad field or an unknown type. */
  | 'bad-frame'
  /** A frame from the browser was longer than the bridge reads (it was skipped). */
  | 'oversized-frame'
  /** A child wrote a stdout line longer than the bridge relays: the bridge ended it. */
  | 'flood'
  /** A child stopped reading its stdin while the hub kept writing: the bridge ended it. */
  | 'stalled'
  /** `start` on a channel already in use, or `send`/`stop` on none. */
  | 'bad-channel'
  /** The hello spoke another wire version. */
  | 'wire-version';

export interface BridgeError {
  type: 'error';
  code: BridgeErrorCode;
  message: string;
  channel?: string;
  /** The allowlist NAME involved (`unknown-server`, `spawn-failed`, `flood`, `stalled`). */
  name?: string;
}

/**
 * One piece of a bridge frame too large for one native message. The frame's JSON text, as UTF-8
 * bytes, is cut into pieces sent in order as base64 (`data`); piece `index` of `count`. The hub
 * joins the pieces of `id` and parses the whole as one bridge frame.
 */
export interface BridgeChunk {
  type: 'chunk';
  id: number;
  index: number;
  count: number;
  data: string;
}

export type BridgeToHub =
  | BridgeWelcome
  | BridgeServers
  | BridgeStarted
  | BridgeMessage
  | BridgeLog
  | BridgeExit
  | BridgeError
  | BridgeChunk;

// ---------------------------------------------------------------------------------------------
// extension → relay document (the relay passes these on to the hub)

/** The extension's first message on a page's port: it is there, and which version. */
export interface ExtensionHello {
  type: 'extension';
  version: string;
}
/**
 * The extension could not reach nexus-bridge: the host is not installed (Chrome: "Specified native
 * messaging host not found."), or it exited. The extension closes the page's port after it.
 */
export interface ExtensionHostGone {
  type: 'host-gone';
  error: string;
}
export type ExtensionToPage = ExtensionHello | ExtensionHostGone;

// ---------------------------------------------------------------------------------------------
// relay document → hub, about the relay itself

/** The relay document's word on the extension: absent from this browser, or not answering. */
export interface RelayNoExtension {
  type: 'no-extension';
  /** What the document found (`chrome.runtime` missing, connect threw, …). */
  detail: string;
}
export type RelayToHub = RelayNoExtension | ExtensionToPage | BridgeToHub;

/**
 * The companion extension's id: fixed by the public `key` in extension/manifest.json, so an
 * unpacked copy has the same id on every machine (the host manifest's `allowed_origins` and the
 * relay's `chrome.runtime.connect` name it). A build for a store listing sets `NEXUS_EXTENSION_ID`.
 */
export const DEFAULT_EXTENSION_ID = 'ecegeiokejnenlkhcmkmcadbhbimbhai';
