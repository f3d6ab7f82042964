/**
 * The JSON-RPC errors Nexus answers clients with: one shape everywhere, so a client (or the
 * model behind it) can tell "you asked wrongly" from "the server is down" from "the person said
 * no", and a person reading the message knows which server or tool it was and what to do next.
 *
 * Codes: the JSON-RPC standard ones where they fit (−32602 for an unknown tool, prompt or
 * template and for bad arguments, as the MCP spec asks), and Nexus's own in the range JSON-RPC
 * leaves to implementations (−32000 … −32099), chosen clear of the SDK's (−32000, −32001,
 * −32021, −32022, −32042). Every error Nexus makes carries `data.nexus` (which one it is),
 * `data.next` (what to do, as a sentence) and, where one is involved, `data.server` (its slug)
 * and `data.tool`.
 *
 * Factories only: the SDK's `ProtocolError` is the class every layer already sends and reads.
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';

export const NexusErrorCode = {
  /** Bad request parameters: an unknown tool, prompt or template, invalid arguments or cursor. */
  InvalidParams: ProtocolErrorCode.InvalidParams,
  /** The server is down, disabled, still connecting, or was removed. */
  ServerUnavailable: -32060,
  /** The server did not answer within its timeout (progress resets it); the call was cancelled. */
  ServerTimeout: -32061,
  /** The person (their policy, a grant or an answer) does not allow this client to do this. */
  Denied: -32062,
  /** The person's consent is needed and could not be asked for or was not given in time. */
  ConsentRequired: -32063,
  /** The server needs the person to sign in (OAuth) before it answers. */
  SignInRequired: -32064,
  /** The server answered with a result Nexus could not read (it breaks the MCP schema). */
  InvalidResult: -32065,
} as const;

export type NexusErrorKind =
  | 'invalid-params'
  | 'server-unavailable'
  | 'server-timeout'
  | 'denied'
  | 'consent-required'
  | 'sign-in-required'
  | 'invalid-result';

/** What every Nexus error's `data` holds (more fields may follow, e.g. `state`, `timeoutMs`). */
export interface NexusErrorData {
  nexus: NexusErrorKind;
  /** What to do next, for a person. */
  next: string;
  /** The slug of the server involved. */
  server?: string;
  /** The (aggregated) name of the tool or prompt involved. */
  tool?: string;
  [more: string]: unknown;
}

function nexusError(
  code: number,
  message: string,
  data: NexusErrorData,
): ProtocolError & { data: NexusErrorData } {
  return new ProtocolError(code, message, data) as ProtocolError & { data: NexusErrorData };
}

/** −32602: the request named something that does not exist or passed what cannot be used. */
export function invalidParams(
  message: string,
  next: string,
  extra: Omit<Partial<NexusErrorData>, 'nexus' | 'next'> = {},
): ProtocolError {
  return nexusError(NexusErrorCode.InvalidParams, `${message} ${next}`, {
    ...extra,
    nexus: 'invalid-params',
    next,
  });
}

/** The server cannot take requests now; `why` says in which way (`is down (…)`, `is disabled`). */
export function serverUnavailable(
  server: string,
  why: string,
  next: string,
  extra: Record<string, unknown> = {},
): ProtocolError {
  return nexusError(NexusErrorCode.ServerUnavailable, `Server '${server}' ${why}. ${next}`.trim(), {
    ...extra,
    nexus: 'server-unavailable',
    server,
    next,
  });
}

/** The server was silent past its timeout and the call was cancelled upstream. */
export function serverTimeout(server: string, what: string, timeoutMs: number): ProtocolError {
  const next = `Try again, or give the server a longer timeout in Nexus (Servers → ${server}).`;
  return nexusError(
    NexusErrorCode.ServerTimeout,
    `Server '${server}' did not answer ${what} within ${timeoutMs / 1000} s without reporting progress, so Nexus cancelled the call. ${next}`,
    { nexus: 'server-timeout', server, next, timeoutMs },
  );
}

/** The person's policy refuses this client the action (`what`: "call github__create_issue"). */
export function denied(
  clientName: string,
  what: string,
  involved: { server?: string; tool?: string } = {},
  /** Why, when the policy said ("the person said no", "it is off for every client"). */
  reason?: string,
): ProtocolError {
  const next = 'Change this in the Nexus dashboard (Permissions).';
  return nexusError(
    NexusErrorCode.Denied,
    `Nexus does not allow client '${clientName}' to ${what}${reason ? `: ${reason}` : ''}. ${next}`,
    { ...involved, nexus: 'denied', next },
  );
}

/** The action needs the person's consent, which this hub could not obtain. */
export function consentRequired(
  clientName: string,
  what: string,
  why: string,
  involved: { server?: string; tool?: string } = {},
): ProtocolError {
  const next = 'Open the Nexus dashboard to answer, or allow it there in advance.';
  return nexusError(
    NexusErrorCode.ConsentRequired,
    `Client '${clientName}' needs the person's consent to ${what}, and ${why}. ${next}`,
    { ...involved, nexus: 'consent-required', next },
  );
}

/** The server's answer to `what` breaks the MCP schema in a way Nexus cannot pass on. */
export function invalidResult(server: string, what: string, problems: string): ProtocolError {
  const next = `This is a bug in the server '${server}': tell its authors.`;
  return nexusError(
    NexusErrorCode.InvalidResult,
    `Server '${server}' answered ${what} with a result Nexus could not read (${problems}). ${next}`,
    { nexus: 'invalid-result', server, next },
  );
}

/**
 * The server needs the person to sign in first (`why`: "needs you to sign in (…)"), or again
 * with more access for this request (step-up).
 */
export function signInRequired(server: string, why: string): ProtocolError {
  const next = `Sign in to it from Nexus (Servers → ${server} → Sign in), then try again.`;
  return nexusError(NexusErrorCode.SignInRequired, `Server '${server}' ${why}. ${next}`, {
    nexus: 'sign-in-required',
    server,
    next,
  });
}

/**
 * A schema library's issue list (the JSON text of `[{ path, message }, …]` that the SDK puts in
 * its errors) as one clause per issue, "params.name: expected string, received number"; undefined
 * when `text` is not such a list.
 */
export function schemaIssuesText(text: string): string | undefined {
  let issues: unknown;
  try {
    issues = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(issues) || issues.length === 0) return undefined;
  return issues
    .map((issue: { path?: unknown; message?: unknown }) => {
      const path =
        Array.isArray(issue?.path) && issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      const what =
        typeof issue?.message === 'string'
          ? issue.message.replace(/^Invalid input: /, '')
          : 'invalid';
      return `${path}: ${what}`;
    })
    .join('; ');
}
