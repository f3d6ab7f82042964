/**
 * How a request that failed between the hub and a server reaches the client: as an error that
 * names the server, what happened and what Nexus does next, never a bare "Failed to fetch". The
 * server's own error answers, and errors the hub has worded already, pass as they are.
 */
import { ProtocolError, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import {
  invalidResult,
  schemaIssuesText,
  serverUnavailable,
  signInRequired,
} from '../../protocol/errors.ts';
import type { ServerEntry, ServerStatus } from '../ports.ts';
import type { Connector } from './connectors/connector.ts';

/**
 * The SDK's errors for a request that got lost between the hub and the server (the other
 * failures that are not the server's answer, a TypeError from fetch say, count too).
 */
const ON_THE_WAY: ReadonlySet<SdkErrorCode> = new Set([
  SdkErrorCode.ConnectionClosed,
  SdkErrorCode.SendFailed,
  SdkErrorCode.NotConnected,
  SdkErrorCode.RequestTimeout,
]);

/** A request for a server that is not ready: why not, and what the person can do. */
export function notReady(entry: ServerEntry, status: ServerStatus): ProtocolError {
  const slug = entry.slug;
  if (status.state === 'needs-sign-in')
    return signInRequired(slug, `needs you to sign in (${status.reason})`);
  const [why, next] =
    status.state === 'error'
      ? [
          `is down (${status.reason})`,
          `Nexus keeps retrying; see Servers → ${slug} in the dashboard.`,
        ]
      : status.state === 'disabled'
        ? ['is disabled', `Enable it in the Nexus dashboard (Servers → ${slug}).`]
        : ['is still connecting', 'Try again in a moment.'];
  return serverUnavailable(slug, why, next, { state: status.state });
}

/** A request that needed more access than the server's sign-in grants (step-up). */
export function moreAccess(entry: ServerEntry, what: string, words: string): ProtocolError {
  return signInRequired(entry.slug, `refused ${what}: ${words}`);
}

/** What the upstream knows when one of its requests failed. */
export interface FailureContext {
  entry: ServerEntry;
  connector: Connector | undefined;
  status: ServerStatus;
  /** When the next connection attempt is due (wall clock), if one is scheduled. */
  retryAt: number | undefined;
  now: number;
}

/** The error to throw to the client for `error`, a failure of the request for `what`. */
export async function failureFor(
  what: string,
  error: unknown,
  context: FailureContext,
): Promise<unknown> {
  if (error instanceof ProtocolError) return error;
  if (error instanceof SdkError && !ON_THE_WAY.has(error.code)) {
    if (error.code !== SdkErrorCode.InvalidResult) return error; // the SDK's own words (rounds, pages, …)
    const detail = error.message.replace(/^Invalid result for [^:]*: /, '');
    return invalidResult(context.entry.slug, what, schemaIssuesText(detail) ?? detail);
  }
  const { entry, connector, status, retryAt, now } = context;
  const slug = entry.slug;
  const plain = error instanceof Error ? error.message : String(error);
  let reason: string;
  try {
    reason = connector ? await connector.explain(error, entry) : plain;
  } catch {
    reason = plain;
  }
  const retryIn =
    status.state === 'error' && retryAt !== undefined
      ? Math.max(0, Math.ceil((retryAt - now) / 1000))
      : undefined;
  const where = `(Servers → ${slug} shows how it is going)`;
  const next =
    retryIn === undefined
      ? `Nexus reconnects on its own; try again in a few seconds ${where}.`
      : `Nexus retries ${retryIn <= 1 ? 'in a moment' : `in ${retryIn} s`}; try again then ${where}.`;
  return serverUnavailable(slug, `could not be reached for ${what} (${reason})`, next, {
    state: status.state,
  });
}
