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
import type { FetchLike } from '@modelcontextprotocol/client';
import type { Diagnosis, Finding } from '../../protocol/doctor.ts';
import { INITIALIZE_ID, excerpt, exchange, jsonRpcAnswer } from './exchange.ts';
import { redact } from '../journal/redaction.ts';
import { signInFinding } from './sign-in-checks.ts';
import {
  checkAddress,
  conclude,
  corsRefusal,
  describeServer,
  refusedHandshake,
  sessionFinding,
  unreachable,
} from './findings.ts';

export type { CheckName, Diagnosis, Finding, ProblemKind } from '../../protocol/doctor.ts';

export interface DoctorInput {
  url: string;
  headers: ReadonlyArray<{ name: string; value: string }>;
  /** The page's origin (`location.origin`), for the exact Access-Control-Allow-Origin line. */
  pageOrigin?: string;
  /** The page's protocol (`location.protocol`, e.g. `https:`), for the mixed-content check. */
  pageProtocol?: string;
  /** Nexus signs in to this server (OAuth): a 401 is checked as a sign-in (./sign-in-checks.ts). */
  signsIn?: boolean;
}

export interface DoctorOptions {
  /** How long each request may take, in ms (default 10 000). */
  timeoutMs?: number;
}

/** The revision the doctor asks for: the newest of the stateful era, which every server knows. */
export const DOCTOR_PROTOCOL_VERSION = '2025-11-25';
const CLIENT_INFO = { name: 'nexus-doctor', version: '1.0.0' };

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
    // Applied last, as the hub's transport does (src/hub/upstream/connectors/http.ts).
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

  // 4. What it answered. A server Nexus signs in to answers 401 until then: what matters is
  // whether this page can read what signing in needs.
  if (answer.status === 401 && input.signsIn) {
    const signIn = await signInFinding(
      url,
      answer.headers.get('www-authenticate'),
      fetch,
      input.pageOrigin,
    );
    findings.push(signIn);
    // All well so far, and what comes next is the person's: the summary says so.
    return { ...conclude(findings), ...(signIn.ok ? { summary: signIn.detail } : {}) };
  }
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
