/**
 * The hub's data model and the platform pieces it needs. The hub core declares these interfaces;
 * the worker wires IndexedDB-backed implementations in (src/store), tests and the Node entry wire
 * in-memory ones (./memory-stores.ts). Nothing here touches a browser or Node API.
 */
import type {
  FetchLike,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import type {
  ClientId,
  ClientRecord,
  ConsentSettings,
  Grant,
  GrantKey,
  JournalEvent,
  JournalEventKind,
  Pin,
} from '../protocol/consent.ts';
import type {
  HeaderEntry,
  RemoteTransportKind,
  ServerEra,
  TrafficFacts,
} from '../protocol/views.ts';
import type { Policy } from './policy/policy.ts';
import type { BackoffOptions } from './upstream/backoff.ts';
import type { Connector } from './upstream/connectors/connector.ts';
import type { SignInSettings } from './upstream/auth/sign-ins.ts';

export type {
  ClientId,
  ClientRecord,
  ConsentSettings,
  Grant,
  GrantKey,
  GrantTarget,
  JournalEvent,
  JournalEventKind,
  Permission,
  Pin,
  ToolDefaultRule,
} from '../protocol/consent.ts';
export type {
  HeaderEntry,
  RemoteTransportKind,
  ServerEra,
  ServerStatus,
  TrafficDirection,
  TrafficFacts,
  TrafficKind,
  TrafficSide,
} from '../protocol/views.ts';

interface EntryBase {
  /** Stable identity; never reused. */
  id: string;
  /**
   * Prefix of every aggregated name of this server: lowercase `[a-z0-9_-]`, unique, no `__`
   * (see `SLUG_PATTERN`). Editable; an edit renames this server's tools, never another's.
   */
  slug: string;
  /** A person's label for the server (defaults to the config key or the URL's host). */
  name: string;
  enabled: boolean;
  /** Per-request timeout towards this server in ms (reset by progress). Default 60 000. */
  timeoutMs?: number;
  /** How long connecting may take in ms, both protocol eras together. Default 15 000. */
  connectTimeoutMs?: number;
  /** Fields an imported config carried that Nexus does not understand; written back on export. */
  extra?: Record<string, unknown>;
  createdAt: number;
}

export interface RemoteServerEntry extends EntryBase {
  kind: 'remote';
  url: string;
  transport: RemoteTransportKind;
  /** The protocol era to speak; absent means `auto` (2026-07-28, else 2025-11-25). */
  era?: ServerEra;
  headers: HeaderEntry[];
  /**
   * A client registered with the server's authorization server by hand (upstream/auth/): used
   * before any other identity, never registered over. The secret is a secret like a header's.
   */
  oauthClient?: { id: string; secret?: string };
}

/**
 * A local stdio server, run by nexus-bridge from ITS allowlist: the hub names it (`bridge`, else
 * the slug) and never sends a command. `command`, `args` and `env` are what an imported config
 * said (written back on export, and shown as the `nexus-bridge add` line to paste).
 */
export interface StdioServerEntry extends EntryBase {
  kind: 'stdio';
  /** The allowlist NAME in nexus-bridge; absent: the slug. */
  bridge?: string;
  command: string;
  args: string[];
  env: HeaderEntry[];
}

/** A server that runs inside the hub itself over an in-memory transport. */
export interface BuiltinServerEntry extends EntryBase {
  kind: 'builtin';
  builtin: 'notes';
}

export type ServerEntry = RemoteServerEntry | StdioServerEntry | BuiltinServerEntry;

/** What a caller supplies to add a server; the registry fills in id, slug and createdAt. */
export type NewServerEntry =
  | (Omit<RemoteServerEntry, 'id' | 'slug' | 'createdAt'> & { slug?: string })
  | (Omit<StdioServerEntry, 'id' | 'slug' | 'createdAt'> & { slug?: string })
  | (Omit<BuiltinServerEntry, 'id' | 'slug' | 'createdAt'> & { slug?: string });

/** The protocol eras an entry may ask for (`ServerEra`): `auto`, or one pinned revision. */
export const SERVER_ERAS: readonly ServerEra[] = ['auto', '2026-07-28', '2025-11-25'];

/** Lowercase letters, digits, `-` and single `_`; 1–32 characters; starts with a letter or digit. */
export const SLUG_PATTERN = /^(?!.*__)[a-z0-9][a-z0-9_-]{0,31}$/;

/** Which list an aggregated name belongs to. Prompts and templates slot in next to tools. */
export type NameKind = 'tool' | 'prompt' | 'template';

/**
 * One persisted name mapping: the aggregated name a client sees for one upstream name. Persisted so
 * that a name, once handed out, never changes under a client's feet (grants bind to it).
 */
export interface NameRecord {
  serverId: string;
  kind: NameKind;
  upstreamName: string;
  exposedName: string;
}

/** Durable registry of servers and of the name mappings handed out for them. */
export interface RegistryStore {
  listServers(): Promise<ServerEntry[]>;
  /** Inserts or replaces one server. */
  putServer(entry: ServerEntry): Promise<void>;
  /** Inserts or replaces several servers in ONE transaction: all land or none does. */
  putServers(entries: ServerEntry[]): Promise<void>;
  /** Removes a server and every name record of it, in one transaction. */
  deleteServer(id: string): Promise<void>;
  listNames(): Promise<NameRecord[]>;
  /** Adds name records in one transaction. */
  putNames(records: NameRecord[]): Promise<void>;
  /** Removes every name record of one server (used when its slug changes). */
  deleteNames(serverId: string): Promise<void>;
  /** Small durable flags, e.g. whether first-run defaults were seeded. */
  getMeta(key: string): Promise<unknown>;
  setMeta(key: string, value: unknown): Promise<void>;
}

/**
 * One protocol message as the journal keeps it: the Inspector's entry with the message as JSON
 * text (secret header values redacted), so it can be read again after a restart, offline too.
 */
export interface JournalRecord extends TrafficFacts {
  /** Bytes of the message as JSON. */
  size: number;
  /** The JSON-RPC message, serialized, with secrets redacted; its beginning when `truncated`. */
  json: string;
}

/** Which events the journal keeps after a write: at most `count`, none older than `since`. */
export interface EventRetention {
  /** `Infinity`: no trim by count on this write (a trim walks `count` keys; not on every write). */
  count: number;
  /** Clock time; events whose `at` is before it are dropped. Absent: no age limit. */
  since?: number;
}

/**
 * The durable journal, in kinds: the protocol log the Inspector shows (`append`/`latest`/`clear`,
 * bounded) and the always-on audit and security events (`appendEvents`/`events`).
 */
export interface JournalStore {
  /**
   * Appends protocol records (in order, in ONE transaction with the trim) and then keeps only
   * the newest `keep` protocol records in the store.
   */
  append(records: JournalRecord[], keep: number): Promise<void>;
  /** The newest `limit` protocol records, oldest first. */
  latest(limit: number): Promise<JournalRecord[]>;
  /** Removes every protocol record (the Inspector's "clear"); events stay. */
  clear(): Promise<void>;
  /**
   * Appends events (in order, in ONE transaction with the trim) and then keeps only the newest
   * `keep.count` events of all kinds together, and none whose `at` is before `keep.since`.
   */
  appendEvents(events: JournalEvent[], keep: EventRetention): Promise<void>;
  /** The newest `limit` events of one kind, oldest first. */
  events(kind: JournalEventKind, limit: number): Promise<JournalEvent[]>;
}

/** Everything the person decided about clients and grants, as read at start and exported. */
export interface GrantSnapshot {
  clients: ClientRecord[];
  grants: Grant[];
  /** Absent until the person first changes a setting: the defaults apply. */
  settings?: ConsentSettings;
}

/**
 * The writes of ONE decision of the person's (approve a client with its servers, answer "allow
 * always", revoke, import): they land together or not at all.
 */
export interface GrantChange {
  /** First: remove every client and every grant (an import replaces what was there). */
  clearAll?: boolean;
  /** Inserts or replaces clients (by origin × clientName). */
  putClients?: ClientRecord[];
  /** Removes clients AND every grant of theirs. */
  deleteClients?: ClientId[];
  /** Inserts or replaces grants (by `GrantKey`). */
  putGrants?: Grant[];
  deleteGrants?: GrantKey[];
  /** Removes every grant about this server, of every client (the server was removed). */
  deleteServerGrants?: string[];
  settings?: ConsentSettings;
}

/** Durable client approvals, grants and consent settings (policy/). */
export interface GrantStore {
  load(): Promise<GrantSnapshot>;
  /** Applies one change in ONE transaction, in the order of `GrantChange`'s fields. */
  commit(change: GrantChange): Promise<void>;
}

/** Durable tool pins: one per server × tool (policy/pins.ts). */
export interface PinStore {
  list(): Promise<Pin[]>;
  /** Inserts or replaces pins (by serverId × tool) in ONE transaction. */
  put(pins: Pin[]): Promise<void>;
  /** Removes every pin of one server (it was removed). */
  deleteServer(serverId: string): Promise<void>;
}

/**
 * What the hub keeps of one server's sign-in (upstream/auth/). Tokens and client secrets never
 * leave the hub: no client, view, log, export or error carries them.
 */
export interface SignInRecord {
  serverId: string;
  /** The server's URL when this was saved: a record of another URL is not used (upstream/auth/). */
  serverUrl?: string;
  /** The tokens last saved, and when (wall-clock ms): `expires_in` counts from then. */
  tokens?: StoredOAuthTokens;
  savedAt?: number;
  /** Client registrations, one per authorization server (by its issuer; '' when none was named). */
  clients?: Array<{ issuer: string; information: StoredOAuthClientInformation }>;
  /** The last discovery (protected resource and authorization server metadata). */
  discovery?: OAuthDiscoveryState;
  /** A sign-in under way: what its callback must match, and where the person was sent. */
  pending?: {
    state: string;
    codeVerifier: string;
    authorizationUrl: string;
    startedAt: number;
  };
}

/** Durable sign-ins, one record per server. */
export interface TokenStore {
  get(serverId: string): Promise<SignInRecord | undefined>;
  /** Inserts or replaces the server's record. */
  put(record: SignInRecord): Promise<void>;
  /** Forgets the server's record (signed out, or the server was removed). */
  delete(serverId: string): Promise<void>;
}

export interface Note {
  id: string;
  title: string;
  body: string;
  createdAt: number;
  updatedAt: number;
}

/** Durable notes of the built-in server. */
export interface NotesStore {
  list(): Promise<Note[]>;
  get(id: string): Promise<Note | undefined>;
  put(note: Note): Promise<void>;
  /** Returns whether a note with that id existed. */
  delete(id: string): Promise<boolean>;
}

/**
 * Time, passed in so tests can drive backoff, deadlines and health checks with a fake clock. No
 * file of the hub reads the platform's clock itself (a lint rule holds it to ./platform.ts).
 */
export interface Clock {
  /** Wall-clock milliseconds since the epoch: what is stored and shown. */
  now(): number;
  /** A monotonic millisecond reading for durations (latency); only differences mean anything. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Fresh identifiers (server entries, sessions, waiting requests, input flows), passed in too. */
export interface Ids {
  /** A new identifier, unique for the life of the profile (a UUID on the platform). */
  next(): string;
}

/** What a hub is built from: the platform's pieces and the deployment's settings. */
export interface HubOptions {
  registry: RegistryStore;
  notes: NotesStore;
  /** Who may do what: required, so allowing everything is a choice written down (policy/). */
  policy: Policy;
  clock?: Clock;
  ids?: Ids;
  /** Uniform in [0, 1), for backoff jitter. */
  random?: () => number;
  backoff?: BackoffOptions;
  /** Health check period (ms). Default 5 000. */
  pingIntervalMs?: number;
  /** How long a health-check ping may take (ms) before the server counts as silent. Default 4 000. */
  pingTimeoutMs?: number;
  /**
   * Connectors besides (or replacing, by kind) the default ones: HTTP for `remote` entries and
   * the in-worker one for `builtin`. Tests swap `remote` for in-memory servers this way.
   */
  connectors?: Connector[];
  /** The fetch the default HTTP connector and the doctor use. */
  fetch?: FetchLike;
  /** Servers registered on the very first start (after the built-in one); a function is called
   * only then, so a deployment's default list is fetched once, not on every start. */
  defaults?: NewServerEntry[] | (() => Promise<NewServerEntry[]>);
  /**
   * How long a client's request may wait (ms) for servers still on their FIRST connection attempt,
   * so a client that connects as the hub starts sees every tool at once rather than an empty list
   * followed by list_changed. Default 5 000.
   */
  startupGraceMs?: number;
  /** Entries per page of the hub's own lists (tools/list, prompts/list, …). Default 1 000. */
  pageSize?: number;
  /** Messages the Inspector keeps (its ring buffer). Default 500. */
  inspectorCapacity?: number;
  /** Where the Inspector's log is kept across restarts. Default: in memory (this hub's life). */
  journal?: JournalStore;
  log?: (message: string) => void;
  /**
   * Whether the person can answer what waits for them (a server's elicitation no client can
   * answer): in the app, always (the dashboard shows it, and the call waits); in Node, by
   * default only while someone watches the hub's events (`hub.events`), as a dashboard does. A
   * 2026-07-28 server hears that a caller can elicit only when someone can answer.
   */
  personAnswers?: () => boolean;
  /**
   * Shows a system notification for something waiting for the person (a consent request, a new
   * client) that opens the dashboard at it; resolves to whether one was shown. The worker's
   * goes through the service worker registration. Used only with a `ConsentPolicy`.
   */
  notify?: (request: { id: string; title: string; body: string }) => Promise<boolean>;
  /**
   * Sign-ins to servers (OAuth 2.1, upstream/auth/): where tokens are kept and where the
   * authorization server sends the person back. Absent: remote servers only send their headers,
   * and a 401 is an error that says to add one.
   */
  signIn?: SignInSettings;
  /** How long a call waits for consent when no dashboard is open and no notification was shown
   * (ms). Default 60 000. */
  consentWaitMs?: number;
}
