/**
 * The person's decisions, as they are stored and as the dashboard shows them: which clients may
 * use Nexus (client approval), what each client may do with each tool, prompt and resource
 * (grants), the defaults for what nobody decided yet (settings), and the definitions of tools as
 * they were when approved (pins). DESIGN.md, "Consent, grants and pins".
 *
 * Types only: the hub decides with them (src/hub/policy/), the store keeps them (src/store/),
 * the dashboard edits them through the admin API.
 */

/** What a rule says about an action: run it, ask the person first, or refuse it. */
export type Permission = 'allow' | 'ask' | 'deny';

/**
 * A client as the person approves it: the origin the browser vouches for × the name the client
 * gave. Two pages of one origin with different names are two clients; the name is self-declared,
 * so it separates clients for the person's convenience, never for security (DESIGN, threat model).
 */
export interface ClientId {
  origin: string;
  clientName: string;
}

/** A client the person has decided about. A client with no record has not been asked yet. */
export interface ClientRecord extends ClientId {
  /** `approved`: it may use Nexus (within `servers`); `denied`: it sees nothing, calls fail. */
  state: 'approved' | 'denied';
  /** The person's own name for it, shown instead of `clientName`. */
  label?: string;
  /** Ids of the servers it may see; absent means every server, present and future. */
  servers?: string[];
  decidedAt: number;
}

/** Identifies one grant: its client (absent: everyone), server, target and name. */
export type GrantKey = Pick<Grant, 'client' | 'serverId' | 'target' | 'name'>;

/** A decision about a client, from the Permissions page or an approval. */
export interface ClientDecision {
  state: 'approved' | 'denied';
  servers?: string[];
  label?: string;
}

/** What a grant is about: a tool or prompt by its server's own name, a resource by its URI. */
export type GrantTarget = 'tool' | 'prompt' | 'resource';

/**
 * One rule: `client` (or everyone, `client` absent) × server × item → allow | ask | deny,
 * optionally until `expiresAt`. Names are the server's own (upstream) names, so renaming a
 * server's slug keeps its grants. A grant for everyone is the "off for everyone" switch.
 */
export interface Grant {
  client?: ClientId;
  serverId: string;
  target: GrantTarget;
  /** The tool's or prompt's upstream name, or the resource's URI. */
  name: string;
  permission: Permission;
  /** Clock time after which the grant no longer applies (and is dropped on the next write). */
  expiresAt?: number;
  grantedAt: number;
}

/** Which default applies to a tool nobody decided about, from its annotations. */
export type ToolDefaultRule = 'read-only' | 'destructive' | 'open-world' | 'other';

/** Defaults for what no grant covers, and what the audit journal keeps. Editable by the person. */
export interface ConsentSettings {
  /** What a client that connects for the first time gets: asked about (default), or decided. */
  newClients: Permission;
  /**
   * Tools by annotation. `destructive` wins over `open-world`, which wins over `read-only`; a
   * tool that says none of these (or says `readOnlyHint: false` only) is `other`. Annotations are
   * the server's word, so `read-only` → allow trusts the server: the person may change it.
   */
  tools: Record<ToolDefaultRule, Permission>;
  prompts: Permission;
  resources: Permission;
  audit: {
    /** Whether tool call and prompt arguments are stored (redacted) in the audit journal. */
    storeArguments: boolean;
    /** Events older than this many days are dropped. */
    keepDays: number;
    /** At most this many events are kept. */
    keepCount: number;
  };
}

export const DEFAULT_CONSENT_SETTINGS: ConsentSettings = {
  newClients: 'ask',
  tools: { 'read-only': 'allow', destructive: 'ask', 'open-world': 'ask', other: 'ask' },
  prompts: 'allow',
  resources: 'allow',
  audit: { storeArguments: false, keepDays: 30, keepCount: 10_000 },
};

/**
 * A tool's definition as it was when pinned: the SHA-256 of its canonical form (name, title,
 * description, input and output schema, annotations; keys sorted, no whitespace) and that form
 * itself, so a later change can be shown as a diff. One pin per server × tool, for every client.
 */
export interface Pin {
  serverId: string;
  /** The tool's upstream name. */
  tool: string;
  /** Lowercase hex SHA-256 of `canonical`. */
  hash: string;
  /** The canonical JSON text that was hashed. */
  canonical: string;
  pinnedAt: number;
  /**
   * How it came to be pinned: `server-approved` when it was first seen on a server the person
   * had added (or approved for a client), `person` when the person approved this definition
   * (a first answer, or a changed definition reviewed).
   */
  by: 'server-approved' | 'person';
}

/** The person's answer to a consent request. */
export type ConsentAnswer = 'allow-once' | 'allow-always' | 'deny' | 'deny-always';

/**
 * A call waiting for the person's consent, as dashboards show it. Every string but `rule` and
 * `target` comes from a client or a server: show it as text, never as HTML.
 */
export interface ConsentRequestView {
  id: string;
  askedAt: number;
  client: ClientId & { label?: string };
  server: { id: string; slug: string; name: string };
  target: GrantTarget;
  /** The name the client used (`slug__tool`), or the resource's URI. */
  name: string;
  title?: string;
  description?: string;
  annotations?: Record<string, unknown>;
  /** The arguments as pretty JSON, long strings folded; absent when there are none. */
  arguments?: string;
  /** Which rule asked (`default:destructive`, `grant`, …). */
  rule: string;
}

/** What waits for the person's decision, as "Waiting for your decision" shows it. */
export interface WaitingDecisions {
  consent: ConsentRequestView[];
  approvals: ClientApprovalView[];
  /** Tools blocked because their definitions changed: reviewed on the Permissions page. */
  changedDefinitions: number;
}

/** A client waiting for approval, as dashboards show it. */
export interface ClientApprovalView {
  id: string;
  askedAt: number;
  client: ClientId;
}

/** The person's answer to a client approval. */
export interface ClientApprovalAnswer {
  approve: boolean;
  /** Ids of the servers it may see; absent: all, present and future. */
  servers?: string[];
  label?: string;
}

/** A pinned tool whose server now lists another definition: blocked until reviewed. */
export interface PinReview {
  serverId: string;
  serverSlug: string;
  tool: string;
  pinnedAt: number;
  /** The approved definition and the one listed now, as pretty JSON (for a side-by-side diff). */
  before: string;
  after: string;
}

/**
 * One tool, prompt or resource of a server as the Permissions page switches it, for one client
 * or for everyone.
 */
export interface SwitchView {
  /** The server's own name for it, or the resource's URI (what grants are about). */
  name: string;
  title?: string;
  annotations?: Record<string, unknown>;
  /** The default that applies when no grant does, and why: a tool's annotation rule. */
  rule: ToolDefaultRule | 'prompt' | 'resource';
  defaultPermission: Permission;
  /** The grant for this client (or for everyone), if there is one. */
  grant?: Permission;
  /** Its definition changed since it was pinned: blocked until reviewed. */
  blocked: boolean;
}

/** Everything the Permissions page shows. */
export interface PermissionsView {
  settings: ConsentSettings;
  clients: ClientRecord[];
  grants: Grant[];
  pins: Array<Pin & { serverSlug?: string; changed: boolean }>;
  reviews: PinReview[];
}

/** The always-on part of the journal: `audit` (what was done on the person's behalf or changed
 * by them) and `security` (what was refused, or looked wrong). */
export type JournalEventKind = 'audit' | 'security';

/**
 * One event of the always-on journal. Unlike the protocol log it is recorded whether or not a
 * dashboard watches, and the Inspector's "clear" does not touch it. Plain text only, redacted.
 */
export interface JournalEvent {
  kind: JournalEventKind;
  at: number;
  /** A short stable name: `server-added`, `request-denied`, … */
  event: string;
  /** The client involved, as the hub knows it (`origin` vouched for by the browser). */
  origin?: string;
  clientName?: string;
  sessionId?: string;
  /** The server involved. */
  serverId?: string;
  serverSlug?: string;
  /** What it was about, in words for a person (secrets redacted). */
  detail?: string;
  /** For an action on an item: the method (`tools/call`, `prompts/get`, `resources/read`, …). */
  method?: string;
  /** The item acted on: the aggregated tool or prompt name, or the resource's URI. */
  target?: string;
  /** What the policy said, and by which rule (`grant`, `default:destructive`, `person`, …). */
  decision?: 'allow' | 'ask' | 'deny';
  rule?: string;
  /** How it ended: `ok`, or `error` with the JSON-RPC error code when there was one. */
  outcome?: 'ok' | 'error';
  errorCode?: number;
  durationMs?: number;
  /** The arguments as JSON text, redacted; only when the settings say to store them. */
  arguments?: string;
}

/** The Audit page's filters; every one optional. */
export interface AuditQuery {
  kind?: JournalEventKind;
  /** Matches the client's name or origin (substring, any case). */
  client?: string;
  /** A server's slug. */
  server?: string;
  /** Matches the tool, prompt or URI (substring, any case). */
  target?: string;
  decision?: 'allow' | 'ask' | 'deny';
  /** `error`: only what failed; `ok`: only what succeeded (events without an outcome never match). */
  outcome?: 'ok' | 'error';
  /**
   * Matches any of the event's words a person reads in the journal: its name, client (name or
   * origin), server, tool or URI, and detail (substring, any case).
   */
  text?: string;
  /** Clock times, inclusive. */
  from?: number;
  to?: number;
  /** Newest first, at most this many (default 500, at most 100,000). */
  limit?: number;
}
