/**
 * Read-only views of the hub's state, as the admin API hands them to the dashboard. Plain data
 * (structured-cloneable), never a live object, and never a secret: header values marked secret are
 * masked before a view leaves the hub.
 */
import type { HeaderEntry, RemoteTransportKind, ServerStatus } from './types.ts';

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
  enabled: boolean;
  timeoutMs: number;
  status: ServerStatus;
  /** A human hint for a stdio entry, e.g. "needs the local bridge". */
  note?: string;
  serverInfo?: { name: string; version: string };
  protocolVersion?: string;
  tools: ToolView[];
  /** When the current status began (ms since epoch). */
  since: number;
}

export interface SessionView {
  sessionId: string;
  clientName: string;
  clientVersion: string;
  origin: string;
  connectedAt: number;
  calls: number;
  errors: number;
}

/** What changed; the dashboard refetches what it shows. */
export type HubEvent = { type: 'servers' } | { type: 'sessions' };

/** What the add/edit form sends. A header whose value is `undefined` keeps its stored value
 * (the form never receives secret values, so it cannot send them back). */
export interface ServerInput {
  name?: string;
  slug?: string;
  url: string;
  transport: RemoteTransportKind;
  headers: Array<Omit<HeaderEntry, 'value'> & { value?: string }>;
  timeoutMs?: number;
}

export interface ImportSummary {
  /** Names of the servers added. */
  added: string[];
  /** Names of stdio entries that were kept but need the local bridge. */
  needsBridge: string[];
}
