/**
 * The doctor's findings: each check's verdict in words for a person, with the exact header lines
 * a server must send when CORS is what is wrong. Header VALUES never appear in a finding.
 */
import type { CheckName, Diagnosis, Finding, ProblemKind } from '../../protocol/doctor.ts';
import { ALLOW_METHODS_LINE, EXPOSE_LINE, allowHeadersLine } from '../upstream/connectors/cors.ts';
import type { DoctorInput } from './doctor.ts';
import {
  INITIALIZE_ID,
  errorMessage,
  excerpt,
  isLegacySse,
  type Failed,
  type Outcome,
  type Send,
} from './exchange.ts';
/** Step 1: a URL with http(s) that this page may fetch, and headers `Headers` accepts. */
export function checkAddress(
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
export function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127(\.\d{1,3}){3}$/.test(hostname) ||
    hostname === '[::1]'
  );
}

/**
 * Step 3, when the browser refused the handshake: was it the preflight (the origin is allowed
 * but not the request's headers) or the origin itself? A "simple" request (text/plain, no custom
 * headers) needs no preflight; if its answer is readable, Allow-Origin is there.
 */
export async function corsRefusal(
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
export async function refusedHandshake(
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

/** Step 5: how the server took the request that follows initialize. */
export function sessionFinding(
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

export function problem(
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
export function unreachable(
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

export function conclude(findings: Finding[], server?: Diagnosis['server']): Diagnosis {
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

export function describeServer(server: { name: string; version: string }): string {
  return `"${excerpt(server.name)}"${server.version ? ` ${excerpt(server.version)}` : ''}`;
}
