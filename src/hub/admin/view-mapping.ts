/**
 * Mapping between the hub's live objects and the plain views the admin API hands out. Secret
 * header values are masked here (what a secret is: ../journal/redaction.ts).
 */
import { sizeOf, type TrafficEntry } from '../journal/protocol-log.ts';
import { isSecretHeader, maskSecret } from '../journal/redaction.ts';
import { jsonOf } from '../journal/untrusted-json.ts';
import type { Session } from '../downstream/session.ts';
import type { HeaderEntry } from '../ports.ts';
import { DEFAULT_TIMEOUT_MS, type Upstream } from '../upstream/upstream.ts';
import type {
  HeaderView,
  ServerDetail,
  ServerView,
  SessionView,
  SignInView,
  LocalServerView,
  BridgeLogLine,
  TrafficView,
} from '../../protocol/views.ts';

function headerView(header: HeaderEntry): HeaderView {
  return {
    name: header.name,
    value: header.secret ? maskSecret(header.value) : header.value,
    secret: header.secret,
  };
}

/** What other rooms know about a server: its sign-in, how nexus-bridge runs it. */
export interface ViewExtras {
  signIn?: SignInView | undefined;
  local?: LocalServerView | undefined;
}

export function toServerView(
  upstream: Upstream,
  exposed: Map<string, string>,
  { signIn, local }: ViewExtras = {},
): ServerView {
  const entry = upstream.entry;
  const base = {
    id: entry.id,
    slug: entry.slug,
    name: entry.name,
    enabled: entry.enabled,
    timeoutMs: entry.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    connectTimeoutMs: upstream.connectTimeoutMs,
    status: upstream.status,
    since: upstream.since,
    serverInfo: upstream.serverInfo && {
      name: upstream.serverInfo.name,
      version: upstream.serverInfo.version,
    },
    protocolVersion: upstream.protocolVersion,
    tools: upstream.tools.map((tool) => ({
      name: exposed.get(tool.name) ?? tool.name,
      upstreamName: tool.name,
      title: tool.title,
      description: tool.description,
    })),
    counts: {
      tools: upstream.catalog.tools.length,
      prompts: upstream.catalog.prompts.length,
      resources: upstream.catalog.resources.length,
      templates: upstream.catalog.templates.length,
    },
    latencyMs: [...upstream.latencyMs],
    ...(upstream.lastError ? { lastError: { ...upstream.lastError } } : {}),
  };
  switch (entry.kind) {
    case 'remote':
      return {
        ...base,
        kind: 'remote',
        target: entry.url,
        transport: entry.transport,
        activeTransport:
          upstream.activeTransport === 'streamable-http' || upstream.activeTransport === 'sse'
            ? upstream.activeTransport
            : undefined,
        headers: entry.headers.map(headerView),
        era: entry.era ?? 'auto',
        ...(signIn ? { signIn } : {}),
        ...(entry.oauthClient
          ? { oauthClient: { id: entry.oauthClient.id, hasSecret: !!entry.oauthClient.secret } }
          : {}),
      };
    case 'stdio':
      return {
        ...base,
        kind: 'stdio',
        target: [entry.command, ...entry.args].join(' '),
        headers: [],
        ...(local ? { local } : {}),
        ...(local?.allowlisted === false
          ? { note: `not in nexus-bridge's allowlist as '${local.bridgeName}'` }
          : {}),
      };
    case 'builtin':
      return { ...base, kind: 'builtin', target: `builtin:${entry.builtin}`, headers: [] };
  }
}

/** The names clients call a server's tools, prompts and templates by (upstream name → exposed). */
export interface ExposedNames {
  tool: Map<string, string>;
  prompt: Map<string, string>;
  template: Map<string, string>;
}

/** A server in full, with at most `limit` items of each list (`counts` says how many in all). */
export function toServerDetail(
  upstream: Upstream,
  names: ExposedNames,
  limit = Infinity,
  extras: ViewExtras & { localLog?: BridgeLogLine[] } = {},
): ServerDetail {
  const { catalog } = upstream;
  const first = <T>(items: T[]): T[] => (items.length <= limit ? items : items.slice(0, limit));
  const named = <T extends { name: string }>(items: T[], exposed: Map<string, string>) =>
    first(items).map((item) => ({
      ...item,
      name: exposed.get(item.name) ?? item.name,
      upstreamName: item.name,
    }));
  const { localLog, ...viewExtras } = extras;
  const view = toServerView(upstream, names.tool, viewExtras);
  return {
    ...view,
    ...(localLog ? { localLog } : {}),
    tools: first(view.tools),
    ...(upstream.capabilities ? { capabilities: upstream.capabilities } : {}),
    ...(upstream.instructions ? { instructions: upstream.instructions } : {}),
    toolDetails: named(catalog.tools, names.tool),
    prompts: named(catalog.prompts, names.prompt),
    resources: [...first(catalog.resources)],
    templates: named(catalog.templates, names.template),
  };
}

/** An Inspector entry as the dashboard lists it; its size is worked out once, on first read. */
export function toTrafficView(entry: TrafficEntry): TrafficView {
  entry.size ??= sizeOf(entry.message);
  const { message: _message, ...view } = entry;
  return { ...view, size: entry.size };
}

/**
 * A message the hub POSTed to a Streamable HTTP server, as a cURL command a person can paste into
 * a terminal to replay it. Secret header values (marked, or named like a credential) are masked:
 * the person fills them in.
 */
/** What a cURL line shows for the Authorization header of a server Nexus signed in to. */
export const SIGNED_IN_AUTHORIZATION = 'Authorization: Bearer <token held by Nexus>';

export function curlOf(
  upstream: Upstream,
  message: unknown,
  /** Nexus sends this server a token of its sign-in: the line says so, never which. */
  signedIn = false,
): string | undefined {
  const entry = upstream.entry;
  if (entry.kind !== 'remote' || upstream.activeTransport !== 'streamable-http') return undefined;
  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
  const lines = [
    `curl -X POST ${quote(entry.url)}`,
    `-H ${quote('Content-Type: application/json')}`,
    `-H ${quote('Accept: application/json, text/event-stream')}`,
  ];
  if (upstream.protocolVersion)
    lines.push(`-H ${quote(`MCP-Protocol-Version: ${upstream.protocolVersion}`)}`);
  const sessionId = upstream.httpSessionId;
  if (sessionId) lines.push(`-H ${quote(`Mcp-Session-Id: ${sessionId}`)}`);
  for (const header of entry.headers) {
    if (header.name.trim() === '') continue;
    const value = isSecretHeader(header) ? maskSecret(header.value) : header.value;
    lines.push(`-H ${quote(`${header.name.trim()}: ${value}`)}`);
  }
  if (signedIn) lines.push(`-H ${quote(SIGNED_IN_AUTHORIZATION)}`);
  lines.push(`--data-raw ${quote(jsonOf(message))}`);
  return lines.join(' \\\n  ');
}

export function toSessionView(session: Session, scopeSlug?: string): SessionView {
  const info = session.server?.getClientVersion();
  return {
    sessionId: session.id,
    clientName: session.principal.clientName,
    clientVersion: session.clientVersion || info?.version || '',
    origin: session.principal.origin,
    connectedAt: session.connectedAt,
    calls: session.calls,
    errors: session.errors,
    ...(session.era ? { era: session.era } : {}),
    ...(scopeSlug ? { scope: scopeSlug } : {}),
  };
}
