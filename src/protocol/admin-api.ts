/**
 * The admin API the dashboard calls over comlink. Types only here: the worker serves it
 * (src/worker/admin.ts, over the hub's admin service in src/hub/admin/), the UI imports these
 * types.
 */
import type {
  CallToolResult,
  CompleteRequest,
  CompleteResult,
  GetPromptResult,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  Tool,
} from '@modelcontextprotocol/client';
import type {
  AuditQuery,
  ClientApprovalAnswer,
  ClientApprovalView,
  ClientDecision,
  ClientId,
  ConsentAnswer,
  ConsentRequestView,
  ConsentSettings,
  Grant,
  GrantKey,
  JournalEvent,
  PermissionsView,
  GrantTarget,
  SwitchView,
  WaitingDecisions,
} from './consent.ts';
import type { ResourceCollision } from './views.ts';
import type { Diagnosis } from './doctor.ts';
import type {
  ActivityView,
  BridgeView,
  ElicitationAnswer,
  ElicitationView,
  HubEvent,
  ImportSummary,
  InspectorSettings,
  ServerDetail,
  ServerInput,
  ServerView,
  SessionView,
  SignInRequestView,
  SignInView,
  TrafficDetail,
  TrafficView,
} from './views.ts';

export type {
  AuditQuery,
  ClientApprovalAnswer,
  ClientApprovalView,
  ClientDecision,
  ClientId,
  ConsentAnswer,
  ConsentRequestView,
  ConsentSettings,
  Grant,
  GrantKey,
  JournalEvent,
  PermissionsView,
  GrantTarget,
  SwitchView,
  WaitingDecisions,
};
export type {
  ActivityView,
  ElicitationAnswer,
  ElicitationView,
  HubEvent,
  ImportSummary,
  ResourceCollision,
  InspectorSettings,
  ServerDetail,
  ServerInput,
  ServerView,
  SessionView,
  SignInRequestView,
  SignInView,
  TrafficDetail,
  TrafficView,
};

export interface AdminApi {
  /** `shared` or `dedicated` (SharedWorker missing: this tab has its own hub). */
  mode(): Promise<'shared' | 'dedicated'>;
  listServers(): Promise<ServerView[]>;
  addServer(input: ServerInput): Promise<ServerView>;
  editServer(id: string, input: Partial<ServerInput>): Promise<ServerView>;
  removeServer(id: string): Promise<void>;
  setEnabled(id: string, enabled: boolean): Promise<void>;
  restartServer(id: string): Promise<void>;
  /**
   * One server in full (capabilities, instructions, its catalog): at most `limit` items of each
   * list (`counts` has the whole numbers), so a page of 10,000 tools fetches what it shows.
   */
  serverDetail(id: string, limit?: number): Promise<ServerDetail>;
  /** One tool's definition by the name clients see (the Playground's form), or undefined. */
  toolDefinition(name: string): Promise<(Tool & { upstreamName: string }) | undefined>;
  listSessions(): Promise<SessionView[]>;
  /** Ends a client's session; its page sees the connection close. */
  disconnectSession(sessionId: string): Promise<void>;
  /**
   * The Playground: this tab's own session with the hub ("Nexus playground" among the clients),
   * so a call made by hand takes the same road as an AI client's. Names are the hub's
   * (`slug__tool`). A failure rejects with the MCP error's message.
   */
  callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  readResource(uri: string): Promise<ReadResourceResult>;
  getPrompt(name: string, args: Record<string, string>): Promise<GetPromptResult>;
  complete(params: CompleteRequest['params']): Promise<CompleteResult>;
  /** The resources, templates and prompts the playground can try, as clients see them. */
  playgroundLists(): Promise<{
    resources: Resource[];
    templates: ResourceTemplate[];
    prompts: Prompt[];
  }>;
  /**
   * The Inspector: messages through the hub after `afterSeq` (0: all it keeps). It records while
   * a dashboard tab is open and recording is on.
   */
  traffic(afterSeq: number): Promise<TrafficView[]>;
  /** One message's JSON (and cURL line for an HTTP exchange); undefined once it left the buffer. */
  trafficDetail(seq: number): Promise<TrafficDetail | undefined>;
  inspectorSettings(): Promise<InspectorSettings>;
  setInspectorSettings(settings: Partial<InspectorSettings>): Promise<InspectorSettings>;
  /**
   * Starts signing in to a server (OAuth). Call it inside the click handler's task after opening
   * a blank popup: the hub answers with the authorization server's URL to navigate that popup
   * to, or no URL when it could sign in without the person (a stored refresh token still
   * worked). The authorization server sends the person to `/oauth/callback`, which hands the
   * result to the hub over the sign-in BroadcastChannel. Rejects with words that name the server
   * and, for a CORS refusal, the endpoint and the missing header.
   */
  startSignIn(serverId: string): Promise<{ authorizationUrl?: string }>;
  /** Signs out: revokes the tokens where the server offers RFC 7009, then forgets them. */
  signOut(serverId: string): Promise<void>;
  /** Servers waiting for the person to sign in, oldest first. */
  listSignInRequests(): Promise<SignInRequestView[]>;
  /** "Not now": the request leaves the queue; the server stays `needs-sign-in`. */
  dismissSignIn(id: string): Promise<void>;
  /** The connection doctor: probes a remote server with its stored headers, says what is wrong. */
  diagnoseServer(id: string): Promise<Diagnosis>;
  /** Calls, errors and latency per server over the last 10 minutes. */
  activity(): Promise<ActivityView[]>;
  /** Resource URIs more than one server lists: which server serves each, which are shadowed. */
  listResourceCollisions(): Promise<ResourceCollision[]>;
  /** Imports a `{"mcpServers": …}` or VS Code `{"servers": …}` file. Throws (changing nothing) on a malformed one. */
  importConfig(text: string): Promise<ImportSummary>;
  /** Exports the registry as `{"mcpServers": …}` or VS Code's `{"servers": …}`. Secret header
   * values are left out (empty strings): a file on disk is no place for a token. */
  exportConfig(format: 'mcpServers' | 'vscode'): Promise<string>;
  /** Servers' requests for input that no client could answer, waiting for the person. */
  listElicitations(): Promise<ElicitationView[]>;
  /** The person's answer to one of them; throws if it is no longer waiting. */
  answerElicitation(id: string, answer: ElicitationAnswer): Promise<void>;

  // The person's consent (DESIGN, "Consent, grants and pins"). Every answer and decision is
  // checked in the hub; a request no longer waiting rejects with words that say so.
  /** What waits for the person's decision: calls asking for consent, and new clients. */
  consentRequests(): Promise<WaitingDecisions>;
  answerConsent(id: string, answer: ConsentAnswer): Promise<void>;
  answerClientApproval(id: string, answer: ClientApprovalAnswer): Promise<void>;
  /** The Permissions page: settings, clients, grants, pins, changed definitions to review. */
  permissions(): Promise<PermissionsView>;
  /**
   * One server's tools, prompts or resources with their defaults and grants, for `client` or
   * (absent) everyone.
   */
  switches(serverId: string, target: GrantTarget, client?: ClientId): Promise<SwitchView[]>;
  decideClient(client: ClientId, decision: ClientDecision): Promise<void>;
  /** Denies the client, drops its grants and ends its sessions. */
  revokeClient(client: ClientId): Promise<void>;
  /** Revokes every approved client at once. */
  revokeAll(): Promise<void>;
  /** Forgets the client: it is asked about again when it next connects. */
  forgetClient(client: ClientId): Promise<void>;
  /** A grant for one client, or for everyone when `client` is absent ("off for everyone"). */
  setGrant(grant: Omit<Grant, 'grantedAt'>): Promise<void>;
  removeGrant(key: GrantKey): Promise<void>;
  setConsentSettings(settings: ConsentSettings): Promise<void>;
  /** Accepts the definition a server lists now for a blocked tool, and pins it. */
  approveDefinition(serverId: string, tool: string): Promise<void>;
  /** Keeps a changed tool blocked: off for every client. */
  rejectDefinition(serverId: string, tool: string): Promise<void>;
  /** Clients, grants and settings as a `nexus-decisions/1` JSON file (no secrets). */
  exportDecisions(): Promise<string>;
  /** Replaces every decision with a file's; rejects, changing nothing, on a malformed one. */
  importDecisions(text: string): Promise<void>;
  /** The audit journal, filtered, newest first. */
  auditEvents(query: AuditQuery): Promise<JournalEvent[]>;
  /** The same, oldest first, as JSON Lines. */
  exportAudit(query: AuditQuery): Promise<string>;

  /** nexus-bridge as the hub sees it: relay, extension, host, allowlist. */
  bridgeStatus(): Promise<BridgeView>;
  /** Asks nexus-bridge for its allowlist again (after `nexus-bridge add` in a terminal). */
  refreshBridge(): Promise<void>;
  /** Adds (or starts) the allowlisted local server `name`. */
  addBridgeServer(name: string): Promise<ServerView>;

  /** Calls `listener` on every change until the returned function is called. */
  subscribe(listener: (event: HubEvent) => void): Promise<() => void>;
}
