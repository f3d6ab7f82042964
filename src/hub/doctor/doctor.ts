/**
 * The connection doctor: probes a server's URL the way the hub would reach it and says, in plain
 * words, what is wrong and what to do: unreachable, wrong path, not an MCP endpoint, which CORS
 * header is missing (with the exact line the server must send), mixed content, or authentication.
 *
 * Pure of platform: `fetch` is passed in, so the same checks run in the worker (a browser's fetch,
 * with CORS) and in Node tests (no CORS; tests pass a fetch that behaves like a browser's). It keeps
 * no state, and closes any session it opened. Header values are sent but never appear in a
 * finding: they may be secrets.
 */
import type { CheckName, Diagnosis, Finding, ProblemKind } from '../../protocol/doctor.ts';
import type { FetchLike } from '@modelcontextprotocol/client';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ALLOW_METHODS_LINE, EXPOSE_LINE, allowHeadersLine } from '../upstream/connectors/cors.ts';
import { networkCode } from '../upstream/connectors/http.ts';
import { redact } from '../journal/redaction.ts';

export type { CheckName, Diagnosis, Finding, ProblemKind } from '../../protocol/doctor.ts';

export interface DoctorInput {
  url: string;
  headers: ReadonlyArray<{ name: string; value: string }>;
  /** The page's origin (`location.origin`), for the exact Access-Control-Allow-Origin line. */
  pageOrigin?: string;
  /** The page's protocol (`location.protocol`, e.g. `https:`), for the mixed-content check. */
  pageProtocol?: string;
}

export interface DoctorOptions {
  /** How long each request may take, in ms (default 10 000). */
  timeoutMs?: number;
}

/** The revision the doctor asks for: the newest of the stateful era, which every server knows. */
export const DOCTOR_PROTOCOL_VERSION = '2025-11-25';
const CLIENT_INFO = { name: 'nexus-doctor', version: '1.0.0' };
const INITIALIZE_ID = 1;

/** Checks `input.url` step by step; never throws for anything a server does. */
export async function diagnose(
  input: DoctorInput,
  fetch: FetchLike,
  options: DoctorOptions = {},
): Promise<Diagnosis> {
  const diagnosis = await runChecks(input, fetch, options);
  // Findings quote what servers said, and a server may echo a request header back (a debug page,
  // an error that repeats the request): no header value may reach the screen that way.
  const secrets = input.headers.map(({ value }) => value.trim());
  const scrub = (text: string) => redact(text, secrets);
  return {
    ...diagnosis,
    summary: scrub(diagnosis.summary),
    findings: diagnosis.findings.map((finding) => ({
      ...finding,
      detail: scrub(finding.detail),
      ...(finding.fix ? { fix: scrub(finding.fix) } : {}),
    })),
  };
}

async function runChecks(
  input: DoctorInput,
  fetch: FetchLike,
  options: DoctorOptions,
): Promise<Diagnosis> {
  const findings: Finding[] = [];
  const timeoutMs = options.timeoutMs ?? 10_000;
  const target = checkAddress(input, findings);
  if (!target) return conclude(findings);
  const { url, entryHeaders } = target;
  const host = url.host;
  const send = (init: RequestInit, read?: (text: string) => boolean, ms = timeoutMs) =>
    exchange(fetch, url.href, init, ms, read);

  // 2. Does anything answer? `no-cors` gets an opaque response from any live server, with or
  // without CORS headers; that is how a browser tells "CORS refused" from "nothing there".
  const probe = await send({ method: 'GET', mode: 'no-cors', cache: 'no-store' });
  if (!probe.answered) {
    findings.push(unreachable(probe, url, timeoutMs));
    return conclude(findings);
  }
  findings.push({ check: 'reachable', ok: true, detail: `${host} answers HTTP requests.` });

  // 3. The handshake itself, with the headers the hub would send.
  const mcpHeaders = (extra: Record<string, string> = {}): Headers => {
    const headers = new Headers({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...extra,
    });
    // Applied last, as the hub's transport does (src/hub/http-transports.ts).
    for (const [name, value] of entryHeaders) headers.set(name, value);
    return headers;
  };
  const isSse = (response: Response) =>
    (response.headers.get('content-type') ?? '').includes('text/event-stream');
  const initialize = await send(
    {
      method: 'POST',
      headers: mcpHeaders(),
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: INITIALIZE_ID,
        method: 'initialize',
        params: {
          protocolVersion: DOCTOR_PROTOCOL_VERSION,
          capabilities: {},
          clientInfo: CLIENT_INFO,
        },
      }),
    },
    // An SSE answer may stay open after the result: stop reading once it is there.
    (text) => jsonRpcAnswer(text, true) !== undefined,
  );
  if (!initialize.answered) {
    if (initialize.timedOut || initialize.code) {
      findings.push(unreachable(initialize, url, timeoutMs, 'mcp'));
    } else {
      // A bare TypeError after the no-cors probe got through: the browser's CORS check refused.
      findings.push(await corsRefusal(send, url, input.pageOrigin, entryHeaders));
    }
    return conclude(findings);
  }
  const answer = initialize.response;
  const crossOrigin = answer.type === 'cors';
  findings.push(
    crossOrigin
      ? {
          check: 'cors',
          ok: true,
          detail: `${host} lets this page read its answers (it sends Access-Control-Allow-Origin).`,
        }
      : {
          check: 'cors',
          ok: true,
          detail: 'No cross-origin rules apply here (same origin, or a runtime without CORS).',
        },
  );

  // 4. What it answered.
  if (!answer.ok) {
    findings.push(await refusedHandshake(answer, initialize.body, url, entryHeaders, send));
    return conclude(findings);
  }
  const message = jsonRpcAnswer(initialize.body, isSse(answer));
  const result = message?.result as
    { protocolVersion?: unknown; serverInfo?: { name?: unknown; version?: unknown } } | undefined;
  if (message?.error) {
    findings.push({
      check: 'mcp',
      ok: false,
      problem: 'bad-request',
      detail: `${host} answered initialize with an error: "${excerpt(message.error.message)}".`,
      fix: 'Check which protocol versions and headers the server expects (its documentation or logs).',
    });
    return conclude(findings);
  }
  if (typeof result?.protocolVersion !== 'string' || typeof result.serverInfo?.name !== 'string') {
    const type = answer.headers.get('content-type') || 'no content type';
    const start = excerpt(initialize.body);
    findings.push({
      check: 'mcp',
      ok: false,
      problem: 'not-mcp',
      detail: `${host} answered ${answer.status} with ${type}, not an MCP initialize result${start ? `; it begins: "${start}"` : ''}.`,
      fix: "This address is not an MCP endpoint: find the server's MCP address (often ending in /mcp).",
    });
    return conclude(findings);
  }
  const server = {
    name: result.serverInfo.name,
    version: typeof result.serverInfo.version === 'string' ? result.serverInfo.version : '',
    protocolVersion: result.protocolVersion,
  };
  findings.push({
    check: 'mcp',
    ok: true,
    detail: `${host} is an MCP server: ${describeServer(server)}, protocol ${server.protocolVersion}.`,
  });

  // 5. The request after initialize: it carries the session id (if the page could see one) and
  // the protocol version, which is where hidden or disallowed session headers show.
  const sessionId = answer.headers.get('mcp-session-id');
  const followHeaders = (): Headers =>
    mcpHeaders({
      'mcp-protocol-version': server.protocolVersion,
      ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
    });
  try {
    const follow = await send(
      {
        method: 'POST',
        headers: followHeaders(),
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      },
      () => false,
    );
    findings.push(sessionFinding(follow, host, crossOrigin, sessionId !== null));
  } finally {
    // Ends the session the handshake opened (spec: Streamable HTTP, "Session Management"). A
    // server may refuse with 405, and a hidden session id cannot be sent: it then expires
    // on the server's own schedule.
    if (sessionId) await send({ method: 'DELETE', headers: followHeaders() }, undefined, 3_000);
  }
  return conclude(findings, server);
}

/** Step 1: a URL with http(s) that this page may fetch, and headers `Headers` accepts. */
function checkAddress(
  input: DoctorInput,
  findings: Finding[],
): { url: URL; entryHeaders: Array<[string, string]> } | undefined {
  const fix = "Enter the server's full address, for example http://127.0.0.1:3000/mcp.";
  let url: URL;
  try {
    url = new URL(input.url.trim());
  } catch {
    findings.push(problem('address', 'invalid-address', 'The address is not a valid URL.', fix));
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const detail = `The address starts with ${url.protocol}, but MCP servers are reached over http: or https:.`;
    findings.push(problem('address', 'invalid-address', detail, fix));
    return undefined;
  }
  if (input.pageProtocol === 'https:' && url.protocol === 'http:' && !isLoopback(url.hostname)) {
    findings.push(
      problem(
        'address',
        'mixed-content',
        `This page is served over HTTPS and ${url.host} over plain HTTP: the browser blocks such mixed-content requests.`,
        "Use the server's https:// address (put a TLS proxy in front of it if it has none); plain http:// works only for loopback addresses such as http://127.0.0.1 or http://localhost.",
      ),
    );
    return undefined;
  }
  const entryHeaders: Array<[string, string]> = [];
  for (const { name, value } of input.headers) {
    if (name.trim() === '') continue;
    try {
      new Headers([[name.trim(), value]]);
    } catch {
      // The value is not quoted: it may be a secret.
      findings.push(
        problem(
          'address',
          'invalid-address',
          `The header "${excerpt(name)}" cannot be sent: its name or value has characters HTTP does not allow (a space in the name, or a line break in the value).`,
          "Edit this server's headers and remove the stray characters.",
        ),
      );
      return undefined;
    }
    entryHeaders.push([name.trim(), value]);
  }
  findings.push({
    check: 'address',
    ok: true,
    detail: `${url.host} is an ${url.protocol === 'https:' ? 'HTTPS' : 'HTTP'} address this page may request.`,
  });
  return { url, entryHeaders };
}

/** Loopback hosts, which browsers treat as secure even over http: (no mixed-content block). */
function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127(\.\d{1,3}){3}$/.test(hostname) ||
    hostname === '[::1]'
  );
}

type Send = (init: RequestInit, read?: (text: string) => boolean, ms?: number) => Promise<Outcome>;

/**
 * Step 3, when the browser refused the handshake: was it the preflight (the origin is allowed
 * but not the request's headers) or the origin itself? A "simple" request (text/plain, no custom
 * headers) needs no preflight; if its answer is readable, Allow-Origin is there.
 */
async function corsRefusal(
  send: Send,
  url: URL,
  pageOrigin: string | undefined,
  entryHeaders: Array<[string, string]>,
): Promise<Finding> {
  const simple = await send({
    method: 'POST',
    mode: 'cors',
    headers: { 'content-type': 'text/plain' },
    // A ping, not an initialize: no server opens a session for it.
    body: JSON.stringify({ jsonrpc: '2.0', id: INITIALIZE_ID, method: 'ping' }),
  });
  const names = [...new Set(['content-type', ...entryHeaders.map(([name]) => name.toLowerCase())])];
  const allowHeaders = allowHeadersLine(names);
  if (simple.answered) {
    return problem(
      'cors',
      'cors-preflight',
      `${url.host} allows this page's origin, but refused the preflight (OPTIONS) check for an MCP request: its Access-Control-Allow-Headers does not list ${names.join(', ')}, or its OPTIONS answer is not a success.`,
      'Make the server answer OPTIONS requests with a 2xx status and these headers, then diagnose again:',
      [ALLOW_METHODS_LINE, allowHeaders],
    );
  }
  return problem(
    'cors',
    'cors-origin',
    `${url.host} answers, but sends no Access-Control-Allow-Origin header for ${pageOrigin ?? 'this page'}, so the browser hides its answers from Nexus.`,
    'Make the server send these headers (on OPTIONS answers too), then diagnose again:',
    [
      `Access-Control-Allow-Origin: ${pageOrigin ?? '*'}`,
      ALLOW_METHODS_LINE,
      allowHeaders,
      EXPOSE_LINE,
    ],
  );
}

/** Step 4, for a non-2xx answer to initialize. */
async function refusedHandshake(
  answer: Response,
  body: string,
  url: URL,
  entryHeaders: Array<[string, string]>,
  send: Send,
): Promise<Finding> {
  const { host, pathname } = url;
  const said = errorMessage(body);
  const quoted = said ? `: "${said}"` : '';
  const status = `${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`;
  if (answer.status === 401 || answer.status === 403) {
    const challenge = answer.headers.get('www-authenticate');
    const scheme = challenge?.trim().split(/[\s,]/)[0];
    const how = scheme
      ? ` (it asks for ${scheme}${/resource_metadata=/i.test(challenge ?? '') ? ' with OAuth' : ''})`
      : answer.type === 'cors'
        ? ' (its WWW-Authenticate header, if any, is not exposed to this page)'
        : '';
    const sent = entryHeaders.map(([name]) => name);
    const credentials = sent.length
      ? `The ${sent.join(', ')} header${sent.length > 1 ? 's' : ''} sent did not satisfy it.`
      : 'No credentials were sent.';
    return answer.status === 401
      ? problem(
          'mcp',
          'auth',
          `${host} answered ${status}: it needs authentication${how}. ${credentials}`,
          `Add the credentials it expects as a header of this server (for example "Authorization: ${scheme ?? 'Bearer'} <token>"), then diagnose again.`,
        )
      : problem(
          'mcp',
          'auth',
          `${host} answered ${status}: it refused these credentials${how}. ${credentials}`,
          "Check this server's headers: the token may be wrong, expired or lack a permission.",
        );
  }
  if ([400, 404, 405].includes(answer.status) && (await isLegacySse(send))) {
    // The spec's backwards-compatibility rule: a POST refused with 400/404/405 and a GET that
    // opens an SSE stream announcing an `endpoint` mark an HTTP+SSE (2024-11-05) server.
    return problem(
      'mcp',
      'legacy-transport',
      `${host}${pathname} is a legacy HTTP+SSE server: it refused the POST (${status}), but its GET stream announced a message endpoint.`,
      'Set this server\'s transport to "HTTP+SSE" (or "Automatic", which falls back to it).',
    );
  }
  if (answer.status === 404 || answer.status === 405) {
    return problem(
      'mcp',
      'wrong-path',
      `${host} answered ${status} to an MCP request at ${pathname}: no MCP endpoint at this path.`,
      'Check the path: Streamable HTTP servers usually serve /mcp, legacy HTTP+SSE servers /sse.',
    );
  }
  if (answer.status === 400) {
    return problem(
      'mcp',
      'bad-request',
      `${host} answered ${status} to the initialize request${quoted}.`,
      'If it is a legacy server, set its transport to "HTTP+SSE"; otherwise check which headers and protocol versions it expects.',
    );
  }
  return problem(
    'mcp',
    'server-error',
    `${host} answered ${status} to the initialize request${quoted}.`,
    'The server failed or refused the request: check its logs, then diagnose again.',
  );
}

/** Whether a GET opens an SSE stream whose first event is `endpoint` (HTTP+SSE transport). */
async function isLegacySse(send: Send): Promise<boolean> {
  // Read until the first whole event; it says whether this is an HTTP+SSE server.
  const outcome = await send(
    { method: 'GET', headers: { accept: 'text/event-stream' } },
    (text) => sseEvents(text).length > 0,
    5_000,
  );
  return (
    outcome.answered &&
    outcome.response.ok &&
    sseEvents(outcome.body, true)[0]?.event === 'endpoint'
  );
}

/**
 * The events in an SSE text. `ended`: the text is all the doctor will read, so a last event the
 * server did not finish with a blank line counts too (a partial data line then fails as JSON).
 */
function sseEvents(text: string, ended = false): EventSourceMessage[] {
  const events: EventSourceMessage[] = [];
  createParser({ onEvent: (event) => events.push(event) }).feed(ended ? `${text}\n\n` : text);
  return events;
}

/** The data of each event in an SSE text (read as ended: see `sseEvents`). */
function sseData(text: string): string[] {
  return sseEvents(text, true).map((event) => event.data);
}

/** Step 5: how the server took the request that follows initialize. */
function sessionFinding(
  follow: Outcome,
  host: string,
  crossOrigin: boolean,
  sessionVisible: boolean,
): Finding {
  if (!follow.answered) {
    if (follow.timedOut || follow.code) {
      return problem(
        'session',
        'session',
        `${host} did not answer the request that follows initialize.`,
        "Check the server's logs: it accepted the handshake but not what follows.",
      );
    }
    // In a browser: the handshake passed its preflight, this one added mcp-protocol-version
    // (and mcp-session-id) and did not.
    const added = sessionVisible
      ? 'mcp-protocol-version and mcp-session-id'
      : 'mcp-protocol-version';
    return problem(
      'session',
      'cors-preflight',
      `${host} refused the preflight for requests that carry ${added}: its Access-Control-Allow-Headers does not list them.`,
      'Make the server send this header on its OPTIONS answers, then diagnose again:',
      [allowHeadersLine()],
    );
  }
  const { response } = follow;
  if (response.ok) {
    return {
      check: 'session',
      ok: true,
      detail: sessionVisible
        ? `${host} keeps a session for this client (its Mcp-Session-Id is visible to this page) and accepted the next request.`
        : `${host} runs without sessions and accepted the next request.`,
    };
  }
  const said = errorMessage(follow.body);
  // Servers word "you sent no session" differently: "No valid session ID", "Mcp-Session-Id
  // header is required", or (the SDK's stateful transport) "Server not initialized".
  const wantsSession = response.status === 400 && /session|not initialized/i.test(said ?? '');
  if (wantsSession && crossOrigin && !sessionVisible) {
    return problem(
      'session',
      'cors-expose',
      `${host} gives each client a session (Mcp-Session-Id) but does not expose that header to this page, so every request after initialize is refused ("${said}").`,
      'Make the server send this header with its answers, then diagnose again:',
      [EXPOSE_LINE],
    );
  }
  return problem(
    'session',
    'session',
    `${host} answered ${response.status} to the request after initialize${said ? `: "${said}"` : ''}.`,
    wantsSession
      ? 'The server expects a session id it never sent: check its session handling.'
      : 'The server accepted the handshake but not what follows: check its logs.',
  );
}

function problem(
  check: CheckName,
  kind: ProblemKind,
  detail: string,
  fix?: string,
  headerLines?: string[],
): Finding {
  return {
    check,
    ok: false,
    problem: kind,
    detail,
    ...(fix ? { fix } : {}),
    ...(headerLines ? { headerLines } : {}),
  };
}

/** Step 2's verdict (also used when a later request fails at the network level). */
function unreachable(
  outcome: Failed,
  url: URL,
  timeoutMs: number,
  check: CheckName = 'reachable',
): Finding {
  const { host, hostname, origin } = url;
  if (outcome.timedOut) {
    return problem(
      check,
      'timeout',
      `${host} sent no answer within ${Math.round(timeoutMs / 100) / 10} s.`,
      'Check that the server is not stuck and that the address points at it.',
    );
  }
  switch (outcome.code) {
    case 'ECONNREFUSED':
      return problem(
        check,
        'unreachable',
        `${host} is unreachable: nothing listens there (the connection was refused).`,
        'Start the server, or correct the host and port in the address.',
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return problem(
        check,
        'unreachable',
        `The host name ${hostname} was not found.`,
        'Check the spelling of the host name.',
      );
    case undefined:
      // A browser says only "Failed to fetch", even for a no-cors request.
      return problem(
        check,
        'unreachable',
        `${host} is unreachable: nothing answers there. The server is down, the address is wrong, or the browser refused the connection (an untrusted certificate, a blocked port or a local-network request).`,
        `Check that the server is running, then open ${origin} in a browser tab to see what the browser says.`,
      );
    default:
      return problem(
        check,
        'unreachable',
        `${host} is unreachable: network error ${outcome.code}.`,
        'Check that the server is running and reachable from this machine.',
      );
  }
}

function conclude(findings: Finding[], server?: Diagnosis['server']): Diagnosis {
  const failed = findings.find((finding) => !finding.ok);
  if (failed) return { ok: false, summary: failed.detail, findings };
  return {
    ok: true,
    summary: server
      ? `The connection works: ${describeServer(server)} speaks MCP ${server.protocolVersion}.`
      : 'Every check passed.',
    findings,
    server,
  };
}

function describeServer(server: { name: string; version: string }): string {
  return `"${excerpt(server.name)}"${server.version ? ` ${excerpt(server.version)}` : ''}`;
}

type Failed = { answered: false; timedOut: boolean; code?: string };
type Outcome = { answered: true; response: Response; body: string } | Failed;

/**
 * One request with a deadline. `read` decides how much of the body to read: not at all when
 * absent; until it returns true, the body ends or 64 KiB otherwise. The request is aborted
 * afterwards, which closes any stream still open (an SSE GET would stay open for ever).
 */
async function exchange(
  fetch: FetchLike,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  read?: (text: string) => boolean,
): Promise<Outcome> {
  // The platform's own timeout signal: the doctor keeps no timers of its own to clear.
  const deadline = AbortSignal.timeout(timeoutMs);
  const controller = new AbortController();
  try {
    const signal = AbortSignal.any([deadline, controller.signal]);
    const response = await fetch(url, { ...init, signal });
    const body = read ? await readText(response, read) : '';
    return { answered: true, response, body };
  } catch (error) {
    return { answered: false, timedOut: deadline.aborted, code: networkCode(error) };
  } finally {
    controller.abort();
  }
}

async function readText(response: Response, enough: (text: string) => boolean): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < 65_536 && !enough(text)) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return text;
}

interface JsonRpcAnswer {
  result?: unknown;
  error?: { message?: unknown };
}

/** The answer to the initialize request in a JSON body or an SSE stream, if it is there. */
function jsonRpcAnswer(text: string, sse: boolean): JsonRpcAnswer | undefined {
  const candidates = sse ? sseData(text) : [text];
  for (const candidate of candidates) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(candidate);
    } catch {
      continue;
    }
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
      if (
        message !== null &&
        typeof message === 'object' &&
        (message as { id?: unknown }).id === INITIALIZE_ID &&
        ('result' in message || 'error' in message)
      ) {
        return message as JsonRpcAnswer;
      }
    }
  }
  return undefined;
}

/** The `error.message` of a JSON-RPC error body, shortened; undefined for anything else. */
function errorMessage(body: string): string | undefined {
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' && message !== '' ? excerpt(message) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Server text quoted in a sentence: untrusted, so only its first characters, on one line, with
 * control characters removed. (The UI shows it as text, never as HTML.)
 */
function excerpt(value: unknown, max = 120): string {
  const text = String(value ?? '')
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
