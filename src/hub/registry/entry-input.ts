/**
 * The add/edit form's input, checked and turned into a registry entry. Errors name the field and
 * say what to write, because a person reads them next to the form.
 */
import type { ServerInput } from '../../protocol/views.ts';
import {
  SERVER_ERAS,
  type HeaderEntry,
  type NewServerEntry,
  type RemoteTransportKind,
} from '../ports.ts';

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
  const era = input.era ?? 'auto';
  if (!SERVER_ERAS.includes(era)) {
    throw new Error(`Unknown protocol version "${era}": use auto, 2026-07-28 or 2025-11-25.`);
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
  if (input.connectTimeoutMs !== undefined && !(input.connectTimeoutMs > 0)) {
    throw new Error('The connect timeout must be a positive number of milliseconds.');
  }
  return {
    kind: 'remote',
    name: input.name?.trim() || url.host,
    slug: input.slug?.trim() || undefined,
    url: url.href,
    transport: input.transport,
    ...(era === 'auto' ? {} : { era }),
    headers,
    ...oauthClientOf(input.oauthClient),
    enabled: true,
    timeoutMs: input.timeoutMs,
    ...(input.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: input.connectTimeoutMs }),
  };
}

/** The hand-registered OAuth client of an input: a non-empty id, and the secret if one was given. */
function oauthClientOf(client: ServerInput['oauthClient']): {
  oauthClient?: { id: string; secret?: string };
} {
  if (typeof client !== 'object' || client === null) return {};
  const id = typeof client.id === 'string' ? client.id.trim() : '';
  if (id === '') return {};
  const secret = typeof client.secret === 'string' && client.secret !== '' ? client.secret : '';
  return { oauthClient: secret ? { id, secret } : { id } };
}
