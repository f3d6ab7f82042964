/**
 * Mapping between the hub's live objects and the plain views the admin API hands out, and from
 * the add/edit form's input to a registry entry. The one place secrets are masked.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { sizeOf, type TrafficEntry } from '../journal/protocol-log.ts';
import type { Session } from '../downstream/session.ts';
import type { HeaderEntry, NewServerEntry, RemoteTransportKind } from '../ports.ts';
import { DEFAULT_TIMEOUT_MS, type Upstream } from '../upstream/upstream.ts';
import type {
  HeaderView,
  ServerDetail,
  ServerInput,
  ServerView,
  SessionView,
  TrafficView,
} from '../../protocol/views.ts';

/** Shows at most the last 2 characters of a secret, and only when it is long enough to spare them. */
export function maskSecret(value: string): string {
  return value.length >= 12 ? `••••${value.slice(-2)}` : '••••';
}

/**
 * `text` (JSON, or what a server said) with every occurrence of a secret replaced by `••••`, also where JSON escaping changed
 * how the secret is written. Secrets shorter than 4 characters are left alone: replacing "a"
 * everywhere would wreck the text and protect nothing.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    const escaped = JSON.stringify(secret).slice(1, -1);
    out = out.replaceAll(secret, '••••');
    if (escaped !== secret) out = out.replaceAll(escaped, '••••');
  }
  return out;
}

function headerView(header: HeaderEntry): HeaderView {
  return {
    name: header.name,
    value: header.secret ? maskSecret(header.value) : header.value,
    secret: header.secret,
  };
}

export function toServerView(upstream: Upstream, exposed: Map<string, string>): ServerView {
  const entry = upstream.entry;
  const base = {
    id: entry.id,
    slug: entry.slug,
    name: entry.name,
    enabled: entry.enabled,
    timeoutMs: entry.timeoutMs ?? DEFAULT_TIMEOUT_MS,
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
          upstream.activeTransport === 'builtin' ? undefined : upstream.activeTransport,
        headers: entry.headers.map(headerView),
      };
    case 'stdio':
      return {
        ...base,
        kind: 'stdio',
        target: [entry.command, ...entry.args].join(' '),
        headers: [],
        note: 'needs the local bridge',
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

export function toServerDetail(upstream: Upstream, names: ExposedNames): ServerDetail {
  const { catalog } = upstream;
  const named = <T extends { name: string }>(items: T[], exposed: Map<string, string>) =>
    items.map((item) => ({
      ...item,
      name: exposed.get(item.name) ?? item.name,
      upstreamName: item.name,
    }));
  return {
    ...toServerView(upstream, names.tool),
    ...(upstream.capabilities ? { capabilities: upstream.capabilities } : {}),
    ...(upstream.instructions ? { instructions: upstream.instructions } : {}),
    toolDetails: named(catalog.tools, names.tool),
    prompts: named(catalog.prompts, names.prompt),
    resources: [...catalog.resources],
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
 * a terminal to replay it. Header values marked secret are masked: the person fills them in.
 */
export function curlOf(upstream: Upstream, message: JSONRPCMessage): string | undefined {
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
    const value = header.secret ? maskSecret(header.value) : header.value;
    lines.push(`-H ${quote(`${header.name.trim()}: ${value}`)}`);
  }
  lines.push(`--data-raw ${quote(JSON.stringify(message))}`);
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

const TRANSPORTS: readonly RemoteTransportKind[] = ['auto', 'streamable-http', 'sse'];

/** Validates the add/edit form's input; errors name the field and say what to write. */
export function entryFromInput(input: ServerInput): NewServerEntry {
  let url: URL;
  try {
    url = new URL(input.url.trim());
  } catch {
    throw new Error(
      `"${input.url}" is not a URL. Write the full address, e.g. http://127.0.0.1:3001/mcp.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`The URL must start with http:// or https:// (got ${url.protocol}).`);
  }
  if (!TRANSPORTS.includes(input.transport)) {
    throw new Error(`Unknown transport "${input.transport}": use auto, streamable-http or sse.`);
  }
  const headers: HeaderEntry[] = [];
  for (const header of input.headers) {
    const name = header.name.trim();
    if (name === '') continue;
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new Error(`"${name}" is not a valid HTTP header name.`);
    }
    headers.push({ name, value: header.value ?? '', secret: header.secret });
  }
  if (input.timeoutMs !== undefined && !(input.timeoutMs > 0)) {
    throw new Error('The timeout must be a positive number of milliseconds.');
  }
  return {
    kind: 'remote',
    name: input.name?.trim() || url.host,
    slug: input.slug?.trim() || undefined,
    url: url.href,
    transport: input.transport,
    headers,
    enabled: true,
    timeoutMs: input.timeoutMs,
  };
}
