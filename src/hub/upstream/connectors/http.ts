/**
 * Upstream HTTP transports (the SDK's Streamable HTTP and legacy HTTP+SSE clients) with the entry's
 * headers, plus the diagnosis that turns a failed connection into words a person can act on.
 * Runs wherever `fetch` does: a worker or Node.
 */
import {
  SSEClientTransport,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  StreamableHTTPClientTransport,
  InsufficientScopeError,
  UnauthorizedError,
  type AuthProvider,
  type FetchLike,
  type RequestId,
  type Transport,
} from '@modelcontextprotocol/client';
import { createParser } from 'eventsource-parser';
import { causeOf } from '../causes.ts';
import { corsHint } from './cors.ts';
import type { RemoteServerEntry } from '../../ports.ts';
import { noteSentToken, SignInNeeded } from '../auth/signed-in.ts';

/** What the last initialize exchange revealed; used to explain CORS failures. */
export interface HttpObservations {
  /** The response to the first POST was cross-origin (`Response.type === 'cors'`). */
  crossOrigin: boolean;
  /** Whether that response showed an `Mcp-Session-Id` header to script. */
  sessionIdVisible: boolean;
  /** Set once the first POST got any HTTP response at all. */
  answered: boolean;
}

export interface HttpTransport {
  transport: Transport;
  observations: HttpObservations;
  /** Streamable HTTP: server→client request id → the hub request whose stream carried it. */
  related?: Map<RequestId, RequestId>;
}

/**
 * Builds the SDK transport for one remote server. Header values go on every request through a
 * fetch wrapper (both transports and the SSE GET stream use it), so they never pass through
 * anything that logs. `authProvider`: the server's sign-in (../auth/), when it signs in.
 */
export function createHttpTransport(
  entry: RemoteServerEntry,
  kind: 'streamable-http' | 'sse',
  baseFetch: FetchLike = (url, init) => fetch(url, init),
  authProvider?: AuthProvider,
): HttpTransport {
  const observations: HttpObservations = {
    crossOrigin: false,
    sessionIdVisible: false,
    answered: false,
  };
  const fetchWithHeaders: FetchLike = async (url, init) => {
    const headers = new Headers(init?.headers);
    for (const header of entry.headers) {
      if (header.name.trim() !== '') headers.set(header.name.trim(), header.value);
    }
    const response = await baseFetch(url, { ...init, headers });
    if (authProvider && response.status === 401)
      noteSentToken(response, headers.get('authorization'));
    if (!observations.answered && (init?.method ?? 'GET') === 'POST') {
      observations.answered = true;
      observations.crossOrigin = response.type === 'cors';
      observations.sessionIdVisible = response.headers.has('mcp-session-id');
    }
    return related ? watchRequestStream(init, response, related) : response;
  };
  const url = new URL(entry.url);
  const related = kind === 'sse' ? undefined : new Map<RequestId, RequestId>();
  const options = { fetch: fetchWithHeaders, ...(authProvider ? { authProvider } : {}) };
  const transport =
    kind === 'sse'
      ? new SSEClientTransport(url, options)
      : new StreamableHTTPClientTransport(url, options);
  return { transport, observations, related };
}

/**
 * A Streamable HTTP server sends the requests a call causes (elicitation, sampling, roots) on the
 * SSE stream that answers that call's POST. The SDK's transport does not say which stream a
 * message came on, so this reads along (bytes pass through unchanged) and notes, for each server
 * request on a POST's stream, the id of the request that was POSTed. It runs before the SDK
 * parses the same bytes, so the note is there when the request is handled.
 */
function watchRequestStream(
  init: RequestInit | undefined,
  response: Response,
  related: Map<RequestId, RequestId>,
): Response {
  if (init?.method !== 'POST' || typeof init.body !== 'string' || !response.body) return response;
  if (!response.headers.get('content-type')?.includes('text/event-stream')) return response;
  let posted: RequestId | undefined;
  try {
    const message = JSON.parse(init.body) as { id?: RequestId; method?: string };
    if (message.method !== undefined && message.id !== undefined) posted = message.id;
  } catch {
    return response;
  }
  if (posted === undefined) return response;
  const decoder = new TextDecoder();
  // The SDK parses SSE with eventsource-parser too (it is in the worker bundle already).
  const parser = createParser({
    onEvent: ({ data }) => {
      if (!data.includes('"method"')) return;
      try {
        const event = JSON.parse(data) as { id?: RequestId; method?: string };
        if (event.method !== undefined && event.id !== undefined) related.set(event.id, posted);
      } catch {
        // Not JSON-RPC: the SDK reports it; nothing to note here.
      }
    },
  });
  const reader = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      controller.enqueue(chunk);
    },
  });
  return new Response(response.body.pipeThrough(reader), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/**
 * Whether a failed Streamable HTTP attempt means "try the legacy HTTP+SSE transport": the spec's
 * backwards-compatibility rule says a POST answered with 400, 404 or 405 marks an old server.
 * https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#backwards-compatibility
 */
export function isLegacyHint(error: unknown): boolean {
  return error instanceof SdkHttpError && [400, 404, 405].includes(error.status);
}

/**
 * Whether a failed exchange never got an MCP answer from the server: no network path (a socket
 * error, a browser's bare "Failed to fetch", CORS included) or credentials it refused.
 */
export function isUnreachable(error: unknown): boolean {
  if (causeOf(error, UnauthorizedError) || causeOf(error, InsufficientScopeError)) return true;
  const status = httpStatus(error);
  if (status !== undefined) return status === 401 || status === 403;
  return networkCode(error) !== undefined || isFetchTypeError(error);
}

/**
 * For a server that signs in: whether a failed exchange means the person must sign in (no token,
 * a refused one, a failed refresh), and why in words. Undefined for any other failure.
 */
export function signInReason(error: unknown): string | undefined {
  const needed = causeOf(error, SignInNeeded);
  if (needed) return needed.reason;
  const scope = causeOf(error, InsufficientScopeError);
  if (scope)
    return `the server needs more access${scope.requiredScope ? ` (scope ${scope.requiredScope})` : ''}`;
  if (causeOf(error, UnauthorizedError)) return 'the server asks to sign in';
  if (httpStatus(error) === 401) return 'the server refused the sign-in';
  return undefined;
}

/** The HTTP status of a failed exchange, if there was one. */
function httpStatus(error: unknown): number | undefined {
  return error instanceof SdkHttpError ? error.status : undefined;
}

/**
 * The socket error's code (`ECONNREFUSED`, `EAI_AGAIN`, …): Node's fetch reports it as
 * `cause.code`; a browser gives a bare TypeError and there is none. Only errno names and
 * getaddrinfo's `EAI_*` count: the SDK's own codes on the way (`ERA_NEGOTIATION_FAILED`) do not.
 */
export function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z]+|EAI_[A-Z]+)$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isFetchTypeError(error: unknown): boolean {
  return causeOf(error, TypeError) !== undefined;
}

/**
 * Asks whether anything answers at `url` at all, ignoring CORS: a `no-cors` request succeeds
 * (with an opaque response) when the server is up even if it sends no CORS headers, and fails
 * when nothing listens. That is how a browser tells "CORS refused" from "connection refused",
 * which its fetch error alone does not say.
 */
async function answersAtAll(url: string, baseFetch: FetchLike): Promise<boolean> {
  try {
    await baseFetch(url, { method: 'GET', mode: 'no-cors', cache: 'no-store' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Turns a failed connection into a reason for a person: what happened and what to try.
 * @param observations what the HTTP exchange showed before it failed, when it was HTTP.
 */
export async function describeConnectError(
  error: unknown,
  entry: RemoteServerEntry | undefined,
  observations?: HttpObservations,
  baseFetch: FetchLike = (url, init) => fetch(url, init),
): Promise<string> {
  const status = httpStatus(error);
  const text = error instanceof Error ? error.message : String(error);
  if (status !== undefined) {
    if (
      status === 400 &&
      observations?.crossOrigin &&
      !observations.sessionIdVisible &&
      // Servers word "you sent no session" differently: "No valid session ID", "Mcp-Session-Id
      // header is required", or (the SDK's stateful transport) "Server not initialized".
      /session|not initialized/i.test(text)
    ) {
      return 'CORS: the server does not expose Mcp-Session-Id (it must send "Access-Control-Expose-Headers: Mcp-Session-Id")';
    }
    if (status === 401)
      return 'HTTP 401: the server needs authentication; add an Authorization header to this server';
    if (status === 403)
      return 'HTTP 403: the server refused these credentials; check the headers of this server';
    if (status === 404)
      return 'HTTP 404: nothing at this URL; check the path (often /mcp, or /sse for legacy servers)';
    if (status === 405) return 'HTTP 405: this URL does not accept MCP requests; check the path';
    const statusText = error instanceof SdkHttpError ? (error.statusText ?? '') : '';
    return `HTTP ${status}${statusText ? ` ${statusText}` : ''}: ${serverMessage(text)}`;
  }
  if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) {
    return 'no answer in time: the server accepted the connection but did not reply';
  }
  const code = networkCode(error);
  const where = entry ? new URL(entry.url).host : 'the server';
  if (code === 'ECONNREFUSED') return `connection refused: nothing listens at ${where}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found: ${where}`;
  if (code === 'ECONNRESET') return `connection reset by ${where}`;
  if (code) return `network error (${code}) reaching ${where}`;
  if (entry && isFetchTypeError(error)) {
    // A browser's fetch says only "Failed to fetch" for both a dead server and a CORS refusal.
    if (await answersAtAll(entry.url, baseFetch)) {
      return `CORS: ${where} answers but does not allow this page to read its replies; the server must send ${corsHint(entry.headers.map((header) => header.name))}`;
    }
    return `connection refused: nothing answers at ${where}`;
  }
  return text || 'unknown error';
}

/**
 * The message a server put in its JSON-RPC error body, when the SDK's error text embeds one
 * (`Error POSTing to endpoint: {"jsonrpc":"2.0","error":{…,"message":"…"}}`); else the text as is.
 */
function serverMessage(text: string): string {
  const start = text.indexOf('{');
  if (start === -1) return text;
  try {
    const body = JSON.parse(text.slice(start)) as { error?: { message?: unknown } };
    const message = body.error?.message;
    return typeof message === 'string' && message !== '' ? message : text;
  } catch {
    return text;
  }
}
