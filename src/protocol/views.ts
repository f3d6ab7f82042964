/**
 * Read-only views of the hub's state, as the admin API hands them to the dashboard. Plain data
 * (structured-cloneable), never a live object, and never a secret: header values marked secret are
 * masked before a view leaves the hub.
 */
import type { BridgeServerInfo } from './bridge.ts';
import type {
  Prompt,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  ServerCapabilities,
  Tool,
} from '@modelcontextprotocol/client';

/** How the hub reaches a remote server. `auto` follows the spec's backwards-compatibility rule. */
export type RemoteTransportKind = 'auto' | 'streamable-http' | 'sse';
/**
 * The protocol era a server entry speaks: `auto` tries 2026-07-28 and falls back to the 2025
 * handshake when that fails; a version pins it (no fallback).
 */
export type ServerEra = 'auto' | '2026-07-28' | '2025-11-25';

/** A request header sent to one server. A secret value is never logged or shown back in full. */
export interface HeaderEntry {
  name: string;
  value: string;
  secret: boolean;
}

/** Which connection: a client's session with the hub, or the hub's connection to a server. */
export type TrafficSide = 'client' | 'server';
/** Relative to the hub: `in` arrived at the hub, `out` left it. */
export type TrafficDirection = 'in' | 'out';
/** `invalid`: not a JSON-RPC message the hub could take; `problem` says why. */
export type TrafficKind = 'request' | 'response' | 'error' | 'notification' | 'invalid';

/**
 * What the Inspector knows of one JSON-RPC message besides the message itself: shared by its live
 * entries, the dashboard's view of them and the journal's records.
 */
export interface TrafficFacts {
  /** The Inspector's sequence number; increasing across restarts (the hub continues from the last). */
  seq: number;
  at: number;
  side: TrafficSide;
  direction: TrafficDirection;
  kind: TrafficKind;
  method?: string;
  id?: string | number;
  sessionId?: string;
  clientName?: string;
  serverId?: string;
  serverSlug?: string;
  /** On a response: ms since its request; on a request: the same, once answered. */
  latencyMs?: number;
  /** An `invalid` message: what was wrong with it, and whether it was answered (−32600). */
  problem?: string;
  /** What the hub read otherwise than the message says (a server's missing `resultType`). */
  note?: string;
  /**
   * Only the beginning of the message is kept (the Inspector's byte budget ran out, or the journal
   * does not keep messages this large); `size` is still the whole message's.
   */
  truncated?: boolean;
}

export type ServerStatus =
  | { state: 'connecting' }
  /** `warnings`: lists that failed to load or repeated names (the rest works). */
  | { state: 'ready'; warnings?: string[] }
  | { state: 'error'; reason: string }
  /**
   * The server wants the person to sign in (OAuth): it answered 401 and Nexus holds no token
   * that works. No retry loop: the next attempt follows Sign in. `reason` says why in words.
   */
  | { state: 'needs-sign-in'; reason: string }
  | { state: 'disabled'; reason?: string };

/** How Nexus identified itself to a server's authorization server (the spec's order). */
export type ClientIdentity = 'pre-registered' | 'metadata-document' | 'dynamic-registration';

/**
 * A remote server's sign-in as the dashboard sees it: never a token, only whether there is one
 * and what it is good for.
 */
export interface SignInView {
  /** Nexus holds tokens for this server. */
  signedIn: boolean;
  /** How Nexus identified itself at the last sign-in (absent before the first one). */
  identity?: ClientIdentity;
  /** The authorization server of the last sign-in. */
  issuer?: string;
  /** The scopes the last token was granted, as the authorization server said. */
  scope?: string;
  /** When the access token expires (ms since epoch), when the server said. */
  expiresAt?: number;
  /** A call needed more access than granted (step-up): the scopes a new sign-in asks for. */
  wantsScope?: string;
}

/** A server waiting for the person to sign in ("Waiting for you"). */
export interface SignInRequestView {
  id: string;
  serverId: string;
  serverSlug: string;
  serverName: string;
  /** What happened, in words (no sign-in yet, a refresh failed, a call needs more access). */
  reason: string;
  askedAt: number;
}

export interface ResourceCollision {
  uri: string;
  /** The server that serves the URI: the one registered first. */
  servedBy: string;
  /** The other servers that list it too, in registration order. */
  shadowed: string[];
}

export interface ToolView {
  /** The aggregated name a client sees, `slug__name` (possibly shortened). */
  name: string;
  /** The name the upstream server gave the tool. */
  upstreamName: string;
  title?: string;
  description?: string;
}

export interface HeaderView {
  name: string;
  /** The value, or a masked form like `••••ab12` when the header is secret. */
  value: string;
  secret: boolean;
}

export interface ServerView {
  id: string;
  slug: string;
  name: string;
  kind: 'remote' | 'stdio' | 'builtin';
  /** Remote servers: the URL. Stdio servers: the command line. Built-in: `builtin:notes`. */
  target: string;
  /** The transport the entry asks for (remote only). */
  transport?: RemoteTransportKind;
  /** The transport actually in use once connected (remote only). */
  activeTransport?: 'streamable-http' | 'sse';
  headers: HeaderView[];
  /** The era the entry asks for (remote only; absent means `auto`). */
  era?: ServerEra;
  enabled: boolean;
  timeoutMs: number;
  /** How long connecting may take, both eras together (ms). */
  connectTimeoutMs: number;
  status: ServerStatus;
  /** Remote servers that sign in with OAuth (no Authorization header of their own). */
  signIn?: SignInView;
  /** A client registered by hand for the server's sign-in: its id, and whether a secret is kept. */
  oauthClient?: { id: string; hasSecret: boolean };
  /** A human hint for a stdio entry, e.g. "not in nexus-bridge's allowlist". */
  note?: string;
  /** Local (stdio) servers: how nexus-bridge runs it. */
  local?: LocalServerView;
  serverInfo?: { name: string; version: string };
  protocolVersion?: string;
  tools: ToolView[];
  /** How many of each the server lists now (zero while it is not connected). */
  counts: { tools: number; prompts: number; resources: number; templates: number };
  /** Round-trip times of the last health checks, oldest first, in ms (at most 10). */
  latencyMs: number[];
  /** The last failure, kept after the server recovers, so a flapping server can be diagnosed. */
  lastError?: { reason: string; at: number };
  /** When the current status began (ms since epoch). */
  since: number;
}

/**
 * Everything the dashboard shows about one server: what it declared when it connected, and its
 * catalog as the server gave it (schemas untouched), each tool, prompt and template also under
 * the name clients call it by (`name`; `upstreamName` is the server's own).
 */
/** A local server as nexus-bridge runs it (the dashboard shows its transport as "local"). */
export interface LocalServerView {
  /** The allowlist NAME the hub asks nexus-bridge to start. */
  bridgeName: string;
  /** Whether the connected bridge's allowlist has it; absent while no bridge is connected. */
  allowlisted?: boolean;
  /**
   * The line to paste into a terminal to allowlist it, from what the imported entry said
   * (environment values that are secrets appear as placeholders to fill in).
   */
  addLine: string;
}

export interface ServerDetail extends ServerView {
  /** Local servers: the last lines the child wrote on stderr, oldest first. */
  localLog?: BridgeLogLine[];
  capabilities?: ServerCapabilities;
  instructions?: string;
  toolDetails: Array<Tool & { upstreamName: string }>;
  prompts: Array<Prompt & { upstreamName: string }>;
  resources: Resource[];
  templates: Array<ResourceTemplate & { upstreamName: string }>;
}

export interface SessionView {
  sessionId: string;
  clientName: string;
  clientVersion: string;
  origin: string;
  connectedAt: number;
  calls: number;
  errors: number;
  /** `legacy`: 2025-11-25 or older (initialize handshake); `modern`: 2026-07-28 (stateless). */
  era?: 'legacy' | 'modern';
  /** The slug of the one server a scoped session sees (`connectHub({ server })`). */
  scope?: string;
}

/** One message in the Inspector's log (its JSON comes separately, see `TrafficDetail`). */
export interface TrafficView extends TrafficFacts {
  /** Bytes of the message as JSON. */
  size: number;
}

export interface TrafficDetail {
  /** The message, pretty-printed; when `truncated`, the beginning of its JSON text as it came. */
  json: string;
  /** Only the beginning was kept (see `TrafficFacts.truncated`). */
  truncated?: boolean;
  /**
   * For a message the hub sent a server over HTTP: the exchange as a cURL command line, secret
   * header values masked.
   */
  curl?: string;
}

export interface InspectorSettings {
  /** The person's switch. */
  enabled: boolean;
  /** Messages kept. */
  capacity: number;
}

export interface ActivityView {
  serverId: string;
  slug: string;
  name: string;
  /** One point per 10 s over the last 10 minutes, oldest first. */
  series: Array<{
    start: number;
    calls: number;
    errors: number;
    medianMs?: number;
    p95Ms?: number;
  }>;
  /** The last 5 minutes. */
  recent: { calls: number; errors: number; medianMs?: number; p95Ms?: number };
}

/** What changed; the dashboard refetches what it shows. */
export type HubEvent =
  | { type: 'servers' }
  | { type: 'sessions' }
  /** What waits for the person changed (elicitations, consent requests, new clients). */
  | { type: 'waiting' }
  /** The person's decisions (clients, grants, settings, pins) changed. */
  | { type: 'consent' }
  /** New messages in the Inspector's log (sent at most every 250 ms). */
  | { type: 'traffic' }
  /** New events in the audit journal, written to its store (sent at most every 250 ms). */
  | { type: 'audit' }
  /** The local bridge's state, its allowlist or a local server's log lines changed (held 250 ms). */
  | { type: 'bridge' };

/**
 * nexus-bridge as the dashboard sees it, from the hub's side of the relay: whether a Nexus page
 * relays, whether the companion extension and the native host answer, and what the person
 * allowlisted (names and command lines; environment values never leave the bridge).
 */
export interface BridgeView {
  state: 'no-relay' | 'connecting' | 'no-extension' | 'no-host' | 'connected';
  /** What was found, in words (`no-extension`, `no-host`). */
  detail?: string;
  extensionVersion?: string;
  hostVersion?: string;
  /** The allowlist file on the person's machine. */
  allowlist?: string;
  /** What is wrong with the allowlist file, when it could not be read. */
  problem?: string;
  servers: BridgeServerInfo[];
  /**
   * The last frame that was refused on the way (by nexus-bridge, or by the hub from it), with
   * its time: the same words are in the security journal.
   */
  lastRefusal?: { at: number; text: string };
}

/** One line a local server wrote on stderr (or a stdout line that was not JSON-RPC). */
export interface BridgeLogLine {
  at: number;
  stream: 'stderr' | 'stdout';
  line: string;
}

/**
 * A server's request for input that no client could answer, waiting for the person in the
 * dashboard. Every field but `requestedSchema` is plain text from the server: show it as text.
 */
export interface ElicitationView {
  id: string;
  serverSlug: string;
  serverName: string;
  /** The client whose call caused the request, if one did. */
  clientName?: string;
  message: string;
  mode: 'form' | 'url';
  /** URL mode: the page the server wants the person to open. */
  url?: string;
  /** Form mode: the flat JSON Schema of the fields the server asks for. */
  requestedSchema?: unknown;
  askedAt: number;
}

export interface ElicitationAnswer {
  action: 'accept' | 'decline' | 'cancel';
  /** Form mode, accept: the field values. Omitted fields get the schema's defaults. */
  content?: Record<string, string | number | boolean | string[]>;
}

/** What the add/edit form sends. A header whose value is `undefined` keeps its stored value
 * (the form never receives secret values, so it cannot send them back). */
export interface ServerInput {
  name?: string;
  slug?: string;
  url: string;
  transport: RemoteTransportKind;
  era?: ServerEra;
  headers: Array<Omit<HeaderEntry, 'value'> & { value?: string }>;
  /**
   * A client registered with the server's authorization server by hand: its id, and its secret
   * (kept as a secret; absent keeps the stored one, '' removes it). Absent: Nexus identifies
   * itself by its metadata document or registers dynamically.
   */
  oauthClient?: { id: string; secret?: string } | null;
  timeoutMs?: number;
  connectTimeoutMs?: number;
}

export interface ImportSummary {
  /** Names of the servers added. */
  added: string[];
  /** Names of stdio entries that were kept but need the local bridge. */
  needsBridge: string[];
}
